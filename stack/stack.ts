// ApeStack wires the domains together: each component takes its own config section plus the few
// facts and outputs it needs from the others; this is the one place that sees the whole config.
import * as pulumi from "@pulumi/pulumi";
import { isProduction, StackConfig } from ".";
import { Api, API_NAME } from "../services/api";
import {
  DatabaseEndpoint,
  externalDatabaseEndpoint,
  externalNeo4jEndpoint,
  externalRedisEndpoint,
  Neo4j,
  Neo4jEndpoint,
  Postgresql,
  Redis,
  RedisEndpoint,
} from "../services/postgresql";
import { ApiIngress, NetworkFacts, NetworkPolicies, StackNamespace } from "../services/edge";
import { Monitoring } from "../services/prometheus";
import { ChartServiceArgs } from "../platform";
import { PostgresqlPlacement, postgresqlPlacement } from "../services/postgresql/postgresql.decisions";
import { RedisPlacement, redisPlacement } from "../services/redis/redis.decisions";
import { Neo4jPlacement, neo4jPlacement } from "../services/neo4j/neo4j.decisions";
import { OperatorPrometheus, operatorPrometheus } from "../services/prometheus/prometheus.decisions";

export interface ApeStackArgs {
  /** The validated stack configuration. */
  readonly config: StackConfig;
}

/**
 * What the stack decides once from its config and every part reads: where each data service runs
 * (and whether Redis goes through Sentinel), and whether Prometheus Operator mode is on.
 */
interface StackDecisions {
  readonly postgresql: PostgresqlPlacement;
  readonly redis: RedisPlacement;
  /** undefined: the stack has no Neo4j. */
  readonly neo4j?: Neo4jPlacement;
  /** The operator's Prometheus in operator mode. */
  readonly operator?: OperatorPrometheus;
}

function decide(c: StackConfig): StackDecisions {
  return {
    postgresql: postgresqlPlacement(c.postgresql),
    redis: redisPlacement(c.redis),
    neo4j: neo4jPlacement(c.neo4j),
    operator: operatorPrometheus(c.prometheus),
  };
}

/** The port of an SMTP smarthost (host:port, validated by the config). */
const smtpPort = (smarthost: string): number => Number(smarthost.slice(smarthost.lastIndexOf(":") + 1));

/** What the NetworkPolicies need to know about the other sections. */
export function stackNetworkFacts(c: StackConfig, d: StackDecisions = decide(c)): NetworkFacts {
  const { postgresql: pg, redis } = d;
  return {
    ingress: c.ingress.enabled,
    acmeSolver: c.ingress.tls.mode === "cert-manager",
    api: { httpPort: c.api.ports.http, metricsPort: c.api.ports.metrics, metricsEnabled: c.api.metrics.enabled },
    postgresql: pg.inCluster
      ? {
          inCluster: true,
          metrics: c.postgresql.metrics.enabled,
          replication: c.postgresql.architecture === "replication",
          backup: c.postgresql.backup.enabled,
        }
      : { inCluster: false, port: pg.external.port },
    redis: redis.inCluster
      ? {
          inCluster: true,
          metrics: c.redis.metrics.enabled,
          replication: c.redis.architecture === "replication",
          sentinel: redis.mode === "sentinel",
        }
      : { inCluster: false, ports: redis.sentinels ? [redis.external.port, redis.sentinels.port] : [redis.external.port] },
    neo4j:
      d.neo4j &&
      (d.neo4j.inCluster
        ? { inCluster: true, enterprise: c.neo4j.edition === "enterprise" }
        : { inCluster: false, port: d.neo4j.external.port }),
    prometheus: c.prometheus.enabled
      ? {
          kubeStateMetrics: c.prometheus.kubeStateMetrics.enabled,
          alertmanager: c.prometheus.alertmanager.enabled,
          notifyPorts: c.prometheus.alertmanager.receivers.email ? [smtpPort(c.prometheus.alertmanager.receivers.email.smarthost)] : [],
        }
      : undefined,
    operatorPrometheus: d.operator,
    grafana: c.grafana.enabled,
  };
}

export class ApeStack extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** PostgreSQL for the API and Grafana: the chart's, or the external one (postgresql.enabled false). */
  public readonly database: DatabaseEndpoint;
  /** Redis for the API: the chart's (Sentinel in production), or the external one. */
  public readonly redis: RedisEndpoint;
  /** Neo4j for the API: the chart's, the external one, or undefined when the stack has none. */
  public readonly neo4j?: Neo4jEndpoint;
  /** https://<first Ingress host>, undefined when the Ingress is off. */
  public readonly url?: string;
  /** The self-signed CA certificate (PEM) to trust, when `ingress.tls.mode` is self-signed. */
  public readonly caCertificate?: pulumi.Output<string>;
  public readonly monitoring: Monitoring;
  public readonly api: Api;

  constructor(name: string, args: ApeStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:core:ApeStack", name, {}, opts);
    const { config } = args;
    const production = isProduction(config);

    const ns = new StackNamespace("namespace", { config: config.namespace, isProduction: production }, { parent: this });
    this.namespace = ns.name;

    const decisions = decide(config);
    const { postgresql, redis, neo4j } = decisions;

    const charts: ChartServiceArgs = { charts: config.charts, images: config.images, namespace: ns.name, isProduction: production };
    this.database = postgresql.inCluster
      ? new Postgresql("postgresql", { ...charts, config: config.postgresql }, { parent: this }).endpoint
      : externalDatabaseEndpoint(postgresql.external);
    this.redis = redis.inCluster
      ? new Redis("redis", { ...charts, config: config.redis }, { parent: this }).endpoint
      : externalRedisEndpoint(redis);
    if (neo4j) {
      this.neo4j = neo4j.inCluster
        ? new Neo4j("neo4j", { ...charts, config: config.neo4j }, { parent: this }).endpoint
        : externalNeo4jEndpoint(neo4j.external);
    }

    this.api = new Api(
      "api",
      {
        config: { ...config.api, imagePullSecrets: [...config.api.imagePullSecrets, ...config.images.pullSecrets] },
        namespace: ns.name,
        database: this.database,
        redis: this.redis,
        neo4j: this.neo4j,
        isProduction: production,
      },
      { parent: this },
    );

    new NetworkPolicies(
      "netpol",
      { config: config.networkPolicy, facts: stackNetworkFacts(config, decisions), namespace: ns.name },
      { parent: this },
    );

    if (config.ingress.enabled) {
      // Taking the name from the Service makes the Ingress wait for it.
      const ingress = new ApiIngress(
        "ingress",
        { config: config.ingress, namespace: ns.name, serviceName: this.api.serviceName, servicePort: this.api.httpPort },
        { parent: this },
      );
      this.url = ingress.url;
      this.caCertificate = ingress.caCertPem;
    }

    this.monitoring = new Monitoring(
      "monitoring",
      {
        ...charts,
        prometheus: config.prometheus,
        grafana: config.grafana,
        database: this.database,
        timescaledb: config.postgresql.timescaledb,
        api: { deploymentName: API_NAME, metrics: { port: config.api.metrics.port, path: config.api.metrics.path } },
        exporters: {
          postgresql: postgresql.inCluster && config.postgresql.metrics.enabled,
          redis: redis.inCluster && config.redis.metrics.enabled,
        },
      },
      { parent: this },
    );

    this.registerOutputs({ namespace: this.namespace, url: this.url, caCertificate: this.caCertificate });
  }
}
