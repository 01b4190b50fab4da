// Pure values builder for the Bitnami postgresql chart (16.7.x): config in, chart values out.
// Passwords never appear here: the chart reads them from the Secret named in auth.existingSecret.
import { PostgresqlConfig } from "./postgresql.settings";
import { ImagesConfig } from "../../platform/platform.settings";
import { ChartImage, chartImage } from "../../platform/images";
import { volumeValues } from "../../platform/persistence";
import { BITNAMI_POD_SECURITY, BITNAMI_REGISTRY, bitnamiGlobals, bitnamiImage } from "../../platform/bitnami.build";
import { POSTGRESQL, postgresqlServiceName } from "./postgresql.contract";
import { preloadLibraries } from "./postgresql.parameters";
import { certificateAnnotations, INTERNAL_TLS, ServerTlsValues } from "../../platform/internal-tls";

const KEYS = POSTGRESQL.secret.keys;

/** Init script (first start only) that creates TimescaleDB in the application database. */
const TIMESCALEDB_INIT_SCRIPT = "00-timescaledb.sh";

/**
 * The Bitnami entrypoint runs *.sql init scripts as the application user (POSTGRESQL_USERNAME,
 * here `ape`), who may not create TimescaleDB (not a trusted extension). A *.sh script is sourced
 * by the entrypoint with its helpers loaded, so it can run the statement as `postgres`, whose
 * password the entrypoint has already read from the mounted Secret file. No password in here.
 */
function timescaledbInitScript(): string {
  return [
    "# Sourced once by the Bitnami entrypoint at first start (data directory just initialised).",
    'info "Creating extension timescaledb in database ${POSTGRESQL_DATABASE}"',
    'echo "CREATE EXTENSION IF NOT EXISTS timescaledb;" |',
    '  postgresql_execute "$POSTGRESQL_DATABASE" "postgres" "$POSTGRESQL_POSTGRES_PASSWORD"',
    "",
  ].join("\n");
}

/** Secret keys the chart needs for this architecture. */
export function postgresqlSecretKeys(cfg: Pick<PostgresqlConfig, "architecture">): string[] {
  const keys: string[] = [KEYS.admin, KEYS.user];
  if (cfg.architecture === "replication") keys.push(KEYS.replication);
  return keys;
}

/**
 * The backup job's script: pg_dumpall of every database (roles included) as postgres, gzip-compressed
 * into a file named by the UTC time, written under a temporary name and renamed only when complete;
 * then files older than `retentionDays` are deleted. Runs in the chart's CronJob, which exports
 * PGDUMP_DIR (the backup volume), PGHOST/PGPORT/PGUSER and PGPASSWORD_FILE.
 */
export function backupScript(retentionDays: number, tls = false): string {
  const prefix = POSTGRESQL.backup.filePrefix;
  return [
    "set -euo pipefail",
    // The chart mounts the server's certificate Secret at /tmp/certs when TLS is on; only its CA is read.
    ...(tls ? [`export PGSSLMODE=verify-full PGSSLROOTCERT=${BACKUP_CERTS_DIR}/${INTERNAL_TLS.keys.ca}`] : []),
    `rm -f "$PGDUMP_DIR"/${prefix}*.partial`,
    `file="$PGDUMP_DIR/${prefix}$(date -u '+%Y-%m-%dT%H%M%SZ').sql.gz"`,
    'PGPASSWORD="${PGPASSWORD:-$(< "$PGPASSWORD_FILE")}" pg_dumpall --clean --if-exists --load-via-partition-root \\',
    '  --quote-all-identifiers --no-password | gzip > "$file.partial"',
    'mv "$file.partial" "$file"',
    `find "$PGDUMP_DIR" -maxdepth 1 -name '${prefix}*.sql.gz' -mmin +${retentionDays * 24 * 60} -print -delete`,
    'echo "backup written: $file ($(du -h "$file" | cut -f1))"',
  ].join("\n");
}

/** Where the chart's backup CronJob mounts the server's certificate Secret (tls.enabled). */
const BACKUP_CERTS_DIR = "/tmp/certs";

/**
 * How late a backup may still start, in seconds after its scheduled time (an hour). Without a
 * deadline the CronJob controller counts every missed start since the last one, and after 100
 * misses (a long controller or cluster outage) it refuses to schedule the job at all; with one, a
 * run that cannot start within the hour is skipped and the next one runs on time.
 */
const BACKUP_STARTING_DEADLINE_SECONDS = 3600;

/** The chart's backup CronJob values: our script, our volume, no overlapping runs, a start deadline, no chart NetworkPolicy. */
function backupValues(backup: PostgresqlConfig["backup"], tls: boolean): Record<string, unknown> {
  if (!backup.enabled) return { enabled: false };
  return {
    enabled: true,
    cronjob: {
      schedule: backup.schedule,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: BACKUP_STARTING_DEADLINE_SECONDS,
      command: ["/bin/bash", "-c", backupScript(backup.retentionDays, tls)],
      resources: backup.resources,
      // The stack's own NetworkPolicies admit the backup pod to PostgreSQL (edge/network-policies).
      networkPolicy: { enabled: false },
      storage: { enabled: true, existingClaim: POSTGRESQL.backup.claimName, mountPath: POSTGRESQL.backup.mountPath },
    },
  };
}

type Parameters = Record<string, string | number | boolean>;

/**
 * postgresql.conf lines (appended by the chart) from `postgresql.primary.configuration`, then
 * `extraConfiguration`. shared_preload_libraries is left out: the chart's own setting carries it,
 * merged with the libraries the program needs (see preloadLibraries).
 */
export function extendedConfiguration(configuration: Parameters, extra: Parameters = {}): string {
  return Object.entries({ ...configuration, ...extra })
    .filter(([name]) => name !== "shared_preload_libraries")
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

/**
 * pg_hba.conf with TLS inside the cluster: every connection over the network must use TLS
 * (hostssl; a plain-text one matches no line and is refused). Plain text is left to the socket and
 * the loopback address, which never leave the pod: the chart's exporter sidecar connects to
 * 127.0.0.1 with sslmode=disable. Passwords as everywhere: SCRAM.
 */
function tlsOnlyHba(): string {
  return [
    "# Written by the ape-2026 program (internalTls): TLS for every connection from outside the pod.",
    "# TYPE   DATABASE     USER  ADDRESS       METHOD",
    "local    all          all                 scram-sha-256",
    "host     all          all   127.0.0.1/32  scram-sha-256",
    "host     all          all   ::1/128       scram-sha-256",
    "hostssl  all          all   0.0.0.0/0     scram-sha-256",
    "hostssl  all          all   ::/0          scram-sha-256",
    "hostssl  replication  all   0.0.0.0/0     scram-sha-256",
    "hostssl  replication  all   ::/0          scram-sha-256",
    "",
  ].join("\n");
}

/** Where the server image reads a mounted pg_hba.conf (the chart mounts the primary's there). */
const MOUNTED_HBA = "/bitnami/postgresql/conf/pg_hba.conf";

/**
 * The chart's TLS values: the server's certificate Secret (certificate and PKCS#8 key; no CA file,
 * which would make the chart demand client certificates), TLS-only pg_hba on the primary, and the
 * same file on the read replicas (the chart gives them none of their own: they mount the primary's
 * ConfigMap). The chart's copy-certs init container (it makes the key 0600) runs the server image,
 * not the chart's frozen os-shell image.
 */
function tlsValues(cfg: PostgresqlConfig, images: ImagesConfig, tls: ServerTlsValues) {
  const hbaVolume = "pg-hba";
  return {
    tls: {
      enabled: true,
      certificatesSecret: tls.secretName,
      certFilename: INTERNAL_TLS.keys.cert,
      certKeyFilename: INTERNAL_TLS.keys.key,
    },
    primary: { pgHbaConfiguration: tlsOnlyHba() },
    readReplicas: {
      extraVolumes: [
        {
          name: hbaVolume,
          configMap: {
            name: `${postgresqlServiceName(cfg.architecture)}-configuration`,
            items: [{ key: "pg_hba.conf", path: "pg_hba.conf" }],
          },
        },
      ],
      extraVolumeMounts: [{ name: hbaVolume, mountPath: MOUNTED_HBA, subPath: "pg_hba.conf", readOnly: true }],
    },
    copyCertsImage: postgresqlImage(cfg, images),
  };
}

/**
 * Chart values for the configured PostgreSQL; `secretName` is the credentials Secret, `tls` the
 * server certificate (undefined: plain text, internalTls.enabled false).
 */
export function postgresqlValues(
  cfg: PostgresqlConfig,
  images: ImagesConfig,
  secretName: string,
  tls?: ServerTlsValues,
): Record<string, unknown> {
  const conf = extendedConfiguration(cfg.primary.configuration, cfg.primary.extraConfiguration);
  const secure = tls ? tlsValues(cfg, images, tls) : undefined;
  const podAnnotations = certificateAnnotations(tls);
  // The chart's own NetworkPolicies are open by default (any source, any egress) and would widen
  // the stack's default-deny policies (edge/network-policies); the stack's are the only ones.
  const noChartNetworkPolicy = { enabled: false };
  return {
    global: bitnamiGlobals(images),
    architecture: cfg.architecture,
    auth: {
      enablePostgresUser: true,
      username: cfg.auth.username,
      database: cfg.auth.database,
      existingSecret: secretName,
      secretKeys: { adminPasswordKey: KEYS.admin, userPasswordKey: KEYS.user, replicationPasswordKey: KEYS.replication },
      // Mounted as files, not environment variables (chart default, stated so it stays that way).
      usePasswordFiles: true,
    },
    image: postgresqlImage(cfg, images),
    ...(secure ? { tls: secure.tls } : {}),
    // pgaudit is the chart's default; the custom image has no wrapper that adds timescaledb. Libraries
    // the configuration names are added to these, never in place of them.
    postgresqlSharedPreloadLibraries: preloadLibraries(
      cfg.timescaledb ? ["pgaudit", "timescaledb"] : ["pgaudit"],
      cfg.primary.configuration.shared_preload_libraries,
    ),
    primary: {
      ...(conf ? { extendedConfiguration: conf } : {}),
      ...(cfg.timescaledb ? { initdb: { scripts: { [TIMESCALEDB_INIT_SCRIPT]: timescaledbInitScript() } } } : {}),
      ...(secure ? { ...secure.primary, podAnnotations } : {}),
      persistence: volumeValues(cfg.primary.persistence),
      resources: cfg.primary.resources,
      podSecurityContext: BITNAMI_POD_SECURITY,
      networkPolicy: noChartNetworkPolicy,
    },
    readReplicas: {
      replicaCount: cfg.readReplicas.replicaCount,
      ...(conf ? { extendedConfiguration: conf } : {}),
      ...(secure ? { ...secure.readReplicas, podAnnotations } : {}),
      persistence: volumeValues(cfg.readReplicas.persistence),
      resources: cfg.readReplicas.resources,
      podSecurityContext: BITNAMI_POD_SECURITY,
      networkPolicy: noChartNetworkPolicy,
    },
    metrics: {
      enabled: cfg.metrics.enabled,
      resources: cfg.metrics.resources,
      image: chartImage(images, cfg.metrics.image, BITNAMI_REGISTRY),
    },
    backup: backupValues(cfg.backup, tls !== undefined),
    // Off: its init container runs as root, which Pod Security "restricted" refuses; fsGroup 1001
    // already makes the volume writable. The image is still set (the chart checks it); with TLS the
    // chart's copy-certs init container runs it, so it is then the server image.
    volumePermissions: { enabled: false, image: secure ? secure.copyCertsImage : bitnamiImage(images, POSTGRESQL.images.osShell) },
  };
}
