// The policy pack's rules on chart release values: each rule refuses the value pattern that renders
// a defect (a bad case) and accepts the program's own hardened values (a good case).
import * as assert from "assert";
import * as rules from "../../policy/policies";
import { checkResource, FakeResource } from "../../testbed/helpers/policyArgs";
import { runProgram } from "../../testbed/harness/program";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const release = (chart: string, values: Record<string, unknown>): FakeResource => ({
  type: RELEASE,
  name: chart,
  props: { name: chart, chart: `oci://example.com/charts/${chart}`, version: "1.2.3", values },
});
const programValues = async (stack: string, name: string) => (await runProgram(stack)).get(RELEASE, name).inputs.values;

describe("policy: chart-no-cluster-secret-access", () => {
  const check = (r: FakeResource) => checkResource(rules.chartNoClusterSecretAccess, r);

  it("refuses Grafana with chart RBAC that is cluster-wide, a chart Role that reads Secrets, or a sidecar watching Secrets", async () => {
    assert.match((await check(release("grafana", {}))).join("\n"), /ClusterRole/);
    assert.match((await check(release("grafana", { rbac: { namespaced: true } }))).join("\n"), /useExistingRole/);
    const sidecar = { rbac: { namespaced: true, useExistingRole: "r" }, sidecar: { dashboards: { enabled: true } } };
    assert.match((await check(release("grafana", sidecar))).join("\n"), /sidecar.dashboards.resource/);
  });

  it("refuses kube-state-metrics collecting Secrets (its default)", async () => {
    assert.match((await check(release("prometheus", {}))).join("\n"), /collectorsExclude/);
    assert.deepStrictEqual(await check(release("prometheus", { "kube-state-metrics": { enabled: false } })), []);
  });

  it("accepts the program's Grafana and Prometheus values in both stacks", async () => {
    for (const stack of ["dev", "production"]) {
      assert.deepStrictEqual(await check(release("grafana", await programValues(stack, "grafana"))), [], stack);
      assert.deepStrictEqual(await check(release("prometheus", await programValues(stack, "prometheus"))), [], stack);
    }
  });
});

describe("policy: chart-memory-limits", () => {
  const check = (r: FakeResource) => checkResource(rules.chartMemoryLimits, r);

  it("refuses a resources block with requests and no memory limit, naming its path", async () => {
    const bad = release("postgresql", { primary: { resources: { requests: { memory: "8Gi" }, limits: { cpu: "2" } } } });
    assert.match((await check(bad)).join("\n"), /primary\.resources requests resources without limits\.memory/);
    assert.deepStrictEqual(
      await check(release("postgresql", { primary: { resources: { requests: { memory: "8Gi" }, limits: { memory: "16Gi" } } } })),
      [],
    );
  });

  it("accepts every release of both stacks", async () => {
    for (const stack of ["dev", "production"]) {
      for (const name of ["postgresql", "redis", "prometheus", "grafana"])
        assert.deepStrictEqual(await check(release(name, await programValues(stack, name))), [], `${stack} ${name}`);
    }
  });
});

describe("policy: chart-read-only-root", () => {
  const check = (r: FakeResource) => checkResource(rules.chartReadOnlyRoot, r);

  it("refuses an explicit writable root anywhere, and Grafana without read-only roots for both containers", async () => {
    assert.match(
      (await check(release("redis", { master: { containerSecurityContext: { readOnlyRootFilesystem: false } } }))).join("\n"),
      /master\.containerSecurityContext/,
    );
    const messages = (await check(release("grafana", {}))).join("\n");
    assert.match(messages, /containerSecurityContext\.readOnlyRootFilesystem/);
    assert.match(messages, /sidecar\.securityContext\.readOnlyRootFilesystem/);
  });

  it("accepts every release of both stacks", async () => {
    for (const stack of ["dev", "production"]) {
      for (const name of ["postgresql", "redis", "prometheus", "grafana"])
        assert.deepStrictEqual(await check(release(name, await programValues(stack, name))), [], `${stack} ${name}`);
    }
  });
});
