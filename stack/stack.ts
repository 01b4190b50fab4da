// ApeStack wires the domains together: each component takes its own config section plus the few
// facts and outputs it needs from the others; this is the one place that sees the whole config.
import * as pulumi from "@pulumi/pulumi";
import { isProduction, StackConfig } from ".";
import { Api, API_NAME, apiFlows, apiMetricsTarget } from "../services/api";
import {
  DatabaseEndpoint,
  externalDatabaseEndpoint,
  Postgresql,
  PostgresqlPlacement,
  postgresqlPlacement,
  postgresqlClientRule,
  postgresqlFlows,
  postgresqlMetricsTarget,
} from "../services/postgresql";
import {
  externalNeo4jEndpoint,
  Neo4j,
  Neo4jEndpoint,
  Neo4jPlacement,
  neo4jPlacement,
  neo4jClientRule,
  neo4jFlows,
  neo4jMetricsTarget,
} from "../services/neo4j";
import {
  externalRedisEndpoint,
  Redis,
  RedisEndpoint,
  RedisPlacement,
  redisPlacement,
  redisClientRule,
  redisFlows,
  redisMetricsTarget,
} from "../services/redis";
import {
  ApiGateway,
  ApiIngress,
  buildNetworkPolicies,
  controllerSelectors,
  NetworkPolicies,
  PolicyDoc,
  StackNamespace,
  edgeFlows,
} from "../services/edge";
import { WorkloadFlows } from "../platform/network";
import { Monitoring } from "./monitoring";
import { ChartServiceArgs } from "../platform";
import { OperatorPrometheus, operatorPrometheus, metricsScrapers, prometheusFlows, prometheusQueryRule } from "../services/prometheus";
import { GRAFANA, grafanaFlows, grafanaMetricsTarget } from "../services/grafana";

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

/** The read-only database roles the chart's PostgreSQL gets, by who reads through them: Grafana's. */
function readOnlyRoles(c: StackConfig): Record<string, string> {
  return c.grafana.enabled ? { grafana: GRAFANA.databaseRole } : {};
}

const present = <T>(items: readonly (T | undefined)[]): T[] => items.filter((x): x is T => x !== undefined);

/**
 * Every workload's flows, each declared by its own service, given the few facts of its peers it
 * needs; in the order of the NetworkPolicies.
 */
function stackFlows(c: StackConfig, d: StackDecisions): WorkloadFlows[] {
  const np = c.networkPolicy;
  const scrapers = metricsScrapers(c.prometheus, d.operator);
  const database = postgresqlClientRule(d.postgresql);
  const prometheus = prometheusQueryRule(c.prometheus);
  return [
    ...apiFlows(c.api, {
      ingress: c.ingress.enabled,
      scrapers,
      dataServices: present([database, redisClientRule(d.redis), neo4jClientRule(d.neo4j)]),
      outside: np.apiEgress,
    }),
    ...edgeFlows(c.ingress),
    ...postgresqlFlows(c.postgresql, d.postgresql, {
      grafana: c.grafana.enabled,
      scrapers,
      roles: Object.keys(readOnlyRoles(c)).length > 0,
    }),
    ...redisFlows(c.redis, d.redis, { scrapers }),
    ...neo4jFlows(c.neo4j, d.neo4j, { prometheus: prometheus !== undefined }),
    ...prometheusFlows(c.prometheus, {
      targets: present([
        apiMetricsTarget(c.api),
        postgresqlMetricsTarget(c.postgresql, d.postgresql),
        redisMetricsTarget(c.redis, d.redis),
        neo4jMetricsTarget(c.neo4j, d.neo4j),
      ]),
      grafana: grafanaMetricsTarget(c.grafana),
      notifications: np.alertmanagerEgress,
    }),
    ...grafanaFlows(c.grafana, { prometheus, database }),
  ];
}

/** The namespace's NetworkPolicies as plain data: what the NetworkPolicies component creates for `c`. */
export function stackNetworkPolicies(c: StackConfig): PolicyDoc[] {
  return buildNetworkPolicies(c.networkPolicy, stackFlows(c, decide(c)), controllerSelectors(c.ingress, c.networkPolicy));
}

export class ApeStack extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** PostgreSQL for the API and Grafana: the chart's, or the external one (postgresql.enabled false). */
  public readonly database: DatabaseEndpoint;
  /** Redis for the API: the chart's (Sentinel in production), or the external one. */
  public readonly redis: RedisEndpoint;
  /** Neo4j for the API: the chart's, the external one, or undefined when the stack has none. */
  public readonly neo4j?: Neo4jEndpoint;
  /** https://<first host>, undefined when the public entry point is off. */
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
    let database: Postgresql | undefined;
    if (postgresql.inCluster) {
      database = new Postgresql(
        "postgresql",
        { ...charts, config: config.postgresql, readOnlyRoles: readOnlyRoles(config) },
        { parent: this },
      );
      this.database = database.endpoint;
    } else this.database = externalDatabaseEndpoint(postgresql.external);
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
      {
        config: config.networkPolicy,
        flows: stackFlows(config, decisions),
        controller: controllerSelectors(config.ingress, config.networkPolicy),
        namespace: ns.name,
      },
      { parent: this },
    );

    if (config.ingress.enabled) {
      // Taking the name from the Service makes the Ingress or the routes wait for it.
      const entry = {
        config: config.ingress,
        namespace: ns.name,
        namespaceName: config.namespace.name,
        serviceName: this.api.serviceName,
        servicePort: this.api.httpPort,
      };
      const ingress =
        config.ingress.via === "gateway"
          ? new ApiGateway("gateway", entry, { parent: this })
          : new ApiIngress("ingress", entry, { parent: this });
      this.url = ingress.url;
      this.caCertificate = ingress.caCertPem;
    }

    this.monitoring = new Monitoring(
      "monitoring",
      {
        ...charts,
        prometheus: config.prometheus,
        grafana: config.grafana,
        // Grafana reads through its own read-only role; an external database gives it the API's user.
        database: database?.readOnly.grafana ?? this.database,
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
