// `postgresql` and `redis`: the data services (Bitnami charts) or external endpoints.
import { z } from "zod";
import { bool, dnsLabel, image, intAtLeast, nonEmpty, persistence, port, resources, SchemaContext } from "../fields";

const PG_PARAM = /^[a-z_][a-z0-9_.]*$/;

/**
 * An endpoint outside the cluster (or in another namespace) used when the chart is switched off.
 * The API reads the password from `existingSecret`/`passwordKey`, a Secret the operator creates in
 * the stack's namespace; this program never sees that password.
 */
const externalEndpoint = z.strictObject({
  host: nonEmpty("a host name"),
  port: port(),
  /** Secret in the stack's namespace holding the password (key given by `passwordKey`). */
  existingSecret: nonEmpty("a Secret name"),
  passwordKey: nonEmpty("a Secret key"),
});

/** Images that are Bitnami's stock PostgreSQL, which has no TimescaleDB. */
const STOCK_POSTGRESQL = /(^|\/)bitnami(legacy)?\/postgresql$/;

export const postgresqlSchema = (ctx: SchemaContext) =>
  z
    .strictObject({
      enabled: bool(),
      external: externalEndpoint.extend({ database: nonEmpty(), username: nonEmpty() }).optional(),
      architecture: z.enum(["standalone", "replication"], { error: "must be standalone or replication" }),
      auth: z.strictObject({
        database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL identifier (lower case letters, digits, _)" }),
        username: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL identifier (lower case letters, digits, _)" }),
      }),
      /** The stock Bitnami PostgreSQL image, used when `timescaledb` is false. */
      image: image(ctx),
      /** Preload TimescaleDB and create the extension in `auth.database` at first start. */
      timescaledb: bool(),
      /** The image used when `timescaledb` is true: images/postgresql-timescaledb built and pushed. */
      timescaledbImage: image(ctx),
      primary: z.strictObject({
        persistence: persistence(),
        resources: resources(),
        /** postgresql.conf parameters appended through the chart's primary.extendedConfiguration. */
        configuration: z.record(
          z.string().regex(PG_PARAM, { error: "must be a postgresql.conf parameter name such as shared_buffers" }),
          z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" }),
        ),
      }),
      readReplicas: z.strictObject({ replicaCount: intAtLeast(1), persistence: persistence(), resources: resources() }),
      metrics: z.strictObject({ enabled: bool(), resources: resources() }),
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
    });
export type PostgresqlConfig = z.infer<ReturnType<typeof postgresqlSchema>>;

export const redisSchema = (ctx: SchemaContext) =>
  z
    .strictObject({
      enabled: bool(),
      /** `existingSecret`/`passwordKey` may be left out for a Redis without auth. */
      external: externalEndpoint
        .extend({
          existingSecret: nonEmpty("a Secret name").optional(),
          passwordKey: nonEmpty("a Secret key").optional(),
          /** A Sentinel-managed Redis: the client asks these sentinels for `masterSet`. */
          sentinel: z
            .strictObject({
              hosts: z.array(nonEmpty("a host name")).min(1, { error: "must list at least one sentinel host" }),
              port: port().optional(),
              masterSet: nonEmpty(),
            })
            .optional(),
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
        .optional(),
      architecture: z.enum(["standalone", "replication"], { error: "must be standalone or replication" }),
      auth: z.strictObject({ enabled: bool() }),
      image: image(ctx),
      master: z.strictObject({ persistence: persistence(), resources: resources() }),
      replica: z.strictObject({ replicaCount: intAtLeast(1), persistence: persistence(), resources: resources() }),
      sentinel: z.strictObject({ enabled: bool(), quorum: intAtLeast(1), masterSet: dnsLabel(), resources: resources() }),
      metrics: z.strictObject({ enabled: bool(), resources: resources() }),
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
    });
export type RedisConfig = z.infer<ReturnType<typeof redisSchema>>;

/** The seed chart's values.yaml figures for PostgreSQL (TimescaleDB). */
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
    resources: { requests: { memory: "2Gi", cpu: "1000m" }, limits: { memory: "4Gi" } },
    configuration: {},
  },
  readReplicas: {
    replicaCount: 1,
    persistence: { enabled: true, size: "50Gi", storageClass: "fast-ssd" },
    resources: { requests: { memory: "2Gi", cpu: "500m" }, limits: { memory: "4Gi" } },
  },
  metrics: { enabled: true, resources: { requests: { memory: "64Mi", cpu: "50m" }, limits: { memory: "128Mi", cpu: "200m" } } },
};

/** The seed chart's values.yaml figures for Redis. */
export const redisDefaults = {
  enabled: true,
  architecture: "replication",
  auth: { enabled: true },
  image: { repository: "bitnamilegacy/redis", tag: "8.2.1-debian-12-r0" },
  master: {
    persistence: { enabled: true, size: "10Gi" },
    resources: { requests: { memory: "256Mi", cpu: "100m" }, limits: { memory: "512Mi" } },
  },
  replica: {
    replicaCount: 2,
    persistence: { enabled: true, size: "10Gi" },
    resources: { requests: { memory: "256Mi", cpu: "100m" }, limits: { memory: "512Mi" } },
  },
  sentinel: {
    enabled: false,
    quorum: 2,
    masterSet: "mymaster",
    resources: { requests: { memory: "64Mi", cpu: "50m" }, limits: { memory: "128Mi" } },
  },
  metrics: { enabled: true, resources: { requests: { memory: "64Mi", cpu: "50m" }, limits: { memory: "128Mi", cpu: "200m" } } },
};
