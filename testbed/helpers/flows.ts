// The NetworkPolicy flow table: pods as the workloads really carry their labels (the selector-
// relevant ones from the contracts), and the flows each stack needs and must refuse. The unit tests
// evaluate it against the emitted policies; the node e2e replays it on real packets.
import { apiLabels } from "../../services/api";
import { POSTGRESQL, postgresqlPodLabels } from "../../services/postgresql";
import { REDIS, redisPodLabels } from "../../services/redis";
import { GRAFANA, grafanaPodLabels } from "../../services/grafana";
import { PROMETHEUS, prometheusPodLabels } from "../../services/prometheus";
import { Endpoint } from "../../scripts/verify/network-policy";

export const NS = "ape-2026";
export const nsLabels = (name: string) => ({ "kubernetes.io/metadata.name": name });
let nextIp = 10;
export const pod = (name: string, labels: Record<string, string>, namespace = NS): Endpoint => ({
  name,
  namespace,
  namespaceLabels: nsLabels(namespace),
  labels,
  ip: `10.244.0.${nextIp++}`,
});
const helm = (chart: string, version: string) => ({
  "app.kubernetes.io/managed-by": "Helm",
  "app.kubernetes.io/version": version,
  "helm.sh/chart": chart,
});

// Labels of a Neo4j pod as the neo4j chart's StatefulSet template sets them (plus the stack's neo4j.labels).
const neo4jLabels = (release: string, clustering: boolean) => ({
  app: "neo4j",
  "helm.neo4j.com/neo4j.name": "neo4j",
  "helm.neo4j.com/clustering": String(clustering),
  "helm.neo4j.com/pod_category": "neo4j-instance",
  "helm.neo4j.com/neo4j.loadbalancer": "include",
  "helm.neo4j.com/instance": release,
  "app.kubernetes.io/name": "neo4j",
  "app.kubernetes.io/part-of": "ape-2026",
});

// Pod labels as the workloads really carry them. The labels the policies select on come from the
// contracts (one fact, one place); the rest are what the rendered charts add (chart and app
// versions, components), kept so that a selector that matched too much would show.
export const P = {
  api: pod("api", apiLabels()),
  pgPrimary: pod("postgresql primary", {
    ...postgresqlPodLabels(),
    "app.kubernetes.io/component": "primary",
    ...helm("postgresql-16.7.27", "17.6.0"),
  }),
  pgRead: pod("postgresql read", {
    ...postgresqlPodLabels(),
    "app.kubernetes.io/component": "read",
    ...helm("postgresql-16.7.27", "17.6.0"),
  }),
  redisA: pod("redis node 0", { ...redisPodLabels(), "app.kubernetes.io/component": "node", ...helm("redis-22.0.7", "8.2.1") }),
  redisB: pod("redis node 1", { ...redisPodLabels(), "app.kubernetes.io/component": "node", ...helm("redis-22.0.7", "8.2.1") }),
  prometheus: pod("prometheus server", {
    ...prometheusPodLabels("server"),
    "app.kubernetes.io/part-of": "prometheus",
    "app.kubernetes.io/version": "v3.14.0",
    "helm.sh/chart": "prometheus-29.27.0",
  }),
  alertmanager: pod("alertmanager", prometheusPodLabels("alertmanager")),
  ksm: pod("kube-state-metrics", {
    ...prometheusPodLabels("kubeStateMetrics"),
    "app.kubernetes.io/component": "metrics",
    "app.kubernetes.io/part-of": "kube-state-metrics",
    ...helm("kube-state-metrics-8.4.0", "2.20.0"),
  }),
  grafana: pod("grafana", { ...grafanaPodLabels(), "app.kubernetes.io/version": "13.2.0", "helm.sh/chart": "grafana-12.11.1" }),
  neo4j: pod("neo4j server", neo4jLabels("neo4j", false)),
  neo4jB: pod("neo4j cluster member 2", neo4jLabels("neo4j-2", true)),
  stray: pod("stray pod in the namespace", { run: "debug" }),
  // The controller of the public entry point both stacks use (ingress.controller traefik, as Traefik's
  // Helm chart labels its pods), other pods of its namespace, and a look-alike elsewhere.
  controller: pod(
    "traefik controller",
    { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-traefik", "helm.sh/chart": "traefik-39.0.0" },
    "traefik",
  ),
  controllerNsOther: pod("other pod in traefik", { app: "cleanup-job" }, "traefik"),
  controllerLookAlike: pod("traefik look-alike elsewhere", { "app.kubernetes.io/name": "traefik" }, "default"),
  // The retired ingress-nginx (ingress.controller nginx, still accepted).
  ingressNginx: pod(
    "ingress-nginx controller",
    { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" },
    "ingress-nginx",
  ),
  otherNs: pod("pod in another namespace", { app: "other" }, "default"),
  dns: pod("coredns", { "k8s-app": "kube-dns" }, "kube-system"),
  kubeApi: { name: "kube-apiserver", ip: "172.18.0.2" } as Endpoint,
  kubelet: { name: "kubelet", ip: "172.18.0.3" } as Endpoint,
  internet: { name: "external AI API", ip: "104.18.32.47" } as Endpoint,
  metadata: { name: "cloud metadata", ip: "169.254.169.254" } as Endpoint,
  privateHost: { name: "private 10/8 host", ip: "10.20.30.40" } as Endpoint,
};
export type Name = keyof typeof P;
export type Flow = [Name, Name, number, ("TCP" | "UDP")?];

// Pod ports of the charts (NetworkPolicies see pod ports), from the contracts.
export const PG = POSTGRESQL.ports.postgresql;
export const PG_METRICS = POSTGRESQL.ports.exporter;
export const REDIS_PORT = REDIS.ports.redis;
export const SENTINEL = REDIS.ports.sentinel;
export const REDIS_METRICS = REDIS.ports.exporter;
const PROM = PROMETHEUS.ports.server;
const ALERTMANAGER = PROMETHEUS.ports.alertmanager;
const KSM = PROMETHEUS.ports.kubeStateMetrics;
const KSM_TELEMETRY = PROMETHEUS.ports.kubeStateMetricsTelemetry;
const GRAFANA_PORT = GRAFANA.ports.grafana;
const ALL_PODS: Name[] = ["api", "pgPrimary", "pgRead", "redisA", "prometheus", "alertmanager", "ksm", "grafana", "stray"];
export const needed = (http: number, metrics: number): Flow[] => [
  ["controller", "api", http],
  ["api", "pgPrimary", PG],
  ["api", "redisA", REDIS_PORT],
  ...ALL_PODS.flatMap((p): Flow[] => [
    [p, "dns", 53, "UDP"],
    [p, "dns", 53, "TCP"],
  ]),
  ["api", "internet", 443],
  ["prometheus", "api", metrics],
  ["prometheus", "pgPrimary", PG_METRICS],
  ["prometheus", "redisA", REDIS_METRICS],
  ["prometheus", "ksm", KSM],
  ["prometheus", "ksm", KSM_TELEMETRY],
  ["prometheus", "grafana", GRAFANA_PORT],
  ["prometheus", "alertmanager", ALERTMANAGER],
  ["prometheus", "kubeApi", 6443],
  ["prometheus", "kubeApi", 443],
  ["prometheus", "kubelet", 10250],
  ["ksm", "kubeApi", 6443],
  ["grafana", "kubeApi", 6443],
  ["grafana", "prometheus", PROM],
  ["grafana", "pgPrimary", PG],
  ["alertmanager", "internet", 443],
];
export const forbidden = (http: number, metrics: number): Flow[] => [
  ["grafana", "redisA", REDIS_PORT],
  ["api", "prometheus", PROM],
  ["api", "grafana", GRAFANA_PORT],
  ["prometheus", "pgPrimary", PG],
  ...(["prometheus", "alertmanager", "ksm", "redisA", "stray", "otherNs", "controller"] as Name[]).map((s): Flow => [s, "pgPrimary", PG]),
  ...(["stray", "otherNs", "controllerNsOther", "controllerLookAlike", "ingressNginx", "prometheus", "grafana", "pgPrimary"] as Name[]).map(
    (s): Flow => [s, "api", http],
  ),
  ["controller", "api", metrics],
  ["controller", "grafana", GRAFANA_PORT],
  ["stray", "redisA", REDIS_PORT],
  ["stray", "ksm", KSM_TELEMETRY],
  ["api", "ksm", KSM],
  ["otherNs", "prometheus", PROM],
  ["api", "metadata", 443],
  ["api", "privateHost", 443],
  ["api", "internet", 80],
  ["api", "kubeApi", 6443],
  ["pgPrimary", "internet", 443],
  ["redisA", "internet", 443],
  ["grafana", "internet", 443],
  ["stray", "internet", 443],
  ["api", "dns", 5353, "UDP"],
  // Nothing but the API reaches Neo4j, and only over bolt; Neo4j itself reaches nothing but DNS.
  ...(["stray", "otherNs", "controller", "prometheus", "grafana", "pgPrimary", "redisA"] as Name[]).map((s): Flow => [s, "neo4j", 7687]),
  ["api", "neo4j", 7474],
  ["api", "neo4j", 6362],
  ["prometheus", "neo4j", 2004],
  ["neo4j", "internet", 443],
  ["neo4j", "kubeApi", 6443],
  ["neo4j", "pgPrimary", 5432],
  ["neo4j", "api", http],
  ["neo4j", "neo4jB", 6000],
];
