// `npm run verify` against a real stack on the e2e node (started by testbed/e2e.sh with
// `cluster.sh node start`): the dev stack with the node e2e's settings (the API with its HPA, PDB
// and PVC; the data services external) deployed by `pulumi up`, then verify passing for what runs;
// then the Redis chart switched on from the chart cache with every chart image on a registry that
// does not exist, so its pod stays at ErrImagePull, `pulumi up` fails on the release's wait, and
// verify fails naming that pod with its events and the tail of its log while the API still passes;
// once the release is in without Helm's wait (the update completes and the outputs name the chart's
// Redis), verify also shows the live policies letting the API reach the Redis pod.
// The entry point: no ingress controller runs on the node, so a stand-in in this process
// terminates TLS with the certificate the stack put in the Ingress's Secret, reached through
// --entry-address. Skipped, saying why, when the node or the Pulumi engine is not available.
import * as assert from "assert";
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as path from "path";
import { hpaCheck } from "../../scripts/verify/checks";
import { cachedChart } from "../helpers/charts";
import { NS } from "../helpers/flows";
import { apply, kubectl } from "./kubectl";
import { NODE_SETTINGS, nodeDataSecrets, NodeProject, until } from "./node-kit";
import { ok, Run, since, sleep } from "./run";

const skipReason =
  process.env.APE_E2E_NODE === "1"
    ? fs.existsSync(path.join(cachedChart("redis"), "Chart.yaml"))
      ? undefined
      : `the redis chart is not in the chart cache (${cachedChart("redis")}; docs/operations.md "Air-gapped charts")`
    : (process.env.APE_E2E_NODE_SKIP ?? "the node was not started");

/** A registry that cannot resolve: every chart image fails to pull, whatever images the node holds. */
const NO_REGISTRY = "registry.e2e.invalid";

interface Report {
  passed: boolean;
  counts: Record<string, number>;
  checks: Array<{
    section: string;
    object: string;
    status: string;
    summary: string;
    facts?: Record<string, any>;
    events?: Array<{ type: string; reason: string; message: string }>;
    logs?: Array<{ container: string; lines: string[] }>;
  }>;
}

(skipReason ? describe.skip : describe)(
  `e2e verify: npm run verify against the dev stack on the node${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  function () {
    this.timeout(1_200_000);
    const figures: string[] = [];
    let project: NodeProject;
    let standIn: https.Server | undefined;
    let entryAddress = "";

    /** npm run verify for the project's stack, in the background (this process serves the entry point meanwhile). */
    const verify = (...args: string[]): Promise<Run> => project.verify("--entry-address", entryAddress, ...args);
    const reportOf = (run: Run): Report => JSON.parse(run.out.slice(run.out.indexOf("{\n"), run.out.lastIndexOf("}") + 1));
    const check = (r: Report, object: string) => {
      const c = r.checks.find((x) => x.object === object);
      assert.ok(c, `no check of ${object}: ${r.checks.map((x) => x.object).join(", ")}`);
      return c;
    };
    const byPrefix = (r: Report, prefix: string) => r.checks.filter((c) => c.object.startsWith(prefix));

    /** pulumi up in the background; the external data services' Secrets go in as soon as the namespace exists. */
    const up = async (env: NodeJS.ProcessEnv = {}): Promise<Run> => {
      const run = project.startWith(env, "up", "--yes", "--skip-preview");
      let done = false;
      void run.done.then(() => (done = true));
      let secrets = false;
      while (!done) {
        if (!secrets && kubectl(["get", "namespaces", "-o", "json"]).items.some((n) => n.metadata.name === NS)) {
          apply(nodeDataSecrets(NS) as never);
          secrets = true;
        }
        await sleep(500);
      }
      return run.done;
    };

    before(async () => {
      // The node e2e runs first and deletes its namespace at its end.
      await until(`namespace ${NS} from an earlier spec to be gone`, 240, () =>
        kubectl(["get", "namespaces", "-o", "json"]).items.every((n) => n.metadata.name !== NS),
      );
      project = new NodeProject("dev");
      project.init(NODE_SETTINGS);
    });

    after(() => {
      standIn?.close();
      project?.remove();
      if (figures.length) console.log(`\n    figures:\n${figures.map((f) => `      ${f}`).join("\n")}`);
    });

    it("(1) after pulumi up, verify passes: API pods, Deployment, Service endpoints, HPA, PDB, PVC, entry point, policies", async () => {
      const start = process.hrtime.bigint();
      const deployed = ok(await up(), "pulumi up");
      // The stand-in for the controller of the entry point: TLS with the certificate and key the
      // Gateway's HTTPS listener (or, with ingress.via ingress, the Ingress) serves.
      const secretName = kubectl(["get", "gateways.gateway.networking.k8s.io,ingresses", "-n", NS, "-o", "json"])
        .items.map((o) =>
          o.kind === "Gateway"
            ? o.spec.listeners.find((l: { protocol: string }) => l.protocol === "HTTPS")?.tls?.certificateRefs?.[0]?.name
            : o.spec.tls?.[0]?.secretName,
        )
        .find(Boolean);
      const secret = kubectl(["get", "secret", secretName, "-n", NS, "-o", "json"]).items[0];
      const pem = (key: string) => Buffer.from(secret.data[key], "base64").toString("utf8");
      standIn = https.createServer({ cert: pem("tls.crt"), key: pem("tls.key") }, (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("entry point controller stand-in\n");
      });
      await new Promise<void>((resolve) => standIn!.listen(0, "127.0.0.1", resolve));
      entryAddress = `127.0.0.1:${(standIn.address() as AddressInfo).port}`;

      const run = await verify("--json", "--wait", "300");
      const passedAfter = since(start);
      const report = reportOf(run);
      assert.strictEqual(run.code, 0, `verify failed:\n${run.out.slice(-6000)}`);
      assert.strictEqual(report.passed, true);
      const apiPods = byPrefix(report, "pod/api-");
      assert.ok(apiPods.length >= 2, `API pods: ${apiPods.map((c) => c.object).join(", ")}`);
      for (const c of apiPods) assert.strictEqual(c.status, "ok", c.summary);
      assert.strictEqual(check(report, "deployment/api").status, "ok");
      assert.match(check(report, "service/api").summary, /^\d+\/\d+ endpoints ready$/);
      assert.match(
        check(report, "horizontalpodautoscaler/api").summary,
        /^ScalingActive, \d+ replicas \(2\.\.6\); cpu \d+% \(target \d+%\)/,
      );
      assert.match(check(report, "poddisruptionbudget/api").summary, /^\d+ disruptions? allowed/);
      assert.match(check(report, "persistentvolumeclaim/api-data").summary, /^Bound to pvc-.*ReadWriteMany, class local-path-shared$/);
      const entry = check(report, "https://api.ape-2026.localhost");
      assert.strictEqual(entry.status, "ok", entry.summary);
      assert.match(entry.summary, /trusted by the stack's CA \(caCertificate output\); certificate .*SANs DNS:api\.ape-2026\.localhost/);
      // The data services are external names that resolve nowhere here: a warning, not a failure.
      assert.deepStrictEqual(
        report.checks.filter((c) => c.section === "connections").map((c) => [c.object, c.status]),
        [
          ["PostgreSQL db.e2e.internal:5432", "warn"],
          ["Redis cache.e2e.internal:6379", "warn"],
          ["DNS kube-dns.kube-system.svc:53/UDP", "ok"],
          ["DNS kube-dns.kube-system.svc:53", "ok"],
        ],
      );
      const human = await verify();
      assert.strictEqual(human.code, 0, human.out);
      console.log(human.out.replace(/^/gm, "      "));
      figures.push(
        `pulumi up (API, HPA, PDB, PVC): ${deployed.seconds.toFixed(1)} s; verify passing ${passedAfter.toFixed(1)} s after pulumi up started ` +
          `(${report.counts.ok} ok, ${report.counts.warn} warnings); one verify run without waiting: ${human.seconds.toFixed(1)} s`,
      );
    });

    /** The checks of a Redis chart pod that cannot pull its image: failing, with the pull error in its events and log tail. */
    const assertRedisFails = (report: Report) => {
      assert.strictEqual(report.passed, false);
      const redisPods = byPrefix(report, "pod/redis-");
      assert.ok(redisPods.length > 0, "no Redis pod checked");
      for (const pod of redisPods) {
        assert.strictEqual(pod.status, "fail", pod.summary);
        assert.match(pod.summary, /(ErrImagePull|ImagePullBackOff) \(.*registry\.e2e\.invalid/);
        assert.ok(
          (pod.events ?? []).some((e) => e.type === "Warning" && /registry\.e2e\.invalid/.test(e.message)),
          `${pod.object} events: ${JSON.stringify(pod.events)}`,
        );
        assert.ok((pod.logs ?? []).length > 0, `${pod.object}: no log tail`);
        assert.match(pod.logs![0].lines.join("\n"), /waiting to start|pull/i, `${pod.object} log tail`);
      }
      assert.strictEqual(check(report, "statefulset/redis-master").status, "fail");
      assert.match(check(report, "service/redis-master").summary, /^no ready endpoint \(1 pod selected, none Ready: redis-master-0\)$/);
      // What runs still passes.
      for (const c of [...byPrefix(report, "pod/api-"), check(report, "deployment/api"), check(report, "horizontalpodautoscaler/api")])
        assert.strictEqual(c.status, "ok", `${c.object}: ${c.summary}`);
    };
    const failingObjects = (r: Report) =>
      r.checks
        .filter((c) => c.status === "fail")
        .map((c) => c.object)
        .join(", ");

    it("(2) a chart pod that cannot pull its image: pulumi up times out on the release, verify names the pod with its events and log tail", async () => {
      project.set("redis.enabled", true);
      project.set("charts.redis.chart", cachedChart("redis"));
      project.set("images.registry", NO_REGISTRY);
      const failed = await up({ APE_E2E_RELEASE_TIMEOUT: "60" });
      assert.notStrictEqual(failed.code, 0, "pulumi up succeeded with a release whose images cannot be pulled");
      // The update's own words: the first error line and the two after it.
      const lines = failed.out.split("\n").map((l) => l.trim());
      const at = lines.findIndex((l) => /error:/.test(l));
      const upError =
        at < 0
          ? ""
          : lines
              .slice(at, at + 3)
              .filter(Boolean)
              .join(" ");

      const run = await verify("--json");
      assert.strictEqual(run.code, 1, `verify exit code:\n${run.out.slice(-4000)}`);
      const report = reportOf(run);
      assertRedisFails(report);
      // A failed update leaves the stack outputs of the last one that completed: the external Redis.
      assert.ok(report.checks.some((c) => c.object === "Redis cache.e2e.internal:6379"));
      const human = await verify();
      assert.strictEqual(human.code, 1);
      console.log(human.out.replace(/^/gm, "      "));
      figures.push(
        `pulumi up with the Redis release (images unpullable, Helm wait 60 s): failed after ${failed.seconds.toFixed(1)} s with ` +
          `"${upError.slice(0, 300)}"; verify: ${report.counts.fail} failing (${failingObjects(report)}), ` +
          `${human.seconds.toFixed(1)} s`,
      );
    });

    it("(3) the same release installed without Helm's wait: the update completes, verify still fails on the pod, the policies let the API reach Redis", async () => {
      ok(await up({ APE_E2E_RELEASE_SKIP_AWAIT: "1" }), "pulumi up (release without Helm's wait)");
      // The API's settings now name the chart's Redis: its pods roll; the old ones are to be gone first.
      kubectl(["rollout", "status", "deployment/api", "-n", NS, "--timeout=300s"]);
      await until("the API's old pods to be gone", 180, () =>
        kubectl(["get", "pods", "-n", NS, "-o", "json"]).items.every((p) => !p.metadata.deletionTimestamp),
      );
      await until(
        "the HPA to read every metric of the new pods",
        240,
        () => hpaCheck(kubectl(["get", "hpa", "api", "-n", NS, "-o", "json"]).items[0]).status === "ok",
      );
      // metrics-server can miss a scrape of the new pods right after the HPA first read them all
      // (seen in CI: ScalingActive False, FailedGetResourceMetric, seconds after it was True): read
      // again while that is the only difference from the expected report, for up to a minute.
      let run = await verify("--json");
      let report = reportOf(run);
      for (let i = 0; i < 6 && check(report, "horizontalpodautoscaler/api").status !== "ok"; i++) {
        await sleep(10_000);
        run = await verify("--json");
        report = reportOf(run);
      }
      assert.strictEqual(run.code, 1, `verify exit code:\n${run.out.slice(-4000)}`);
      assertRedisFails(report);
      // The outputs now name the chart's Redis: the live policies admit the API to its pod's port.
      const redis = check(report, "Redis redis-master.ape-2026.svc.cluster.local:6379");
      assert.strictEqual(redis.status, "ok", redis.summary);
      assert.match(redis.summary, /^allowed by .*; service\/redis-master -> pod\/redis-master-0:6379$/);
      figures.push(`verify with the chart's Redis in the outputs: ${failingObjects(report)} failing; ${redis.object}: ${redis.summary}`);
    });

    it("(4) pulumi destroy removes the stack", async () => {
      const destroyed = ok(await project.start("destroy", "--yes", "--skip-preview").done, "pulumi destroy");
      figures.push(`pulumi destroy: ${destroyed.seconds.toFixed(1)} s`);
      assert.ok(kubectl(["get", "namespaces", "-o", "json"]).items.every((n) => n.metadata.name !== NS));
      await until("the stack's volumes to be deleted", 180, () => kubectl(["get", "pv", "-o", "json"]).items.length === 0);
    });
  },
);
