// `postgresql` and `redis`: the data services (Bitnami charts) or external endpoints.
import { z } from "zod";
import { extraValues } from "../../config/extra-values";
import {
  bool,
  cronSchedule,
  dnsLabel,
  image,
  intAtLeast,
  nonEmpty,
  persistence,
  port,
  quantity,
  resources,
  SchemaContext,
} from "../../config/fields";

const PG_PARAM = /^[a-z_][a-z0-9_.]*$/;

/**
 * An endpoint outside the cluster (or in another namespace) used when the chart is switched off.
 * The API reads the password from `existingSecret`/`passwordKey`, a Secret the operator creates in
 * the stack's namespace; this program never sees that password.
 */
const externalEndpoint = (what: string) =>
  z.strictObject({
    host: nonEmpty("a host name").meta({ description: `Host name or IP address of the ${what}.` }),
    port: port().meta({ description: `Port of the ${what}.` }),
    existingSecret: nonEmpty("a Secret name").meta({
      description: `Secret in the stack's namespace, created by you, that holds the ${what} password.`,
    }),
    passwordKey: nonEmpty("a Secret key").meta({ description: "Key of the password in existingSecret." }),
  });

/** Images that are Bitnami's stock PostgreSQL, which has no TimescaleDB. */
const STOCK_POSTGRESQL = /(^|\/)bitnami(legacy)?\/postgresql$/;

export const postgresqlSchema = (ctx: SchemaContext) =>
  z
    .strictObject({
      enabled: bool().meta({
        description: "Install PostgreSQL in the namespace (the chart, release postgresql); false = use postgresql.external instead.",
      }),
      external: externalEndpoint("database")
        .extend({
          database: nonEmpty().meta({ description: "Name of the database the API uses." }),
          username: nonEmpty().meta({ description: "User the API and Grafana connect as." }),
        })
        .optional()
        .meta({
          description:
            "The database used when postgresql.enabled is false (required then). Its password stays in your Secret;" +
            " this program never reads it.",
        }),
      architecture: z.enum(["standalone", "replication"], { error: "must be standalone or replication" }).meta({
        description:
          "standalone: one server; replication: a primary plus streaming read replicas (readReplicas). Changing it on a live stack" +
          " renames the primary's StatefulSet, which starts on a new, empty volume.",
      }),
      auth: z
        .strictObject({
          database: z
            .string()
            .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL identifier (lower case letters, digits, _)" })
            .meta({ description: "Database created for the API at first start; changing it later does not rename the existing one." }),
          username: z
            .string()
            .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL identifier (lower case letters, digits, _)" })
            .meta({ description: "Application user created at first start; its password is generated into the Secret postgresql-auth." }),
        })
        .meta({ description: "The application database and user; every password is generated and kept in a Secret." }),
      image: image(ctx).meta({ description: "The stock Bitnami PostgreSQL image, used when postgresql.timescaledb is false." }),
      timescaledb: bool().meta({
        description:
          "Run timescaledbImage, preload TimescaleDB and create the extension in auth.database at first start;" +
          " false = the stock image (postgresql.image).",
      }),
      timescaledbImage: image(ctx).meta({
        description:
          "PostgreSQL with TimescaleDB, built from images/postgresql-timescaledb and pushed to your registry; used when timescaledb" +
          " is true. The stock Bitnami image is refused here.",
      }),
      primary: z
        .strictObject({
          persistence: persistence().meta({
            description:
              "Data volume of the primary. To grow a live one, resize its PVC with kubectl first:" +
              " the StatefulSet's volume template is immutable.",
          }),
          resources: resources().meta({ description: "CPU and memory of the PostgreSQL server container." }),
          configuration: z
            .record(
              z.string().regex(PG_PARAM, { error: "must be a postgresql.conf parameter name such as shared_buffers" }),
              z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" }),
            )
            .meta({
              description:
                "postgresql.conf parameters (name: value, e.g. shared_buffers: 4GB) appended to the chart's configuration, for the" +
                " read replicas too; a change restarts the pods. Leave shared_preload_libraries to postgresql.timescaledb.",
            }),
        })
        .meta({ description: "The primary: the server that takes writes." }),
      readReplicas: z
        .strictObject({
          replicaCount: intAtLeast(1).meta({ description: "Number of read replicas." }),
          persistence: persistence().meta({ description: "Data volume of each read replica." }),
          resources: resources().meta({ description: "CPU and memory of each read replica." }),
        })
        .meta({ description: "Streaming read replicas; they run only with postgresql.architecture replication." }),
      metrics: z
        .strictObject({
          enabled: bool().meta({ description: "Run the postgres_exporter sidecar, which Prometheus scrapes on port 9187." }),
          resources: resources().meta({ description: "CPU and memory of the exporter sidecar." }),
        })
        .meta({ description: "PostgreSQL metrics for Prometheus." }),
      backup: z
        .strictObject({
          enabled: bool().meta({
            description:
              "Take scheduled logical backups (pg_dumpall, gzip) with the chart's backup CronJob onto the PVC postgresql-backups," +
              " which is protected in production.",
          }),
          schedule: cronSchedule().meta({
            description: "When backups run: a five-field cron expression in UTC, e.g. 0 3 * * * (03:00 daily).",
          }),
          retentionDays: intAtLeast(1).meta({ description: "Backups older than this many days are deleted after each successful backup." }),
          persistence: z
            .strictObject({
              size: quantity("storage").meta({
                description: "Size of the backup volume: room for retentionDays + 1 compressed dumps of every database.",
              }),
              storageClass: z
                .string()
                .optional()
                .meta({ description: "StorageClass of the backup volume; unset = the cluster's default." }),
            })
            .meta({ description: "The backup volume (PVC postgresql-backups)." }),
          resources: resources().meta({ description: "CPU, memory and ephemeral storage of the backup job's container." }),
        })
        .meta({ description: "Scheduled logical backups of every database; restore steps are in docs/operations.md." }),
      extraValues: extraValues("postgresql"),
    })
    .superRefine((pg, c) => {
      if (!pg.enabled && !pg.external) {
        c.addIssue({
          code: "custom",
          path: ["external"],
          input: undefined,
          message: "must give host, port, database, username, existingSecret and passwordKey when postgresql.enabled is false",
        });
      }
      if (pg.enabled && pg.timescaledb && STOCK_POSTGRESQL.test(pg.timescaledbImage.repository)) {
        c.addIssue({
          code: "custom",
          path: ["timescaledbImage", "repository"],
          input: pg.timescaledbImage.repository,
          message:
            "is the stock Bitnami PostgreSQL image, which has no TimescaleDB;" +
            " build images/postgresql-timescaledb and point here at it, or set postgresql.timescaledb false",
        });
      }
    })
    .meta({ description: "PostgreSQL with TimescaleDB for the API and Grafana: the pinned Bitnami chart, or an external database." });
export type PostgresqlConfig = z.infer<ReturnType<typeof postgresqlSchema>>;

export const redisSchema = (ctx: SchemaContext) =>
  z
    .strictObject({
      enabled: bool().meta({
        description: "Install Redis in the namespace (the chart, release redis); false = use redis.external instead.",
      }),
      external: externalEndpoint("Redis")
        .extend({
          existingSecret: nonEmpty("a Secret name")
            .optional()
            .meta({ description: "Secret in the stack's namespace, created by you, that holds the Redis password; unset = no auth." }),
          passwordKey: nonEmpty("a Secret key")
            .optional()
            .meta({ description: "Key of the password in existingSecret; set both or neither." }),
          sentinel: z
            .strictObject({
              hosts: z
                .array(nonEmpty("a host name"))
                .min(1, { error: "must list at least one sentinel host" })
                .meta({ description: "Host names of the sentinels." }),
              port: port().optional().meta({ description: "Port of the sentinels; unset = 26379." }),
              masterSet: nonEmpty().meta({ description: "Name of the master set the sentinels manage." }),
            })
            .optional()
            .meta({ description: "A Sentinel-managed Redis: the API asks these sentinels for the master of masterSet." }),
        })
        .superRefine((e, c) => {
          if ((e.existingSecret === undefined) !== (e.passwordKey === undefined)) {
            c.addIssue({
              code: "custom",
              path: [e.existingSecret === undefined ? "existingSecret" : "passwordKey"],
              input: undefined,
              message: "must be given together with existingSecret/passwordKey (both, or neither for a Redis without auth)",
            });
          }
        })
        .optional()
        .meta({ description: "The Redis used when redis.enabled is false (required then). Its password stays in your Secret." }),
      architecture: z.enum(["standalone", "replication"], { error: "must be standalone or replication" }).meta({
        description: "standalone: one Redis; replication: a master plus replica.replicaCount replicas (required for Sentinel).",
      }),
      auth: z
        .strictObject({
          enabled: bool().meta({
            description: "Require a password; it is generated once and kept in the Secret redis-auth.",
          }),
        })
        .meta({ description: "Password protection of Redis." }),
      image: image(ctx).meta({ description: "The Redis server image." }),
      master: z
        .strictObject({
          persistence: persistence().meta({
            description: "Data volume of the master. To grow a live one, resize its PVC with kubectl first (immutable volume template).",
          }),
          resources: resources().meta({ description: "CPU and memory of the master." }),
        })
        .meta({ description: "The Redis master; unused with Sentinel, where every node follows the replica settings." }),
      replica: z
        .strictObject({
          replicaCount: intAtLeast(1).meta({
            description: "Number of replicas; with Sentinel, the number of Redis nodes (each runs Redis and a sentinel).",
          }),
          persistence: persistence().meta({
            description:
              "Data volume of each replica (each node with Sentinel). Resize live PVCs with kubectl first (immutable volume template).",
          }),
          resources: resources().meta({ description: "CPU and memory of each replica (each node's Redis with Sentinel)." }),
          podAntiAffinity: z.enum(["soft", "hard"], { error: "must be soft or hard" }).meta({
            description:
              "hard: no two Redis nodes on one Kubernetes node (needs as many schedulable nodes as replicaCount, else pods stay" +
              " Pending); soft: a preference only, so one node failure may take down every replica and Sentinel.",
          }),
        })
        .meta({ description: "Redis replicas (architecture replication); with Sentinel, the Redis nodes." }),
      sentinel: z
        .strictObject({
          enabled: bool().meta({
            description:
              "Run a sentinel beside every Redis node for automatic failover; needs architecture replication. Switching it on a live" +
              " stack moves Redis to other StatefulSets, with new, empty volumes.",
          }),
          quorum: intAtLeast(1).meta({
            description: "Sentinels that must agree the master is down before a failover; at most replica.replicaCount.",
          }),
          masterSet: dnsLabel().meta({
            description: "Name of the master set the sentinels announce; the API gets it as REDIS_SENTINEL_MASTER_SET.",
          }),
          resources: resources().meta({ description: "CPU and memory of each sentinel container." }),
        })
        .meta({
          description: "Redis Sentinel: failover to a replica when the master fails; the API then asks the sentinels for the master.",
        }),
      metrics: z
        .strictObject({
          enabled: bool().meta({ description: "Run the redis_exporter sidecar, which Prometheus scrapes on port 9121." }),
          resources: resources().meta({ description: "CPU and memory of the exporter sidecar." }),
        })
        .meta({ description: "Redis metrics for Prometheus." }),
      extraValues: extraValues("redis"),
    })
    .superRefine((r, c) => {
      if (!r.enabled && !r.external) {
        c.addIssue({
          code: "custom",
          path: ["external"],
          input: undefined,
          message: "must give host and port (plus existingSecret and passwordKey when it needs a password) when redis.enabled is false",
        });
      }
      if (r.sentinel.enabled && r.architecture !== "replication") {
        c.addIssue({ code: "custom", path: ["sentinel", "enabled"], input: true, message: "requires redis.architecture replication" });
      }
      if (r.sentinel.enabled && r.sentinel.quorum > r.replica.replicaCount) {
        c.addIssue({
          code: "custom",
          path: ["sentinel", "quorum"],
          input: r.sentinel.quorum,
          message: `must be <= the number of Redis nodes (redis.replica.replicaCount = ${r.replica.replicaCount})`,
        });
      }
    })
    .meta({ description: "Redis for the API: the pinned Bitnami chart (Sentinel in production), or an external Redis." });
export type RedisConfig = z.infer<ReturnType<typeof redisSchema>>;

/** Code defaults of PostgreSQL (with TimescaleDB). */
export const postgresqlDefaults = {
  enabled: true,
  architecture: "standalone",
  auth: { database: "ape_timeseries", username: "ape" },
  image: { repository: "bitnamilegacy/postgresql", tag: "17.6.0-debian-12-r4" },
  timescaledb: true,
  // Built from images/postgresql-timescaledb (README "TimescaleDB image"); the tag names the base
  // image and the TimescaleDB version inside.
  timescaledbImage: { registry: "ghcr.io", repository: "yourorg/ape-2026/postgresql-timescaledb", tag: "17.6.0-debian-12-r4-ts2.22.1" },
  primary: {
    persistence: { enabled: true, size: "50Gi", storageClass: "fast-ssd" },
    resources: {
      requests: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "256Mi" },
      limits: { memory: "4Gi", "ephemeral-storage": "4Gi" },
    },
    configuration: {},
  },
  readReplicas: {
    replicaCount: 1,
    persistence: { enabled: true, size: "50Gi", storageClass: "fast-ssd" },
    resources: {
      requests: { memory: "2Gi", cpu: "500m", "ephemeral-storage": "256Mi" },
      limits: { memory: "4Gi", "ephemeral-storage": "4Gi" },
    },
  },
  metrics: {
    enabled: true,
    resources: {
      requests: { memory: "64Mi", cpu: "50m", "ephemeral-storage": "16Mi" },
      limits: { memory: "128Mi", cpu: "200m", "ephemeral-storage": "128Mi" },
    },
  },
  extraValues: {},
  backup: {
    enabled: false,
    schedule: "0 3 * * *",
    retentionDays: 7,
    persistence: { size: "50Gi" },
    resources: {
      requests: { memory: "128Mi", cpu: "100m", "ephemeral-storage": "64Mi" },
      limits: { memory: "512Mi", "ephemeral-storage": "1Gi" },
    },
  },
};

/** Code defaults of Redis. */
export const redisDefaults = {
  extraValues: {},
  enabled: true,
  architecture: "replication",
  auth: { enabled: true },
  image: { repository: "bitnamilegacy/redis", tag: "8.2.1-debian-12-r0" },
  master: {
    persistence: { enabled: true, size: "10Gi" },
    resources: {
      requests: { memory: "256Mi", cpu: "100m", "ephemeral-storage": "64Mi" },
      limits: { memory: "512Mi", "ephemeral-storage": "1Gi" },
    },
  },
  replica: {
    replicaCount: 2,
    podAntiAffinity: "soft",
    persistence: { enabled: true, size: "10Gi" },
    resources: {
      requests: { memory: "256Mi", cpu: "100m", "ephemeral-storage": "64Mi" },
      limits: { memory: "512Mi", "ephemeral-storage": "1Gi" },
    },
  },
  sentinel: {
    enabled: false,
    quorum: 2,
    masterSet: "mymaster",
    resources: {
      requests: { memory: "64Mi", cpu: "50m", "ephemeral-storage": "16Mi" },
      limits: { memory: "128Mi", "ephemeral-storage": "256Mi" },
    },
  },
  metrics: {
    enabled: true,
    resources: {
      requests: { memory: "64Mi", cpu: "50m", "ephemeral-storage": "16Mi" },
      limits: { memory: "128Mi", cpu: "200m", "ephemeral-storage": "128Mi" },
    },
  },
};
