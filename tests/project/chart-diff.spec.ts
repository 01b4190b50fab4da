// The chart-diff command as the pull-request check runs it (npm run chart-diff -- --rules), over
// the four cached charts of both stacks rendered with the program's values: every rule passes, and
// the accepted findings are exactly the CPU limits the production stack leaves off its data
// services. Run in the background lane while the other specs evaluate the program; skipped with a
// reason when the chart cache, helm3 or psa-judge is missing.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Finding } from "../../scripts/charts/report";
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
        "production StatefulSet ape-2026/redis-node containers[0] (redis): set resources limits.cpu",
        "production StatefulSet ape-2026/redis-node containers[1] (sentinel): set resources limits.cpu",
      ],
    );
    assert.match(fs.readFileSync(path.join(out, "comment.md"), "utf8"), /\*\*Rules on the rendered objects: passed\*\*/);
  });
});
