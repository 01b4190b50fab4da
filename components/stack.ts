// ApeStack wires the components together: each takes its own config section plus the few
// outputs it needs from the others.
import * as pulumi from "@pulumi/pulumi";
import { isProduction, StackConfig } from "../config";
import { Api } from "./api";
import { DatabaseEndpoint, RedisEndpoint } from "./endpoints";
import { ApiIngress } from "./ingress";
import { NetworkPolicies } from "./network-policies";
import { Monitoring } from "./monitoring";
import { StackNamespace } from "./namespace";
import { externalDatabaseEndpoint, Postgresql } from "./postgresql";
import { externalRedisEndpoint, Redis } from "./redis";

export interface ApeStackArgs {
  /** The validated stack configuration. */
  readonly config: StackConfig;
}

export class ApeStack extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** PostgreSQL for the API and Grafana: the chart's, or the external one (postgresql.enabled false). */
  public readonly database: DatabaseEndpoint;
  /** Redis for the API: the chart's (Sentinel in production), or the external one. */
  public readonly redis: RedisEndpoint;
  /** https://<first Ingress host>, undefined when the Ingress is off. */
  public readonly url?: string;
  /** The self-signed CA certificate (PEM) to trust, when `ingress.tls.mode` is self-signed. */
  public readonly caCertificate?: pulumi.Output<string>;
  public readonly monitoring: Monitoring;
  /** The API workload (Service `api`, pods selected by apiSelectorLabels()). */
  public readonly api: Api;

  constructor(name: string, args: ApeStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:core:ApeStack", name, {}, opts);
    const { config } = args;
    const production = isProduction(config);

    const ns = new StackNamespace("namespace", { config: config.namespace, isProduction: production }, { parent: this });
    this.namespace = ns.name;

    const data = { charts: config.charts, images: config.images, namespace: ns.name, isProduction: production };
    this.database = config.postgresql.enabled
      ? new Postgresql("postgresql", { ...data, config: config.postgresql }, { parent: this }).endpoint
      : externalDatabaseEndpoint(config.postgresql);
    this.redis = config.redis.enabled
      ? new Redis("redis", { ...data, config: config.redis }, { parent: this }).endpoint
      : externalRedisEndpoint(config.redis);

    this.api = new Api(
      "api",
      {
        config: { ...config.api, imagePullSecrets: [...config.api.imagePullSecrets, ...config.images.pullSecrets] },
        namespace: ns.name,
        database: this.database,
        redis: this.redis,
        isProduction: production,
      },
      { parent: this },
    );

    new NetworkPolicies("netpol", { config, namespace: ns.name }, { parent: this });

    if (config.ingress.enabled) {
      // The API Service (named API_NAME, components/labels.ts) serves the http port; taking the name
      // from the Service makes the Ingress wait for it.
      const ingress = new ApiIngress("ingress", { config: config.ingress, namespace: ns.name, serviceName: this.api.serviceName, servicePort: this.api.httpPort }, { parent: this });
      this.url = ingress.url;
      this.caCertificate = ingress.caCertPem;
    }

    this.monitoring = new Monitoring("monitoring", { config, namespace: ns.name, isProduction: production, database: this.database }, { parent: this });

    this.registerOutputs({ namespace: this.namespace, url: this.url, caCertificate: this.caCertificate });
  }
}
