// The prometheus-community `prometheus` release: server, Alertmanager and kube-state-metrics, with
// the stack's alerts as rules. Receiver URLs, keys and passwords (Pulumi secrets) go into a Secret
// that the Alertmanager pod mounts; the chart values only name that Secret.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PrometheusConfig } from "./prometheus.settings";
import { standardLabels } from "../../platform/labels";
import { ChartServiceArgs, chartRelease, MONITORING_RELEASE } from "../../platform/release";
import { prometheusValues, RECEIVER_KEYS, receiverSecrets } from "./prometheus.build";
import { PROMETHEUS, prometheusServerService } from "./prometheus.contract";

export interface PrometheusArgs extends ChartServiceArgs {
  /** The `prometheus` section of StackConfig. */
  readonly config: PrometheusConfig;
}

export class Prometheus extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  /** In-cluster URL of the Prometheus server Service (Grafana's data source). */
  public readonly serverUrl: pulumi.Output<string>;
  /** The server Service name (for port-forward commands). */
  public readonly serviceName: string;

  constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:monitoring:Prometheus", name, {}, opts);
    const secrets = receiverSecrets(args.config);

    let receiversSecret: k8s.core.v1.Secret | undefined;
    if (Object.keys(secrets).length > 0) {
      receiversSecret = new k8s.core.v1.Secret(
        `${name}-alertmanager-receivers`,
        {
          metadata: { namespace: args.namespace, labels: standardLabels("alertmanager", "monitoring", PROMETHEUS.release) },
          type: "Opaque",
          stringData: Object.fromEntries(
            Object.entries(secrets).map(([key, value]) => [RECEIVER_KEYS[key as keyof typeof RECEIVER_KEYS], pulumi.secret(value)]),
          ),
        },
        { parent: this },
      );
    }

    this.release = chartRelease(name, this, args, {
      chart: "prometheus",
      releaseName: PROMETHEUS.release,
      settings: MONITORING_RELEASE,
      values: pulumi
        .all([args.namespace, receiversSecret?.metadata.name])
        .apply(([namespace, receiversSecretName]) =>
          prometheusValues({ prometheus: args.config, images: args.images, namespace, receiversSecretName }),
        ),
      extraValues: args.config.extraValues,
      dependsOn: receiversSecret ? [receiversSecret] : [],
    });

    this.serviceName = prometheusServerService();
    this.serverUrl = pulumi.interpolate`http://${this.serviceName}.${args.namespace}.svc.cluster.local:${PROMETHEUS.servicePort}`;
    this.registerOutputs({ serverUrl: this.serverUrl });
  }
}
