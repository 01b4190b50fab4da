// `postgresql`: the PostgreSQL (TimescaleDB) release (Bitnami chart) or an external database.
import { z } from "zod";
import { extraValues } from "../../config/extra-values";
import { exporterMetrics } from "../../platform/bitnami.settings";
import {
  bool,
  count,
  cronSchedule,
  externalEndpoint,
  image,
  intAtLeast,
  k8sName,
  nonEmpty,
  persistence,
  quantity,
  resources,
  SchemaContext,
} from "../../config/fields";

import { parseQuantity } from "../../config/quantity";
import { closestParameter, CRASH_SAFETY, MANAGED_PARAMETERS, parameterBytes, parameterProblem, PARAMETERS } from "./postgresql.parameters";

const PG_PARAM = /^[a-z_][a-z0-9_.]*$/;
const parameterName = () => z.string().regex(PG_PARAM, { error: "must be a postgresql.conf parameter name such as shared_buffers" });
const parameterValue = () => z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" });

/** postgresql.primary.configuration: known parameters only, each value checked by its type, unit and range. */
const checkedConfiguration = () =>
  z.record(parameterName(), parameterValue()).superRefine((conf, c) => {
    for (const [name, value] of Object.entries(conf)) {
      const managed = MANAGED_PARAMETERS[name];
      if (managed) {
        c.addIssue({ code: "custom", path: [name], input: value, message: `is set by the chart (${managed}) and cannot be changed` });
      } else if (!PARAMETERS[name]) {
        const guess = closestParameter(name);
        c.addIssue({
          code: "custom",
          path: [name],
          input: value,
          message:
            `is not a parameter this program checks${guess ? ` (did you mean ${guess}?)` : ""}; for a parameter it does not know` +
            " (an extension's, a newer server's), use postgresql.primary.extraConfiguration, which is passed through unchecked",
        });
      } else {
        const problem = parameterProblem(name, value);
        if (problem) c.addIssue({ code: "custom", path: [name], input: value, message: problem });
      }
    }
  });

/** postgresql.primary.extraConfiguration: the escape hatch, unchecked; not for parameters `configuration` knows or the chart owns. */
const uncheckedConfiguration = () =>
  z.record(parameterName(), parameterValue()).superRefine((conf, c) => {
    for (const [name, value] of Object.entries(conf)) {
      if (MANAGED_PARAMETERS[name])
        c.addIssue({ code: "custom", path: [name], input: value, message: `is set by the chart (${MANAGED_PARAMETERS[name]})` });
      else if (PARAMETERS[name])
        c.addIssue({
          code: "custom",
          path: [name],
          input: value,
          message: "is a parameter this program checks: set it in postgresql.primary.configuration",
        });
    }
  });

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
          configuration: checkedConfiguration().meta({
            description:
              "postgresql.conf parameters (name: value, e.g. shared_buffers: 4GB), for the read replicas too; a change restarts the" +
              " pods. Each is checked by its PostgreSQL type, units and range (sizes in kB, MB, GB, TB; durations in ms, s, min," +
              " h, d); a name this program does not know is refused. shared_preload_libraries adds libraries: pgaudit, and" +
              " timescaledb while postgresql.timescaledb is on, are always loaded.",
            default: {},
          }),
          extraConfiguration: uncheckedConfiguration().meta({
            description:
              "postgresql.conf parameters passed through unchecked, for those postgresql.primary.configuration does not know" +
              " (an extension's, a newer server's). A value PostgreSQL refuses stops the server from starting.",
            default: {},
          }),
        })
        .meta({ description: "The primary: the server that takes writes." }),
      readReplicas: z
        .strictObject({
          replicaCount: count(1, 15, "read replicas each stream the whole WAL from the primary; more need another architecture").meta({
            description: "Number of read replicas (at most 15).",
            default: 1,
          }),
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
      metrics: exporterMetrics(ctx, {
        exporter: "postgres_exporter",
        port: 9187,
        recipe: "postgres-exporter",
        tag: "0.17.1-debian-13-r1",
        of: "PostgreSQL",
      }),
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
              storageClass: k8sName("StorageClass")
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
      configurationRules(pg, ctx, c);
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

/** Rules across the configuration and the rest of the section. */
function configurationRules(
  pg: {
    primary: { configuration: Record<string, string | number | boolean>; resources: { limits?: { memory?: string } } };
    readReplicas: { resources: { limits?: { memory?: string } } };
    architecture: string;
  },
  ctx: SchemaContext,
  c: z.RefinementCtx,
): void {
  const conf = pg.primary.configuration;
  // shared_buffers is allocated at start: at or above the memory limit the server is killed at once.
  const buffers = conf.shared_buffers !== undefined ? parameterBytes("shared_buffers", conf.shared_buffers) : undefined;
  const limits: [string, string | undefined][] = [["postgresql.primary.resources.limits.memory", pg.primary.resources.limits?.memory]];
  if (pg.architecture === "replication")
    limits.push(["postgresql.readReplicas.resources.limits.memory", pg.readReplicas.resources.limits?.memory]);
  for (const [key, limit] of limits) {
    if (buffers === undefined || limit === undefined) continue;
    if (buffers >= parseQuantity(limit)!) {
      c.addIssue({
        code: "custom",
        path: ["primary", "configuration", "shared_buffers"],
        input: conf.shared_buffers,
        message: `must be below ${key} (${limit}), or the server is killed when it allocates them; about a quarter of it is usual`,
      });
    }
  }
  if (ctx.environment === "production") {
    for (const name of CRASH_SAFETY) {
      const value = conf[name];
      if (value === false || (typeof value === "string" && ["off", "false", "no", "0"].includes(value.toLowerCase()))) {
        c.addIssue({
          code: "custom",
          path: ["primary", "configuration", name],
          input: value,
          message: "must stay on in production: off can lose or corrupt committed data when the server or its node crashes",
        });
      }
    }
  }
}
