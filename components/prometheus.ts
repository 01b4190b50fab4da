// The prometheus-community `prometheus` release: server, Alertmanager and kube-state-metrics,
// with the seed's alerts as rules. Receiver URLs (Pulumi secrets) go into a Secret that the
// Alertmanager pod mounts; the chart values only name that Secret.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ImagesConfig } from "../config/sections/platform";
import { PrometheusConfig } from "../config/sections/monitoring";
import { MONITORING_RELEASE, PinnedChart } from "./charts";
import { standardLabels } from "./labels";
import { statefulOptions } from "./options";
import { configuredReceivers, prometheusServerService, prometheusValues, RECEIVER_KEYS } from "./prometheus-values";

export interface PrometheusArgs {
  /** The `prometheus` section of StackConfig. */
  readonly config: PrometheusConfig;
  /** The `images` section (mirror registry, pull secrets). */
  readonly images: ImagesConfig;
  /** Pinned chart and fixed release name (components/charts.ts). */
  readonly chart: PinnedChart;
  /** The stack's namespace (resolved from the Namespace resource so the release waits for it). */
  readonly namespace: pulumi.Input<string>;
  /** The namespace name as configured (alert rules select on it). */
  readonly namespaceName: string;
  /** Protect the release (its TSDB and Alertmanager volumes) in production. */
  readonly isProduction: boolean;
}

export class Prometheus extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  /** In-cluster URL of the Prometheus server Service. */
  public readonly serverUrl: pulumi.Output<string>;
  /** The server Service name (for port-forward commands and data sources). */
  public readonly serviceName: string;

  constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:monitoring:Prometheus", name, {}, opts);
    const receivers = configuredReceivers(args.config);

    let receiversSecret: k8s.core.v1.Secret | undefined;
    if (receivers.length > 0) {
      const urls = args.config.alertmanager.receivers;
      receiversSecret = new k8s.core.v1.Secret(
        `${name}-alertmanager-receivers`,
        {
          metadata: { namespace: args.namespace, labels: standardLabels("alertmanager", "monitoring", args.chart.releaseName) },
          type: "Opaque",
          stringData: Object.fromEntries(receivers.map((key) => [RECEIVER_KEYS[key], pulumi.secret(urls[key]!)])),
        },
        { parent: this },
      );
    }

    const values = receiversSecret
      ? receiversSecret.metadata.name.apply((secretName) => prometheusValues({ prometheus: args.config, images: args.images, namespace: args.namespaceName, receiversSecretName: secretName }))
      : prometheusValues({ prometheus: args.config, images: args.images, namespace: args.namespaceName });

    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: args.chart.releaseName,
        chart: args.chart.chart,
        version: args.chart.version,
        namespace: args.namespace,
        timeout: MONITORING_RELEASE.timeoutSeconds,
        maxHistory: MONITORING_RELEASE.maxHistory,
        // Not atomic: a failed upgrade must not roll back over a TSDB that has moved on.
        values,
      },
      statefulOptions(args.isProduction, this, { dependsOn: receiversSecret ? [receiversSecret] : [] }),
    );

    const service = prometheusServerService(args.chart.releaseName);
    this.serviceName = service.name;
    this.serverUrl = pulumi.interpolate`http://${service.name}.${args.namespace}.svc.cluster.local:${service.port}`;
    this.registerOutputs({ serverUrl: this.serverUrl });
  }
}
