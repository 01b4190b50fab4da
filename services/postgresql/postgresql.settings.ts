// `postgresql`: the PostgreSQL (TimescaleDB) release (Bitnami chart) or an external database.
import { z } from "zod";
import { extraValues } from "../../config/extra-values";
import {
  bool,
  cronSchedule,
  externalEndpoint,
  image,
  intAtLeast,
  nonEmpty,
  persistence,
  quantity,
  resources,
  SchemaContext,
} from "../../config/fields";

const PG_PARAM = /^[a-z_][a-z0-9_.]*$/;

/** Images that are Bitnami's stock PostgreSQL, which has no TimescaleDB. */
const STOCK_POSTGRESQL = /(^|\/)bitnami(legacy)?\/postgresql$/;

export const postgresqlSchema = (ctx: SchemaContext) =>
  z
    .strictObject({
      enabled: bool().meta({
        description: "Install PostgreSQL in the namespace (the chart, release postgresql); false = use postgresql.external instead.",
        default: true,
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
        default: "standalone",
      }),
      auth: z
        .strictObject({
          database: z
            .string()
            .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL identifier (lower case letters, digits, _)" })
            .meta({
              description: "Database created for the API at first start; changing it later does not rename the existing one.",
              default: "ape_timeseries",
            }),
          username: z
            .string()
            .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL identifier (lower case letters, digits, _)" })
            .meta({
              description: "Application user created at first start; its password is generated into the Secret postgresql-auth.",
              default: "ape",
            }),
        })
        .meta({ description: "The application database and user; every password is generated and kept in a Secret." }),
      image: image(ctx).meta({
        description: "The stock Bitnami PostgreSQL image, used when postgresql.timescaledb is false.",
        default: { repository: "bitnamilegacy/postgresql", tag: "17.6.0-debian-12-r4" },
      }),
      timescaledb: bool().meta({
        description:
          "Run timescaledbImage, preload TimescaleDB and create the extension in auth.database at first start;" +
          " false = the stock image (postgresql.image).",
        default: true,
      }),
      timescaledbImage: image(ctx).meta({
        description:
          "PostgreSQL with TimescaleDB, built from images/postgresql-timescaledb and pushed to your registry; used when timescaledb" +
          " is true. The stock Bitnami image is refused here.",
        // The recipe's tag (images/versions.env) in a placeholder registry that production refuses
        // until it is set: PostgreSQL, TimescaleDB, base and revision.
        default: { registry: "ghcr.io", repository: "yourorg/ape-2026/postgresql-timescaledb", tag: "17.12-ts2.19.3-debian-13-r1" },
      }),
      primary: z
        .strictObject({
          persistence: persistence().meta({
            description:
              "Data volume of the primary. To grow a live one, resize its PVC with kubectl first:" +
              " the StatefulSet's volume template is immutable.",
            default: { enabled: true, size: "50Gi", storageClass: "fast-ssd" },
          }),
          resources: resources().meta({
            description: "CPU and memory of the PostgreSQL server container.",
            default: {
              requests: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "256Mi" },
              limits: { memory: "4Gi", "ephemeral-storage": "4Gi" },
            },
          }),
          configuration: z
            .record(
              z.string().regex(PG_PARAM, { error: "must be a postgresql.conf parameter name such as shared_buffers" }),
              z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" }),
            )
            .meta({
              description:
                "postgresql.conf parameters (name: value, e.g. shared_buffers: 4GB) appended to the chart's configuration, for the" +
                " read replicas too; a change restarts the pods. Leave shared_preload_libraries to postgresql.timescaledb.",
              default: {},
            }),
        })
        .meta({ description: "The primary: the server that takes writes." }),
      readReplicas: z
        .strictObject({
          replicaCount: intAtLeast(1).meta({ description: "Number of read replicas.", default: 1 }),
          persistence: persistence().meta({
            description: "Data volume of each read replica.",
            default: { enabled: true, size: "50Gi", storageClass: "fast-ssd" },
          }),
          resources: resources().meta({
            description: "CPU and memory of each read replica.",
            default: {
              requests: { memory: "2Gi", cpu: "500m", "ephemeral-storage": "256Mi" },
              limits: { memory: "4Gi", "ephemeral-storage": "4Gi" },
            },
          }),
        })
        .meta({ description: "Streaming read replicas; they run only with postgresql.architecture replication." }),
      metrics: z
        .strictObject({
          enabled: bool().meta({ description: "Run the postgres_exporter sidecar, which Prometheus scrapes on port 9187.", default: true }),
          image: image(ctx).meta({
            description: "The postgres_exporter image, built from images/postgres-exporter and pushed to your registry.",
            default: { registry: "ghcr.io", repository: "yourorg/ape-2026/postgres-exporter", tag: "0.17.1-debian-13-r1" },
          }),
          resources: resources().meta({
            description: "CPU and memory of the exporter sidecar.",
            default: {
              requests: { memory: "64Mi", cpu: "50m", "ephemeral-storage": "16Mi" },
              limits: { memory: "128Mi", cpu: "200m", "ephemeral-storage": "128Mi" },
            },
          }),
        })
        .meta({ description: "PostgreSQL metrics for Prometheus." }),
      backup: z
        .strictObject({
          enabled: bool().meta({
            description:
              "Take scheduled logical backups (pg_dumpall, gzip) with the chart's backup CronJob onto the PVC postgresql-backups," +
              " which is protected in production.",
            default: false,
          }),
          schedule: cronSchedule().meta({
            description: "When backups run: a five-field cron expression in UTC, e.g. 0 3 * * * (03:00 daily).",
            default: "0 3 * * *",
          }),
          retentionDays: intAtLeast(1).meta({
            description: "Backups older than this many days are deleted after each successful backup.",
            default: 7,
          }),
          persistence: z
            .strictObject({
              size: quantity("storage").meta({
                description: "Size of the backup volume: room for retentionDays + 1 compressed dumps of every database.",
                default: "50Gi",
              }),
              storageClass: z
                .string()
                .optional()
                .meta({ description: "StorageClass of the backup volume; unset = the cluster's default." }),
            })
            .meta({ description: "The backup volume (PVC postgresql-backups)." }),
          resources: resources().meta({
            description: "CPU, memory and ephemeral storage of the backup job's container.",
            default: {
              requests: { memory: "128Mi", cpu: "100m", "ephemeral-storage": "64Mi" },
              limits: { memory: "512Mi", "ephemeral-storage": "1Gi" },
            },
          }),
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
