// Monitoring: the Prometheus and Grafana releases and, behind prometheus.operator.enabled, the
// Prometheus Operator objects. Its outputs tell a user how to reach them (there is no Ingress
// for these: `kubectl port-forward`).
import * as pulumi from "@pulumi/pulumi";
import { GrafanaConfig, Grafana, GRAFANA } from "../services/grafana";
import {
  PrometheusConfig,
  ApiMetricsTarget,
  ExporterFacts,
  OperatorObjects,
  Prometheus,
  PROMETHEUS,
  operatorPrometheus,
} from "../services/prometheus";
import { DatabaseEndpoint } from "../services/postgresql";
import { ChartServiceArgs } from "../platform/release";

export interface MonitoringArgs extends ChartServiceArgs {
  /** The `prometheus` section of StackConfig. */
  readonly prometheus: PrometheusConfig;
  /** The `grafana` section of StackConfig (config validation refuses Grafana without Prometheus). */
  readonly grafana: GrafanaConfig;
  /** The database for Grafana's TimescaleDB data source and dashboards (the chart's or the external one). */
  readonly database: DatabaseEndpoint;
  /** Whether the database runs TimescaleDB (`postgresql.timescaledb`). */
  readonly timescaledb: boolean;
  /** The API Deployment's name (dashboards chart its pods) and where it serves metrics. */
  readonly api: { readonly deploymentName: string; readonly metrics: ApiMetricsTarget };
  /** Which chart exporters run in the namespace (operator mode gives each a ServiceMonitor). */
  readonly exporters: ExporterFacts;
}

/** `kubectl port-forward` commands and local URLs. */
export interface MonitoringAccess {
  readonly prometheusPortForward?: pulumi.Output<string>;
  readonly prometheusUrl?: string;
  readonly grafanaPortForward?: pulumi.Output<string>;
  readonly grafanaUrl?: string;
}

/** The `kubectl port-forward` command that makes a Service's port reachable on localhost:`local`. */
function portForward(namespace: pulumi.Input<string>, service: string, local: number, port: number): pulumi.Output<string> {
  return pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${service} ${local}:${port}`;
}

export class Monitoring extends pulumi.ComponentResource {
  public readonly prometheus?: Prometheus;
  public readonly grafana?: Grafana;
  public readonly access: MonitoringAccess;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:monitoring:Monitoring", name, {}, opts);
    const { namespace } = args;
    const chartArgs: ChartServiceArgs = { charts: args.charts, images: args.images, namespace, isProduction: args.isProduction };
    let access: MonitoringAccess = {};

    if (args.prometheus.enabled) {
      this.prometheus = new Prometheus("prometheus", { ...chartArgs, config: args.prometheus }, { parent: this });
      const local = PROMETHEUS.ports.server;
      access = {
        prometheusPortForward: portForward(namespace, this.prometheus.serviceName, local, PROMETHEUS.servicePort),
        prometheusUrl: `http://localhost:${local} (after prometheusPortForward)`,
      };
    }

    if (operatorPrometheus(args.prometheus)) {
      new OperatorObjects(
        "operator",
        { config: args.prometheus, namespace, apiMetrics: args.api.metrics, exporters: args.exporters },
        { parent: this },
      );
    }

    if (args.grafana.enabled && this.prometheus) {
      this.grafana = new Grafana(
        "grafana",
        {
          ...chartArgs,
          config: args.grafana,
          prometheusUrl: this.prometheus.serverUrl,
          database: args.database,
          timescaledb: args.timescaledb,
          dashboards: { apiDeploymentName: args.api.deploymentName, prometheus: args.prometheus },
        },
        { parent: this },
      );
      const local = GRAFANA.ports.grafana;
      access = {
        ...access,
        grafanaPortForward: portForward(namespace, this.grafana.serviceName, local, GRAFANA.servicePort),
        grafanaUrl: `http://localhost:${local} (after grafanaPortForward)`,
      };
    }
    this.access = access;
    this.registerOutputs({});
  }
}
