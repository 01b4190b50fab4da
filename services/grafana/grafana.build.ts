// Pure value builders for the grafana-community `grafana` chart (12.11.1): admin credentials by
// Secret name, persistence that passes restricted Pod Security, provisioned data sources whose
// password comes from the environment, and the dashboard sidecar.
import { GrafanaConfig } from "./grafana.settings";
import { ImagesConfig } from "../../platform/platform.settings";
import { ResolvedDatabase } from "../postgresql";
import { imageRegistry, pullSecretNames } from "../../platform/images";
import { volumeValues } from "../../platform/persistence";
import { GRAFANA } from "./grafana.contract";

/** The environment variable that carries the TimescaleDB password into the Grafana container. */
const DB_PASSWORD_ENV = "TIMESCALEDB_PASSWORD";
/** Stable data source uids the dashboards reference. */
export const PROMETHEUS_DS_UID = "prometheus";
const TIMESCALEDB_DS_UID = "timescaledb";

export interface GrafanaValuesArgs {
  readonly grafana: GrafanaConfig;
  readonly images: ImagesConfig;
  /** Secret with admin-user / admin-password. */
  readonly adminSecretName: string;
  /** In-cluster URL of the Prometheus server Service. */
  readonly prometheusUrl: string;
  /** TimescaleDB to provision as a data source; undefined = none. */
  readonly database?: ResolvedDatabase;
  /** Whether the database runs the TimescaleDB extension (Grafana's query editor helpers). */
  readonly timescaledb: boolean;
}

/** The provisioned data sources (datasources.yaml). The password is a `$VAR` reference only. */
function grafanaDatasources(args: Pick<GrafanaValuesArgs, "prometheusUrl" | "database" | "timescaledb">): Record<string, unknown>[] {
  const sources: Record<string, unknown>[] = [
    {
      name: "Prometheus",
      type: "prometheus",
      uid: PROMETHEUS_DS_UID,
      url: args.prometheusUrl,
      access: "proxy",
      isDefault: true,
      editable: false,
    },
  ];
  if (args.database) {
    const db = args.database;
    sources.push({
      name: "TimescaleDB",
      type: "grafana-postgresql-datasource",
      uid: TIMESCALEDB_DS_UID,
      url: `${db.host}:${db.port}`,
      user: db.username,
      access: "proxy",
      editable: false,
      jsonData: {
        database: db.database,
        // With TLS inside the cluster: the server's certificate and name verified with the mounted CA.
        ...(db.tls
          ? { sslmode: "verify-full", tlsConfigurationMethod: "file-path", sslRootCertFile: `${DB_CA_DIR}/${db.tls.key}` }
          : { sslmode: "disable" }),
        timescaledb: args.timescaledb,
        postgresVersion: 1700,
      },
      // Grafana expands $VAR from its environment when it provisions the data source.
      secureJsonData: { password: `$${DB_PASSWORD_ENV}` },
    });
  }
  return sources;
}

/** Where Grafana mounts the CA ConfigMap of the database (internalTls). */
const DB_CA_DIR = "/etc/grafana/database-ca";

/** The database's CA ConfigMap mounted into Grafana (only the CA certificate, read-only). */
function databaseCaMounts(database: ResolvedDatabase | undefined): Record<string, unknown> {
  if (!database?.tls) return {};
  const key = database.tls.key;
  return {
    extraConfigmapMounts: [
      { name: "database-ca", mountPath: DB_CA_DIR, configMap: database.tls.configMap, readOnly: true, items: [{ key, path: key }] },
    ],
  };
}

/** Restricted-PSS container context with a read-only root filesystem (Grafana and its sidecar). */
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** Grafana's /tmp: downloads of plugins and rendered images are small and short-lived. */
const TMP_LIMIT = "256Mi";
const SIDECAR_TOKEN_VOLUME = "sc-kube-api-access";
const SIDECAR_TMP_VOLUME = "sc-dashboard-tmp";
/** The sidecar's dashboard volume and scratch space hold a few JSON files. */
const SIDECAR_VOLUME_LIMIT = "64Mi";

/**
 * Probes of the dashboard sidecar (k8s-sidecar 2.10.1). Its health server answers GET /healthz on
 * HEALTH_PORT (8080 when unset): 503 until the first listing of the dashboard ConfigMaps is written,
 * 200 afterwards while its main loop runs and its watcher lives. The chart sets HEALTH_PORT only for
 * the init-container and native-sidecar forms (with a startupProbe); the ordinary container it runs
 * here gets neither, so the port is set explicitly through the sidecar's env, from the one fact in
 * the contract, and the probes use the same number. No startup probe (the chart renders none for
 * this container): liveness waits 30 s, then allows a minute of failures before a restart, enough
 * for the first listing on a slow API server.
 */
function dashboardSidecarProbes(): { env: Record<string, string>; probes: Record<string, unknown> } {
  const port = GRAFANA.ports.dashboardSidecarHealth;
  const healthz = { path: "/healthz", port };
  return {
    env: { HEALTH_PORT: String(port) },
    probes: {
      readinessProbe: { httpGet: healthz, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
      livenessProbe: { httpGet: healthz, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
    },
  };
}

/**
 * Grafana's own probes: readiness on /api/health (the chart's: it checks the database Grafana
 * keeps its state in), liveness on /healthz, which answers while the web server runs: a slow or
 * locked database must take Grafana out of its Service, not restart it over and over.
 */
const GRAFANA_LIVENESS = { httpGet: { path: "/healthz", port: GRAFANA.ports.grafana } };

/**
 * Kubernetes API access for the dashboard sidecar only. The pod mounts no ServiceAccount token, so
 * the Grafana server holds none; the sidecar gets a projected one with the CA and namespace files
 * its Kubernetes client reads. Its ServiceAccount is bound to a Role that can only read the
 * namespace's ConfigMaps (rbac.useExistingRole): no ClusterRole, no access to Secrets.
 */
function sidecarAccess(): Record<string, unknown> {
  return {
    rbac: { create: true, namespaced: true, useExistingRole: GRAFANA.dashboardReaderRole },
    automountServiceAccountToken: false,
    extraContainerVolumes: [
      {
        name: SIDECAR_TOKEN_VOLUME,
        projected: {
          defaultMode: 0o644,
          sources: [
            { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
          ],
        },
      },
      { name: SIDECAR_TMP_VOLUME, emptyDir: { sizeLimit: "16Mi" } },
    ],
  };
}

/** The Release values. Names Secrets only; holds no password. */
export function grafanaValues(args: GrafanaValuesArgs): Record<string, unknown> {
  const g = args.grafana;
  // global.imageRegistry replaces the registry of the grafana and sidecar images (verified render).
  const mirror = imageRegistry(args.images, undefined);
  return {
    global: { ...(mirror ? { imageRegistry: mirror } : {}), imagePullSecrets: pullSecretNames(args.images) },
    admin: { existingSecret: args.adminSecretName, userKey: GRAFANA.adminSecretKeys.user, passwordKey: GRAFANA.adminSecretKeys.password },
    persistence: { ...volumeValues(g.persistence, "storageClassName"), type: "pvc", accessModes: ["ReadWriteOnce"] },
    // The chown init container runs as root (refused by restricted PSS); fsGroup owns the volume.
    initChownData: { enabled: false },
    // An RWO volume cannot attach to a second pod during a rolling update.
    deploymentStrategy: { type: "Recreate" },
    resources: g.resources,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: GRAFANA.uid,
      runAsGroup: GRAFANA.uid,
      fsGroup: GRAFANA.uid,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containerSecurityContext: RESTRICTED_CONTAINER,
    livenessProbe: GRAFANA_LIVENESS,
    // Grafana writes temporary files (plugin and image downloads) under /tmp; everything else it
    // writes goes to the chart's volumes (/var/lib/grafana, the search index, /tmp/dashboards).
    extraVolumes: [{ name: "tmp", emptyDir: { sizeLimit: TMP_LIMIT } }],
    extraVolumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    ...databaseCaMounts(args.database),
    ...sidecarAccess(),
    podAnnotations: {
      "prometheus.io/scrape": "true",
      "prometheus.io/port": String(GRAFANA.ports.grafana),
      "prometheus.io/path": "/metrics",
    },
    sidecar: {
      resources: g.sidecar.resources,
      securityContext: RESTRICTED_CONTAINER,
      // The chart gives these to every sidecar it runs; only the dashboard one runs here.
      ...dashboardSidecarProbes().probes,
      dashboards: {
        enabled: true,
        env: dashboardSidecarProbes().env,
        // ConfigMaps only: the stack ships no dashboard as a Secret, so the sidecar needs no Secret access.
        resource: "configmap",
        sizeLimit: SIDECAR_VOLUME_LIMIT,
        extraMounts: [
          { name: SIDECAR_TOKEN_VOLUME, mountPath: GRAFANA.serviceAccountMount, readOnly: true },
          { name: SIDECAR_TMP_VOLUME, mountPath: "/tmp" },
        ],
        label: GRAFANA.dashboardLabel.key,
        labelValue: GRAFANA.dashboardLabel.value,
        folderAnnotation: "grafana_folder",
        provider: { foldersFromFilesStructure: true },
      },
    },
    ...(args.database
      ? {
          envValueFrom: {
            [DB_PASSWORD_ENV]: { secretKeyRef: { name: args.database.passwordSecret.name, key: args.database.passwordSecret.key } },
          },
        }
      : {}),
    datasources: { "datasources.yaml": { apiVersion: 1, datasources: grafanaDatasources(args) } },
  };
}
