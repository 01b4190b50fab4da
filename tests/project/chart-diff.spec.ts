// The chart-diff command as the pull-request check runs it (npm run chart-diff -- --rules), over
// the four cached charts of both stacks rendered with the program's values: every rule passes, and
// the accepted findings are exactly the CPU limits the production stack leaves off its data
// services. Run in the background lane while the other specs evaluate the program; skipped with a
// reason when the chart cache, helm3 or psa-judge is missing.
//
// And a chart bump as a pull request makes it, without any network (testbed/helpers/chart-bump.ts:
// a copy of the cached Grafana chart as a new version whose main container has lost its
// securityContext and which renders one more object, and a copy of this checkout in which one
// commit moves the dev stack's Grafana to that version). chart-diff --base <the commit before> names the release and the version change,
// exactly the changed field and the added object, and counts the objects whose only change is the
// chart version label apart.
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ObjectChange } from "../../scripts/charts/diff";
import { Finding, ReleaseDiff } from "../../scripts/charts/report";
import { BUMP_FROM, BUMP_TO, chartBumpPullRequest } from "../../testbed/helpers/chart-bump";
import { CACHED_CHARTS, cachedChart } from "../../testbed/helpers/charts";
import { findTool, inBackground, startEarly } from "../../testbed/helpers/tools";

const ROOT = path.resolve(__dirname, "..", "..");

describe("rules on the cached charts rendered with the program's values (chart-diff --rules)", function () {
  this.timeout(120_000);
  const missing = [
    ...CACHED_CHARTS.map((c) => cachedChart(c)).filter((d) => !fs.existsSync(path.join(d, "Chart.yaml"))),
    ...["helm3", "psa-judge"].filter((t) => !findTool(t)),
  ];
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "ape-rules-"));
  after(() => fs.rmSync(out, { recursive: true, force: true }));
  // Both stacks from the chart cache; Neo4j's pinned chart is not in it.
  const run = startEarly(async () =>
    missing.length
      ? undefined
      : inBackground(
          process.execPath,
          [
            "-r",
            "./testbed/harness/register.js",
            "scripts/chart-diff.ts",
            "--rules",
            "--offline",
            "--set",
            "neo4j.enabled=false",
            "--out",
            out,
          ],
          ROOT,
        ),
  );

  it("dev and production pass; the accepted findings are the CPU limits of the production data services", async function () {
    const result = await run;
    if (!result) {
      console.log(`      skipped: missing ${missing.join(", ")} (testbed/tools/install.sh; chart cache: docs/operations.md)`);
      this.skip();
    }
    assert.equal(result!.status, 0, result!.output);
    assert.equal(fs.readFileSync(path.join(out, "violations.txt"), "utf8"), "");
    const report = JSON.parse(fs.readFileSync(path.join(out, "chart-diff.json"), "utf8"));
    assert.match(report.judged, /^8 releases of dev and production, \d+ pod templates$/);
    assert.deepStrictEqual(
      report.accepted.map((a: { finding: Finding }) => `${a.finding.stack} ${a.finding.object} ${a.finding.message}`).sort(),
      [
        "production CronJob ape-2026/postgresql-pgdumpall containers[0] (postgresql-pgdumpall): set resources limits.cpu",
        "production StatefulSet ape-2026/postgresql containers[0] (postgresql): set resources limits.cpu",
        "production StatefulSet ape-2026/postgresql initContainers[0] (copy-certs): set resources limits.cpu",
        "production StatefulSet ape-2026/redis-node containers[0] (redis): set resources limits.cpu",
        "production StatefulSet ape-2026/redis-node containers[1] (sentinel): set resources limits.cpu",
      ],
    );
    assert.match(fs.readFileSync(path.join(out, "comment.md"), "utf8"), /\*\*Rules on the rendered objects: passed\*\*/);
  });
});

describe("a chart bump in a pull request (chart-diff --base, a synthetic Grafana version)", function () {
  this.timeout(120_000);
  const missing = [
    ...[cachedChart("grafana", BUMP_FROM)].filter((d) => !fs.existsSync(path.join(d, "Chart.yaml"))),
    ...(findTool("helm3") ? [] : ["helm3"]),
  ];
  // A fixed path per checkout, so that the compile cache serves the copy's files warm; cleared
  // first (chartBumpPullRequest) in case a run was interrupted.
  const work = path.join(os.tmpdir(), `ape-chart-bump-${crypto.createHash("sha256").update(ROOT).digest("hex").slice(0, 8)}`);
  const out = path.join(work, "out");
  after(() => fs.rmSync(work, { recursive: true, force: true }));
  const run = startEarly(async () => {
    if (missing.length) return undefined;
    const { repo, cache } = chartBumpPullRequest(work);
    return inBackground(
      process.execPath,
      ["-r", "./testbed/harness/register.js", "scripts/chart-diff.ts", "--base", "HEAD~1", "--offline", "--stack", "dev", "--out", out],
      repo,
      { ...process.env, APE_CHART_CACHE: cache },
    );
  });

  it("names the Grafana release and its version change, the dropped securityContext and the added object; version labels apart", async function () {
    const result = await run;
    if (!result) {
      console.log(`      skipped: missing ${missing.join(", ")} (testbed/tools/install.sh; chart cache: docs/operations.md)`);
      this.skip();
    }
    assert.equal(result!.status, 0, result!.output);
    const report = JSON.parse(fs.readFileSync(path.join(out, "chart-diff.json"), "utf8")) as { diffs: ReleaseDiff[] };
    assert.deepStrictEqual(
      report.diffs.map((d) => [d.stack, d.release, d.chart, d.valuesChanged, d.notRendered]),
      [["dev", "grafana", `grafana ${BUMP_FROM} → grafana ${BUMP_TO}`, [], undefined]],
    );
    const objects = report.diffs[0].objects;
    const label = (at: string) => `changed ${at}labels["helm.sh/chart"] "grafana-${BUMP_FROM}" "grafana-${BUMP_TO}"`;
    const fields = (o: ObjectChange) => o.fields.map((f) => [f.op, f.path, f.before, f.after].filter((x) => x !== undefined).join(" "));
    // What a reviewer must see: the object the chart adds, and the field it drops from the Deployment.
    assert.deepStrictEqual(
      objects.filter((o) => !o.labelsOnly).map((o) => [o.op, o.id, fields(o)]),
      [
        ["added", "ConfigMap ape-2026/grafana-bump-test", []],
        [
          "changed",
          "Deployment ape-2026/grafana",
          [
            label("metadata."),
            label("spec.template.metadata."),
            "removed spec.template.spec.containers[name=grafana].securityContext " +
              '{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"privileged":false,' +
              '"readOnlyRootFilesystem":true,"seccompProfile":{"type":"RuntimeDefault"}}',
          ],
        ],
      ],
    );
    // Every other object of the release changes only its chart version label, and is counted apart.
    const relabelled = [
      "ConfigMap ape-2026/grafana",
      "ConfigMap ape-2026/grafana-config-dashboards",
      "PersistentVolumeClaim ape-2026/grafana",
      "RoleBinding ape-2026/grafana",
      "Service ape-2026/grafana",
      "ServiceAccount ape-2026/grafana",
    ];
    assert.deepStrictEqual(
      objects.filter((o) => o.labelsOnly).map((o) => [o.id, fields(o)]),
      relabelled.map((id) => [id, [label("metadata.")]]),
    );
    const md = fs.readFileSync(path.join(out, "chart-diff.md"), "utf8");
    assert.ok(
      md.includes(
        `| dev | grafana | grafana ${BUMP_FROM} → grafana ${BUMP_TO} | (none) | 1 added, 1 changed, 6 relabelled only (chart/app version) |`,
      ),
      md,
    );
    assert.ok(md.includes("+ ConfigMap ape-2026/grafana-bump-test\n~ Deployment ape-2026/grafana\n"), md);
    assert.ok(md.includes("    spec.template.spec.containers[name=grafana].securityContext: removed (was {"), md);
    assert.ok(md.includes(`~ version labels only: ${relabelled.join(", ")}\n`), md);
  });
});
