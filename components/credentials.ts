// Generated credentials: one random.RandomPassword per key, all in one Kubernetes Secret that a
// chart mounts by name (auth.existingSecret). The passwords stay Pulumi secrets end to end.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MANAGED_BY, PART_OF } from "./labels";
import { statefulOptions } from "./options";

export interface CredentialsArgs {
  /** Namespace of the Secret (an Output of the Namespace, so the Secret waits for it). */
  readonly namespace: pulumi.Input<string>;
  /** Fixed Secret name: charts reference it by name. */
  readonly secretName: string;
  /** Secret keys to fill with a generated password each, e.g. ["postgres-password", "password"]. */
  readonly keys: readonly string[];
  /** The component label of the Secret (e.g. "postgresql"). */
  readonly component: string;
  /** Protect the passwords and the Secret (production). */
  readonly isProduction: boolean;
  /** Password length; default 32. */
  readonly length?: number;
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
    super("ape:data:Credentials", name, {}, opts);
    const stringData: Record<string, pulumi.Output<string>> = {};
    for (const key of args.keys) {
      const password = new random.RandomPassword(`${name}-${key}`, passwordArgs(args.length), statefulOptions(args.isProduction, this));
      // pulumi.secret: the value is secret in state and outputs even where the provider's
      // additionalSecretOutputs are not applied (mocks, older SDKs).
      this.passwords[key] = pulumi.secret(password.result);
      stringData[key] = this.passwords[key];
    }
    this.secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: {
          name: args.secretName,
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
      statefulOptions(args.isProduction, this),
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
