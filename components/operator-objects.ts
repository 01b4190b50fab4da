// ServiceMonitor and PrometheusRule objects for clusters that run the Prometheus Operator
// (prometheus.operator.enabled, off by default: the prometheus chart does not install the
// monitoring.coreos.com CRDs, and creating these objects without them fails the update).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PrometheusConfig } from "../config/sections/monitoring";
import { buildAlertRules } from "./alert-rules";
import { apiSelectorLabels, standardLabels } from "./labels";

export interface OperatorObjectsArgs {
  readonly config: PrometheusConfig;
  readonly namespace: pulumi.Input<string>;
  /** The namespace name as configured (alert rules select on it). */
  readonly namespaceName: string;
  /** The API Service port that serves metrics: a port name, or a number (then used as targetPort). */
  readonly metricsPort: string | number;
  /** Path of the API's metrics endpoint. */
  readonly metricsPath: string;
}

/** The ServiceMonitor spec for the API Service. */
export function apiServiceMonitorSpec(args: Pick<OperatorObjectsArgs, "config" | "metricsPort" | "metricsPath">): Record<string, unknown> {
  return {
    selector: { matchLabels: apiSelectorLabels() },
    endpoints: [{ ...(typeof args.metricsPort === "number" ? { targetPort: args.metricsPort } : { port: args.metricsPort }), path: args.metricsPath, interval: args.config.server.scrapeInterval }],
  };
}

export class OperatorObjects extends pulumi.ComponentResource {
  public readonly serviceMonitor: k8s.apiextensions.CustomResource;
  public readonly prometheusRule: k8s.apiextensions.CustomResource;

  constructor(name: string, args: OperatorObjectsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:monitoring:OperatorObjects", name, {}, opts);
    const labels = standardLabels("api", "monitoring");
    this.serviceMonitor = new k8s.apiextensions.CustomResource(
      `${name}-api`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { namespace: args.namespace, labels },
        spec: apiServiceMonitorSpec(args),
      },
      { parent: this },
    );
    this.prometheusRule = new k8s.apiextensions.CustomResource(
      `${name}-alerts`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { namespace: args.namespace, labels },
        spec: buildAlertRules({ prometheus: args.config, namespace: args.namespaceName }),
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
