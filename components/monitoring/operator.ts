// ServiceMonitor and PrometheusRule objects for clusters that run the Prometheus Operator
// (prometheus.operator.enabled, off by default: the prometheus chart does not install the
// monitoring.coreos.com CRDs, and creating these objects without them fails the update).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PrometheusConfig } from "../../config/sections/monitoring";
import { API_NAME, apiSelectorLabels } from "../app/api.contract";
import { standardLabels } from "../shared/labels";
import { buildAlertRules } from "./alerts.build";

/** Where the API serves its metrics. */
export interface ApiMetricsTarget {
  /** The API Service port that serves metrics: a port name, or a number (then used as targetPort). */
  readonly port: string | number;
  readonly path: string;
}

export interface OperatorObjectsArgs {
  readonly config: PrometheusConfig;
  readonly namespace: pulumi.Output<string>;
  readonly apiMetrics: ApiMetricsTarget;
}

/** The ServiceMonitor spec for the API Service. */
function apiServiceMonitorSpec(config: Pick<PrometheusConfig, "server">, metrics: ApiMetricsTarget): Record<string, unknown> {
  return {
    selector: { matchLabels: apiSelectorLabels() },
    endpoints: [
      {
        ...(typeof metrics.port === "number" ? { targetPort: metrics.port } : { port: metrics.port }),
        path: metrics.path,
        interval: config.server.scrapeInterval,
      },
    ],
  };
}

export class OperatorObjects extends pulumi.ComponentResource {
  public readonly serviceMonitor: k8s.apiextensions.CustomResource;
  public readonly prometheusRule: k8s.apiextensions.CustomResource;

  constructor(name: string, args: OperatorObjectsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:monitoring:OperatorObjects", name, {}, opts);
    const labels = standardLabels(API_NAME, "monitoring");
    this.serviceMonitor = new k8s.apiextensions.CustomResource(
      `${name}-api`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { namespace: args.namespace, labels },
        spec: apiServiceMonitorSpec(args.config, args.apiMetrics),
      },
      { parent: this },
    );
    this.prometheusRule = new k8s.apiextensions.CustomResource(
      `${name}-alerts`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { namespace: args.namespace, labels },
        spec: args.namespace.apply((namespace) => buildAlertRules({ prometheus: args.config, namespace })),
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
