// The production stack in motion on the e2e node, sized for one node: PostgreSQL with TimescaleDB
// and its backup CronJob, Redis with three nodes under Sentinel, Prometheus with Alertmanager and
// kube-state-metrics, Grafana (our stand-in server, NOT Grafana) with its dashboard sidecar, and
// the API at its full production size; every chart from the chart cache and every data image from
// the recipes of images/ (built by testbed/images/build.sh and imported by `cluster.sh node start`).
// Every readiness wait is on (node.program.ts: only the Ingress skips it, no controller serves it).
//
//   (1) the first `pulumi up` completes with the API at full size (#27: 5 pods Ready, not 1)
//   (2) `npm run verify` passes: the old chart's acceptance test and more
//   (3) data: TimescaleDB and Redis through Sentinel as the API; strangers refused; plain text refused
//   (4) monitoring: every target up, an alert fires and reaches a webhook receiver in the namespace,
//       the dashboard sidecar writes the dashboards with its namespaced Role
//   (5) Redis failover under writes, PostgreSQL restart with its rows, backup Job and restore
//   (6) the documented unprotect, then `pulumi destroy` leaves nothing behind
//   (7) the same objects the old chart's way (helm install --wait of the four releases with the same
//       values, kubectl apply of the program's own objects), timed against (1) on the same node
//
// Skipped with a reason where the node, the engine, the chart cache or the images are missing.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { apiSelectorLabels } from "../../services/api/api.contract";
import { findTool } from "../../scripts/find-tool";
import { CACHED_CHARTS, cachedChart } from "../helpers/charts";
import { readStackFile } from "../harness/stackFile";
import { apply, kubectl } from "./kubectl";
import { exec, execAsync, NodeProject, until } from "./node-kit";
import { E2E_OVERRIDES, flatten, PRODUCTION_IMAGES, REPO } from "./pulumi";
import { background, ok, Run, runSync, since, sleep } from "./run";
import {
  clientPod,
  dataClients,
  diagnose as diagnoseIn,
  imageOf,
  podState,
  ready,
  REDIS_CLI,
  watchUp,
  wholeStackSkipReason,
} from "./stack-kit";

const NS = "ape-2026";
type Obj = Record<string, any>;

const CLIENT_IMAGE = process.env.APE_NODE_CLIENT_IMAGE ?? "";
const HELM = findTool("helm");
const skipReason =
  // About 25 minutes on two cores (two whole-stack installs, failover, backup and restore): asked
  // for explicitly, like the fresh-machine deploy, so the suite's regular run stays within its time.
  process.env.APE_E2E_PRODUCTION !== "1"
    ? "the production-shaped run takes about 25 min; APE_E2E_PRODUCTION=1 runs it"
    : (wholeStackSkipReason() ??
      (!CLIENT_IMAGE
        ? "APE_NODE_CLIENT_IMAGE is not set (testbed/e2e.sh sets it from the node's images)"
        : !HELM
          ? "helm is not installed (testbed/tools/install.sh)"
          : undefined));

/** The receiver Alertmanager notifies: nettool's webhook mode in the client image, inside the namespace. */
const WEBHOOK = { name: "e2e-webhook", port: 8080 };
const WEBHOOK_URL = `http://${WEBHOOK.name}.${NS}.svc.cluster.local:${WEBHOOK.port}/alerts`;

/** The HPA's floor in the production stack file: the API never has fewer replicas once it runs. */
const PRODUCTION_MIN_REPLICAS: number = (readStackFile("production").settings.api as Obj).autoscaling.minReplicas;

/** The API stand-in: the dev stack's public podinfo image (the node holds it), on production's ports. */
const devApi = (readStackFile("dev").settings.api ?? {}) as Obj;

/**
 * What the e2e changes in the production stack file, and why (everything else is the file as it is):
 * - charts from the chart cache and data images from images/ under the e2e registry name (no
 *   registry is reachable here; the node holds the images under those names);
 * - the API is the dev stack's podinfo stand-in (the real API image is private), on production's
 *   ports 8000 and 9090, at production's count (5, HPA 3..20) with laptop-sized requests;
 * - requests and memory figures sized for one 2-core node: production asks 4 cores for PostgreSQL
 *   alone (shared_buffers and the other memory parameters follow the smaller limit, as the program
 *   requires); volumes on the node's default class (production names fast-ssd) at 1Gi;
 * - Redis keeps its three nodes under Sentinel with soft anti-affinity (one Kubernetes node), which
 *   production refuses unless weakenedProduction.redisSpread states why: it does, and the stack then
 *   warns on every run (part of what this shows);
 * - Neo4j is an external endpoint (its chart and image cannot be had here); its password Secret is
 *   created here as its operator would;
 * - the alerts fire after 30 s instead of 5 min and Prometheus scrapes every 10 s, so an alert
 *   reaches the receiver within the test; the receiver is a webhook inside the namespace, so
 *   Alertmanager's egress takes the pod network on its port;
 * - no Ingress (ingress.enabled false): no ingress controller runs on this node.
 */
const SETTINGS: Record<string, unknown> = {
  ...Object.fromEntries(CACHED_CHARTS.map((c) => [`charts.${c}.chart`, cachedChart(c)])),
  ...PRODUCTION_IMAGES,
  "api.image.repository": devApi.image?.repository,
  "api.image.tag": devApi.image?.tag,
  "api.command[0]": "./podinfo",
  "api.args[0]": "--port=8000",
  "api.args[1]": "--port-metrics=9090",
  "api.args[2]": "--level=info",
  "api.resources.requests.cpu": "20m",
  "api.resources.requests.memory": "32Mi",
  "api.resources.limits.cpu": "300m",
  "api.resources.limits.memory": "128Mi",
  "postgresql.primary.persistence.storageClass": "local-path",
  "postgresql.primary.persistence.size": "1Gi",
  "postgresql.primary.resources.requests.cpu": "100m",
  "postgresql.primary.resources.requests.memory": "256Mi",
  "postgresql.primary.resources.limits.memory": "1Gi",
  "postgresql.primary.configuration.shared_buffers": "128MB",
  "postgresql.primary.configuration.effective_cache_size": "512MB",
  "postgresql.primary.configuration.work_mem": "4MB",
  "postgresql.primary.configuration.max_connections": 100,
  "postgresql.backup.persistence.size": "1Gi",
  "redis.master.persistence.size": "1Gi",
  "redis.replica.persistence.size": "1Gi",
  "redis.replica.podAntiAffinity": "soft",
  "weakenedProduction.redisSpread": "the e2e node is a one-node cluster",
  "redis.replica.resources.requests.cpu": "50m",
  "redis.replica.resources.requests.memory": "64Mi",
  "redis.replica.resources.limits.memory": "256Mi",
  "prometheus.server.persistentVolume.size": "1Gi",
  "prometheus.server.scrapeInterval": "10s",
  "prometheus.server.resources.requests.cpu": "50m",
  "prometheus.server.resources.requests.memory": "128Mi",
  "prometheus.alertmanager.persistence.size": "256Mi",
  "prometheus.alerts.for": "30s",
  "prometheus.alerts.rateWindow": "1m",
  "grafana.persistence.size": "256Mi",
  "networkPolicy.alertmanagerEgress.cidrs[0]": "10.244.0.0/16",
  // one documentation range (TEST-NET-1) replaces the default list of private ranges
  "networkPolicy.alertmanagerEgress.except[0]": "192.0.2.0/24",
  "networkPolicy.alertmanagerEgress.ports[0]": WEBHOOK.port,
  "ingress.enabled": false,
  ...flatten({ "neo4j.enabled": false, "neo4j.external": E2E_OVERRIDES["neo4j.external"] }),
};
const NEO4J = E2E_OVERRIDES["neo4j.external"] as { existingSecret: string; passwordKey: string };

/** What the operator of the namespace adds beside the stack: Neo4j's Secret, the webhook receiver. */
const besideTheStack = () => [
  {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: NEO4J.existingSecret, namespace: NS },
    type: "Opaque",
    stringData: { [NEO4J.passwordKey]: crypto.randomBytes(18).toString("hex") },
  },
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: WEBHOOK.name, namespace: NS, labels: { app: WEBHOOK.name } },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "webhook",
          image: CLIENT_IMAGE,
          imagePullPolicy: "Never",
          args: ["webhook", "--port", String(WEBHOOK.port)],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "5m", memory: "8Mi" }, limits: { memory: "64Mi", "ephemeral-storage": "16Mi" } },
        },
      ],
    },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: WEBHOOK.name, namespace: NS },
    spec: { selector: { app: WEBHOOK.name }, ports: [{ port: WEBHOOK.port, targetPort: WEBHOOK.port }] },
  },
  // The default deny of the namespace holds for the receiver too: Alertmanager may reach it.
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: WEBHOOK.name, namespace: NS },
    spec: {
      podSelector: { matchLabels: { app: WEBHOOK.name } },
      policyTypes: ["Ingress"],
      ingress: [
        { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } } }], ports: [{ port: WEBHOOK.port }] },
      ],
    },
  },
];

/** Every pod Ready (Jobs' pods aside) and every Service with a ready endpoint: the old chart's test. */
function podsAndEndpoints(): string[] {
  const problems: string[] = [];
  const pods = kubectl(["get", "pods", "-n", NS, "-o", "json"]).items.filter((p) => !p.metadata.deletionTimestamp);
  for (const p of pods.filter((p) => p.status.phase !== "Succeeded" && !p.metadata.ownerReferences?.some((o: Obj) => o.kind === "Job")))
    if (!(p.status.phase === "Running" && ready(p))) problems.push(`pod ${p.metadata.name}: ${podState(p)}`);
  const slices = kubectl(["get", "endpointslices", "-n", NS, "-o", "json"]).items;
  for (const s of kubectl(["get", "services", "-n", NS, "-o", "json"]).items) {
    const own = slices.filter((e) => e.metadata.labels?.["kubernetes.io/service-name"] === s.metadata.name);
    if (s.spec.type !== "ExternalName" && !own.some((e) => (e.endpoints ?? []).some((x: Obj) => x.conditions?.ready)))
      problems.push(`service ${s.metadata.name}: no ready endpoint`);
  }
  if (pods.length === 0) problems.push("no pod");
  return problems;
}

const namespaceExists = () => kubectl(["get", "namespaces", "-o", "json"]).items.some((n) => n.metadata.name === NS);

/** `kubectl port-forward` to a Service of the namespace on a free local port, until stopped. */
async function portForward(service: string, port: number): Promise<{ local: number; stop: () => Promise<void> }> {
  const local = 20000 + Math.floor(Math.random() * 20000);
  const pf = background("kubectl", ["port-forward", "-n", NS, `svc/${service}`, `${local}:${port}`]);
  await until(`port-forward to ${service}:${port}`, 30, () => /Forwarding from/.test(pf.out) || undefined, 250);
  return { local, stop: async () => void (await pf.kill()) };
}

function getJson(port: number, urlPath: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: urlPath, timeout: 10_000 }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => {
          try {
            resolve(JSON.parse(body));
          } catch (e) {
            reject(new Error(`${urlPath}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`));
          }
        });
      })
      .on("error", reject);
  });
}

const figures: string[] = [];

(skipReason ? describe.skip : describe)(
  `e2e production: the production stack sized for one node, in motion, every wait on${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  function () {
    this.timeout(2_400_000);
    const started = process.hrtime.bigint();
    const diagnose = () => diagnoseIn(NS);
    let project: NodeProject;
    let upCompleted = false;
    let upSeconds = 0;
    /** Seconds from `pulumi up` starting to every pod Ready and every Service with an endpoint. */
    let pulumiAcceptance: number | undefined;
    let api: Obj = {};
    /** The program's objects and releases as they ran, for the old chart's way in (7). */
    let captured: { objects: Obj[]; releases: Array<{ name: string; chart: string; values: Obj }> } | undefined;

    const verify = (...args: string[]): Promise<Run> => project.verify(...args);

    before(() => {
      assert.ok(!namespaceExists(), `namespace ${NS} already exists: this spec needs a cluster without the stack`);
      project = new NodeProject("production");
      project.init(SETTINGS);
      project.setSecret("prometheus.alertmanager.receivers.webhook.url", WEBHOOK_URL);
    });

    after(() => {
      project?.remove();
      figures.push(`e2e wall time (production suite): ${since(started).toFixed(0)} s`);
      console.log(`\n    figures:\n${figures.map((f) => `      ${f}`).join("\n")}`);
    });

    it("(1) the first pulumi up, every readiness wait on, completes with the API at its full production size", async () => {
      const t0 = process.hrtime.bigint();
      const run = await watchUp(project.start("up", "--yes", "--skip-preview"), NS, {
        minutes: 25,
        started,
        beside: besideTheStack,
        tick: () => {
          if (pulumiAcceptance === undefined && podsAndEndpoints().length === 0) pulumiAcceptance = since(t0);
        },
      });
      upCompleted = true;
      upSeconds = run.seconds;
      assert.match(run.out, /below its safety floor: Redis nodes with Sentinel not kept one per Kubernetes node/, "the floor warning");
      const deployment = kubectl(["get", "deployment", "api", "-n", NS, "-o", "json"]).items[0];
      assert.strictEqual(deployment.status.readyReplicas, 5, "the API's first rollout reaches production's replicaCount (5)");
      api = deployment.spec.template.spec;
      figures.push(
        `pulumi up (production, one node, every wait on): ${run.seconds.toFixed(1)} s; API ${deployment.status.readyReplicas}/5 Ready when it ended`,
      );
      if (pulumiAcceptance !== undefined)
        figures.push(`  every pod Ready and every Service with an endpoint: ${pulumiAcceptance.toFixed(1)} s after it started`);
    });

    it("(2) npm run verify passes: every pod Running and Ready, endpoints ready, HPA active, PDB, PVCs Bound, the API's connections allowed", async function () {
      if (!upCompleted) this.skip();
      const run = await verify("--json", "--wait", "300");
      const report = JSON.parse(run.out.slice(run.out.indexOf("{\n"), run.out.lastIndexOf("}") + 1));
      const failing = report.checks.filter((c: Obj) => c.status === "fail");
      assert.strictEqual(run.code, 0, `verify failed:\n${JSON.stringify(failing, null, 2)}\n${run.out.slice(-1500)}\n${diagnose()}`);
      const sections = [...new Set(report.checks.map((c: Obj) => c.section))];
      figures.push(`verify: ${report.counts.ok} ok, ${report.counts.warn} warnings, 0 failing (sections: ${sections.join(", ")})`);
      for (const c of report.checks.filter((c: Obj) => c.status !== "ok")) figures.push(`  ${c.status} ${c.object}: ${c.summary}`);
      const human = await verify();
      console.log(
        human.out
          .split("\n")
          .map((l) => `      ${l}`)
          .join("\n"),
      );
    });

    it("(3) data: as the API, TimescaleDB and Redis through Sentinel write and read; other pods are refused", async function () {
      if (!upCompleted) this.skip();
      const pg = imageOf(NS, "statefulset", "postgresql", "postgresql");
      const redis = imageOf(NS, "statefulset", "redis-node", "redis");
      dataClients(NS, api, apiSelectorLabels(), { pg, redis });
      const sh = (pod: string, script: string) => exec(NS, pod, ["/bin/sh", "-c", script]);
      const psql = (sql: string) => `psql -X -At -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "${sql}"`;
      const pgRun = ok(
        sh(
          "e2e-api-pg",
          [
            psql("CREATE EXTENSION IF NOT EXISTS timescaledb"),
            psql("CREATE TABLE IF NOT EXISTS e2e_metrics (at timestamptz NOT NULL, v int)"),
            psql("SELECT create_hypertable('e2e_metrics', 'at', if_not_exists => TRUE)"),
            psql("INSERT INTO e2e_metrics SELECT now() - i * interval '1 minute', i FROM generate_series(1, 100) i"),
            psql("SELECT count(*) FROM e2e_metrics"),
            psql("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"),
          ].join(" && "),
        ),
        "psql as the API",
      );
      const lines = pgRun.out.trim().split("\n");
      assert.strictEqual(lines.at(-2), "100", pgRun.out);
      figures.push(`PostgreSQL as the API: hypertable e2e_metrics with 100 rows; timescaledb ${lines.at(-1)}`);
      // TLS inside the cluster (on in production): DATABASE_URL carries sslmode=verify-full, so the
      // rows above went over TLS with the server's name checked; a plain-text login is refused.
      // (DATABASE_URL holds the password: it comes from the API's Secret, so it is read in the pod.)
      const mode = ok(sh("e2e-api-pg", 'echo "$DATABASE_URL" | grep -o "sslmode=[a-z-]*"'), "the API's sslmode");
      assert.strictEqual(mode.out.trim(), "sslmode=verify-full");
      const plain = sh(
        "e2e-api-pg",
        'psql -X -At "sslmode=disable host=$DATABASE_HOST port=$DATABASE_PORT dbname=$DATABASE_NAME user=$DATABASE_USER" -c "SELECT 1"',
      );
      assert.notStrictEqual(plain.code, 0, `a plain-text connection to PostgreSQL was accepted: ${plain.out}`);
      figures.push(`PostgreSQL plain text refused: ${plain.out.trim().split("\n").at(-1)}`);
      const sentinel = [
        'export REDISCLI_AUTH="$REDIS_PASSWORD"',
        "first=${REDIS_SENTINEL_HOSTS%%,*}",
        "master=$(" +
          REDIS_CLI +
          ' -h "${first%:*}" -p "${first##*:}" SENTINEL get-master-addr-by-name "$REDIS_SENTINEL_MASTER_SET" | tr "\\n" " ")',
        "set -- $master",
        `${REDIS_CLI} -h "$1" -p "$2" SET e2e:key kept >/dev/null`,
        `${REDIS_CLI} -h "$1" -p "$2" GET e2e:key`,
        'echo "master $1:$2"',
      ].join("; ");
      const redisRun = ok(sh("e2e-api-redis", sentinel), "redis-cli through Sentinel as the API");
      assert.match(redisRun.out, /^kept$/m, redisRun.out);
      figures.push(`Redis as the API, master found through Sentinel (${redisRun.out.trim().split("\n").at(-1)}): SET/GET ok`);
      const plainRedis = sh(
        "e2e-api-redis",
        'set -- $(echo "$REDIS_SENTINEL_HOSTS" | tr ",:" "  "); timeout 5 redis-cli -h "$1" -p "$2" PING',
      );
      assert.notStrictEqual(plainRedis.out.trim(), "PONG", "Sentinel answered in plain text");
      figures.push(`Sentinel in plain text: no answer (exit ${plainRedis.code})`);
      const strangerPg = sh("e2e-stranger-pg", psql("SELECT 1"));
      assert.notStrictEqual(strangerPg.code, 0, `a pod without the API's labels reached PostgreSQL: ${strangerPg.out}`);
      const strangerRedis = sh(
        "e2e-stranger-redis",
        "first=${REDIS_SENTINEL_HOSTS%%,*}; timeout 8 " + REDIS_CLI + ' -h "${first%:*}" -p "${first##*:}" PING',
      );
      assert.notStrictEqual(strangerRedis.code, 0, `a pod without the API's labels reached Sentinel: ${strangerRedis.out}`);
      figures.push(`pods without the API's labels: PostgreSQL and Sentinel refused`);
    });

    it("(4) monitoring: every target up, an alert fires and reaches the webhook receiver, the sidecar writes the dashboards", async function () {
      if (!upCompleted) this.skip();
      const prom = await portForward("prometheus-server", 80);
      try {
        // What must be scraped: the API's pods, both exporters, kube-state-metrics, Prometheus itself.
        const expected: Array<[string, (t: Obj) => boolean]> = [
          ["the API", (t) => t.labels.app_kubernetes_io_name === "api" || /api/.test(t.labels.pod ?? "")],
          [
            "the PostgreSQL exporter",
            (t) => /postgresql-metrics|postgresql/.test(t.labels.service ?? t.labels.pod ?? "") && /9187/.test(t.scrapeUrl),
          ],
          ["the Redis exporter", (t) => /redis/.test(t.labels.service ?? t.labels.pod ?? "") && /9121/.test(t.scrapeUrl)],
          ["kube-state-metrics", (t) => t.labels.app_kubernetes_io_name === "kube-state-metrics" && /:8080\//.test(t.scrapeUrl)],
          ["Prometheus itself", (t) => t.labels.job === "prometheus"],
        ];
        let active: Obj[] = [];
        const missing = () => expected.filter(([, match]) => !active.some((t) => match(t) && t.health === "up")).map(([what]) => what);
        const deadline = Date.now() + 300_000;
        for (;;) {
          active = (await getJson(prom.local, "/api/v1/targets?state=active")).data.activeTargets;
          if (active.length > 0 && missing().length === 0 && active.every((t) => t.health === "up")) break;
          if (Date.now() > deadline)
            assert.fail(
              `targets not up after 5 min (missing: ${missing().join(", ")}):\n` +
                active.map((t) => `${t.labels.job} ${t.scrapeUrl} ${t.health} ${t.lastError ?? ""}`).join("\n"),
            );
          await sleep(5000);
        }
        figures.push(`Prometheus: ${active.length} targets up, jobs ${[...new Set(active.map((t) => t.labels.job))].join(", ")}`);
        const rules = (await getJson(prom.local, "/api/v1/rules?type=alert")).data.groups.flatMap((g: Obj) => g.rules);
        const broken = rules.filter((r: Obj) => r.health !== "ok");
        assert.deepStrictEqual(
          broken.map((r: Obj) => `${r.name}: ${r.lastError}`),
          [],
          "alert rules failing to evaluate",
        );
        figures.push(`alert rules evaluated on the real series: ${rules.map((r: Obj) => `${r.name} (${r.state})`).join(", ")}`);
      } finally {
        await prom.stop();
      }
      // A crash-looping pod in the namespace: PodCrashLooping fires after its 30 s and Alertmanager
      // posts it to the receiver.
      const t0 = process.hrtime.bigint();
      const looping = clientPod(NS, "e2e-crashloop", CLIENT_IMAGE, { app: "e2e-crashloop" });
      (looping.spec.containers[0] as Obj).command = ["/bin/nettool", "no-such-job"];
      apply([looping as never]);
      const received = () =>
        runSync("kubectl", ["logs", "-n", NS, WEBHOOK.name], { maxBuffer: 64 * 1024 * 1024 })
          .out.split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as Obj);
      const delivered = await until(
        "PodCrashLooping to reach the webhook receiver",
        480,
        () =>
          received().find((l) =>
            (l.body?.alerts ?? []).some((a: Obj) => a.labels?.alertname === "PodCrashLooping" && a.status === "firing"),
          ),
        5000,
      ).catch((e) => assert.fail(`${String(e)}; received: ${JSON.stringify(received()).slice(0, 2000)}`));
      const alert = delivered.body.alerts.find((a: Obj) => a.labels.alertname === "PodCrashLooping");
      figures.push(
        `PodCrashLooping (pod ${alert.labels.pod}) fired and reached the webhook receiver ${since(t0).toFixed(0)} s after the` +
          ` crash-looping pod was created (alerts.for 30s, group_wait 30s)`,
      );
      kubectl(["delete", "pod", "-n", NS, "e2e-crashloop", "--wait=false"]);
      // The dashboard sidecar lists the dashboards' ConfigMaps with its namespaced Role and writes them
      // into the folder Grafana provisions from.
      const grafana = kubectl(["get", "pods", "-n", NS, "-l", "app.kubernetes.io/name=grafana", "-o", "json"]).items[0];
      const sidecar = grafana.spec.containers.find((c: Obj) => /dashboard/.test(c.name));
      assert.ok(sidecar, `no dashboard sidecar in ${grafana.spec.containers.map((c: Obj) => c.name).join(", ")}`);
      const folder = (sidecar.env ?? []).find((e: Obj) => e.name === "FOLDER")?.value;
      assert.ok(folder, "the sidecar names no FOLDER");
      const labelled = kubectl(["get", "configmaps", "-n", NS, "-l", "grafana_dashboard", "-o", "json"]).items;
      const expectedFiles = labelled.flatMap((c) => Object.keys(c.data ?? {}));
      assert.ok(expectedFiles.length > 0, "no dashboard ConfigMap in the namespace");
      const files = await until(
        "the sidecar to write every dashboard",
        120,
        () => {
          const ls = runSync("kubectl", ["exec", "-n", NS, grafana.metadata.name, "-c", sidecar.name, "--", "ls", "-1", folder], {
            maxBuffer: 64 * 1024 * 1024,
          });
          const listed = ls.out.split("\n").filter(Boolean);
          return expectedFiles.every((f) => listed.includes(f)) ? listed : undefined;
        },
        3000,
      );
      figures.push(`dashboard sidecar (namespaced Role only): ${files.length} files in ${folder} (${files.join(", ")})`);
    });

    it("(5) Redis failover under writes, PostgreSQL restart with its rows, a backup Job and the documented restore", async function () {
      if (!upCompleted) this.skip();
      // --- Redis: a writer as the API (master asked of the sentinels before each write) while the
      // master's pod is deleted.
      const writer = [
        'export REDISCLI_AUTH="$REDIS_PASSWORD"',
        "end=$(( $(date +%s) + 240 )); i=0",
        'while [ "$(date +%s)" -lt "$end" ]; do',
        "  i=$((i + 1)); m=''",
        '  for s in $(echo "$REDIS_SENTINEL_HOSTS" | tr , " "); do',
        "    m=$(timeout 2 " +
          REDIS_CLI +
          ' -h "${s%:*}" -p "${s##*:}" SENTINEL get-master-addr-by-name "$REDIS_SENTINEL_MASTER_SET" 2>/dev/null | tr "\n" " ")',
        '    [ -n "$m" ] && break',
        "  done",
        "  set -- $m",
        '  if [ -n "${1:-}" ] && [ "$(timeout 2 ' +
          REDIS_CLI +
          ' -h "$1" -p "$2" SET "e2e:w:$i" "$i" 2>&1)" = OK ]; then r=ok; else r=fail; fi',
        '  echo "$r $(date +%s%N) ${1:-none}"',
        "  sleep 0.2",
        "done",
      ].join("\n");
      const run = execAsync(NS, "e2e-api-redis", ["/bin/sh", "-c", writer]);
      await sleep(10_000);
      const lines = () =>
        run.out
          .split("\n")
          .map((l) => l.trim().split(" "))
          .filter((f) => f.length === 3 && (f[0] === "ok" || f[0] === "fail"))
          .map(([r, ns, master]) => ({ ok: r === "ok", at: Number(BigInt(ns) / 1_000_000n), master }));
      const before = lines().filter((l) => l.ok);
      assert.ok(before.length > 0, `no write succeeded before the failover:\n${run.out.slice(-2000)}`);
      const oldMaster = before.at(-1)!.master;
      const victim = kubectl(["get", "pods", "-n", NS, "-o", "json"]).items.find(
        (p) => p.status.podIP === oldMaster || oldMaster.startsWith(`${p.metadata.name}.`),
      );
      assert.ok(victim, `no pod answers to the master address ${oldMaster}`);
      const deletedAt = Date.now();
      kubectl(["delete", "pod", "-n", NS, victim.metadata.name, "--wait=false"]);
      // Writes are back when one succeeds on another master (Sentinel promoted a replica: the chart's
      // preStop asks for a failover before the master stops), or, failing a promotion, once the
      // deleted pod's replacement is Ready and a write succeeds after the last failed one.
      const replaced = () => {
        const p = kubectl(["get", "pods", "-n", NS, "-o", "json"]).items.find((x) => x.metadata.name === victim.metadata.name);
        return p !== undefined && p.metadata.uid !== victim.metadata.uid && ready(p);
      };
      const recovered = await until(
        "writes to succeed again after the master's deletion",
        180,
        () => {
          const after = lines().filter((l) => l.at > deletedAt);
          const moved = after.find((l) => l.ok && l.master !== oldMaster);
          if (moved) return moved;
          const lastFail = after.filter((l) => !l.ok).at(-1);
          return lastFail && replaced() ? after.find((l) => l.ok && l.at > lastFail.at) : undefined;
        },
        1000,
      ).catch((e) => assert.fail(`${String(e)}:\n${run.out.slice(-3000)}\n${diagnose()}`));
      const failed = lines().filter((l) => l.at > deletedAt && l.at < recovered.at && !l.ok);
      const firstFail = failed[0]?.at ?? recovered.at;
      const promoted = recovered.master !== oldMaster;
      const hook = runSync(
        "kubectl",
        ["get", "events", "-n", NS, "--field-selector", `involvedObject.name=${victim.metadata.name}`, "-o", "json"],
        {
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      const hookFailures = (JSON.parse(hook.out || "{}").items ?? []).filter((e: Obj) => /PreStop/i.test(`${e.reason} ${e.message}`));
      figures.push(
        `Redis failover: master ${victim.metadata.name} deleted; writes succeed on ${recovered.master} ` +
          `${((recovered.at - deletedAt) / 1000).toFixed(1)} s later (${((recovered.at - firstFail) / 1000).toFixed(1)} s from the first failed write); ` +
          `${failed.length} writes failed (one attempt every 0.2 s plus its round trips); ` +
          (promoted ? "Sentinel promoted a replica" : "NO promotion: the restarted pod took the master role back") +
          (hookFailures.length
            ? `; preStop events: ${hookFailures.map((e: Obj) => `${e.reason}: ${e.message}`).join(" | ")}`
            : "; no preStop failure event"),
      );
      await run.kill();
      // Sentinel must promote a replica (the chart's preStop asks for it: REDIS.preStopEnv); checked at
      // the end of the step, so that PostgreSQL, the backup and the restore still run.
      const noPromotion = promoted
        ? undefined
        : `Sentinel did not promote a replica: writes came back on the old master ${oldMaster}\n${run.out.slice(-2000)}`;
      await until("the three Redis nodes Ready again", 300, () => {
        const sts = kubectl(["get", "statefulset", "redis-node", "-n", NS, "-o", "json"]).items[0];
        return sts.status.readyReplicas === 3 || undefined;
      });

      // --- PostgreSQL: the pod deleted comes back with its rows.
      const sh = (pod: string, script: string) => exec(NS, pod, ["/bin/sh", "-c", script]);
      const count = () => sh("e2e-api-pg", 'psql -X -At "$DATABASE_URL" -c "SELECT count(*) FROM e2e_metrics"');
      const t0 = Date.now();
      kubectl(["delete", "pod", "-n", NS, "postgresql-0", "--wait=false"]);
      await until("postgresql-0 to be replaced and Ready", 300, () => {
        const p = kubectl(["get", "pods", "-n", NS, "-o", "json"]).items.find((x) => x.metadata.name === "postgresql-0");
        return p && !p.metadata.deletionTimestamp && ready(p) && Date.parse(p.metadata.creationTimestamp) >= t0 - 1000 ? true : undefined;
      });
      const restartSeconds = (Date.now() - t0) / 1000;
      const rows = await until("the API's client to read its rows again", 60, () => {
        const r = count();
        return r.code === 0 ? r.out.trim() : undefined;
      });
      assert.strictEqual(rows, "100");
      figures.push(`PostgreSQL pod deleted: Ready again after ${restartSeconds.toFixed(1)} s, with its 100 rows`);

      // --- Backup: the CronJob run now as a Job; its dump lands on the backup volume.
      const cron = kubectl(["get", "cronjobs", "-n", NS, "-o", "json"]).items.find((c) => /pgdumpall/.test(c.metadata.name));
      assert.ok(cron, "no backup CronJob");
      kubectl(["create", "job", "-n", NS, `--from=cronjob/${cron.metadata.name}`, "e2e-backup-now"]);
      const tb = Date.now();
      await until("the backup Job to complete", 300, () => {
        const j = kubectl(["get", "job", "e2e-backup-now", "-n", NS, "-o", "json"]).items[0];
        if ((j.status.failed ?? 0) > 0)
          assert.fail(
            `backup Job failed:\n${runSync("kubectl", ["logs", "-n", NS, "job/e2e-backup-now"], { maxBuffer: 64 * 1024 * 1024 }).out}`,
          );
        return (j.status.succeeded ?? 0) > 0 || undefined;
      });
      const backupLog = runSync("kubectl", ["logs", "-n", NS, "job/e2e-backup-now"], { maxBuffer: 64 * 1024 * 1024 }).out;
      const written = /backup written: (\S+) \(([^)]+)\)/.exec(backupLog);
      assert.ok(written, `the backup Job's log names no dump:\n${backupLog}`);
      figures.push(
        `backup Job: ${path.basename(written[1])} (${written[2]}) on postgresql-backups in ${((Date.now() - tb) / 1000).toFixed(1)} s`,
      );

      // --- Restore, as docs/operations.md says: the API stopped, the example pod with DUMP and the
      // server's image, over rows changed since the dump.
      ok(sh("e2e-api-pg", 'psql -X -At -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "DELETE FROM e2e_metrics WHERE v > 50"'), "delete rows");
      assert.strictEqual(count().out.trim(), "50");
      kubectl(["delete", "pod", "-n", NS, "e2e-api-pg", "e2e-stranger-pg", "--wait=true"]);
      kubectl(["scale", "deployment/api", "-n", NS, "--replicas=0"]);
      await until(
        "the API's pods to be gone",
        120,
        // The Deployment's pods (they carry a pod-template-hash); the client pods wear the API's labels too.
        () => kubectl(["get", "pods", "-n", NS, "-l", "app.kubernetes.io/name=api,pod-template-hash", "-o", "json"]).items.length === 0,
      );
      const example = fs.readFileSync(path.join(REPO, "docs", "examples", "postgresql-restore.yaml"), "utf8");
      const restore = parseYaml(example) as Obj;
      restore.spec.containers[0].image = imageOf(NS, "statefulset", "postgresql", "postgresql");
      restore.spec.containers[0].env.find((e: Obj) => e.name === "DUMP").value = path.basename(written[1]);
      const tr = Date.now();
      apply([restore as never]);
      const phase = await until("the restore pod to finish", 300, () => {
        const p = kubectl(["get", "pod", "postgresql-restore", "-n", NS, "-o", "json"]).items[0];
        return ["Succeeded", "Failed"].includes(p.status.phase) ? p.status.phase : undefined;
      });
      const restoreLog = runSync("kubectl", ["logs", "-n", NS, "postgresql-restore"], { maxBuffer: 64 * 1024 * 1024 }).out;
      // Deleted whatever its outcome, as the documented procedure says: while it exists, even failed,
      // it holds the backup claim (pvc-protection), and pulumi destroy waits for that claim.
      kubectl(["delete", "pod", "-n", NS, "postgresql-restore", "--wait=false"]);
      assert.strictEqual(phase, "Succeeded", `restore failed:\n${restoreLog}`);
      kubectl(["scale", "deployment/api", "-n", NS, "--replicas=5"]);
      const checker = clientPod(NS, "e2e-api-pg2", imageOf(NS, "statefulset", "postgresql", "postgresql"), apiSelectorLabels(), api);
      apply([checker as never]);
      kubectl(["wait", "-n", NS, "--for=condition=Ready", "pod/e2e-api-pg2", "--timeout=180s"]);
      const restored = await until("the restored rows", 60, () => {
        const r = sh("e2e-api-pg2", 'psql -X -At "$DATABASE_URL" -c "SELECT count(*) FROM e2e_metrics"');
        return r.code === 0 ? r.out.trim() : undefined;
      });
      figures.push(
        `restore (docs/examples/postgresql-restore.yaml): ${restoreLog.trim().split("\n").at(-1)}; ${restored} rows back in ${((Date.now() - tr) / 1000).toFixed(1)} s`,
      );
      if (restored !== "100") {
        const server = runSync("kubectl", ["logs", "-n", NS, "postgresql-0", "-c", "postgresql", "--tail=80"], {
          maxBuffer: 64 * 1024 * 1024,
        });
        assert.fail(
          `the restore brought back ${restored} rows, not the dump's 100\nrestore log:\n${restoreLog}\nserver log:\n${server.out}`,
        );
      }
      kubectl(["delete", "pod", "-n", NS, "e2e-api-pg2", "e2e-api-redis", "e2e-stranger-redis", "--wait=false"]);
      // Back to the size it had, every pod Ready. The HPA (production's minReplicas to maxReplicas)
      // resumes once the Deployment has replicas again and may move them: every replica it asks for
      // must be Ready.
      const apiBack = () => {
        const d = kubectl(["get", "deployment", "api", "-n", NS, "-o", "json"]).items[0];
        return d.spec.replicas >= PRODUCTION_MIN_REPLICAS &&
          d.status.readyReplicas === d.spec.replicas &&
          d.status.updatedReplicas === d.spec.replicas
          ? `${d.status.readyReplicas}/${d.spec.replicas}`
          : undefined;
      };
      try {
        figures.push(`API after the restore: ${await until("the API back with every replica Ready", 300, apiBack)} replicas Ready`);
      } catch (e) {
        const hpa = kubectl(["get", "hpa", "api", "-n", NS, "-o", "json"]).items[0]?.status;
        throw new Error(`${(e as Error).message}\nHPA: ${hpa?.currentReplicas} current, ${hpa?.desiredReplicas} desired\n${diagnose()}`);
      }
      assert.ok(!noPromotion, noPromotion);
    });

    it("(6) after the documented unprotect, pulumi destroy leaves no pod, PVC, PV or namespace", async function () {
      if (!upCompleted) this.skip();
      // A restore step that failed may have left the API scaled to zero: (7) applies the objects as they run.
      if (kubectl(["get", "deployment", "api", "-n", NS, "-o", "json"]).items[0]?.spec?.replicas === 0)
        kubectl(["scale", "deployment/api", "-n", NS, "--replicas=5"]);
      // What (7) installs the old chart's way: the program's own objects as they run, the releases' values.
      const state = project.exportState();
      const own = (state.resources ?? []).filter(
        (r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && !r.type.startsWith("pulumi:providers:"),
      );
      const live = own
        .map((r) => ({ kind: r.outputs?.kind, name: r.outputs?.metadata?.name, namespace: r.outputs?.metadata?.namespace }))
        .filter((r) => r.kind && r.name);
      const objects: Obj[] = [];
      for (const r of live) {
        const args = ["get", r.kind, r.name, "-o", "json", ...(r.namespace ? ["-n", r.namespace] : [])];
        try {
          objects.push(cleanForApply(kubectl(args).items[0]));
        } catch {
          // a kind kubectl does not know by that name (patches): its target is applied already
        }
      }
      const releases = (state.resources ?? [])
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => {
          const name = r.outputs?.status?.name ?? r.outputs?.name;
          const values = JSON.parse(
            ok(runSync(HELM!, ["get", "values", name, "-n", NS, "-o", "json"], { maxBuffer: 64 * 1024 * 1024 }), `helm get values ${name}`)
              .out,
          );
          return { name, chart: String(r.outputs?.chart ?? r.inputs?.chart), values };
        });
      captured = { objects, releases };
      ok(project.run("state", "unprotect", "--all", "--yes"), "pulumi state unprotect --all");
      const destroy = await project.start("destroy", "--yes", "--skip-preview").done;
      if (destroy.code !== 0) assert.fail(`pulumi destroy failed:\n${destroy.out.slice(-4000)}`);
      figures.push(`pulumi destroy (production, after pulumi state unprotect --all): ${destroy.seconds.toFixed(1)} s`);
      await until(`namespace ${NS} to be gone`, 300, () => !namespaceExists());
      assert.deepStrictEqual(
        kubectl(["get", "pvc", "-A", "-o", "json"]).items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
        [],
      );
      await until("every volume to be deleted", 300, () => kubectl(["get", "pv", "-o", "json"]).items.length === 0);
    });

    it("(7) the old chart's way on the same node: helm install --wait of the same releases and kubectl apply of the same objects, timed", async function () {
      if (!captured) this.skip();
      const { objects, releases } = captured;
      const t0 = process.hrtime.bigint();
      const namespaces = objects.filter((o) => o.kind === "Namespace");
      apply(namespaces as never);
      apply(besideTheStack() as never);
      apply(objects.filter((o) => o.kind !== "Namespace") as never);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-e2e-helm-"));
      const installs = releases.map((r) => {
        const file = path.join(dir, `${r.name}.json`);
        fs.writeFileSync(file, JSON.stringify(r.values), { mode: 0o600 });
        return background(HELM!, ["install", r.name, r.chart, "-n", NS, "-f", file, "--wait", "--timeout", "15m"]);
      });
      let acceptance: number | undefined;
      const all = Promise.all(installs.map((i) => i.done));
      let finished = false;
      void all.then(() => (finished = true));
      while (!finished || acceptance === undefined) {
        if (acceptance === undefined && podsAndEndpoints().length === 0) acceptance = since(t0);
        if (since(t0) > 1500) break;
        await sleep(2000);
      }
      const runs = await all;
      fs.rmSync(dir, { recursive: true, force: true });
      const helmSeconds = Math.max(...runs.map((r) => r.seconds));
      for (const [i, r] of runs.entries()) assert.strictEqual(r.code, 0, `helm install ${releases[i].name} failed:\n${r.out.slice(-2000)}`);
      assert.ok(acceptance !== undefined, `the old chart's way never reached every pod Ready:\n${podsAndEndpoints().join("\n")}`);
      figures.push(
        `old chart's way (kubectl apply of the program's ${objects.length} objects, then ${releases.length} helm install --wait at once): ` +
          `all releases ready after ${helmSeconds.toFixed(1)} s; every pod Ready and every Service with an endpoint after ${acceptance.toFixed(1)} s`,
      );
      figures.push(
        `ratio pulumi up / old chart's way: until the command ends ${(upSeconds / helmSeconds).toFixed(2)}` +
          (pulumiAcceptance !== undefined ? `; until every pod Ready ${(pulumiAcceptance / acceptance).toFixed(2)}` : "") +
          " (goal <= 1.2)",
      );
      for (const r of releases)
        runSync(HELM!, ["uninstall", r.name, "-n", NS, "--wait", "--timeout", "5m"], { maxBuffer: 64 * 1024 * 1024 });
      kubectl(["delete", "namespace", NS, "--wait=true", "--timeout=300s"]);
      await until("every volume to be deleted", 300, () => kubectl(["get", "pv", "-o", "json"]).items.length === 0);
    });
  },
);

/** A live object as `kubectl apply` takes it again: no status, no server bookkeeping. */
function cleanForApply(o: Obj): Obj {
  const { status: _s, ...rest } = o;
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, managedFields: _m, generation: _g, selfLink: _l, ...metadata } = o.metadata;
  const annotations = Object.fromEntries(
    Object.entries(metadata.annotations ?? {}).filter(
      ([k]) => !k.startsWith("pulumi.com/") && k !== "kubectl.kubernetes.io/last-applied-configuration",
    ),
  );
  const out: Obj = { ...rest, metadata: { ...metadata, annotations } };
  if (o.kind === "PersistentVolumeClaim") {
    delete out.spec.volumeName;
    delete out.metadata.annotations["pv.kubernetes.io/bind-completed"];
    delete out.metadata.annotations["pv.kubernetes.io/bound-by-controller"];
    delete out.metadata.annotations["volume.beta.kubernetes.io/storage-provisioner"];
    delete out.metadata.annotations["volume.kubernetes.io/storage-provisioner"];
    delete out.metadata.annotations["volume.kubernetes.io/selected-node"];
  }
  if (o.kind === "Service") {
    delete out.spec.clusterIP;
    delete out.spec.clusterIPs;
  }
  if (o.kind === "Job") {
    delete out.spec.selector;
    for (const k of ["controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name"]) {
      delete out.spec.template.metadata?.labels?.[k];
      delete out.metadata.labels?.[k];
    }
  }
  delete out.metadata.finalizers;
  return out;
}
