// Pure values builder for the Bitnami postgresql chart (16.7.x): config in, chart values out.
// Passwords never appear here: the chart reads them from the Secret named in auth.existingSecret.
import { PostgresqlConfig } from "../config/sections/data";
import { ImagesConfig } from "../config/sections/platform";
import { BITNAMI_LEGACY, BITNAMI_REGISTRY, bitnamiGlobals, bitnamiImage, chartImage, ChartImage } from "./charts";

/** Keys of the PostgreSQL credentials Secret (the chart's auth.secretKeys defaults). */
export const PG_SECRET_KEYS = {
  admin: "postgres-password",
  user: "password",
  replication: "replication-password",
} as const;

/** The fixed name of the PostgreSQL credentials Secret. */
export const PG_SECRET_NAME = "postgresql-auth";

/** Init script (first start only) that creates TimescaleDB in the application database. */
export const TIMESCALEDB_INIT_SCRIPT = "00-timescaledb.sh";

/**
 * The Bitnami entrypoint runs *.sql init scripts as the application user (POSTGRESQL_USERNAME,
 * here `ape`), who may not create TimescaleDB (not a trusted extension). A *.sh script is sourced
 * by the entrypoint with its helpers loaded, so it can run the statement as `postgres`, whose
 * password the entrypoint has already read from the mounted Secret file. No password in here.
 */
export function timescaledbInitScript(): string {
  return [
    "# Sourced once by the Bitnami entrypoint at first start (data directory just initialised).",
    'info "Creating extension timescaledb in database ${POSTGRESQL_DATABASE}"',
    'echo "CREATE EXTENSION IF NOT EXISTS timescaledb;" | postgresql_execute "$POSTGRESQL_DATABASE" "postgres" "$POSTGRESQL_POSTGRES_PASSWORD"',
    "",
  ].join("\n");
}

/** Secret keys the chart needs for this architecture. */
export function postgresqlSecretKeys(cfg: Pick<PostgresqlConfig, "architecture">): string[] {
  const keys: string[] = [PG_SECRET_KEYS.admin, PG_SECRET_KEYS.user];
  if (cfg.architecture === "replication") keys.push(PG_SECRET_KEYS.replication);
  return keys;
}

/** postgresql.conf lines from the `postgresql.primary.configuration` map (appended by the chart). */
export function extendedConfiguration(configuration: Record<string, string | number | boolean>): string {
  return Object.entries(configuration)
    .map(([name, value]) => `${name} = ${formatParameter(value)}`)
    .map((line) => `${line}\n`)
    .join("");
}

function formatParameter(value: string | number | boolean): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "on" : "off";
  // Plain words and sizes (4GB, 128MB, on) stay bare; anything else is quoted, quotes doubled.
  return /^[A-Za-z0-9_.-]+$/.test(value) ? value : `'${value.replace(/'/g, "''")}'`;
}

/** The PostgreSQL server image: the TimescaleDB build when `timescaledb` is on, else the stock one. */
export function postgresqlImage(cfg: PostgresqlConfig, images: ImagesConfig): ChartImage {
  return cfg.timescaledb ? chartImage(images, cfg.timescaledbImage) : chartImage(images, cfg.image, BITNAMI_REGISTRY);
}

function persistence(p: PostgresqlConfig["primary"]["persistence"]): Record<string, unknown> {
  return { enabled: p.enabled, size: p.size, ...(p.storageClass ? { storageClass: p.storageClass } : {}) };
}

/** Chart values for the configured PostgreSQL; `secretName` is the credentials Secret. */
export function postgresqlValues(cfg: PostgresqlConfig, images: ImagesConfig, secretName: string): Record<string, unknown> {
  const conf = extendedConfiguration(cfg.primary.configuration);
  // The chart's own NetworkPolicies are open by default (any source, any egress) and would
  // overlap the stack's default-deny policies (components of the edge); ours are the only ones.
  const noChartNetworkPolicy = { enabled: false };
  return {
    global: bitnamiGlobals(images),
    architecture: cfg.architecture,
    auth: {
      enablePostgresUser: true,
      username: cfg.auth.username,
      database: cfg.auth.database,
      existingSecret: secretName,
      secretKeys: { adminPasswordKey: PG_SECRET_KEYS.admin, userPasswordKey: PG_SECRET_KEYS.user, replicationPasswordKey: PG_SECRET_KEYS.replication },
      // Mounted as files, not environment variables (chart default, stated so it stays that way).
      usePasswordFiles: true,
    },
    image: postgresqlImage(cfg, images),
    // pgaudit is the chart's default; the custom image has no wrapper that adds timescaledb.
    postgresqlSharedPreloadLibraries: cfg.timescaledb ? "pgaudit,timescaledb" : "pgaudit",
    primary: {
      ...(conf ? { extendedConfiguration: conf } : {}),
      ...(cfg.timescaledb
        ? { initdb: { scripts: { [TIMESCALEDB_INIT_SCRIPT]: timescaledbInitScript() } } }
        : {}),
      persistence: persistence(cfg.primary.persistence),
      resources: cfg.primary.resources,
      networkPolicy: noChartNetworkPolicy,
    },
    readReplicas: {
      replicaCount: cfg.readReplicas.replicaCount,
      ...(conf ? { extendedConfiguration: conf } : {}),
      persistence: persistence(cfg.readReplicas.persistence),
      resources: cfg.readReplicas.resources,
      networkPolicy: noChartNetworkPolicy,
    },
    metrics: {
      enabled: cfg.metrics.enabled,
      resources: cfg.metrics.resources,
      image: bitnamiImage(images, BITNAMI_LEGACY.postgresExporter),
    },
    // Off: its init container runs as root, which Pod Security "restricted" refuses; fsGroup 1001
    // already makes the volume writable. The image is still set (the chart checks it).
    volumePermissions: { enabled: false, image: bitnamiImage(images, BITNAMI_LEGACY.osShell) },
  };
}
