// A chart bump on the control plane: what the rendered chart diff of a pull request says changes
// inside a release is what the upgrade changes in the cluster. The synthetic bump of
// testbed/helpers/chart-bump.ts (the cached Grafana chart as a new version: the main container's
// securityContext dropped, one ConfigMap added) goes through chart-diff --base HEAD~1 as the
// pull-request check runs it; then the release is installed from the cached chart with the
// program's dev values by the Helm CLI of the provider's version and upgraded to the bumped chart.
// The live objects before and after the upgrade (the fields the chart sets; what controllers add
// is left out) differ in exactly the objects and fields chart-diff named, the securityContext is
// gone from the live Deployment and the ConfigMap exists. Skipped with a reason when the chart
// cache or helm3 is missing.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffObjects, Obj, ObjectChange } from "../../scripts/charts/diff";
import { comparable } from "../../scripts/charts/drift";
import { parseManifest } from "../../scripts/charts/helm";
import { ReleaseDiff } from "../../scripts/charts/report";
import { runProgram } from "../harness/program";
import { T } from "../harness/types";
import { BUMP_FROM, BUMP_TO, chartBumpPullRequest } from "../helpers/chart-bump";
import { cachedChart } from "../helpers/charts";
import { findTool } from "../helpers/tools";
import { kubectl } from "./kubectl";

const NS = "ape-chart-bump-e2e";
const helm = findTool("helm3");
const skipReason = !process.env.KUBECONFIG
  ? "no control plane (run it through testbed/e2e.sh)"
  : !helm
    ? "helm3 missing (testbed/tools/install.sh helm3)"
    : !fs.existsSync(path.join(cachedChart("grafana", BUMP_FROM), "Chart.yaml"))
      ? `${cachedChart("grafana", BUMP_FROM)} missing (docs/operations.md "Air-gapped charts")`
      : undefined;

function helmIn(...args: string[]): string {
  const run = spawnSync(helm!, [...args, "-n", NS], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  assert.strictEqual(run.status, 0, run.stderr);
  return run.stdout;
}

const isMap = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * `live` cut down to the fields that one of the `rendered` versions of it sets (list items paired
 * by position), so that what the API server and controllers add (defaults, a bound volume, a
 * Deployment's revision) is not taken for a change of the chart.
 */
function chartFields(live: unknown, rendered: unknown[]): unknown {
  if (isMap(live)) {
    const shapes = rendered.filter(isMap);
    return Object.fromEntries(
      Object.entries(live)
        .filter(([k]) => shapes.some((s) => k in s))
        .map(([k, v]) => [
          k,
          chartFields(
            v,
            shapes.map((s) => s[k]).filter((x) => x !== undefined),
          ),
        ]),
    );
  }
  if (Array.isArray(live)) {
    const lists = rendered.filter(Array.isArray);
    return live.map((item, i) =>
      chartFields(
        item,
        lists.map((l) => l[i]).filter((x) => x !== undefined),
      ),
    );
  }
  return live;
}

/** "Kind name" without the namespace: chart-diff renders for the stack's namespace, the e2e installs into its own. */
const bare = (id: string) => id.replace(/ [^ /]+\//, " ");
const shape = (changes: readonly ObjectChange[]) =>
  changes.map((c) => [c.op, bare(c.id), c.fields.map((f) => `${f.op} ${f.path}`)]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));

(skipReason ? describe.skip : describe)(
  `e2e chart bump: the rendered diff is what the upgrade changes${skipReason ? ` (${skipReason})` : ""}`,
  function () {
    this.timeout(180_000);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ape-chart-bump-e2e-"));
    let predicted: ReleaseDiff;
    let cache: string;

    const idOf = (o: Obj) => `${o.kind}/${o.metadata.name}`;
    /** The objects `manifest` names as the cluster holds them, by "Kind/name". */
    function liveObjects(manifest: Obj[]): Map<string, Obj> {
      const items = kubectl(["get", "-n", NS, "--ignore-not-found", "-o", "json", ...new Set(manifest.map(idOf))]).items;
      return new Map(items.filter((o) => o?.kind).map((o) => [idOf(o), comparable(o)]));
    }
    /** Each object cut to the fields the chart sets in either version (`manifests`). */
    const cut = (objects: Map<string, Obj>, manifests: Obj[]) =>
      [...objects].map(
        ([id, o]) =>
          chartFields(
            o,
            manifests.filter((r) => idOf(r) === id),
          ) as Obj,
      );

    before(async () => {
      const pr = chartBumpPullRequest(path.join(work, "pr"));
      cache = pr.cache;
      const out = path.join(work, "out");
      const run = spawnSync(
        process.execPath,
        ["-r", "./testbed/harness/register.js", "scripts/chart-diff.ts", "--base", "HEAD~1", "--offline", "--stack", "dev", "--out", out],
        { cwd: pr.repo, env: { ...process.env, APE_CHART_CACHE: cache }, encoding: "utf8" },
      );
      assert.strictEqual(run.status, 0, run.stdout + run.stderr);
      const report = JSON.parse(fs.readFileSync(path.join(out, "chart-diff.json"), "utf8")) as { diffs: ReleaseDiff[] };
      assert.deepStrictEqual(
        report.diffs.map((d) => [d.release, d.chart]),
        [["grafana", `grafana ${BUMP_FROM} → grafana ${BUMP_TO}`]],
      );
      predicted = report.diffs[0];
      kubectl(["create", "namespace", NS]);
      const values = (await runProgram("dev")).get(T.Release, "grafana").inputs.values;
      fs.writeFileSync(path.join(work, "values.json"), JSON.stringify(values));
    });
    after(() => {
      fs.rmSync(work, { recursive: true, force: true });
      kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=false"]);
    });

    it("helm upgrade to the bumped chart changes exactly the objects and fields chart-diff named", () => {
      const values = path.join(work, "values.json");
      helmIn("install", "grafana", path.join(cache, `grafana-${BUMP_FROM}`), "-f", values);
      const first = parseManifest(helmIn("get", "manifest", "grafana"));
      const before = liveObjects(first);
      // Every object of the release is there before it is compared.
      assert.deepStrictEqual([...before.keys()].sort(), [...new Set(first.map(idOf))].sort());
      helmIn("upgrade", "grafana", path.join(cache, `grafana-${BUMP_TO}`), "-f", values);
      const second = parseManifest(helmIn("get", "manifest", "grafana"));
      const after = liveObjects([...first, ...second]);

      const live = diffObjects(cut(before, [...first, ...second]), cut(after, [...first, ...second]), NS);
      assert.ok(predicted.objects.length > 0, "chart-diff named no changed object");
      assert.deepStrictEqual(shape(live), shape(predicted.objects), "the cluster changed otherwise than chart-diff said");

      const deployment = after.get("Deployment/grafana")!;
      const container = deployment.spec.template.spec.containers.find((c: Obj) => c.name === "grafana");
      assert.strictEqual(container.securityContext, undefined, "the bumped chart's Deployment still has the container securityContext");
      assert.ok(before.get("Deployment/grafana")!.spec.template.spec.containers.find((c: Obj) => c.name === "grafana").securityContext);
      assert.ok(after.has("ConfigMap/grafana-bump-test") && !before.has("ConfigMap/grafana-bump-test"));
      console.log(
        `      chart-diff and the cluster agree: ${predicted.objects.length} objects (${predicted.objects.filter((o) => !o.labelsOnly).length} beyond version labels)`,
      );
    });
  },
);
