// PostgreSQL backups: the chart's backup CronJob runs this program's script on a schedule from
// config, onto a PVC the program creates (protected in production), admitted to the database by
// the NetworkPolicies. The script itself is exercised against a real PostgreSQL in
// testbed/e2e/backup.e2e.ts, together with the documented restore.
import * as assert from "assert";
import { allows, Endpoint, NetworkPolicy } from "../../scripts/verify/network-policy";
import { runProgram, runProgramError } from "../../testbed/harness/program";
import { DEV_VARIANTS, PROD_VARIANTS_A, PROD_VARIANTS_B } from "../../testbed/harness/variants";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";

describe("postgresql backups", () => {
  it("production: nightly, a week kept, onto a protected 200Gi PVC that the release waits for", async () => {
    const run = await runProgram("production");
    const backup = run.get(RELEASE, "postgresql").inputs.values.backup;
    assert.strictEqual(backup.enabled, true);
    assert.strictEqual(backup.cronjob.schedule, "0 3 * * *");
    assert.strictEqual(backup.cronjob.concurrencyPolicy, "Forbid", "a slow backup is never overlapped by the next");
    assert.strictEqual(
      backup.cronjob.startingDeadlineSeconds,
      3600,
      "a start deadline: missed runs older than an hour are skipped, never counted up to the controller's limit of 100",
    );
    assert.deepStrictEqual(backup.cronjob.storage, { enabled: true, existingClaim: "postgresql-backups", mountPath: "/backup/pgdump" });
    const script: string = backup.cronjob.command[2];
    assert.match(script, /pg_dumpall .*\| gzip/s);
    assert.match(script, new RegExp(`-mmin \\+${7 * 24 * 60} -print -delete`), "retention from config");
    const pvc = run.get(PVC, "postgresql-backups");
    assert.strictEqual(pvc.protect, true);
    assert.strictEqual(pvc.inputs.metadata.name, "postgresql-backups");
    assert.strictEqual(pvc.inputs.spec.resources.requests.storage, "200Gi");
    assert.ok(run.get(RELEASE, "postgresql").dependencies.includes(pvc.urn));
  });

  it("dev: off by default, no PVC; switched on, its schedule and retention come from config", async () => {
    const dev = await runProgram("dev");
    assert.deepStrictEqual(dev.get(RELEASE, "postgresql").inputs.values.backup, { enabled: false });
    assert.strictEqual(dev.ofType(PVC).filter((p) => p.name === "postgresql-backups").length, 0);
    const on = await runProgram("dev", DEV_VARIANTS);
    const backup = on.get(RELEASE, "postgresql").inputs.values.backup;
    assert.strictEqual(backup.cronjob.schedule, "30 1 * * 0");
    assert.match(backup.cronjob.command[2], /-mmin \+2880 /);
    assert.strictEqual(on.get(PVC, "postgresql-backups").protect, false);
  });

  it("a claim on the cluster's default class survives being read back from the cluster (import after a lost state)", async () => {
    // The API server writes the default class's name into such a claim and the field is
    // immutable: unless the program ignores it while no class is configured, an imported claim
    // differs from the program and the plan replaces it, volume and all.
    const claims = ["api-data", "postgresql-backups"];
    const onDefault = await runProgram("production", PROD_VARIANTS_A);
    for (const name of claims) {
      const pvc = onDefault.get(PVC, name);
      assert.ok(!("storageClassName" in pvc.inputs.spec), `${name}: no class declared`);
      assert.deepStrictEqual(pvc.ignoreChanges, ["spec.storageClassName"], `${name}: the server-filled class is ignored`);
    }
    const named = await runProgram("production", PROD_VARIANTS_B);
    for (const [name, cls] of [
      ["api-data", "fast-ssd"],
      ["postgresql-backups", "backup-hdd"],
    ]) {
      const pvc = named.get(PVC, name);
      assert.strictEqual(pvc.inputs.spec.storageClassName, cls);
      assert.deepStrictEqual(pvc.ignoreChanges, [], `${name}: a configured class is a change like any other`);
    }
  });

  it("the backup pod reaches PostgreSQL on 5432 and nothing else; no other stray pod does", async () => {
    const run = await runProgram("production");
    const policies: NetworkPolicy[] = run
      .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((r) => ({ namespace: "ape-2026", name: r.inputs.metadata.name, spec: r.inputs.spec }));
    const ns = { namespace: "ape-2026", namespaceLabels: { "kubernetes.io/metadata.name": "ape-2026" } };
    const release = { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": "postgresql" };
    const job: Endpoint = {
      name: "backup job",
      ...ns,
      labels: { ...release, "app.kubernetes.io/component": "pg_dumpall" },
      ip: "10.244.3.1",
    };
    const primary: Endpoint = {
      name: "primary",
      ...ns,
      labels: { ...release, "app.kubernetes.io/component": "primary" },
      ip: "10.244.3.2",
    };
    const stray: Endpoint = { name: "stray", ...ns, labels: { run: "debug" }, ip: "10.244.3.3" };
    const internet: Endpoint = { name: "internet", ip: "104.18.32.47" };
    assert.strictEqual(allows(policies, job, primary, 5432, "TCP"), true);
    assert.strictEqual(allows(policies, job, internet, 443, "TCP"), false);
    assert.strictEqual(allows(policies, stray, primary, 5432, "TCP"), false);
    assert.strictEqual(allows(policies, primary, job, 5432, "TCP"), false, "nothing connects to the job");
  });

  it("a malformed schedule is refused with its key", async () => {
    const { error } = await runProgramError("production", { set: { "postgresql.backup.schedule": "every night" } });
    assert.match(error.message, /postgresql\.backup\.schedule: must be a five-field cron expression/);
  });

  it("Redis keeps its own data durable with the append-only file (the chart's default, not overridden)", async () => {
    for (const stack of ["dev", "production"]) {
      const values = (await runProgram(stack)).get(RELEASE, "redis").inputs.values;
      for (const key of ["commonConfiguration", "configuration"]) assert.strictEqual(values[key], undefined, `${stack}: ${key}`);
      for (const part of ["master", "replica"]) {
        assert.strictEqual(values[part].configuration, undefined, `${stack}: ${part}.configuration`);
        assert.notStrictEqual(values[part].persistence.enabled, false, `${stack}: ${part} keeps a volume`);
      }
    }
  });
});
