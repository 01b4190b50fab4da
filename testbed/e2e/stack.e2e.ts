// The whole dev stack in motion on the e2e node: the four chart releases (PostgreSQL, Redis,
// Prometheus with Alertmanager and kube-state-metrics, Grafana) from the chart cache, their images
// from the images cache (imported into the node's containerd by `cluster.sh node start`), and the
// API stand-in. Every readiness wait is on: the program is node.program.ts, where only the Ingress
// (no controller serves it here) skips the provider's wait; no Release has skipAwait. Then the old
// chart's acceptance test, literally: every pod Running and Ready, every Service with ready
// endpoints, the HPA active, every claim Bound; then destroy leaves nothing. Grafana's pod runs our
// stand-in server (testbed/images/grafana-standin), not Grafana. Neo4j's chart cannot be fetched
// here, so Neo4j stays an external endpoint. Skipped with a reason when the node, the engine, the
// chart cache or the chart images are missing.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { CACHED_CHARTS, cachedChart } from "../helpers/charts";
import { apply, kubectl } from "./kubectl";
import { NodeProject, until } from "./node-kit";
import { E2E_OVERRIDES, ENGINE_ENABLED, flatten } from "./pulumi";
import { Background, since, sleep } from "./run";

const NS = "ape-2026";
type Obj = Record<string, any>;

const missingCharts = CACHED_CHARTS.map((c) => cachedChart(c)).filter((d) => !fs.existsSync(path.join(d, "Chart.yaml")));
const skipReason =
  process.env.APE_E2E_NODE !== "1"
    ? (process.env.APE_E2E_NODE_SKIP ?? "the node was not started")
    : !ENGINE_ENABLED
      ? "the Pulumi engine stage is off"
      : missingCharts.length
        ? `chart cache incomplete, missing ${missingCharts.join(", ")}`
        : process.env.APE_NODE_CHART_IMAGES !== "ok"
          ? `chart images not on the node: ${process.env.APE_NODE_CHART_IMAGES ?? "unknown (node start did not say)"}`
          : undefined;

/**
 * What the e2e changes in the dev stack file, and why:
 * - every chart comes from the local chart cache (no chart repository is reachable here);
 * - Neo4j is an external endpoint (its pinned chart is not in the cache and no image of it exists);
 *   its password Secret is created here as its operator would;
 * - the HPA is on (1..2 pods), because "HPA active" is part of the acceptance test and dev has it off.
 * Everything else, the images included, is the dev stack file as it is.
 */
const SETTINGS: Record<string, unknown> = {
  ...Object.fromEntries(CACHED_CHARTS.map((c) => [`charts.${c}.chart`, cachedChart(c)])),
  ...flatten({ "neo4j.enabled": false, "neo4j.external": E2E_OVERRIDES["neo4j.external"] }),
  "api.autoscaling.enabled": true,
  "api.autoscaling.minReplicas": 1,
  "api.autoscaling.maxReplicas": 2,
};
const NEO4J = E2E_OVERRIDES["neo4j.external"] as { existingSecret: string; passwordKey: string };
const neo4jSecret = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: NEO4J.existingSecret, namespace: NS },
  type: "Opaque",
  stringData: { [NEO4J.passwordKey]: crypto.randomBytes(18).toString("hex") },
};

const ready = (p: Obj) => (p.status.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
const restarts = (p: Obj) => (p.status.containerStatuses ?? []).reduce((n: number, c: Obj) => n + (c.restartCount ?? 0), 0);
/** A pod's state in a few words: Ready, or why not (scheduling, waiting reasons, last termination). */
function podState(p: Obj): string {
  if (p.status.phase === "Running" && ready(p)) return `Ready (restarts ${restarts(p)})`;
  const unscheduled = (p.status.conditions ?? []).find((c: Obj) => c.type === "PodScheduled" && c.status !== "True");
  const containers = [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])];
  const why = containers
    .filter((c: Obj) => !c.ready)
    .map((c: Obj) => {
      const w = c.state?.waiting ?? c.state?.terminated;
      const last = c.lastState?.terminated;
      return `${c.name}: ${w?.reason ?? (c.state?.running ? "running, not ready" : "?")}${w?.message ? ` ${w.message.slice(0, 160)}` : ""}${last ? ` (last exit ${last.exitCode} ${last.reason ?? ""})` : ""}`;
    });
  return [p.status.phase, unscheduled?.message, ...why].filter(Boolean).join("; ");
}

/**
 * The acceptance check of the deployed stack, at kubectl level: the problems found (empty: passed)
 * and the figures. Written so that the product's own check can take its place once it exists.
 */
function acceptance(): { problems: string[]; summary: string[] } {
  const problems: string[] = [];
  const summary: string[] = [];
  const pods = kubectl(["get", "pods", "-n", NS, "-o", "json"]).items.filter((p) => !p.metadata.deletionTimestamp);
  const done = (p: Obj) => p.status.phase === "Succeeded";
  for (const p of pods.filter((p) => !done(p))) {
    const state = podState(p);
    summary.push(`pod ${p.metadata.name}: ${state}`);
    if (!state.startsWith("Ready")) problems.push(`pod ${p.metadata.name}: ${state}`);
  }
  const services = kubectl(["get", "services", "-n", NS, "-o", "json"]).items;
  const slices = kubectl(["get", "endpointslices", "-n", NS, "-o", "json"]).items;
  for (const s of services) {
    const own = slices.filter((e) => e.metadata.labels?.["kubernetes.io/service-name"] === s.metadata.name);
    const readyEndpoints = own.flatMap((e) => (e.endpoints ?? []).filter((x: Obj) => x.conditions?.ready));
    summary.push(`service ${s.metadata.name}: ${readyEndpoints.length} ready endpoints`);
    if (s.spec.type !== "ExternalName" && readyEndpoints.length === 0) problems.push(`service ${s.metadata.name}: no ready endpoint`);
  }
  for (const h of kubectl(["get", "hpa", "-n", NS, "-o", "json"]).items) {
    const active = (h.status.conditions ?? []).find((c: Obj) => c.type === "ScalingActive");
    const metric = (h.status.currentMetrics ?? [])
      .map((m: Obj) => m.resource?.current?.averageUtilization)
      .filter((v: unknown) => v !== undefined);
    summary.push(`hpa ${h.metadata.name}: ScalingActive ${active?.status} (${active?.reason}), current ${JSON.stringify(metric)}`);
    if (active?.status !== "True" || metric.length === 0)
      problems.push(`hpa ${h.metadata.name}: ScalingActive ${active?.status} ${active?.message ?? ""}, metrics ${JSON.stringify(metric)}`);
  }
  for (const c of kubectl(["get", "pvc", "-n", NS, "-o", "json"]).items) {
    summary.push(`pvc ${c.metadata.name}: ${c.status.phase}`);
    if (c.status.phase !== "Bound") problems.push(`pvc ${c.metadata.name}: ${c.status.phase}`);
  }
  return { problems, summary };
}

/** Recent warning events and log tails of the pods that are not Ready, for a failure message. */
function diagnose(): string {
  const pods = kubectl(["get", "pods", "-n", NS, "-o", "json"]).items.filter((p) => !ready(p) && p.status.phase !== "Succeeded");
  const events = kubectl(["get", "events", "-n", NS, "--field-selector", "type=Warning", "-o", "json"]).items.slice(-15);
  const out = events.map((e) => `event ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.reason} ${String(e.message).slice(0, 200)}`);
  for (const p of pods) {
    out.push(`pod ${p.metadata.name}: ${podState(p)}`);
    for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) {
      const log = spawnSync("kubectl", ["logs", "-n", NS, p.metadata.name, "-c", c.name, "--tail=8"], { encoding: "utf8" }).stdout?.trim();
      if (log) out.push(`  ${c.name} log:\n    ${log.split("\n").join("\n    ")}`);
    }
  }
  return out.join("\n");
}

const figures: string[] = [];

(skipReason ? describe.skip : describe)(
  `e2e stack: the whole dev stack Running and Ready on the node, every wait on${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  function () {
    this.timeout(2_400_000);
    const started = process.hrtime.bigint();
    let project: NodeProject;
    let upCompleted = false;

    before(() => {
      const existing = kubectl(["get", "namespaces", "-o", "json"]).items.map((n) => n.metadata.name);
      assert.ok(!existing.includes(NS), `namespace ${NS} already exists: the stack e2e needs a cluster without the stack`);
      project = new NodeProject("dev");
      // The project's program is node.program.ts where it lies (it wraps the repository's index.ts).
      fs.writeFileSync(
        path.join(project.dir, "program.ts"),
        `module.exports = require(${JSON.stringify(path.join(__dirname, "node.program"))});\n`,
      );
      project.init(SETTINGS);
    });

    after(() => {
      project?.remove();
      figures.push(`e2e wall time (stack suite): ${since(started).toFixed(0)} s`);
      console.log(`\n    figures:\n${figures.map((f) => `      ${f}`).join("\n")}`);
    });

    it("(1) pulumi up with every readiness wait on completes (Helm waits for each release)", async () => {
      const up: Background = project.start("up", "--yes", "--skip-preview");
      let done = false;
      void up.done.then(() => (done = true));
      let secret = false;
      let lastReport = 0;
      // Bounded: past 20 minutes the run is killed and each pod says why it is not Ready.
      const deadline = Date.now() + 1_200_000;
      while (!done && Date.now() < deadline) {
        try {
          if (!secret && kubectl(["get", "namespaces", "-o", "json"]).items.some((n) => n.metadata.name === NS)) {
            apply([neo4jSecret as never]);
            secret = true;
          }
          if (Date.now() - lastReport > 60_000) {
            lastReport = Date.now();
            const pods = kubectl(["get", "pods", "-n", NS, "-o", "json"]).items;
            console.log(`      [${since(started).toFixed(0)} s] ${pods.map((p) => `${p.metadata.name}: ${podState(p)}`).join(" | ")}`);
          }
        } catch {
          // the namespace is not there yet
        }
        await sleep(1000);
      }
      if (!done) {
        const why = diagnose();
        await up.kill();
        assert.fail(`pulumi up did not complete in 20 min:\n${why}\n${up.out.slice(-3000)}`);
      }
      const run = await up.done;
      if (run.code !== 0) assert.fail(`pulumi up failed (${run.seconds.toFixed(0)} s):\n${run.out.slice(-4000)}\n${diagnose()}`);
      upCompleted = true;
      figures.push(`pulumi up (whole dev stack, every wait on): ${run.seconds.toFixed(1)} s`);
    });

    it("(2) acceptance: every pod Running and Ready, every Service with ready endpoints, the HPA active, every PVC Bound", async function () {
      if (!upCompleted) this.skip();
      // The HPA reports ScalingActive once metrics-server has a sample of the API's pods (~1 min).
      let last: ReturnType<typeof acceptance> = { problems: ["not checked"], summary: [] };
      const seconds = await until(
        "the acceptance check to pass",
        300,
        () => {
          last = acceptance();
          if (last.summary.length === 0) last.problems.push("nothing deployed");
          return last.problems.length === 0 ? since(started) : undefined;
        },
        5000,
      ).catch((e) => assert.fail(`${String(e)}\n${last.problems.join("\n")}\n${diagnose()}`));
      figures.push(`acceptance check passed ${seconds.toFixed(1)} s after the suite started:`);
      figures.push(...last.summary.map((s) => `  ${s}`));
      const grafana = last.summary.filter((s) => s.includes("grafana"));
      if (grafana.length) figures.push(`  (the grafana pod runs our stand-in server, not Grafana)`);
    });

    it("(3) pulumi destroy leaves no pod, PVC, PV or namespace", async () => {
      const run = await project.start("destroy", "--yes", "--skip-preview").done;
      if (run.code !== 0) assert.fail(`pulumi destroy failed:\n${run.out.slice(-4000)}`);
      figures.push(`pulumi destroy (whole dev stack): ${run.seconds.toFixed(1)} s`);
      await until(
        `namespace ${NS} to be gone`,
        180,
        () => !kubectl(["get", "namespaces", "-o", "json"]).items.some((n) => n.metadata.name === NS),
      );
      assert.deepStrictEqual(
        kubectl(["get", "pvc", "-A", "-o", "json"]).items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
        [],
      );
      await until("every volume to be deleted", 180, () => kubectl(["get", "pv", "-o", "json"]).items.length === 0);
    });
  },
);
