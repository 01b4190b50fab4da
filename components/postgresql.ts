// PostgreSQL (TimescaleDB) as the pinned Bitnami chart through helm.v3.Release, with generated
// credentials; or, when switched off, the external database from config.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PostgresqlConfig } from "../config/sections/data";
import { databaseReleaseArgs, DataServiceArgs, pinnedChart, RELEASE_NAMES } from "./charts";
import { Credentials } from "./credentials";
import { DatabaseEndpoint } from "./endpoints";
import { statefulOptions } from "./options";
import { PG_SECRET_KEYS, PG_SECRET_NAME, postgresqlSecretKeys, postgresqlValues } from "./postgresql-values";

export const POSTGRESQL_PORT = 5432;

export interface PostgresqlArgs extends DataServiceArgs {
  /** The `postgresql` section of StackConfig (enabled). */
  readonly config: PostgresqlConfig;
}

/** The Service that accepts writes: `<release>` standalone, `<release>-primary` with replication. */
export function postgresqlServiceName(architecture: PostgresqlConfig["architecture"], release: string = RELEASE_NAMES.postgresql): string {
  return architecture === "replication" ? `${release}-primary` : release;
}

/** The database endpoint for an external PostgreSQL (postgresql.enabled false). */
export function externalDatabaseEndpoint(cfg: PostgresqlConfig): DatabaseEndpoint {
  const ext = cfg.external;
  if (!ext) throw new Error("postgresql.external: must be set when postgresql.enabled is false");
  return {
    host: ext.host,
    port: ext.port,
    database: ext.database,
    username: ext.username,
    passwordSecret: { name: ext.existingSecret, key: ext.passwordKey },
  };
}

export class Postgresql extends pulumi.ComponentResource {
  public readonly credentials: Credentials;
  public readonly release: k8s.helm.v3.Release;
  /** Where the API and Grafana connect, with the app user's password as a Secret reference. */
  public readonly endpoint: DatabaseEndpoint;

  constructor(name: string, args: PostgresqlArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:data:Postgresql", name, {}, opts);
    const { config: cfg, isProduction } = args;
    const chart = pinnedChart(args.charts, "postgresql");

    this.credentials = new Credentials(
      `${name}-auth`,
      { namespace: args.namespace, secretName: PG_SECRET_NAME, keys: postgresqlSecretKeys(cfg), component: "postgresql", isProduction },
      { parent: this },
    );
    const secretName = this.credentials.secretName;

    this.release = new k8s.helm.v3.Release(
      name,
      // The Secret's name as an Output: the release waits for the Secret.
      databaseReleaseArgs(chart, args.namespace, secretName.apply((n) => postgresqlValues(cfg, args.images, n))),
      statefulOptions(isProduction, this, { dependsOn: [this.credentials.secret] }),
    );

    // From the release's status: whoever uses the endpoint waits for the database release.
    const host = pulumi
      .all([this.release.status.name, args.namespace])
      .apply(([release, ns]) => `${postgresqlServiceName(cfg.architecture, release)}.${ns}.svc.cluster.local`);
    this.endpoint = {
      host,
      port: POSTGRESQL_PORT,
      database: cfg.auth.database,
      username: cfg.auth.username,
      passwordSecret: { name: secretName, key: PG_SECRET_KEYS.user },
      password: this.credentials.password(PG_SECRET_KEYS.user),
    };
    this.registerOutputs({ host, secretName, releaseStatus: this.release.status });
  }
}

/** What a user may see of the database endpoint (a stack output): no password, only where it is. */
export function databaseOutput(e: DatabaseEndpoint): pulumi.Output<{ host: string; port: number; database: string; username: string; passwordSecret: { name: string; key: string } }> {
  return pulumi.output({ host: e.host, port: e.port, database: e.database, username: e.username, passwordSecret: { name: e.passwordSecret.name, key: e.passwordSecret.key } });
}
