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
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { apiSelectorLabels } from "../../services/api/api.contract";
import { CACHED_CHARTS, cachedChart } from "../helpers/charts";
import { kubectl } from "./kubectl";
import { exec, NodeProject, until } from "./node-kit";
import { E2E_OVERRIDES, flatten } from "./pulumi";
import { ok, since } from "./run";
import {
  dataClients,
  diagnose as diagnoseIn,
  imageOf as imageIn,
  mountsCas,
  podState,
  REDIS_CLI,
  watchUp,
  wholeStackSkipReason,
} from "./stack-kit";

const NS = "ape-2026";
type Obj = Record<string, any>;

const skipReason = wholeStackSkipReason();

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

const diagnose = () => diagnoseIn(NS);
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
      const run = await watchUp(project.start("up", "--yes", "--skip-preview"), NS, { minutes: 20, started, beside: () => [neo4jSecret] });
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

    it("(3) data: a pod with the API's labels and env logs in to PostgreSQL and Redis, writes and reads; a pod without them is refused", async function () {
      if (!upCompleted) this.skip();
      const api = kubectl(["get", "deployment", "api", "-n", NS, "-o", "json"]).items[0].spec.template.spec;
      const pg = imageIn(NS, "statefulset", "postgresql", "postgresql");
      const redis = imageIn(NS, "statefulset", "redis-master", "redis");
      dataClients(NS, api, apiSelectorLabels(), { pg, redis });
      const sh = (pod: string, script: string) => exec(NS, pod, ["/bin/sh", "-c", script]);
      const psql = (sql: string) => `psql -X -At -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "${sql}"`;
      const t0 = process.hrtime.bigint();
      const pgRun = sh(
        "e2e-api-pg",
        [
          psql("CREATE TABLE IF NOT EXISTS e2e_rows (id int PRIMARY KEY, v text)"),
          psql("INSERT INTO e2e_rows VALUES (1, 'kept') ON CONFLICT (id) DO NOTHING"),
          psql("SELECT v FROM e2e_rows WHERE id = 1"),
          psql("SELECT coalesce((SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'), 'none')"),
        ].join(" && "),
      );
      ok(pgRun, "psql as the API");
      const pgLines = pgRun.out.trim().split("\n");
      assert.ok(pgLines.includes("kept"), `read back: ${pgRun.out}`);
      figures.push(
        `PostgreSQL as the API (DATABASE_URL from its Secret): write + read ${since(t0).toFixed(1)} s; timescaledb available: ${pgLines.at(-1)} (dev leaves it off)`,
      );
      // TLS inside the cluster: DATABASE_URL above already carried sslmode=verify-full (so the write
      // and read went over TLS, the server's name checked); a plain-text login must be refused.
      const tls = mountsCas(api);
      if (tls) {
        const plain = sh(
          "e2e-api-pg",
          'psql -X -At "sslmode=disable host=$DATABASE_HOST port=$DATABASE_PORT dbname=$DATABASE_NAME user=$DATABASE_USER" -c "SELECT 1"',
        );
        assert.notStrictEqual(plain.code, 0, `a plain-text connection to PostgreSQL was accepted: ${plain.out}`);
        assert.match(plain.out, /no pg_hba\.conf entry .*no encryption/, plain.out);
        figures.push(`PostgreSQL over TLS (sslmode=verify-full); plain text refused: ${plain.out.trim().split("\n").at(-1)}`);
      }
      // redis-cli speaks TLS with --tls and the CA when REDIS_TLS is set (the API's ConfigMap).
      const rcli = `${REDIS_CLI} -h "$REDIS_HOST" -p "$REDIS_PORT"`;
      const redisRun = sh(
        "e2e-api-redis",
        `export REDISCLI_AUTH="$REDIS_PASSWORD"; ${rcli} SET e2e:key kept >/dev/null && ${rcli} GET e2e:key`,
      );
      ok(redisRun, "redis-cli as the API");
      assert.strictEqual(redisRun.out.trim(), "kept");
      figures.push(
        `Redis as the API (REDIS_PASSWORD from its Secret, ${String((api.containers[0].env ?? []).length)} env + envFrom): SET/GET ok`,
      );
      if (tls) {
        const plainRedis = sh(
          "e2e-api-redis",
          'export REDISCLI_AUTH="$REDIS_PASSWORD"; timeout 8 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" PING',
        );
        assert.notStrictEqual(plainRedis.out.trim(), "PONG", "a plain-text connection to Redis was answered");
        figures.push(`Redis over TLS (the CA from internal-ca); plain text refused (exit ${plainRedis.code})`);
      }
      // The same commands from pods without the API's labels: the policies drop their packets.
      const strangerPg = sh("e2e-stranger-pg", psql("SELECT 1"));
      assert.notStrictEqual(strangerPg.code, 0, `a pod without the API's labels reached PostgreSQL: ${strangerPg.out}`);
      const strangerRedis = sh("e2e-stranger-redis", 'timeout 8 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" PING');
      assert.notStrictEqual(strangerRedis.code, 0, `a pod without the API's labels reached Redis: ${strangerRedis.out}`);
      figures.push(
        `pods without the API's labels: PostgreSQL refused (${strangerPg.out.trim().split("\n").at(-1)}), Redis refused (exit ${strangerRedis.code})`,
      );
      kubectl(["delete", "pod", "-n", NS, "--wait=false", "e2e-api-pg", "e2e-api-redis", "e2e-stranger-pg", "e2e-stranger-redis"]);
    });

    it("(4) pulumi destroy leaves no pod, PVC, PV or namespace", async () => {
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
