// Facts of the pinned Bitnami postgresql chart (16.7.x) that this program relies on: the release
// name, Services and ports, pod labels, Secret keys and images. The component, its values builder,
// the NetworkPolicies, monitoring and the tests all read them from here, so a change is one edit.
import type { PostgresqlConfig } from "./postgresql.settings";
import type { MetricsService } from "../../platform/bitnami.build";

export const POSTGRESQL = {
  /** Fixed Helm release name: Service, StatefulSet and PVC names derive from it. */
  release: "postgresql",
  /** Pod ports (NetworkPolicies see pod ports: Services are translated before filtering). */
  ports: { postgresql: 5432, exporter: 9187 },
  /** The credentials Secret this program creates and the chart mounts (auth.existingSecret). */
  secret: {
    name: "postgresql-auth",
    /** The chart's auth.secretKeys defaults. */
    keys: { admin: "postgres-password", user: "password", replication: "replication-password" },
  },
  /**
   * Repositories on Docker Hub. Bitnami moved its versioned images to docker.io/bitnamilegacy in
   * 2025 (docker.io/bitnami lost them) and froze them. `server` is the stock image (the setting
   * postgresql.image, without TimescaleDB); the running images of a production stack come from the
   * recipes in images/ through the settings. `osShell` is the chart's volume-permissions helper,
   * which this program keeps off; the chart still checks that its image is set.
   */
  images: { server: "bitnamilegacy/postgresql", osShell: "bitnamilegacy/os-shell" },
  /**
   * The chart's backup CronJob (backup.enabled): its pods carry the release's labels plus this
   * component label, write to `mountPath` (exported to them as PGDUMP_DIR) and read the postgres
   * password from PGPASSWORD_FILE. The volume is a PVC this program creates.
   */
  backup: { component: "pg_dumpall", mountPath: "/backup/pgdump", claimName: "postgresql-backups", filePrefix: "pg_dumpall-" },
} as const;

/** Labels on every PostgreSQL pod (standalone, primary and read replicas). */
export function postgresqlPodLabels(release: string = POSTGRESQL.release): Record<string, string> {
  return { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": release };
}

/**
 * Labels on the pods of the Jobs that create the read-only roles (roles.build.ts). Not the release's
 * labels: the server's NetworkPolicy must not select them.
 */
export function postgresqlRolesPodLabels(release: string = POSTGRESQL.release): Record<string, string> {
  return { "app.kubernetes.io/name": "postgresql-roles", "app.kubernetes.io/instance": release };
}

/** Labels on the pods of the backup CronJob. */
export function postgresqlBackupPodLabels(release: string = POSTGRESQL.release): Record<string, string> {
  return { ...postgresqlPodLabels(release), "app.kubernetes.io/component": POSTGRESQL.backup.component };
}

/**
 * The exporter's metrics Service (metrics.enabled): `<release>-metrics`, its port name and the
 * labels it carries (the pod labels plus component=metrics). It selects the primary only.
 */
export function postgresqlMetricsService(release: string = POSTGRESQL.release): MetricsService {
  return {
    name: `${release}-metrics`,
    portName: "http-metrics",
    labels: { ...postgresqlPodLabels(release), "app.kubernetes.io/component": "metrics" },
  };
}

/** The Service that accepts writes: `<release>` standalone, `<release>-primary` with replication. */
export function postgresqlServiceName(architecture: PostgresqlConfig["architecture"], release: string = POSTGRESQL.release): string {
  return architecture === "replication" ? `${release}-primary` : release;
}

/**
 * The Services clients of the chart's PostgreSQL use, whose names its server certificate covers:
 * the write Service and its headless twin, plus the read Services with replication. The backup
 * job reaches the write Service by its short name.
 */
export function postgresqlTlsServices(architecture: PostgresqlConfig["architecture"], release: string = POSTGRESQL.release): string[] {
  const write = postgresqlServiceName(architecture, release);
  const services = [write, `${write}-hl`];
  if (architecture === "replication") services.push(`${release}-read`, `${release}-read-hl`);
  return services;
}
