// Pure NetworkPolicy builder: default deny for the namespace, then exactly the flows the stack
// needs, derived from facts about the stack (no Redis rules without Redis, Sentinel's port only with
// Sentinel, ...). Selectors use the labels the charts really put on their pods (each chart's
// contract module), only their stable keys (name, instance, component), never version or chart
// labels.
//
// The charts' own NetworkPolicies are switched off by the data services (Bitnami postgresql and
// redis render an allow-all-sources policy by default, which would widen these through the union
// semantics of NetworkPolicies); prometheus and grafana render none by default.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { NetworkPolicyConfig } from "./network-policy.settings";
import { apiSelectorLabels } from "../api/api.contract";
import { NEO4J, neo4jPodLabels } from "../neo4j/neo4j.contract";
import { POSTGRESQL, postgresqlBackupPodLabels, postgresqlPodLabels } from "../postgresql/postgresql.contract";
import { REDIS, redisPodLabels } from "../redis/redis.contract";
import { GRAFANA, grafanaPodLabels } from "../grafana/grafana.contract";
import { PROMETHEUS, prometheusPodLabels } from "../prometheus/prometheus.contract";

type Labels = Record<string, string>;
type Selector = pulumi.Unwrap<k8s.types.input.meta.v1.LabelSelector>;
/** A NetworkPolicy spec as plain data (the SDK's input type with every Input resolved). */
type PolicySpec = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicySpec>;
type Port = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicyPort>;
type Peer = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicyPeer>;
type IngressRule = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicyIngressRule>;
type EgressRule = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicyEgressRule>;

/** A NetworkPolicy as plain data: metadata.name and spec. */
export interface PolicyDoc {
  name: string;
  spec: PolicySpec;
}

/**
 * What the policies depend on besides the `networkPolicy` section: which workloads run and which
 * ports they serve. ApeStack derives it from the other sections (see stackNetworkFacts).
 */
export interface NetworkFacts {
  /** An Ingress routes outside traffic to the API through the ingress controller. */
  readonly ingress: boolean;
  /**
   * cert-manager issues the Ingress certificate: with an ACME HTTP-01 issuer it starts solver pods in
   * this namespace that the ingress controller must reach (harmless with DNS-01: no such pods).
   */
  readonly acmeSolver: boolean;
  /** The API's Service ports (http from the ingress controller, metrics for Prometheus). */
  readonly api: { readonly httpPort: number; readonly metricsPort: number; readonly metricsEnabled: boolean };
  /** PostgreSQL in the namespace (the chart), or an external database on `port`. */
  readonly postgresql:
    | { readonly inCluster: true; readonly metrics: boolean; readonly replication: boolean; readonly backup: boolean }
    | { readonly inCluster: false; readonly port: number };
  /** Redis in the namespace (the chart), or an external Redis on `ports` (with its Sentinel port). */
  readonly redis:
    | { readonly inCluster: true; readonly metrics: boolean; readonly replication: boolean; readonly sentinel: boolean }
    | { readonly inCluster: false; readonly ports: readonly number[] };
  /**
   * Neo4j in the namespace (the chart: a standalone server, or an Enterprise cluster whose members
   * talk to each other and to the Kubernetes API, and serve metrics), an external Neo4j on `port`,
   * or undefined when the stack has none.
   */
  readonly neo4j?: { readonly inCluster: true; readonly enterprise: boolean } | { readonly inCluster: false; readonly port: number };
  /**
   * Prometheus in the namespace and which of its parts run; undefined when it does not.
   * `notifyPorts`: ports Alertmanager's receivers need besides networkPolicy.alertmanagerEgress.ports
   * (the e-mail smarthost's).
   */
  readonly prometheus?: { readonly kubeStateMetrics: boolean; readonly alertmanager: boolean; readonly notifyPorts?: readonly number[] };
  /**
   * A Prometheus in another namespace (Prometheus Operator mode): the labels of its namespace and
   * pods. It may reach the API's metrics port and the exporters, nothing else.
   */
  readonly operatorPrometheus?: { readonly namespaceSelector: Labels; readonly podSelector: Labels };
  /** Grafana in the namespace. */
  readonly grafana: boolean;
}

/** Pod label selectors of the stack's workloads (chart pods per their contracts). */
const PODS = {
  api: apiSelectorLabels,
  postgresql: () => postgresqlPodLabels(),
  redis: () => redisPodLabels(),
  neo4j: () => neo4jPodLabels(),
  prometheus: () => prometheusPodLabels("server"),
  alertmanager: () => prometheusPodLabels("alertmanager"),
  kubeStateMetrics: () => prometheusPodLabels("kubeStateMetrics"),
  grafana: () => grafanaPodLabels(),
};

/**
 * cert-manager's ACME HTTP-01 solver pods: the label it puts on them and the port its acmesolver
 * listens on. The ACME server reaches them through the ingress controller.
 */
const ACME_SOLVER = { labels: { "acme.cert-manager.io/http01-solver": "true" }, port: 8089 } as const;

const tcp = (...ports: readonly number[]): Port[] => ports.map((port) => ({ protocol: "TCP", port }));
const pods = (labels: Labels): Peer => ({ podSelector: { matchLabels: labels } });
const nonEmpty = (labels: Labels): Selector => (Object.keys(labels).length ? { matchLabels: labels } : {});

/** Is IPv4 `inner` inside `outer`? (IPv6 only compares equal prefixes textually.) */
function cidrContains(outer: string, inner: string): boolean {
  const parse = (c: string) => {
    const [ip, bits] = c.split("/");
    const parts = ip.split(".").map(Number);
    return parts.length === 4 ? { addr: parts.reduce((a, p) => a * 256 + p, 0), bits: Number(bits) } : undefined;
  };
  const [o, i] = [parse(outer), parse(inner)];
  if (!o || !i) return outer === inner;
  if (i.bits < o.bits) return false;
  const block = 2 ** (32 - o.bits);
  return Math.floor(o.addr / block) === Math.floor(i.addr / block);
}

/** ipBlock peers; each keeps only the exceptions inside its CIDR (Kubernetes rejects others). */
function ipBlocks(cidrs: string[], except: string[] = []): Peer[] {
  return cidrs.map((cidr) => {
    const inside = except.filter((e) => e !== cidr && cidrContains(cidr, e));
    return { ipBlock: inside.length ? { cidr, except: inside } : { cidr } };
  });
}

/** Every NetworkPolicy of the namespace; empty when `networkPolicy.enabled` is false. */
export function buildNetworkPolicies(np: NetworkPolicyConfig, facts: NetworkFacts): PolicyDoc[] {
  if (!np.enabled) return [];
  const { api, postgresql: pgFacts, redis: redisFacts, neo4j: neo4jFacts } = facts;
  const pg = pgFacts.inCluster ? pgFacts : undefined;
  const redis = redisFacts.inCluster ? redisFacts : undefined;
  const neo4j = neo4jFacts?.inCluster ? neo4jFacts : undefined;
  const prom = facts.prometheus;
  const grafana = facts.grafana;
  const redisPorts = redis?.sentinel ? tcp(REDIS.ports.redis, REDIS.ports.sentinel) : tcp(REDIS.ports.redis);
  const scrapeApi = prom !== undefined && api.metricsEnabled;
  // Who scrapes the metrics ports: this namespace's Prometheus, and an operator's from another namespace.
  const op = facts.operatorPrometheus;
  const scrapers: Peer[] = [
    ...(prom ? [pods(PODS.prometheus())] : []),
    ...(op ? [{ namespaceSelector: nonEmpty(op.namespaceSelector), podSelector: nonEmpty(op.podSelector) }] : []),
  ];
  const kubeApi = ipBlocks(np.kubernetesApi.cidrs);
  const docs: PolicyDoc[] = [];

  docs.push({ name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
  docs.push({
    name: "allow-dns",
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: nonEmpty(np.dns.namespaceSelector), podSelector: nonEmpty(np.dns.podSelector) }],
          ports: [
            { protocol: "UDP", port: np.dns.port },
            { protocol: "TCP", port: np.dns.port },
          ],
        },
      ],
    },
  });

  // --- API -----------------------------------------------------------------------------------
  const apiIngress: IngressRule[] = [];
  const ingressController: Peer = {
    namespaceSelector: nonEmpty(np.ingressController.namespaceSelector),
    podSelector: nonEmpty(np.ingressController.podSelector),
  };
  if (facts.ingress) apiIngress.push({ from: [ingressController], ports: tcp(api.httpPort) });
  if (api.metricsEnabled && scrapers.length) apiIngress.push({ from: scrapers, ports: tcp(api.metricsPort) });
  const apiEgress: EgressRule[] = [];
  if (pgFacts.inCluster) apiEgress.push({ to: [pods(PODS.postgresql())], ports: tcp(POSTGRESQL.ports.postgresql) });
  else apiEgress.push({ to: ipBlocks(np.externalData.cidrs), ports: tcp(pgFacts.port) });
  if (redisFacts.inCluster) apiEgress.push({ to: [pods(PODS.redis())], ports: redisPorts });
  else apiEgress.push({ to: ipBlocks(np.externalData.cidrs), ports: tcp(...redisFacts.ports) });
  if (neo4j) apiEgress.push({ to: [pods(PODS.neo4j())], ports: tcp(NEO4J.ports.bolt) });
  else if (neo4jFacts && !neo4jFacts.inCluster) apiEgress.push({ to: ipBlocks(np.externalData.cidrs), ports: tcp(neo4jFacts.port) });
  apiEgress.push({ to: ipBlocks(np.apiEgress.cidrs, np.apiEgress.except), ports: tcp(...np.apiEgress.ports) });
  docs.push({
    name: "api",
    spec: { podSelector: { matchLabels: PODS.api() }, policyTypes: ["Ingress", "Egress"], ingress: apiIngress, egress: apiEgress },
  });

  if (facts.ingress && facts.acmeSolver) {
    docs.push({
      name: "acme-http01-solver",
      spec: {
        podSelector: { matchLabels: { ...ACME_SOLVER.labels } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [ingressController], ports: tcp(ACME_SOLVER.port) }],
      },
    });
  }

  // --- PostgreSQL: clients are the API and Grafana; Prometheus only reaches the exporter -------
  if (pg) {
    const clients = [pods(PODS.api()), ...(grafana ? [pods(PODS.grafana())] : [])];
    const ingress: IngressRule[] = [{ from: clients, ports: tcp(POSTGRESQL.ports.postgresql) }];
    const egress: EgressRule[] = [];
    if (pg.metrics && scrapers.length) ingress.push({ from: scrapers, ports: tcp(POSTGRESQL.ports.exporter) });
    if (pg.replication) {
      // Streaming replication: read replicas connect to the primary; allowed both ways for failover tooling.
      ingress.push({ from: [pods(PODS.postgresql())], ports: tcp(POSTGRESQL.ports.postgresql) });
      egress.push({ to: [pods(PODS.postgresql())], ports: tcp(POSTGRESQL.ports.postgresql) });
    }
    if (pg.backup) {
      // The backup job's pods carry the release's labels (this policy selects them too) and connect
      // to the server like a client.
      ingress.push({ from: [pods(postgresqlBackupPodLabels())], ports: tcp(POSTGRESQL.ports.postgresql) });
      docs.push({
        name: "postgresql-backup",
        spec: {
          podSelector: { matchLabels: postgresqlBackupPodLabels() },
          policyTypes: ["Egress"],
          egress: [{ to: [pods(PODS.postgresql())], ports: tcp(POSTGRESQL.ports.postgresql) }],
        },
      });
    }
    docs.push({
      name: "postgresql",
      spec: { podSelector: { matchLabels: PODS.postgresql() }, policyTypes: ["Ingress", "Egress"], ingress, egress },
    });
  }

  // --- Redis: the API; pod-to-pod replication and Sentinel gossip --------------------------------
  if (redis) {
    const ingress: IngressRule[] = [{ from: [pods(PODS.api())], ports: redisPorts }];
    const egress: EgressRule[] = [];
    if (redis.metrics && scrapers.length) ingress.push({ from: scrapers, ports: tcp(REDIS.ports.exporter) });
    if (redis.replication) {
      ingress.push({ from: [pods(PODS.redis())], ports: redisPorts });
      egress.push({ to: [pods(PODS.redis())], ports: redisPorts });
    }
    docs.push({ name: "redis", spec: { podSelector: { matchLabels: PODS.redis() }, policyTypes: ["Ingress", "Egress"], ingress, egress } });
  }

  // --- Neo4j: the API over bolt; an Enterprise cluster's members with each other -----------------
  if (neo4j) {
    const ingress: IngressRule[] = [{ from: [pods(PODS.api())], ports: tcp(NEO4J.ports.bolt) }];
    const egress: EgressRule[] = [];
    if (neo4j.enterprise) {
      const p = NEO4J.ports;
      const members = tcp(p.discovery, p.transaction, p.raft, p.routing, p.bolt);
      ingress.push({ from: [pods(PODS.neo4j())], ports: members });
      egress.push({ to: [pods(PODS.neo4j())], ports: members });
      // Members find each other through the Kubernetes API (the chart's K8S discovery resolver).
      egress.push({ to: kubeApi, ports: tcp(...np.kubernetesApi.ports) });
      if (prom) ingress.push({ from: [pods(PODS.prometheus())], ports: tcp(p.metrics) });
    }
    docs.push({ name: "neo4j", spec: { podSelector: { matchLabels: PODS.neo4j() }, policyTypes: ["Ingress", "Egress"], ingress, egress } });
  }

  // --- Monitoring ----------------------------------------------------------------------------
  if (prom) {
    const scrape: EgressRule[] = [];
    if (scrapeApi) scrape.push({ to: [pods(PODS.api())], ports: tcp(api.metricsPort) });
    if (pg?.metrics) scrape.push({ to: [pods(PODS.postgresql())], ports: tcp(POSTGRESQL.ports.exporter) });
    if (redis?.metrics) scrape.push({ to: [pods(PODS.redis())], ports: tcp(REDIS.ports.exporter) });
    // Only Enterprise has a metrics endpoint; Community exposes none.
    if (neo4j?.enterprise) scrape.push({ to: [pods(PODS.neo4j())], ports: tcp(NEO4J.ports.metrics) });
    if (prom.kubeStateMetrics) scrape.push({ to: [pods(PODS.kubeStateMetrics())], ports: tcp(PROMETHEUS.ports.kubeStateMetrics) });
    if (prom.alertmanager) scrape.push({ to: [pods(PODS.alertmanager())], ports: tcp(PROMETHEUS.ports.alertmanager) });
    if (grafana) scrape.push({ to: [pods(PODS.grafana())], ports: tcp(GRAFANA.ports.grafana) });
    // Service discovery and the kubernetes-api-servers job; kubernetes-nodes(-cadvisor) scrape kubelets directly.
    scrape.push({ to: kubeApi, ports: tcp(...np.kubernetesApi.ports) });
    scrape.push({ to: ipBlocks(np.kubelets.cidrs), ports: tcp(...np.kubelets.ports) });
    docs.push({
      name: "prometheus-server",
      spec: {
        podSelector: { matchLabels: PODS.prometheus() },
        policyTypes: ["Ingress", "Egress"],
        ingress: grafana ? [{ from: [pods(PODS.grafana())], ports: tcp(PROMETHEUS.ports.server) }] : [],
        egress: scrape,
      },
    });
    if (prom.alertmanager) {
      const am = np.alertmanagerEgress;
      docs.push({
        name: "alertmanager",
        spec: {
          podSelector: { matchLabels: PODS.alertmanager() },
          policyTypes: ["Ingress", "Egress"],
          ingress: [{ from: [pods(PODS.prometheus())], ports: tcp(PROMETHEUS.ports.alertmanager) }],
          egress: [{ to: ipBlocks(am.cidrs, am.except), ports: tcp(...new Set([...am.ports, ...(prom.notifyPorts ?? [])])) }],
        },
      });
    }
    if (prom.kubeStateMetrics) {
      docs.push({
        name: "kube-state-metrics",
        spec: {
          podSelector: { matchLabels: PODS.kubeStateMetrics() },
          policyTypes: ["Ingress", "Egress"],
          ingress: [{ from: [pods(PODS.prometheus())], ports: tcp(PROMETHEUS.ports.kubeStateMetrics) }],
          egress: [{ to: kubeApi, ports: tcp(...np.kubernetesApi.ports) }],
        },
      });
    }
  }
  if (grafana) {
    const egress: EgressRule[] = [];
    if (prom) egress.push({ to: [pods(PODS.prometheus())], ports: tcp(PROMETHEUS.ports.server) });
    if (pgFacts.inCluster) egress.push({ to: [pods(PODS.postgresql())], ports: tcp(POSTGRESQL.ports.postgresql) });
    else egress.push({ to: ipBlocks(np.externalData.cidrs), ports: tcp(pgFacts.port) });
    // The dashboard sidecar watches ConfigMaps/Secrets through the Kubernetes API.
    egress.push({ to: kubeApi, ports: tcp(...np.kubernetesApi.ports) });
    docs.push({
      name: "grafana",
      spec: {
        podSelector: { matchLabels: PODS.grafana() },
        policyTypes: ["Ingress", "Egress"],
        ingress: prom ? [{ from: [pods(PODS.prometheus())], ports: tcp(GRAFANA.ports.grafana) }] : [],
        egress,
      },
    });
  }
  return docs.map(({ name, spec }) => ({ name, spec: withoutEmptyRules(spec) }));
}

/**
 * Drops empty rule lists: the API server stores `egress: []` as absent, so emitting it would make
 * every apply a change. The policy type alone already denies that direction.
 */
function withoutEmptyRules(spec: PolicySpec): PolicySpec {
  const out: PolicySpec = { ...spec };
  if (out.ingress?.length === 0) delete out.ingress;
  if (out.egress?.length === 0) delete out.egress;
  return out;
}
