// Hardening of the chart releases: each case fails on a defect an audit of the rendered charts
// found (cluster-wide Secret access, tokens where none is needed, writable root filesystems,
// volume re-owning, unbounded TSDB, blocked certificate challenges).
import * as assert from "assert";
import { allows, Endpoint, NetworkPolicy } from "./helpers/netpol";
import { ProgramRun, runProgram } from "./helpers/program";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const values = (run: ProgramRun, release: string): any => run.get(RELEASE, release).inputs.values;
const stacks = async (): Promise<ProgramRun[]> => [await runProgram("dev"), await runProgram("production")];

describe("hardening: Grafana's Kubernetes API access", () => {
  it("the chart creates no ClusterRole and binds to a Role that reads ConfigMaps of the namespace only", async () => {
    for (const run of await stacks()) {
      const rbac = values(run, "grafana").rbac;
      assert.strictEqual(rbac.namespaced, true, `${run.stack}: a ClusterRole would reach every namespace`);
      const role = run.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").find((r) => r.inputs.metadata.name === rbac.useExistingRole);
      assert.ok(role, `${run.stack}: the Role the chart binds to (${rbac.useExistingRole}) is created by the program`);
      assert.deepStrictEqual(role.inputs.rules, [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }]);
      assert.ok(run.get(RELEASE, "grafana").dependencies.includes(role.urn), "the release waits for its Role");
    }
  });

  it("the dashboard sidecar watches ConfigMaps only, and only the sidecar holds a token", async () => {
    for (const run of await stacks()) {
      const v = values(run, "grafana");
      assert.strictEqual(v.sidecar.dashboards.resource, "configmap");
      assert.strictEqual(v.automountServiceAccountToken, false, "the Grafana server container gets no token");
      const tokenMount = v.sidecar.dashboards.extraMounts.find((m: any) => m.mountPath === "/var/run/secrets/kubernetes.io/serviceaccount");
      const volume = v.extraContainerVolumes.find((x: any) => x.name === tokenMount?.name);
      const files = volume.projected.sources.flatMap((s: any) =>
        s.serviceAccountToken ? ["token"] : (s.configMap ?? s.downwardAPI).items.map((i: any) => i.path),
      );
      assert.deepStrictEqual(files.sort(), ["ca.crt", "namespace", "token"], "what the sidecar's Kubernetes client reads");
      assert.strictEqual(tokenMount.readOnly, true);
    }
  });

  it("Grafana and its sidecar run with read-only root filesystems and a bounded writable /tmp each", async () => {
    for (const run of await stacks()) {
      const v = values(run, "grafana");
      assert.strictEqual(v.containerSecurityContext.readOnlyRootFilesystem, true);
      assert.strictEqual(v.sidecar.securityContext.readOnlyRootFilesystem, true);
      const tmp = v.extraVolumeMounts.find((m: any) => m.mountPath === "/tmp");
      assert.ok(v.extraVolumes.find((x: any) => x.name === tmp.name).emptyDir.sizeLimit, "Grafana's /tmp is bounded");
      const sidecarTmp = v.sidecar.dashboards.extraMounts.find((m: any) => m.mountPath === "/tmp");
      assert.ok(v.extraContainerVolumes.find((x: any) => x.name === sidecarTmp.name).emptyDir.sizeLimit, "the sidecar's /tmp is bounded");
    }
  });
});

describe("hardening: the prometheus release", () => {
  it("kube-state-metrics collects no Secrets or ConfigMaps (its ClusterRole then lists neither)", async () => {
    for (const run of await stacks()) {
      const ksm = values(run, "prometheus")["kube-state-metrics"];
      assert.ok(ksm.collectorsExclude.includes("secrets") && ksm.collectorsExclude.includes("configmaps"), run.stack);
    }
  });

  it("Alertmanager mounts no ServiceAccount token", async () => {
    for (const run of await stacks()) assert.strictEqual(values(run, "prometheus").alertmanager.automountServiceAccountToken, false);
  });

  it("the TSDB is bounded by size as well as time: 80% of its volume unless retentionSize is set", async () => {
    const prod = await runProgram("production");
    assert.strictEqual(values(prod, "prometheus").server.retentionSize, `${Math.floor(50 * 1024 * 0.8)}MB`, "50Gi volume");
    const dev = await runProgram("dev");
    const devVolume = dev.get(RELEASE, "prometheus").inputs.values.server.persistentVolume.size;
    assert.match(devVolume, /^\d+Gi$/);
    assert.strictEqual(values(dev, "prometheus").server.retentionSize, `${Math.floor(parseInt(devVolume, 10) * 1024 * 0.8)}MB`);
    const explicit = await runProgram("production", { set: { "prometheus.server.retentionSize": "30Gi" } });
    assert.strictEqual(values(explicit, "prometheus").server.retentionSize, "30720MB", "Kubernetes quantities become Prometheus' units");
    const noVolume = await runProgram("dev", { set: { "prometheus.server.persistentVolume.enabled": false } });
    assert.strictEqual(values(noVolume, "prometheus").server.retentionSize, undefined, "no volume: time retention only");
  });
});

describe("hardening: data volumes are not re-owned at every start", () => {
  it("PostgreSQL and Redis pods use fsGroupChangePolicy OnRootMismatch", async () => {
    for (const run of await stacks()) {
      const pg = values(run, "postgresql");
      const redis = values(run, "redis");
      for (const [name, ctx] of [
        ["postgresql primary", pg.primary.podSecurityContext],
        ["postgresql read replicas", pg.readReplicas.podSecurityContext],
        ["redis master", redis.master.podSecurityContext],
        ["redis replicas / sentinel nodes", redis.replica.podSecurityContext],
      ]) {
        assert.strictEqual(ctx?.fsGroupChangePolicy, "OnRootMismatch", `${run.stack}: ${name}`);
      }
    }
  });
});

describe("hardening: certificates can be issued through ACME HTTP-01 under default deny", () => {
  const ns = "ape-2026";
  const pod = (name: string, namespace: string, labels: Record<string, string>, ip: string): Endpoint => ({
    name,
    namespace,
    namespaceLabels: { "kubernetes.io/metadata.name": namespace },
    labels,
    ip,
  });
  const solver = pod("cm-acme-http-solver", ns, { "acme.cert-manager.io/http01-solver": "true" }, "10.244.1.10");
  const nginx = pod(
    "ingress-nginx controller",
    "ingress-nginx",
    { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" },
    "10.244.1.11",
  );
  const stray = pod("other pod", "default", { app: "x" }, "10.244.1.12");
  const policiesOf = (run: ProgramRun): NetworkPolicy[] =>
    run
      .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((r) => ({ namespace: ns, name: r.inputs.metadata.name, spec: r.inputs.spec }));

  it("production (cert-manager): the ingress controller reaches the solver on 8089; nothing else does", async () => {
    const policies = policiesOf(await runProgram("production"));
    assert.strictEqual(allows(policies, nginx, solver, 8089, "TCP"), true);
    assert.strictEqual(allows(policies, stray, solver, 8089, "TCP"), false);
    assert.strictEqual(allows(policies, nginx, solver, 8080, "TCP"), false);
  });

  it("a self-signed stack has no solver policy", async () => {
    const dev = await runProgram("dev");
    assert.ok(!dev.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").some((r) => r.inputs.metadata.name === "acme-http01-solver"));
  });
});
