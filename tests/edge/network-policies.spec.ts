// Connectivity of the emitted NetworkPolicies, evaluated with NetworkPolicy semantics
// (scripts/verify/network-policy.ts) for both stacks from their real stack files.
import * as assert from "assert";
import { stackNetworkPolicies } from "../../stack/stack";
import { StackConfig } from "../../stack";
import { allows, Endpoint, NetworkPolicy } from "../../scripts/verify/network-policy";
import { runProgram } from "../../testbed/harness/program";
import { loadConfig } from "../../testbed/helpers/config";
import { PG_REPLICATION } from "../../testbed/harness/variants";
import { T } from "../../testbed/harness/types";
import {
  Flow,
  NS,
  P,
  PG,
  PG_METRICS,
  REDIS_METRICS,
  REDIS_PORT,
  SENTINEL,
  forbidden,
  needed,
  nsLabels,
  pod,
} from "../../testbed/helpers/flows";

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
  stackNetworkPolicies(c).map((d) => ({
    namespace: c.namespace.name,
    name: d.name,
    spec: d.spec as NetworkPolicy["spec"],
  }));

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
    const repl = docs(load("production", PG_REPLICATION.set));
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
    // Production turns them off only with an acknowledgement (stack/floor.ts).
    const off = { "networkPolicy.enabled": false, "weakenedProduction.networkPolicies": "the CNI enforces none" };
    assert.deepStrictEqual(stackNetworkPolicies(load("production", off)), []);
    assert.deepStrictEqual(stackNetworkPolicies(load("dev", { "networkPolicy.enabled": false })), []);
  });

  it("the controller's selectors come from config", () => {
    const policies = docs(
      load("dev", { "networkPolicy.ingressController.namespaceSelector": { "kubernetes.io/metadata.name": "default" } }),
    );
    check(policies, [["controllerLookAlike", "api", 9898]], true);
    check(
      policies,
      [
        ["controller", "api", 9898],
        ["otherNs", "api", 9898],
      ],
      false,
    );
  });

  // The chosen controller in each way in: its pods (by its facts' namespace and labels) reach the
  // API's http port and, with HTTP-01, the ACME solver; the other controllers' pods reach neither.
  const solver = pod("cm-acme-http-solver", { "acme.cert-manager.io/http01-solver": "true" });
  const haproxy = pod("haproxy ingress controller", { "app.kubernetes.io/name": "kubernetes-ingress" }, "haproxy-controller");
  const ways: [string, Record<string, unknown>, Endpoint][] = [
    ["gateway, traefik (the default)", {}, P.controller],
    ["ingress, traefik", { "ingress.via": "ingress" }, P.controller],
    ["ingress, haproxy", { "ingress.via": "ingress", "ingress.controller": "haproxy" }, haproxy],
    ["ingress, nginx (retired)", { "ingress.via": "ingress", "ingress.controller": "nginx" }, P.ingressNginx],
  ];
  for (const [way, set, controller] of ways) {
    it(`${way}: its controller reaches the API and the HTTP-01 solver; the others reach neither`, () => {
      for (const stack of ["dev", "production"]) {
        const config = load(stack, { ...set, "ingress.tls.mode": "cert-manager" });
        const policies = docs(config);
        const http = config.api.ports.http;
        const others = [P.controller, haproxy, P.ingressNginx].filter((c) => c !== controller);
        assert.strictEqual(allows(policies, controller, P.api, http, "TCP"), true, `${stack}: ${controller.name} -> api`);
        assert.strictEqual(allows(policies, controller, solver, 8089, "TCP"), true, `${stack}: ${controller.name} -> solver`);
        for (const o of others) {
          assert.strictEqual(allows(policies, o, solver, 8089, "TCP"), false, `${stack}: ${o.name} -> solver`);
          assert.strictEqual(allows(policies, o, P.api, http, "TCP"), false, `${stack}: ${o.name} -> api`);
        }
        assert.strictEqual(allows(policies, P.otherNs, solver, 8089, "TCP"), false, `${stack}: another namespace -> solver`);
      }
    });
  }

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
