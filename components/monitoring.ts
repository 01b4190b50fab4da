// Monitoring: the Prometheus and Grafana releases and, behind prometheus.operator.enabled, the
// Prometheus Operator objects. Outputs replace the old chart's NOTES.txt.
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { pinnedChart } from "./charts";
import { DatabaseEndpoint } from "./endpoints";
import { Grafana } from "./grafana";
import { OperatorObjects } from "./operator-objects";
import { Prometheus } from "./prometheus";
import { prometheusServerService } from "./prometheus-values";

export interface MonitoringArgs {
  readonly config: Pick<StackConfig, "prometheus" | "grafana" | "images" | "charts" | "namespace" | "postgresql" | "api">;
  /** The namespace, resolved from the Namespace resource. */
  readonly namespace: pulumi.Output<string>;
  readonly isProduction: boolean;
  /** The database for Grafana's TimescaleDB data source (the chart's or the external one). */
  readonly database: DatabaseEndpoint;
  /** The API Deployment's name (dashboards select its pods). */
  readonly apiDeploymentName?: string;
}

export class Monitoring extends pulumi.ComponentResource {
  public readonly prometheus?: Prometheus;
  public readonly grafana?: Grafana;
  /** `kubectl port-forward` commands and local URLs (there is no Ingress for these). */
  public readonly access: Record<string, pulumi.Output<string> | string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:monitoring:Monitoring", name, {}, opts);
    const { config } = args;
    const nsName = config.namespace.name;
    const promChart = pinnedChart(config.charts, "prometheus");
    const promService = prometheusServerService(promChart.releaseName);
    const access: Record<string, pulumi.Output<string> | string> = {};

    if (config.prometheus.enabled) {
      this.prometheus = new Prometheus(
        "prometheus",
        { config: config.prometheus, images: config.images, chart: promChart, namespace: args.namespace, namespaceName: nsName, isProduction: args.isProduction },
        { parent: this },
      );
      access.prometheusPortForward = pulumi.interpolate`kubectl -n ${args.namespace} port-forward svc/${promService.name} 9090:${promService.port}`;
      access.prometheusUrl = "http://localhost:9090 (after prometheusPortForward)";
    }

    if (config.prometheus.operator.enabled) {
      new OperatorObjects(
        "operator",
        { config: config.prometheus, namespace: args.namespace, namespaceName: nsName, metricsPort: config.api.metrics.port, metricsPath: config.api.metrics.path },
        { parent: this },
      );
    }

    if (config.grafana.enabled) {
      const grafanaChart = pinnedChart(config.charts, "grafana");
      this.grafana = new Grafana(
        "grafana",
        {
          config: config.grafana,
          images: config.images,
          chart: grafanaChart,
          namespace: args.namespace,
          prometheusUrl: pulumi.interpolate`http://${promService.name}.${args.namespace}.svc.cluster.local:${promService.port}`,
          database: args.database,
          timescaledb: config.postgresql.timescaledb,
          dashboards: { namespace: nsName, apiDeploymentName: args.apiDeploymentName ?? "api", database: config.postgresql.auth.database, prometheus: config.prometheus },
          isProduction: args.isProduction,
        },
        { parent: this },
      );
      access.grafanaPortForward = pulumi.interpolate`kubectl -n ${args.namespace} port-forward svc/${this.grafana.serviceName} 3000:80`;
      access.grafanaUrl = "http://localhost:3000 (after grafanaPortForward)";
    }
    this.access = access;
    this.registerOutputs({});
  }
}
