// The rules on rendered chart objects (scripts/charts/rules.ts): the policy pack's object rules run
// on plain Kubernetes objects and name chart, object and field; the upstream Pod Security
// evaluator refuses what the namespace's level refuses; the accepted findings are exactly the CPU
// limits the production stack leaves off its data services. The whole command over the cached
// charts of both stacks: tests/project/chart-diff.spec.ts.
import { strict as assert } from "assert";
import { acceptedOrNot, packFindings, podSecurityFindings, typeToken } from "../../scripts/charts/rules";
import { Finding } from "../../scripts/charts/report";
import { Obj } from "../../scripts/charts/diff";
import { findTool } from "../../testbed/helpers/tools";

const labels = { "helm.sh/chart": "shop-1.0.0" };
const workload = (container: Obj, kind = "Deployment"): Obj => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name: "shop", labels },
  spec: { template: { spec: { containers: [container] } } },
});
const hardened = {
  name: "shop",
  image: "registry.example.com/shop:1.0.0",
  securityContext: {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  },
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
};
const judged = (objects: Obj[], stack = "dev") => ({ stack, release: "shop", chart: "shop 1.0.0", namespace: "ape-2026", objects });

describe("rules on rendered chart objects", () => {
  it("maps objects to the Pulumi types the pack's rules dispatch on", () => {
    assert.equal(typeToken({ apiVersion: "apps/v1", kind: "StatefulSet" }), "kubernetes:apps/v1:StatefulSet");
    assert.equal(typeToken({ apiVersion: "v1", kind: "Service" }), "kubernetes:core/v1:Service");
    assert.equal(
      typeToken({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" }),
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    );
  });

  it("a hardened workload passes the pack's object rules", async () => {
    assert.deepStrictEqual(await packFindings(judged([workload(hardened)])), []);
  });

  it("names the chart, the object and the field of each violation: pod spec, Service, RBAC", async () => {
    const loose = { ...hardened, securityContext: { runAsNonRoot: true }, image: "registry.example.com/shop:latest" };
    const objects = [
      workload(loose, "StatefulSet"),
      { apiVersion: "v1", kind: "Service", metadata: { name: "shop-lb", namespace: "ape-2026", labels }, spec: { type: "LoadBalancer" } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "shop-reader", labels: { "helm.sh/chart": "sub-2.0.0" } },
        rules: [
          { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] },
          { apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["list", "watch"] },
        ],
      },
    ];
    const lines = (await packFindings(judged(objects, "production"))).map((f) => `${f.chart} ${f.object}: [${f.rule}] ${f.message}`);
    assert.deepStrictEqual(lines, [
      "shop-1.0.0 StatefulSet ape-2026/shop: [containers-non-root] containers[0] (shop): set securityContext.allowPrivilegeEscalation: false",
      'shop-1.0.0 StatefulSet ape-2026/shop: [images-pinned-in-production] containers[0] (shop): image "registry.example.com/shop:latest" uses the "latest" tag; pin a version or digest in production',
      "shop-1.0.0 Service ape-2026/shop-lb: [no-exposed-services] Service type LoadBalancer exposes the stack outside the cluster; use ClusterIP behind the Ingress (or allow it in the pack config)",
      "sub-2.0.0 ClusterRole shop-reader: [rbac-no-cluster-secret-read] rules[1]: list, watch on secrets, configmaps: reads Secrets in every namespace; grant it in a namespaced Role, on the Secrets it needs (resourceNames)",
    ]);
  });

  it("accepts a missing CPU limit alone, nothing else", () => {
    const finding = (message: string): Finding => ({
      stack: "production",
      release: "redis",
      chart: "redis-22.0.7",
      object: "StatefulSet ape-2026/redis-node",
      rule: "containers-resources",
      message,
    });
    const { failing, accepted } = acceptedOrNot([
      finding("containers[0] (redis): set resources limits.cpu"),
      finding("containers[0] (redis): set resources limits.memory, limits.cpu"),
    ]);
    assert.deepStrictEqual(
      accepted.map((a) => a.finding.message),
      ["containers[0] (redis): set resources limits.cpu"],
    );
    assert.deepStrictEqual(
      failing.map((f) => f.message),
      ["containers[0] (redis): set resources limits.memory, limits.cpu"],
    );
  });

  describe("with psa-judge (the upstream Pod Security evaluator)", () => {
    const psaJudge = findTool("psa-judge");
    before(function () {
      if (!psaJudge) {
        console.log("      skipped: psa-judge not installed (testbed/tools/install.sh psa-judge)");
        this.skip();
      }
    });
    it("refuses a privileged container at restricted, naming the object and the field, and passes the hardened one", () => {
      const privileged = workload({ ...hardened, name: "bad", securityContext: { ...hardened.securityContext, privileged: true } });
      privileged.metadata.name = "bad";
      const { findings, podTemplates } = podSecurityFindings(judged([workload(hardened), privileged]), psaJudge!, "restricted");
      assert.equal(podTemplates, 2);
      assert.ok(findings.length > 0);
      for (const f of findings) {
        assert.equal(f.object, "Deployment ape-2026/bad");
        assert.equal(f.rule, "pod-security (restricted)");
        assert.equal(f.chart, "shop-1.0.0");
      }
      assert.match(findings.map((f) => f.message).join("\n"), /privileged.*container "bad" must not set securityContext\.privileged=true/);
    });
    it("judges nothing at privileged", () => {
      assert.deepStrictEqual(
        podSecurityFindings(judged([workload({ name: "x", securityContext: { privileged: true } })]), psaJudge!, "privileged"),
        {
          findings: [],
          podTemplates: 0,
        },
      );
    });
  });
});
