// Pure NetworkPolicy builder: default deny for the namespace, then exactly the flows the stack
// needs, derived from the config (no Redis rules without Redis, Sentinel's port only with
// Sentinel, ...). Selectors use the labels the charts really put on their pods (verified by
// rendering the pinned charts, /work/charts/FACTS.md), only their stable keys (name, instance,
// component), never version or chart labels.
//
// The charts' own NetworkPolicies are switched off by the data services (Bitnami postgresql and
// redis render an allow-all-sources policy by default, which would widen these through the union
// semantics of NetworkPolicies); prometheus and grafana render none by default.
import type { StackConfig } from "../config";
import { RELEASE_NAMES } from "./charts";
import { apiSelectorLabels } from "./labels";

type Labels = Record<string, string>;
export interface Selector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}
export interface Port {
  protocol: "TCP" | "UDP" | "SCTP";
  port: number;
  endPort?: number;
}
export interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
export interface IngressRule {
  from?: Peer[];
  ports?: Port[];
}
export interface EgressRule {
  to?: Peer[];
  ports?: Port[];
}
export interface PolicySpec {
  podSelector: Selector;
  policyTypes: ("Ingress" | "Egress")[];
  ingress?: IngressRule[];
  egress?: EgressRule[];
}
/** A NetworkPolicy as plain data: metadata.name and spec. */
export interface PolicyDoc {
  name: string;
  spec: PolicySpec;
}

/** Pod label selectors of the stack's workloads (chart pods per the rendered pinned charts). */
export const PODS = {
  api: (): Labels => apiSelectorLabels(),
  /** Every PostgreSQL pod (standalone, primary and read replicas). */
  postgresql: (): Labels => ({ "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": RELEASE_NAMES.postgresql }),
  /** Every Redis pod (master/replicas, or the redis-node pods with Sentinel). */
  redis: (): Labels => ({ "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": RELEASE_NAMES.redis }),
  prometheus: (): Labels => ({ "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": RELEASE_NAMES.prometheus, "app.kubernetes.io/component": "server" }),
  alertmanager: (): Labels => ({ "app.kubernetes.io/name": "alertmanager", "app.kubernetes.io/instance": RELEASE_NAMES.prometheus }),
  kubeStateMetrics: (): Labels => ({ "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": RELEASE_NAMES.prometheus }),
  grafana: (): Labels => ({ "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": RELEASE_NAMES.grafana }),
};

/** Pod ports of the charts (policies see pod ports: Services are translated before filtering). */
export const PORTS = {
  postgresql: 5432,
  postgresExporter: 9187,
  redis: 6379,
  sentinel: 26379,
  redisExporter: 9121,
  prometheus: 9090,
  alertmanager: 9093,
  kubeStateMetrics: 8080,
  grafana: 3000,
} as const;

export type NetworkInputs = Pick<StackConfig, "networkPolicy" | "ingress" | "api" | "postgresql" | "redis" | "prometheus" | "grafana">;

const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ protocol: "TCP", port }));
const pods = (labels: Labels): Peer => ({ podSelector: { matchLabels: labels } });
const nonEmpty = (labels: Labels): Selector => (Object.keys(labels).length ? { matchLabels: labels } : {});

/** Is IPv4 `inner` inside `outer`? (IPv6 only compares equal prefixes textually.) */
export function cidrContains(outer: string, inner: string): boolean {
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
export function ipBlocks(cidrs: string[], except: string[] = []): Peer[] {
  return cidrs.map((cidr) => {
    const inside = except.filter((e) => e !== cidr && cidrContains(cidr, e));
    return { ipBlock: inside.length ? { cidr, except: inside } : { cidr } };
  });
}

/** Every NetworkPolicy of the namespace; empty when `networkPolicy.enabled` is false. */
export function buildNetworkPolicies(c: NetworkInputs): PolicyDoc[] {
  const np = c.networkPolicy;
  if (!np.enabled) return [];
  const pg = c.postgresql.enabled;
  const redis = c.redis.enabled;
  const prom = c.prometheus.enabled;
  const grafana = c.grafana.enabled;
  const sentinel = redis && c.redis.sentinel.enabled;
  const redisPorts = sentinel ? tcp(PORTS.redis, PORTS.sentinel) : tcp(PORTS.redis);
  const scrapeApi = prom && c.api.metrics.enabled;
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
  if (c.ingress.enabled) {
    apiIngress.push({
      from: [{ namespaceSelector: nonEmpty(np.ingressController.namespaceSelector), podSelector: nonEmpty(np.ingressController.podSelector) }],
      ports: tcp(c.api.ports.http),
    });
  }
  if (scrapeApi) apiIngress.push({ from: [pods(PODS.prometheus())], ports: tcp(c.api.ports.metrics) });
  const apiEgress: EgressRule[] = [];
  if (pg) apiEgress.push({ to: [pods(PODS.postgresql())], ports: tcp(PORTS.postgresql) });
  else if (c.postgresql.external) apiEgress.push({ to: ipBlocks(np.externalData.cidrs), ports: tcp(c.postgresql.external.port) });
  if (redis) apiEgress.push({ to: [pods(PODS.redis())], ports: redisPorts });
  else if (c.redis.external) {
    const ports = c.redis.external.sentinel ? [c.redis.external.port, PORTS.sentinel] : [c.redis.external.port];
    apiEgress.push({ to: ipBlocks(np.externalData.cidrs), ports: tcp(...ports) });
  }
  apiEgress.push({ to: ipBlocks(np.apiEgress.cidrs, np.apiEgress.except), ports: tcp(...np.apiEgress.ports) });
  docs.push({ name: "api", spec: { podSelector: { matchLabels: PODS.api() }, policyTypes: ["Ingress", "Egress"], ingress: apiIngress, egress: apiEgress } });

  // --- PostgreSQL: clients are the API and Grafana; Prometheus only reaches the exporter -------
  if (pg) {
    const clients = [pods(PODS.api()), ...(grafana ? [pods(PODS.grafana())] : [])];
    const ingress: IngressRule[] = [{ from: clients, ports: tcp(PORTS.postgresql) }];
    const egress: EgressRule[] = [];
    if (prom && c.postgresql.metrics.enabled) ingress.push({ from: [pods(PODS.prometheus())], ports: tcp(PORTS.postgresExporter) });
    if (c.postgresql.architecture === "replication") {
      // Streaming replication: read replicas connect to the primary; allowed both ways for failover tooling.
      ingress.push({ from: [pods(PODS.postgresql())], ports: tcp(PORTS.postgresql) });
      egress.push({ to: [pods(PODS.postgresql())], ports: tcp(PORTS.postgresql) });
    }
    docs.push({ name: "postgresql", spec: { podSelector: { matchLabels: PODS.postgresql() }, policyTypes: ["Ingress", "Egress"], ingress, egress } });
  }

  // --- Redis: the API; pod-to-pod replication and Sentinel gossip --------------------------------
  if (redis) {
    const ingress: IngressRule[] = [{ from: [pods(PODS.api())], ports: redisPorts }];
    const egress: EgressRule[] = [];
    if (prom && c.redis.metrics.enabled) ingress.push({ from: [pods(PODS.prometheus())], ports: tcp(PORTS.redisExporter) });
    if (c.redis.architecture === "replication") {
      ingress.push({ from: [pods(PODS.redis())], ports: redisPorts });
      egress.push({ to: [pods(PODS.redis())], ports: redisPorts });
    }
    docs.push({ name: "redis", spec: { podSelector: { matchLabels: PODS.redis() }, policyTypes: ["Ingress", "Egress"], ingress, egress } });
  }

  // --- Monitoring ----------------------------------------------------------------------------
  if (prom) {
    const scrape: EgressRule[] = [];
    if (scrapeApi) scrape.push({ to: [pods(PODS.api())], ports: tcp(c.api.ports.metrics) });
    if (pg && c.postgresql.metrics.enabled) scrape.push({ to: [pods(PODS.postgresql())], ports: tcp(PORTS.postgresExporter) });
    if (redis && c.redis.metrics.enabled) scrape.push({ to: [pods(PODS.redis())], ports: tcp(PORTS.redisExporter) });
    if (c.prometheus.kubeStateMetrics.enabled) scrape.push({ to: [pods(PODS.kubeStateMetrics())], ports: tcp(PORTS.kubeStateMetrics) });
    if (c.prometheus.alertmanager.enabled) scrape.push({ to: [pods(PODS.alertmanager())], ports: tcp(PORTS.alertmanager) });
    if (grafana) scrape.push({ to: [pods(PODS.grafana())], ports: tcp(PORTS.grafana) });
    // Service discovery and the kubernetes-api-servers job; kubernetes-nodes(-cadvisor) scrape kubelets directly.
    scrape.push({ to: kubeApi, ports: tcp(...np.kubernetesApi.ports) });
    scrape.push({ to: ipBlocks(np.kubelets.cidrs), ports: tcp(...np.kubelets.ports) });
    docs.push({
      name: "prometheus-server",
      spec: {
        podSelector: { matchLabels: PODS.prometheus() },
        policyTypes: ["Ingress", "Egress"],
        ingress: grafana ? [{ from: [pods(PODS.grafana())], ports: tcp(PORTS.prometheus) }] : [],
        egress: scrape,
      },
    });
    if (c.prometheus.alertmanager.enabled) {
      const am = np.alertmanagerEgress;
      docs.push({
        name: "alertmanager",
        spec: {
          podSelector: { matchLabels: PODS.alertmanager() },
          policyTypes: ["Ingress", "Egress"],
          ingress: [{ from: [pods(PODS.prometheus())], ports: tcp(PORTS.alertmanager) }],
          egress: [{ to: ipBlocks(am.cidrs, am.except), ports: tcp(...am.ports) }],
        },
      });
    }
    if (c.prometheus.kubeStateMetrics.enabled) {
      docs.push({
        name: "kube-state-metrics",
        spec: {
          podSelector: { matchLabels: PODS.kubeStateMetrics() },
          policyTypes: ["Ingress", "Egress"],
          ingress: [{ from: [pods(PODS.prometheus())], ports: tcp(PORTS.kubeStateMetrics) }],
          egress: [{ to: kubeApi, ports: tcp(...np.kubernetesApi.ports) }],
        },
      });
    }
  }
  if (grafana) {
    const egress: EgressRule[] = [];
    if (prom) egress.push({ to: [pods(PODS.prometheus())], ports: tcp(PORTS.prometheus) });
    if (pg) egress.push({ to: [pods(PODS.postgresql())], ports: tcp(PORTS.postgresql) });
    else if (c.postgresql.external) egress.push({ to: ipBlocks(np.externalData.cidrs), ports: tcp(c.postgresql.external.port) });
    // The dashboard sidecar watches ConfigMaps/Secrets through the Kubernetes API.
    egress.push({ to: kubeApi, ports: tcp(...np.kubernetesApi.ports) });
    docs.push({
      name: "grafana",
      spec: {
        podSelector: { matchLabels: PODS.grafana() },
        policyTypes: ["Ingress", "Egress"],
        ingress: prom ? [{ from: [pods(PODS.prometheus())], ports: tcp(PORTS.grafana) }] : [],
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
