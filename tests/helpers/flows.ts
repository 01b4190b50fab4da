// The connectivity table of the stack's NetworkPolicies: the endpoints (pods with the labels the
// workloads really carry, addresses outside the cluster) and the flows that must be allowed or
// denied. tests/network-policies.spec.ts evaluates it against the emitted policies; the node e2e
// (tests/e2e/node.e2e.ts) replays it with real packets between stand-in pods.
import { Endpoint } from "./netpol";

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

// Pod labels as the workloads really carry them (charts: /work/charts/FACTS.md, rendered).
export const P = {
  api: pod("api", {
    "app.kubernetes.io/name": "api",
    "app.kubernetes.io/instance": "ape-2026",
    "app.kubernetes.io/component": "server",
    "app.kubernetes.io/part-of": "ape-2026",
    "app.kubernetes.io/managed-by": "pulumi",
  }),
  pgPrimary: pod("postgresql primary", {
    "app.kubernetes.io/name": "postgresql",
    "app.kubernetes.io/instance": "postgresql",
    "app.kubernetes.io/component": "primary",
    ...helm("postgresql-16.7.27", "17.6.0"),
  }),
  pgRead: pod("postgresql read", {
    "app.kubernetes.io/name": "postgresql",
    "app.kubernetes.io/instance": "postgresql",
    "app.kubernetes.io/component": "read",
    ...helm("postgresql-16.7.27", "17.6.0"),
  }),
  redisA: pod("redis node 0", {
    "app.kubernetes.io/name": "redis",
    "app.kubernetes.io/instance": "redis",
    "app.kubernetes.io/component": "node",
    ...helm("redis-22.0.7", "8.2.1"),
  }),
  redisB: pod("redis node 1", {
    "app.kubernetes.io/name": "redis",
    "app.kubernetes.io/instance": "redis",
    "app.kubernetes.io/component": "node",
    ...helm("redis-22.0.7", "8.2.1"),
  }),
  prometheus: pod("prometheus server", {
    "app.kubernetes.io/name": "prometheus",
    "app.kubernetes.io/instance": "prometheus",
    "app.kubernetes.io/component": "server",
    "app.kubernetes.io/part-of": "prometheus",
    "app.kubernetes.io/version": "v3.14.0",
    "helm.sh/chart": "prometheus-29.27.0",
  }),
  alertmanager: pod("alertmanager", { "app.kubernetes.io/name": "alertmanager", "app.kubernetes.io/instance": "prometheus" }),
  ksm: pod("kube-state-metrics", {
    "app.kubernetes.io/name": "kube-state-metrics",
    "app.kubernetes.io/instance": "prometheus",
    "app.kubernetes.io/component": "metrics",
    "app.kubernetes.io/part-of": "kube-state-metrics",
    ...helm("kube-state-metrics-8.4.0", "2.20.0"),
  }),
  grafana: pod("grafana", {
    "app.kubernetes.io/name": "grafana",
    "app.kubernetes.io/instance": "grafana",
    "app.kubernetes.io/version": "13.2.0",
    "helm.sh/chart": "grafana-12.11.1",
  }),
  stray: pod("stray pod in the namespace", { run: "debug" }),
  ingressNginx: pod(
    "ingress-nginx controller",
    { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" },
    "ingress-nginx",
  ),
  nginxOther: pod("other pod in ingress-nginx", { app: "cleanup-job" }, "ingress-nginx"),
  otherNsNginx: pod("ingress-nginx look-alike elsewhere", { "app.kubernetes.io/name": "ingress-nginx" }, "default"),
  otherNs: pod("pod in another namespace", { app: "other" }, "default"),
  dns: pod("coredns", { "k8s-app": "kube-dns" }, "kube-system"),
  kubeApi: { name: "kube-apiserver", ip: "172.18.0.2" } as Endpoint,
  kubelet: { name: "kubelet", ip: "172.18.0.3" } as Endpoint,
  internet: { name: "external AI API", ip: "104.18.32.47" } as Endpoint,
  metadata: { name: "cloud metadata", ip: "169.254.169.254" } as Endpoint,
  privateHost: { name: "private 10/8 host", ip: "10.20.30.40" } as Endpoint,
};
type Name = keyof typeof P;
export type Flow = [Name, Name, number, ("TCP" | "UDP")?];

const ALL_PODS: Name[] = ["api", "pgPrimary", "pgRead", "redisA", "prometheus", "alertmanager", "ksm", "grafana", "stray"];
export const needed = (http: number, metrics: number): Flow[] => [
  ["ingressNginx", "api", http],
  ["api", "pgPrimary", 5432],
  ["api", "redisA", 6379],
  ...ALL_PODS.flatMap((p): Flow[] => [
    [p, "dns", 53, "UDP"],
    [p, "dns", 53, "TCP"],
  ]),
  ["api", "internet", 443],
  ["prometheus", "api", metrics],
  ["prometheus", "pgPrimary", 9187],
  ["prometheus", "redisA", 9121],
  ["prometheus", "ksm", 8080],
  ["prometheus", "grafana", 3000],
  ["prometheus", "alertmanager", 9093],
  ["prometheus", "kubeApi", 6443],
  ["prometheus", "kubeApi", 443],
  ["prometheus", "kubelet", 10250],
  ["ksm", "kubeApi", 6443],
  ["grafana", "kubeApi", 6443],
  ["grafana", "prometheus", 9090],
  ["grafana", "pgPrimary", 5432],
  ["alertmanager", "internet", 443],
];
export const forbidden = (http: number, metrics: number): Flow[] => [
  ["grafana", "redisA", 6379],
  ["api", "prometheus", 9090],
  ["api", "grafana", 3000],
  ["prometheus", "pgPrimary", 5432],
  ...(["prometheus", "alertmanager", "ksm", "redisA", "stray", "otherNs", "ingressNginx"] as Name[]).map((s): Flow => [
    s,
    "pgPrimary",
    5432,
  ]),
  ...(["stray", "otherNs", "nginxOther", "otherNsNginx", "prometheus", "grafana", "pgPrimary"] as Name[]).map((s): Flow => [
    s,
    "api",
    http,
  ]),
  ["ingressNginx", "api", metrics],
  ["ingressNginx", "grafana", 3000],
  ["stray", "redisA", 6379],
  ["otherNs", "prometheus", 9090],
  ["api", "metadata", 443],
  ["api", "privateHost", 443],
  ["api", "internet", 80],
  ["api", "kubeApi", 6443],
  ["pgPrimary", "internet", 443],
  ["redisA", "internet", 443],
  ["grafana", "internet", 443],
  ["stray", "internet", 443],
  ["api", "dns", 5353, "UDP"],
];
