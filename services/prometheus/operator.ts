// ServiceMonitor and PrometheusRule objects for clusters that run the Prometheus Operator
// (prometheus.operator.enabled, off by default: the prometheus chart does not install the
// monitoring.coreos.com CRDs, and creating these objects without them fails the update).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PrometheusConfig } from "./prometheus.settings";
import { API_NAME } from "../api";
import { standardLabels } from "../../platform/labels";
import { buildAlertRules } from "./alerts.build";
import { ApiMetricsTarget, ExporterFacts, operatorObjectLabels, scrapeTargets, serviceMonitorSpec } from "./operator.build";

export interface OperatorObjectsArgs {
  readonly config: PrometheusConfig;
  readonly namespace: pulumi.Output<string>;
  readonly apiMetrics: ApiMetricsTarget;
  /** Which exporters run in the namespace (each gets a ServiceMonitor). */
  readonly exporters: ExporterFacts;
}

export class OperatorObjects extends pulumi.ComponentResource {
  public readonly serviceMonitors: k8s.apiextensions.CustomResource[];
  public readonly prometheusRule: k8s.apiextensions.CustomResource;

  constructor(name: string, args: OperatorObjectsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:monitoring:OperatorObjects", name, {}, opts);
    this.serviceMonitors = scrapeTargets(args.apiMetrics, args.exporters).map(
      (target) =>
        new k8s.apiextensions.CustomResource(
          `${name}-${target.name}`,
          {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { namespace: args.namespace, labels: operatorObjectLabels(standardLabels(target.name, "monitoring"), args.config) },
            spec: serviceMonitorSpec(target, args.config),
          },
          { parent: this },
        ),
    );
    this.prometheusRule = new k8s.apiextensions.CustomResource(
      `${name}-alerts`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { namespace: args.namespace, labels: operatorObjectLabels(standardLabels(API_NAME, "monitoring"), args.config) },
        spec: args.namespace.apply((namespace) => buildAlertRules({ prometheus: args.config, namespace })),
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
