// The grafana-community `grafana` release: a generated admin password in a Secret (by name in
// values), the Prometheus and TimescaleDB data sources, and the stack's dashboards as ConfigMaps
// picked up by the dashboard sidecar.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GrafanaConfig } from "../config/sections/monitoring";
import { ImagesConfig } from "../config/sections/platform";
import { MONITORING_RELEASE, PinnedChart } from "./charts";
import { buildDashboards, DashboardsArgs } from "./dashboards";
import { DatabaseEndpoint } from "./endpoints";
import { ADMIN_PASSWORD_KEY, ADMIN_USER_KEY, DASHBOARD_LABEL, DASHBOARD_LABEL_VALUE, grafanaValues } from "./grafana-values";
import { standardLabels } from "./labels";
import { statefulOptions } from "./options";

export interface GrafanaArgs {
  /** The `grafana` section of StackConfig. */
  readonly config: GrafanaConfig;
  readonly images: ImagesConfig;
  readonly chart: PinnedChart;
  readonly namespace: pulumi.Input<string>;
  /** In-cluster URL of the Prometheus server Service. */
  readonly prometheusUrl: pulumi.Input<string>;
  /** The TimescaleDB to provision as a data source (password by Secret reference). */
  readonly database?: DatabaseEndpoint;
  readonly timescaledb: boolean;
  /** What the dashboards select on. */
  readonly dashboards: DashboardsArgs;
  /** Protect the admin credentials and the release (its volume) in production. */
  readonly isProduction: boolean;
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
    const labels = standardLabels("grafana", "monitoring", args.chart.releaseName);

    const password = new random.RandomPassword(`${name}-admin-password`, { length: 32, special: false }, statefulOptions(args.isProduction, this));
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-admin`,
      {
        metadata: { namespace: args.namespace, labels },
        type: "Opaque",
        stringData: { [ADMIN_USER_KEY]: args.config.adminUser, [ADMIN_PASSWORD_KEY]: password.result },
      },
      statefulOptions(args.isProduction, this),
    );

    Object.entries(buildDashboards(args.dashboards)).map(
      ([file, model]) =>
        new k8s.core.v1.ConfigMap(
          `${name}-dashboard-${file.replace(/\.json$/, "")}`,
          {
            metadata: { namespace: args.namespace, labels: { ...labels, [DASHBOARD_LABEL]: DASHBOARD_LABEL_VALUE } },
            data: { [file]: JSON.stringify(model, null, 2) },
          },
          { parent: this },
        ),
    );

    const values = pulumi
      .all([adminSecret.metadata.name, args.prometheusUrl, args.database?.host ?? "", args.database?.passwordSecret.name ?? ""])
      .apply(([adminSecretName, prometheusUrl, dbHost, dbSecretName]) =>
        grafanaValues({
          grafana: args.config,
          images: args.images,
          adminSecretName,
          prometheusUrl,
          timescaledb: args.timescaledb,
          database: args.database
            ? { host: dbHost, port: args.database.port, database: args.database.database, username: args.database.username, passwordSecret: { name: dbSecretName, key: args.database.passwordSecret.key } }
            : undefined,
        }),
      );

    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: args.chart.releaseName,
        chart: args.chart.chart,
        version: args.chart.version,
        namespace: args.namespace,
        timeout: MONITORING_RELEASE.timeoutSeconds,
        maxHistory: MONITORING_RELEASE.maxHistory,
        values,
      },
      statefulOptions(args.isProduction, this, { dependsOn: [adminSecret] }),
    );

    this.adminPassword = pulumi.secret(password.result);
    this.adminUser = args.config.adminUser;
    this.adminSecretName = adminSecret.metadata.name;
    this.serviceName = args.chart.releaseName;
    this.registerOutputs({ adminSecretName: this.adminSecretName });
  }
}
