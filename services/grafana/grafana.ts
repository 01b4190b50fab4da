// The grafana-community `grafana` release: a generated admin password in a Secret (by name in
// values), the Prometheus and TimescaleDB data sources, and the stack's dashboards as ConfigMaps
// picked up by the dashboard sidecar.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GrafanaConfig } from "./grafana.settings";
import { PrometheusConfig } from "../prometheus";
import { DatabaseEndpoint, resolveDatabase } from "../postgresql";
import { chartCredentials } from "../../platform/credentials";
import { standardLabels } from "../../platform/labels";
import { ChartServiceArgs, chartRelease, MONITORING_RELEASE } from "../../platform/release";
import { DASHBOARD_FILES } from "./dashboards/files";
import { grafanaValues } from "./grafana.build";
import { GRAFANA } from "./grafana.contract";

export interface GrafanaArgs extends ChartServiceArgs {
  /** The `grafana` section of StackConfig. */
  readonly config: GrafanaConfig;
  /** In-cluster URL of the Prometheus server Service. */
  readonly prometheusUrl: pulumi.Input<string>;
  /** The TimescaleDB to provision as a data source (password by Secret reference). */
  readonly database: DatabaseEndpoint;
  /** Whether the database runs TimescaleDB (`postgresql.timescaledb`). */
  readonly timescaledb: boolean;
  /** What the dashboards chart: the API Deployment and the alert thresholds and metric names. */
  readonly dashboards: { readonly apiDeploymentName: string; readonly prometheus: Pick<PrometheusConfig, "alerts" | "apiMetrics"> };
}

export class Grafana extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  /** The generated admin password (a Pulumi secret). */
  public readonly adminPassword: pulumi.Output<string>;
  public readonly adminUser: string;
  public readonly adminSecretName: pulumi.Output<string>;
  /** The Grafana Service name (chart fullname = release name). */
  public readonly serviceName: string;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:monitoring:Grafana", name, {}, opts);
    const labels = standardLabels("grafana", "monitoring", GRAFANA.release);

    const admin = chartCredentials(`${name}-admin`, this, args, {
      keys: [GRAFANA.adminSecretKeys.password],
      plain: { [GRAFANA.adminSecretKeys.user]: args.config.adminUser },
      component: "grafana",
      // The inputs the admin password was first generated with: other inputs would rotate it.
      passwordArgs: { length: 32, special: false },
      // Created directly under Grafana before Credentials was shared: adopt, never replace.
      origin: { parent: this, secret: `${name}-admin`, passwords: { [GRAFANA.adminSecretKeys.password]: `${name}-admin-password` } },
    });

    // Loaded here, not at the top: the dashboard SDK is large and only a stack with Grafana needs it.
    const { buildDashboards } = require("./dashboards") as typeof import("./dashboards");
    const dashboards = args.namespace.apply((namespace) =>
      buildDashboards({
        namespace,
        apiDeploymentName: args.dashboards.apiDeploymentName,
        database: args.database.database,
        prometheus: args.dashboards.prometheus,
      }),
    );
    for (const file of DASHBOARD_FILES) {
      new k8s.core.v1.ConfigMap(
        `${name}-dashboard-${file.replace(/\.json$/, "")}`,
        {
          metadata: { namespace: args.namespace, labels: { ...labels, [GRAFANA.dashboardLabel.key]: GRAFANA.dashboardLabel.value } },
          data: dashboards.apply((all) => ({ [file]: JSON.stringify(all[file], null, 2) })),
        },
        { parent: this },
      );
    }

    // What the dashboard sidecar may do with the Kubernetes API: read the namespace's ConfigMaps.
    const dashboardReader = new k8s.rbac.v1.Role(
      `${name}-dashboard-reader`,
      {
        metadata: { name: GRAFANA.dashboardReaderRole, namespace: args.namespace, labels },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
      },
      { parent: this },
    );

    this.release = chartRelease(name, this, args, {
      chart: "grafana",
      releaseName: GRAFANA.release,
      settings: MONITORING_RELEASE,
      values: pulumi
        .all([admin.secretName, args.prometheusUrl, resolveDatabase(args.database)])
        .apply(([adminSecretName, prometheusUrl, database]) =>
          grafanaValues({
            grafana: args.config,
            images: args.images,
            adminSecretName,
            prometheusUrl,
            timescaledb: args.timescaledb,
            database,
          }),
        ),
      extraValues: args.config.extraValues,
      dependsOn: [admin.secret, dashboardReader],
    });

    this.adminPassword = admin.password(GRAFANA.adminSecretKeys.password);
    this.adminUser = args.config.adminUser;
    this.adminSecretName = admin.secretName;
    this.serviceName = GRAFANA.release;
    this.registerOutputs({ adminSecretName: this.adminSecretName });
  }
}
