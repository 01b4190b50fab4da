// Pure value builders for the grafana-community `grafana` chart (12.11.1): admin credentials by
// Secret name, persistence that passes restricted Pod Security, provisioned data sources whose
// password comes from the environment, and the dashboard sidecar.
import { GrafanaConfig } from "../../config/sections/monitoring";
import { ImagesConfig } from "../../config/sections/platform";
import { ResolvedDatabase } from "../data/endpoints";
import { imageRegistry, pullSecretNames } from "../shared/images";
import { volumeValues } from "../shared/persistence";
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
      jsonData: { database: db.database, sslmode: "disable", timescaledb: args.timescaledb, postgresVersion: 1700 },
      // Grafana expands $VAR from its environment when it provisions the data source.
      secureJsonData: { password: `$${DB_PASSWORD_ENV}` },
    });
  }
  return sources;
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
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    podAnnotations: {
      "prometheus.io/scrape": "true",
      "prometheus.io/port": String(GRAFANA.ports.grafana),
      "prometheus.io/path": "/metrics",
    },
    sidecar: {
      resources: g.sidecar.resources,
      dashboards: {
        enabled: true,
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
