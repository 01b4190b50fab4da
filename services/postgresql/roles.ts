// A read-only login role in the chart's PostgreSQL for a workload that only reads (Grafana): its
// own generated password in its own Secret, and the Job that applies role, password and grants.
//
// Rotation: the password is a random.RandomPassword that is not protected (losing it costs
// nothing: the Job sets whatever the Secret holds). `pulumi up --replace <its URN>` generates a new
// one; the Secret is auto-named, so it is replaced under a new name, which changes the Job's pod
// template (the Job is replaced and runs again: the role gets the new password) and the consumer's
// reference to the Secret (its pods roll with the new one once the Job has finished). A database
// restored from a backup taken before a rotation is brought back in line by `pulumi up --replace`
// of the Job.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { passwordArgs } from "../../platform/credentials";
import { DatabaseEndpoint } from "./postgresql.endpoint";
import type { ChartImage } from "../../platform/images";
import { standardLabels } from "../../platform/labels";
import { readOnlyRoleJobSpec } from "./roles.build";

/** The key of the role's password in its Secret. */
const PASSWORD_KEY = "password";

export interface ReadOnlyRoleArgs {
  readonly namespace: pulumi.Input<string>;
  /** The role's name in PostgreSQL. */
  readonly role: string;
  /** Who reads through it (the Secret's name label). */
  readonly consumer: string;
  /** The application's endpoint: server, database, and the owner whose tables the role reads. */
  readonly database: DatabaseEndpoint;
  /** The superuser's password in the chart's credentials Secret. */
  readonly adminPassword: { readonly name: pulumi.Input<string>; readonly key: string };
  /** The server's image (its psql) and the pull Secrets. */
  readonly image: ChartImage;
  readonly imagePullSecrets: readonly string[];
  /** What must exist before the Job runs (the release: the server is Ready). */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class ReadOnlyRole extends pulumi.ComponentResource {
  /** The role's user name and password, for the consumer (auto-named: a new password, a new name). */
  public readonly secret: k8s.core.v1.Secret;
  public readonly job: k8s.batch.v1.Job;
  /** The database as the role reaches it; its Secret's name resolves once the Job has finished. */
  public readonly endpoint: DatabaseEndpoint;

  constructor(name: string, args: ReadOnlyRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:data:ReadOnlyRole", name, {}, opts);
    const db = args.database;
    // Not protected in any environment (the policy pack knows this component): replacing the
    // password is how it is rotated, and the Job puts whatever the Secret holds into the database.
    const password = new random.RandomPassword(`${name}-password`, passwordArgs(), { parent: this, protect: false });
    this.secret = new k8s.core.v1.Secret(
      `${name}-auth`,
      {
        metadata: { namespace: args.namespace, labels: standardLabels(args.consumer, "credentials", "postgresql") },
        type: "Opaque",
        stringData: { username: args.role, [PASSWORD_KEY]: pulumi.secret(password.result) },
      },
      { parent: this, protect: false },
    );
    const passwordSecret = { name: this.secret.metadata.name, key: PASSWORD_KEY };
    this.job = new k8s.batch.v1.Job(
      name,
      {
        metadata: { namespace: args.namespace, labels: standardLabels("postgresql-roles", "roles", "postgresql") },
        spec: readOnlyRoleJobSpec({
          role: args.role,
          owner: db.username,
          host: db.host,
          port: db.port,
          database: db.database,
          ...(db.tls ? { tls: db.tls } : {}),
          adminPassword: args.adminPassword,
          rolePassword: passwordSecret,
          image: args.image,
          imagePullSecrets: args.imagePullSecrets,
        }),
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    // The consumer gets the Secret's name only once the Job has applied it, so it waits for the role.
    const secretName = pulumi.all([this.secret.metadata.name, this.job.metadata.name]).apply(([secret]) => secret);
    this.endpoint = {
      host: db.host,
      port: db.port,
      database: db.database,
      username: args.role,
      passwordSecret: { name: secretName, key: PASSWORD_KEY },
      password: pulumi.secret(password.result),
      ...(db.tls ? { tls: db.tls } : {}),
    };
    this.registerOutputs({ secretName });
  }
}
