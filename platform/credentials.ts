// Generated credentials: one random.RandomPassword per key, all in one Kubernetes Secret that a
// chart mounts by name. The passwords stay Pulumi secrets end to end: charts get the Secret's
// name, never a value.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MANAGED_BY, PART_OF } from "./labels";
import { statefulOptions } from "./options";
import { ChartServiceArgs } from "./release";

/**
 * Where resources lived before they were children of a Credentials component, so that the engine
 * adopts them (aliases) instead of replacing them, which would rotate a password.
 */
interface CredentialsOrigin {
  readonly parent: pulumi.Resource;
  /** Former logical name of the Secret. */
  readonly secret: string;
  /** Former logical name of each key's RandomPassword. */
  readonly passwords: Readonly<Record<string, string>>;
}

export interface CredentialsArgs {
  /** Namespace of the Secret (an Output of the Namespace, so the Secret waits for it). */
  readonly namespace: pulumi.Input<string>;
  /** Fixed Secret name, for charts that reference it by name; unset = auto-named. */
  readonly secretName?: string;
  /** Secret keys to fill with a generated password each, e.g. ["postgres-password", "password"]. */
  readonly keys: readonly string[];
  /** Non-secret entries stored beside the passwords (e.g. a user name the chart reads from the Secret). */
  readonly plain?: Readonly<Record<string, string>>;
  /**
   * Entries computed from one of the generated passwords, for charts that want the password inside
   * a larger value (e.g. Neo4j's NEO4J_AUTH = "neo4j/<password>"). Secret like the passwords.
   */
  readonly derived?: Readonly<Record<string, { readonly from: string; readonly format: (password: string) => string }>>;
  /** The name label of the Secret (e.g. "postgresql"). */
  readonly component: string;
  /** Protect the passwords and the Secret (production). */
  readonly isProduction: boolean;
  /** RandomPassword inputs; default passwordArgs(). Changing them on a live stack rotates the password. */
  readonly passwordArgs?: random.RandomPasswordArgs;
  readonly origin?: CredentialsOrigin;
}

/**
 * Settings of every generated password. Alphanumeric only, so the password is safe in a URL, a
 * redis.conf line or a shell without escaping. No `keepers`: a database applies its password only
 * on first initialisation (the data volume keeps the old one), so the value must never rotate as
 * a side effect of some other change.
 */
export function passwordArgs(length = 32): random.RandomPasswordArgs {
  return { length, special: false, upper: true, lower: true, numeric: true, minUpper: 2, minLower: 2, minNumeric: 2 };
}

export class Credentials extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  /** The Secret's name, resolved once the Secret exists (pass this to charts: they then wait for it). */
  public readonly secretName: pulumi.Output<string>;
  private readonly passwords: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: CredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    // The type token names the data domain, where the component started; it is part of every
    // child's URN, so renaming it would replace every password.
    super("ape:data:Credentials", name, {}, opts);
    const origin = args.origin;
    const adopted = (formerName: string | undefined) =>
      origin && formerName ? { aliases: [{ name: formerName, parent: origin.parent }] } : {};
    const stringData: Record<string, pulumi.Input<string>> = { ...args.plain };
    for (const key of args.keys) {
      const password = new random.RandomPassword(
        `${name}-${key}`,
        args.passwordArgs ?? passwordArgs(),
        statefulOptions(args.isProduction, this, adopted(origin?.passwords[key])),
      );
      // pulumi.secret: the value is secret in state and outputs even where the provider's
      // additionalSecretOutputs are not applied (mocks, older SDKs).
      this.passwords[key] = pulumi.secret(password.result);
      stringData[key] = this.passwords[key];
    }
    for (const [key, { from, format }] of Object.entries(args.derived ?? {})) {
      const source = this.passwords[from];
      if (!source) throw new Error(`Credentials: derived key ${key} reads ${from}, which is not one of the generated keys`);
      stringData[key] = pulumi.secret(source.apply(format));
    }
    this.secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: {
          ...(args.secretName ? { name: args.secretName } : {}),
          namespace: args.namespace,
          labels: {
            "app.kubernetes.io/name": args.component,
            "app.kubernetes.io/component": "credentials",
            "app.kubernetes.io/part-of": PART_OF,
            "app.kubernetes.io/managed-by": MANAGED_BY,
          },
        },
        type: "Opaque",
        stringData,
      },
      statefulOptions(args.isProduction, this, adopted(origin?.secret)),
    );
    this.secretName = this.secret.metadata.name;
    this.registerOutputs({ secretName: this.secretName });
  }

  /** The generated password under `key`, as a Pulumi secret. */
  public password(key: string): pulumi.Output<string> {
    const value = this.passwords[key];
    if (!value) throw new Error(`Credentials: no generated key ${key} (have ${Object.keys(this.passwords).join(", ")})`);
    return value;
  }
}

/**
 * The Credentials `name` of the chart component `parent`, in the stack's namespace and protected in
 * production like the release that reads them; `spec` says which Secret and keys.
 */
export function chartCredentials(
  name: string,
  parent: pulumi.Resource,
  args: ChartServiceArgs,
  spec: Omit<CredentialsArgs, "namespace" | "isProduction">,
): Credentials {
  return new Credentials(name, { namespace: args.namespace, isProduction: args.isProduction, ...spec }, { parent });
}
