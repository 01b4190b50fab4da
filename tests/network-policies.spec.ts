// Connectivity of the emitted NetworkPolicies, evaluated with NetworkPolicy semantics
// (tests/helpers/netpol.ts) for both stacks from their real stack files.
import * as assert from "assert";
import { buildNetworkPolicies } from "../components/edge";
import { stackNetworkFacts } from "../components/stack";
import { StackConfig } from "../config";
import { apiLabels } from "../components/app";
import { POSTGRESQL, postgresqlPodLabels, REDIS, redisPodLabels } from "../components/data";
import { GRAFANA, grafanaPodLabels, PROMETHEUS, prometheusPodLabels } from "../components/monitoring";
import { allows, Endpoint, NetworkPolicy } from "./helpers/netpol";
import { runProgram } from "../harness/program";
import { loadConfig } from "./helpers/config";
import { T } from "../harness/types";

const NS = "ape-2026";
const nsLabels = (name: string) => ({ "kubernetes.io/metadata.name": name });
let nextIp = 10;
const pod = (name: string, labels: Record<string, string>, namespace = NS): Endpoint => ({
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
const P = {
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
type Flow = [Name, Name, number, ("TCP" | "UDP")?];

function policiesOf(run: Awaited<ReturnType<typeof runProgram>>): NetworkPolicy[] {
  return run
    .ofType(T.NetworkPolicy)
    .map((r) => ({ namespace: r.inputs.metadata.namespace, name: r.inputs.metadata.name, spec: r.inputs.spec }));
}
function check(policies: NetworkPolicy[], flows: Flow[], expected: boolean): void {
  const wrong = flows.filter(([s, d, port, proto]) => allows(policies, P[s], P[d], port, proto ?? "TCP") !== expected);
  assert.deepStrictEqual(
    wrong.map(([s, d, port, proto]) => `${P[s].name} -> ${P[d].name}:${port}/${proto ?? "TCP"}`),
    [],
    `expected ${expected ? "allowed" : "denied"}`,
  );
}
const load = loadConfig;
const docs = (c: StackConfig): NetworkPolicy[] =>
  buildNetworkPolicies(c.networkPolicy, stackNetworkFacts(c)).map((d) => ({
    namespace: c.namespace.name,
    name: d.name,
    spec: d.spec as NetworkPolicy["spec"],
  }));

// Pod ports of the charts (NetworkPolicies see pod ports), from the contracts.
const PG = POSTGRESQL.ports.postgresql;
const PG_METRICS = POSTGRESQL.ports.exporter;
const REDIS_PORT = REDIS.ports.redis;
const SENTINEL = REDIS.ports.sentinel;
const REDIS_METRICS = REDIS.ports.exporter;
const PROM = PROMETHEUS.ports.server;
const ALERTMANAGER = PROMETHEUS.ports.alertmanager;
const KSM = PROMETHEUS.ports.kubeStateMetrics;
const GRAFANA_PORT = GRAFANA.ports.grafana;
const ALL_PODS: Name[] = ["api", "pgPrimary", "pgRead", "redisA", "prometheus", "alertmanager", "ksm", "grafana", "stray"];
const needed = (http: number, metrics: number): Flow[] => [
  ["ingressNginx", "api", http],
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
const forbidden = (http: number, metrics: number): Flow[] => [
  ["grafana", "redisA", REDIS_PORT],
  ["api", "prometheus", PROM],
  ["api", "grafana", GRAFANA_PORT],
  ["prometheus", "pgPrimary", PG],
  ...(["prometheus", "alertmanager", "ksm", "redisA", "stray", "otherNs", "ingressNginx"] as Name[]).map((s): Flow => [s, "pgPrimary", PG]),
  ...(["stray", "otherNs", "nginxOther", "otherNsNginx", "prometheus", "grafana", "pgPrimary"] as Name[]).map((s): Flow => [
    s,
    "api",
    http,
  ]),
  ["ingressNginx", "api", metrics],
  ["ingressNginx", "grafana", GRAFANA_PORT],
  ["stray", "redisA", REDIS_PORT],
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
  ...(["stray", "otherNs", "ingressNginx", "prometheus", "grafana", "pgPrimary", "redisA"] as Name[]).map((s): Flow => [s, "neo4j", 7687]),
  ["api", "neo4j", 7474],
  ["api", "neo4j", 6362],
  ["prometheus", "neo4j", 2004],
  ["neo4j", "internet", 443],
  ["neo4j", "kubeApi", 6443],
  ["neo4j", "pgPrimary", 5432],
  ["neo4j", "api", http],
  ["neo4j", "neo4jB", 6000],
];

for (const stack of ["dev", "production"]) {
  describe(`network policies: ${stack} stack`, () => {
    let policies: NetworkPolicy[];
    let run: Awaited<ReturnType<typeof runProgram>>;
    let http = 0;
    let metrics = 0;
    before(async () => {
      run = await runProgram(stack);
      policies = policiesOf(run);
      // The API pod as the program really defines it: its Deployment's pod labels and named ports.
      const [deployment] = run.ofType(T.Deployment).filter((d) => d.inputs.metadata.name === "api");
      const template = deployment.inputs.spec.template;
      P.api = { ...P.api, labels: template.metadata.labels };
      const port = (name: string) => template.spec.containers[0].ports.find((p: { name: string }) => p.name === name).containerPort;
      [http, metrics] = [port("http"), port("metrics")];
      assert.deepStrictEqual([http, metrics], Object.values(load(stack).api.ports));
    });

    it("the namespace enforces, audits and warns at Pod Security restricted", () => {
      const [ns] = run.ofType(T.Namespace);
      assert.strictEqual(ns.inputs.metadata.name, NS);
      for (const mode of ["enforce", "audit", "warn"])
        assert.strictEqual(ns.inputs.metadata.labels[`pod-security.kubernetes.io/${mode}`], "restricted", mode);
    });

    it("starts from default deny of ingress and egress for every pod of the namespace", () => {
      const deny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress);
      assert.ok(deny, "a default-deny policy");
      assert.deepStrictEqual([...(deny.spec.policyTypes ?? [])].sort(), ["Egress", "Ingress"]);
      assert.ok(policies.every((p) => p.namespace === NS));
    });

    it("allows every flow the stack needs", () => check(policies, needed(http, metrics), true));
    it("denies the flows it must not allow", () => check(policies, forbidden(http, metrics), false));

    it("are valid networking.k8s.io/v1 NetworkPolicies", async () => {
      const { NetworkPolicy } = await import("kubernetes-models/networking.k8s.io/v1");
      for (const p of policies) new NetworkPolicy({ metadata: { name: p.name, namespace: p.namespace }, spec: p.spec as any }).validate();
      // The API server drops empty rule lists; emitting them would make every apply a change.
      assert.deepStrictEqual(
        policies.filter((p) => p.spec.ingress?.length === 0 || p.spec.egress?.length === 0).map((p) => p.name),
        [],
      );
    });
  });
}

describe("network policies: flows follow the config", () => {
  it(`production: Sentinel ${SENTINEL} from the API and between Redis nodes; dev has neither`, async () => {
    const prod = policiesOf(await runProgram("production"));
    check(
      prod,
      [
        ["api", "redisA", SENTINEL],
        ["redisA", "redisB", REDIS_PORT],
        ["redisB", "redisA", SENTINEL],
      ],
      true,
    );
    const dev = docs(load("dev"));
    check(
      dev,
      [
        ["api", "redisA", SENTINEL],
        ["redisA", "redisB", REDIS_PORT],
      ],
      false,
    );
    check(dev, [["api", "redisA", REDIS_PORT]], true);
  });

  it(`PostgreSQL replication opens ${PG} between primary and read replicas only when enabled`, () => {
    check(docs(load("production")), [["pgRead", "pgPrimary", PG]], false);
    const repl = docs(load("production", { "postgresql.architecture": "replication" }));
    check(
      repl,
      [
        ["pgRead", "pgPrimary", PG],
        ["pgPrimary", "pgRead", PG],
        ["api", "pgRead", PG],
      ],
      true,
    );
    check(
      repl,
      [
        ["prometheus", "pgRead", PG],
        ["pgRead", "redisA", REDIS_PORT],
      ],
      false,
    );
    check(repl, [["prometheus", "pgRead", PG_METRICS]], true);
  });

  it("Neo4j (on in production): the API reaches bolt 7687, Neo4j reaches DNS only; dev has no Neo4j to reach", async () => {
    const prod = policiesOf(await runProgram("production"));
    check(
      prod,
      [
        ["api", "neo4j", 7687],
        ["neo4j", "dns", 53, "UDP"],
        ["neo4j", "dns", 53, "TCP"],
      ],
      true,
    );
    const dev = docs(load("dev"));
    assert.ok(!dev.some((p) => p.name === "neo4j"));
    check(dev, [["api", "neo4j", 7687]], false);
  });

  it("Neo4j Enterprise: members talk on cluster ports and to the Kubernetes API; Prometheus scrapes 2004; closed to the rest", () => {
    const ent = docs(load("production", { "neo4j.edition": "enterprise", "neo4j.acceptLicenseAgreement": true }));
    const members: Flow[] = [5000, 6000, 7000, 7688, 7687].flatMap((port): Flow[] => [
      ["neo4j", "neo4jB", port],
      ["neo4jB", "neo4j", port],
    ]);
    check(ent, [...members, ["neo4j", "kubeApi", 6443], ["prometheus", "neo4jB", 2004], ["api", "neo4jB", 7687]], true);
    check(
      ent,
      [
        ["api", "neo4jB", 6000],
        ["stray", "neo4jB", 5000],
        ["prometheus", "neo4jB", 7687],
        ["neo4jB", "neo4j", 2004],
        ["neo4j", "neo4jB", 6362],
        ["neo4j", "internet", 443],
        ["neo4jB", "api", 9898],
      ],
      false,
    );
    // Community has no metrics endpoint: no scrape rule either way.
    check(docs(load("production")), [["prometheus", "neo4j", 2004]], false);
  });

  it("an external Neo4j: no Neo4j policy; the API reaches it on its port only", () => {
    const c = load("dev", {
      "neo4j.external": { host: "graph.example.net", port: 7688, username: "ape", existingSecret: "graph", passwordKey: "password" },
    });
    const policies = docs(c);
    assert.ok(!policies.some((p) => p.name === "neo4j"));
    check(policies, [["api", "internet", 7688]], true);
    check(
      policies,
      [
        ["api", "internet", 7687],
        ["api", "neo4j", 7687],
      ],
      false,
    );
  });

  it("no Redis policy without Redis; an external Redis is reached only on its port", () => {
    const c = load("dev", {
      "redis.enabled": false,
      "redis.external": { host: "redis.example.net", port: 6380, existingSecret: "redis-ext", passwordKey: "password" },
    });
    const policies = docs(c);
    assert.ok(!policies.some((p) => p.name === "redis"));
    check(policies, [["api", "internet", 6380]], true);
    check(
      policies,
      [
        ["api", "internet", REDIS_PORT],
        ["prometheus", "redisA", REDIS_METRICS],
      ],
      false,
    );
  });

  it("nothing at all when networkPolicy.enabled is false", () => {
    assert.deepStrictEqual(
      buildNetworkPolicies(load("production", { "networkPolicy.enabled": false }).networkPolicy, stackNetworkFacts(load("production"))),
      [],
    );
  });

  it("the ingress-controller selectors come from config", () => {
    const policies = docs(
      load("dev", { "networkPolicy.ingressController.namespaceSelector": { "kubernetes.io/metadata.name": "default" } }),
    );
    check(policies, [["otherNsNginx", "api", 9898]], true);
    check(
      policies,
      [
        ["ingressNginx", "api", 9898],
        ["otherNs", "api", 9898],
      ],
      false,
    );
  });

  it("the API's external CIDRs and exceptions come from config", () => {
    const policies = docs(
      load("dev", {
        "networkPolicy.apiEgress.cidrs": ["104.18.0.0/16", "10.20.0.0/16"],
        "networkPolicy.apiEgress.except": ["10.20.30.0/24"],
      }),
    );
    check(policies, [["api", "internet", 443]], true);
    check(
      policies,
      [
        ["api", "metadata", 443],
        ["api", "privateHost", 443],
      ],
      false,
    );
  });
});

describe("network policies: the test evaluator itself", () => {
  const a = pod("a", { app: "a" });
  const b = pod("b", { app: "b", tier: "x" });
  const ext = { name: "ext", ip: "8.8.8.8" };
  const pol = (spec: NetworkPolicy["spec"]): NetworkPolicy => ({ namespace: NS, spec });

  it("no policy allows; default deny denies; a rule needs both ends", () => {
    assert.ok(allows([], a, b, 80));
    const deny = pol({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    assert.ok(!allows([deny], a, b, 80));
    const out = pol({
      podSelector: { matchLabels: { app: "a" } },
      policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: { matchLabels: { app: "b" } } }], ports: [{ port: 80 }] }],
    });
    assert.ok(!allows([deny, out], a, b, 80), "egress alone is not enough");
    const inn = pol({
      podSelector: { matchLabels: { app: "b" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: "a" } } }] }],
    });
    assert.ok(allows([deny, out, inn], a, b, 80));
    assert.ok(!allows([deny, out, inn], a, b, 81));
    assert.ok(!allows([deny, out, inn], a, b, 80, "UDP"));
  });

  it("matchExpressions, namespace scoping and ipBlock except", () => {
    const sel = pol({
      podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["x"] }] },
      policyTypes: ["Ingress"],
      ingress: [],
    });
    assert.ok(!allows([sel], a, b, 80) && allows([sel], b, a, 80));
    const other = { ...a, namespace: "elsewhere", namespaceLabels: nsLabels("elsewhere") };
    const sameNs = pol({
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: "a" } } }] }],
    });
    assert.ok(allows([sameNs], a, b, 80) && !allows([sameNs], other, b, 80));
    const ip = pol({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "8.0.0.0/8", except: ["8.8.8.0/24"] } }] }],
    });
    assert.ok(!allows([ip], a, ext, 443) && allows([ip], a, { name: "x", ip: "8.1.1.1" }, 443));
  });
});
