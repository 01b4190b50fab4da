// PostgreSQL (TimescaleDB) as the pinned Bitnami chart through helm.v3.Release, with generated
// credentials; or, when switched off, the external database from config.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PostgresqlConfig } from "./postgresql.settings";
import { chartCredentials, Credentials } from "../../platform/credentials";
import { PART_OF, standardLabels } from "../../platform/labels";
import { statefulOptions } from "../../platform/options";
import { claimClass } from "../../platform/persistence";
import { ChartServiceArgs, chartRelease, DATA_RELEASE } from "../../platform/release";
import { DatabaseEndpoint } from "./postgresql.endpoint";
import { postgresqlImage, postgresqlSecretKeys, postgresqlValues } from "./postgresql.build";
import { pullSecretNames } from "../../platform/images";
import { ReadOnlyRole } from "./roles";
import { POSTGRESQL, postgresqlServiceName } from "./postgresql.contract";
import type { ExternalPostgresql } from "./postgresql.decisions";
import { resolveServerTls, ServerTls } from "../../platform/internal-tls";

export interface PostgresqlArgs extends ChartServiceArgs {
  /** The `postgresql` section of StackConfig (enabled). */
  readonly config: PostgresqlConfig;
  /** The server certificate (internalTls); undefined: plain text. */
  readonly tls?: ServerTls;
  /** Read-only login roles to create, by the workload that reads through each: { grafana: "grafana_reader" }. */
  readonly readOnlyRoles?: Readonly<Record<string, string>>;
}

/** The database endpoint for an external PostgreSQL (postgresql.enabled false). */
export function externalDatabaseEndpoint(ext: ExternalPostgresql): DatabaseEndpoint {
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
  /** The PVC the backup CronJob writes to (postgresql.backup.enabled). */
  public readonly backupVolume?: k8s.core.v1.PersistentVolumeClaim;
  /** Where the API connects, with the app user's password as a Secret reference. */
  public readonly endpoint: DatabaseEndpoint;
  /** Where each workload of readOnlyRoles connects: its own role, password and Secret. */
  public readonly readOnly: Record<string, DatabaseEndpoint> = {};

  constructor(name: string, args: PostgresqlArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:data:Postgresql", name, {}, opts);
    const { config: cfg, isProduction } = args;

    this.credentials = chartCredentials(`${name}-auth`, this, args, {
      secretName: POSTGRESQL.secret.name,
      keys: postgresqlSecretKeys(cfg),
      component: "postgresql",
    });
    const secretName = this.credentials.secretName;

    // The backup volume outlives the release (its own resource, protected in production): a
    // `helm uninstall` or a replaced release never takes the backups with it.
    if (cfg.backup.enabled) {
      const storage = claimClass(cfg.backup.persistence.storageClass);
      this.backupVolume = new k8s.core.v1.PersistentVolumeClaim(
        `${name}-backups`,
        {
          metadata: {
            name: POSTGRESQL.backup.claimName,
            namespace: args.namespace,
            labels: standardLabels("postgresql", "backup", PART_OF),
            // Nothing waits for it to bind: with a WaitForFirstConsumer class it binds when the first
            // backup job mounts it, which is after the release exists.
            annotations: { "pulumi.com/skipAwait": "true" },
          },
          spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: cfg.backup.persistence.size } },
            ...storage.spec,
          },
        },
        statefulOptions(isProduction, this, storage.options),
      );
    }

    this.release = chartRelease(name, this, args, {
      chart: "postgresql",
      releaseName: POSTGRESQL.release,
      settings: DATA_RELEASE,
      // The Secret's name as an Output: the release waits for the Secret.
      values: pulumi.all([secretName, resolveServerTls(args.tls)]).apply(([n, tls]) => postgresqlValues(cfg, args.images, n, tls)),
      extraValues: cfg.extraValues,
      dependsOn: [this.credentials.secret, ...(this.backupVolume ? [this.backupVolume] : [])],
    });

    // From the release's status: whoever uses the endpoint waits for the database release.
    const host = pulumi
      .all([this.release.status.name, args.namespace])
      .apply(([release, ns]) => `${postgresqlServiceName(cfg.architecture, release)}.${ns}.svc.cluster.local`);
    this.endpoint = {
      host,
      port: POSTGRESQL.ports.postgresql,
      database: cfg.auth.database,
      username: cfg.auth.username,
      passwordSecret: { name: secretName, key: POSTGRESQL.secret.keys.user },
      password: this.credentials.password(POSTGRESQL.secret.keys.user),
      ...(args.tls ? { tls: args.tls.trust } : {}),
    };
    for (const [consumer, role] of Object.entries(args.readOnlyRoles ?? {})) {
      this.readOnly[consumer] = new ReadOnlyRole(
        `${name}-role-${consumer}`,
        {
          namespace: args.namespace,
          role,
          consumer,
          database: this.endpoint,
          adminPassword: { name: secretName, key: POSTGRESQL.secret.keys.admin },
          image: postgresqlImage(cfg, args.images),
          imagePullSecrets: pullSecretNames(args.images),
          dependsOn: [this.release],
        },
        { parent: this },
      ).endpoint;
    }
    this.registerOutputs({ host, secretName, releaseStatus: this.release.status });
  }
}
