// The four pinned chart releases installed by `pulumi up` into the e2e control plane, from the local
// chart cache (the air-gapped `charts.*.chart` setting, docs/operations.md), for both stacks: every
// object each chart renders is admitted and exists, every pod the charts run is admitted by the
// namespace's enforced restricted Pod Security level, no generated password reaches Helm's stored
// values, a second preview finds nothing to change, and destroy removes the releases. The charts'
// images cannot be pulled here: where a node runs (stage 3) the pods are created and scheduled, and
// their readiness is skipped with the reason each pod reports. Skipped with a reason when the
// engine or the chart cache is missing.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { parseAllDocuments } from "yaml";
import { T } from "../harness/types";
import { CACHED_CHARTS, cachedChart } from "../helpers/charts";
import { kubectl } from "./kubectl";
import { podSpecOf } from "./manifests";
import { E2E_OVERRIDES, ENGINE_ENABLED, initStack, pulumi as pulumiIn, WORK } from "./pulumi";
import { ok } from "./run";

const PROJECT_DIR = path.join(__dirname, "releases");
const NS = "ape-2026";
const NODE = process.env.APE_E2E_NODE === "1";

/**
 * The stack files as they are, with each chart taken from the cache. Neo4j's pinned chart is not in
 * the cache (its repository cannot be reached from these machines), so it stays an external endpoint
 * as in the other engine tests.
 */
const OVERRIDES: Record<string, unknown> = {
  ...Object.fromEntries(CACHED_CHARTS.map((c) => [`charts.${c}.chart`, cachedChart(c)])),
  "neo4j.enabled": false,
  "neo4j.external": E2E_OVERRIDES["neo4j.external"],
};

const missingCharts = CACHED_CHARTS.map((c) => cachedChart(c)).filter((d) => !fs.existsSync(path.join(d, "Chart.yaml")));
const skipReason = !ENGINE_ENABLED
  ? "the Pulumi engine stage is off (testbed/e2e.sh with the engine built)"
  : missingCharts.length
    ? `chart cache incomplete, missing ${missingCharts.join(", ")} (fill it as docs/operations.md "Air-gapped charts" says)`
    : undefined;

type Obj = Record<string, any>;

/** Helm's record of a release (its Secret driver): the rendered manifest, the user values and the status. */
function helmRelease(name: string): { manifest: Obj[]; config: Obj; status: string; revision: number } {
  const secrets = kubectl(["get", "secrets", "-n", NS, "-l", `owner=helm,name=${name}`, "-o", "json"]).items;
  assert.ok(secrets.length > 0, `no Helm record of the release ${name}`);
  const latest = secrets.sort((a, b) => Number(b.metadata.labels.version) - Number(a.metadata.labels.version))[0];
  const packed = Buffer.from(latest.data.release, "base64").toString("utf8");
  const release = JSON.parse(zlib.gunzipSync(Buffer.from(packed, "base64")).toString("utf8"));
  // YAML 1.1, as Helm reads its templates: `defaultMode: 0755` is octal there.
  const manifest = parseAllDocuments(release.manifest as string, { version: "1.1" })
    .map((d) => d.toJSON())
    .filter((d): d is Obj => d !== null && typeof d === "object");
  return { manifest, config: release.config ?? {}, status: release.info.status, revision: release.version };
}

/**
 * A workload's pod template as a bare Pod, for the API server to admit (dry run) in the namespace.
 * A StatefulSet's claim templates become the claim volumes its controller would add to pod 0.
 */
function podOf(workload: Obj): Obj {
  const name = `admit-${workload.kind.toLowerCase()}-${workload.metadata.name}`.slice(0, 63).replace(/-+$/, "");
  const spec = podSpecOf(workload)!;
  const claims = ((workload.kind === "StatefulSet" && workload.spec.volumeClaimTemplates) || []).map((t: Obj) => ({
    name: t.metadata.name,
    persistentVolumeClaim: { claimName: `${t.metadata.name}-${workload.metadata.name}-0` },
  }));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS },
    spec: { ...spec, volumes: [...(spec.volumes ?? []), ...claims] },
  };
}

(skipReason ? describe.skip : describe)(
  `e2e releases: the pinned charts installed by pulumi up from the chart cache${skipReason ? ` (${skipReason})` : ""}`,
  function () {
    this.timeout(1_200_000);
    const figures: string[] = [];
    const pulumi = (stack: string, ...args: string[]) => pulumiIn(PROJECT_DIR, stack, args);

    before(() => fs.mkdirSync(path.join(WORK, "state"), { recursive: true }));
    after(() => {
      for (const stack of ["dev", "production"]) fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), { force: true });
      fs.rmSync(WORK, { recursive: true, force: true });
      if (figures.length) console.log(`\n    figures:\n${figures.map((f) => `      ${f}`).join("\n")}`);
    });

    for (const stack of ["dev", "production"]) {
      describe(stack, () => {
        const releases: Record<string, ReturnType<typeof helmRelease>> = {};
        /** Each release's objects as the API server stored them. */
        const live: Record<string, Obj[]> = {};

        before(() => initStack(PROJECT_DIR, stack, OVERRIDES));

        it("pulumi up installs every chart release from its local chart, each one deployed", () => {
          const up = ok(pulumi(stack, "up", "--yes", "--skip-preview"), `pulumi up (${stack})`);
          const state = JSON.parse(ok(pulumi(stack, "stack", "export"), "stack export").out.replace(/^[^{]*/, ""));
          const inState = (state.deployment.resources as Obj[]).filter((r) => r.type === T.Release);
          assert.deepStrictEqual(inState.map((r) => r.outputs.name).sort(), ["grafana", "postgresql", "prometheus", "redis"]);
          for (const r of inState) {
            assert.strictEqual(r.outputs.status.status, "deployed", `${r.outputs.name}: ${JSON.stringify(r.outputs.status)}`);
            assert.strictEqual(r.outputs.chart, cachedChart(r.outputs.name), `${r.outputs.name} was installed from the cache`);
            releases[r.outputs.name] = helmRelease(r.outputs.name);
            assert.strictEqual(releases[r.outputs.name].status, "deployed");
          }
          figures.push(`${stack}: pulumi up with the four releases ${up.seconds.toFixed(1)} s`);
        });

        it("every object each chart renders was admitted and exists, owned by its release", () => {
          for (const [name, release] of Object.entries(releases)) {
            assert.ok(release.manifest.length > 0, `${name} rendered nothing`);
            const list = { apiVersion: "v1", kind: "List", items: release.manifest };
            const objects = kubectl(["get", "-n", NS, "-o", "json", "-f", "-"], list).items;
            live[name] = objects;
            const names = (os: Obj[]) => os.map((o) => `${o.kind}/${o.metadata.name}`).sort();
            assert.deepStrictEqual(names(objects), names(release.manifest));
            for (const o of objects)
              assert.strictEqual(o.metadata.annotations?.["meta.helm.sh/release-name"], name, `${o.kind}/${o.metadata.name} owner`);
            const kinds = new Map<string, number>();
            for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
            figures.push(`${stack} ${name}: ${objects.length} objects (${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")})`);
          }
        });

        it("every chart pod is admitted under the namespace's enforced restricted Pod Security level", () => {
          const labels = kubectl(["get", "namespace", NS, "-o", "json"]).items[0].metadata.labels;
          assert.strictEqual(labels["pod-security.kubernetes.io/enforce"], "restricted");
          // The control: a pod that breaks the level is refused in this namespace.
          const control = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "admit-control", namespace: NS },
            spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] },
          };
          assert.throws(
            () => kubectl(["create", "--dry-run=server", "-o", "json", "-f", "-"], control),
            /violates PodSecurity "restricted/,
          );
          const workloads = Object.values(live).flatMap((objects) => objects.filter((o) => podSpecOf(o)));
          assert.ok(workloads.length >= 6, `${workloads.length} workloads`);
          for (const w of workloads) {
            const admitted = kubectl(["create", "--dry-run=server", "-o", "json", "-f", "-"], podOf(w));
            assert.deepStrictEqual(admitted.warnings, [], `${w.kind}/${w.metadata.name}`);
          }
          figures.push(
            `${stack}: ${workloads.length} pod templates admitted (${workloads.map((w) => `${w.kind}/${w.metadata.name}`).join(", ")})`,
          );
        });

        it("no generated password reaches the values Helm stores", () => {
          const secrets = kubectl(["get", "secrets", "-n", NS, "-o", "json"]).items.filter((s) => s.type === "Opaque");
          const passwords = secrets
            .flatMap((s) => Object.entries((s.data ?? {}) as Record<string, string>).filter(([k]) => /password/i.test(k)))
            .map(([, v]) => Buffer.from(v, "base64").toString("utf8"))
            .filter((p) => p.length >= 16);
          assert.ok(passwords.length >= 3, `${passwords.length} generated passwords found`);
          for (const [name, release] of Object.entries(releases)) {
            const stored = JSON.stringify(release.config) + JSON.stringify(release.manifest);
            for (const p of passwords) assert.ok(!stored.includes(p), `a generated password is in ${name}'s values or manifest`);
          }
        });

        it("the charts' pods are created on the node, none refused (readiness: their images cannot be pulled here)", async function () {
          if (!NODE) {
            console.log(`      skipped: no node runs (${process.env.APE_E2E_NODE_SKIP ?? "stage 3 off"}), so no controller creates pods`);
            this.skip();
          }
          const workloads = Object.values(live).flatMap((objects) => objects.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind)));
          const podsOf = (w: Obj, pods: Obj[]) => pods.filter((p) => p.metadata.name.startsWith(`${w.metadata.name}-`));
          // Each chart pod's state: Running, or why not (unschedulable, image pull, ...). A pod just
          // created may not say yet: the scheduler and the kubelet get up to two minutes to.
          const why = (p: Obj): string => {
            const unscheduled = (p.status.conditions ?? []).find((c: Obj) => c.type === "PodScheduled" && c.status !== "True");
            const waits = [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]
              .map((c: Obj) => c.state?.waiting?.reason)
              .filter(Boolean);
            return unscheduled?.message || [...new Set(waits)].join("/") || p.status.phase;
          };
          let pods: Obj[] = [];
          for (const until = Date.now() + 120_000; ; await new Promise((r) => setTimeout(r, 3000))) {
            pods = kubectl(["get", "pods", "-n", NS, "-o", "json"]).items.filter((p) => workloads.some((w) => podsOf(w, [p]).length));
            const settled = workloads.every((w) => podsOf(w, pods).length > 0) && !pods.some((p) => why(p) === "Pending");
            if (settled || Date.now() > until) break;
          }
          const without = workloads.filter((w) => podsOf(w, pods).length === 0).map((w) => `${w.kind}/${w.metadata.name}`);
          assert.deepStrictEqual(without, [], "workloads whose controller created no pod");
          const refused = kubectl(["get", "events", "-n", NS, "--field-selector", "reason=FailedCreate", "-o", "json"]).items;
          assert.deepStrictEqual(
            refused.map((e) => `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`),
            [],
          );
          const waiting = pods.map((p) => ({ name: p.metadata.name, why: why(p) })).filter((p) => p.why !== "Running");
          figures.push(
            `${stack}: ${pods.length} chart pods created; not running: ${waiting.map((p) => `${p.name} (${p.why})`).join(", ")}`,
          );
          if (waiting.length > 0) {
            console.log(
              `      readiness skipped: ${waiting.length} chart pods not running, each reason in the figures (no image can be pulled here)`,
            );
            this.skip();
          }
        });

        it("a second preview finds nothing to change", () => {
          ok(pulumi(stack, "preview", "--expect-no-changes"), `pulumi preview --expect-no-changes (${stack})`);
        });

        it("destroy removes the releases, their objects and the namespace", () => {
          if (stack === "production") ok(pulumi(stack, "state", "unprotect", "--all", "--yes"), "state unprotect --all");
          ok(pulumi(stack, "destroy", "--yes", "--skip-preview"), `pulumi destroy (${stack})`);
          assert.deepStrictEqual(kubectl(["get", "namespaces", "-o", "json"]).items.filter((n) => n.metadata.name === NS).length, 0);
          ok(pulumi(stack, "stack", "rm", "--yes"), "stack rm");
        });
      });
    }
  },
);
