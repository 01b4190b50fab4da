// Drift inside a chart release (scripts/release-drift.ts) against the e2e control plane: the
// pinned Grafana chart installed from the chart cache with the program's values by the Helm CLI of
// the provider's version shows no drift; a `kubectl edit` of its Deployment's image is reported with
// the field, the recorded and live values and the kubectl command that wrote it, as is a deleted
// object; `helm rollback` to the current revision (the Helm-level repair of docs/operations.md)
// makes the release clean again. Skipped with a reason when the chart cache or helm3 is missing.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runProgram } from "../harness/program";
import { T } from "../harness/types";
import { cachedChart } from "../helpers/charts";
import { findTool } from "../helpers/tools";
import { kubectl } from "./kubectl";

const ROOT = path.resolve(__dirname, "..", "..");
const NS = "ape-drift-e2e";
const helm = findTool("helm3");
const chart = cachedChart("grafana");
const skipReason = !process.env.KUBECONFIG
  ? "no control plane (run it through testbed/e2e.sh)"
  : !helm
    ? "helm3 missing (testbed/tools/install.sh helm3)"
    : !fs.existsSync(path.join(chart, "Chart.yaml"))
      ? `${chart} missing (docs/operations.md "Air-gapped charts")`
      : undefined;

function drift(): { status: number | null; out: string } {
  const run = spawnSync(
    process.execPath,
    ["-r", "./testbed/harness/register.js", "scripts/release-drift.ts", "--namespace", NS, "--release", "grafana"],
    { cwd: ROOT, encoding: "utf8" },
  );
  return { status: run.status, out: run.stdout + run.stderr };
}

function helmIn(...args: string[]): void {
  const run = spawnSync(helm!, [...args, "-n", NS], { encoding: "utf8" });
  assert.strictEqual(run.status, 0, run.stderr);
}

(skipReason ? describe.skip : describe)(
  `e2e release drift: hand edits inside a chart release${skipReason ? ` (${skipReason})` : ""}`,
  function () {
    this.timeout(120_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-drift-"));

    before(async () => {
      kubectl(["create", "namespace", NS]);
      const values = (await runProgram("dev")).get(T.Release, "grafana").inputs.values;
      fs.writeFileSync(path.join(dir, "values.json"), JSON.stringify(values));
      helmIn("install", "grafana", chart, "-f", path.join(dir, "values.json"));
    });
    after(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=false"]);
    });

    it("a fresh install has no drift", () => {
      const run = drift();
      assert.strictEqual(run.status, 0, run.out);
      assert.match(run.out, /grafana \(grafana-12\.11\.1, revision 1\): no drift/);
    });

    it("a kubectl edit of the image and a deleted Service are reported by object and field", () => {
      const editor = `sed -i -e 's|image: docker.io/grafana/grafana:\\([0-9.]*\\)$|image: docker.io/grafana/grafana:0.0.1-hand|'`;
      const edit = spawnSync("kubectl", ["edit", "-n", NS, "deployment/grafana"], {
        encoding: "utf8",
        env: { ...process.env, KUBE_EDITOR: editor },
      });
      assert.strictEqual(edit.status, 0, edit.stderr);
      kubectl(["delete", "-n", NS, "service/grafana"]);
      const run = drift();
      assert.strictEqual(run.status, 1, run.out);
      assert.match(run.out, /~ Deployment ape-drift-e2e\/grafana/);
      assert.match(
        run.out,
        /spec\.template\.spec\.containers\[name=grafana\]\.image: "docker\.io\/grafana\/grafana:[0-9.]+" recorded, "docker\.io\/grafana\/grafana:0\.0\.1-hand" live/,
      );
      assert.match(run.out, /written by kubectl-edit at \S+: spec\.template\.spec\.containers\[name=grafana\]\.image/);
      assert.match(run.out, /- Service ape-drift-e2e\/grafana: deleted/);
    });

    it("helm rollback to the current revision repairs the release", () => {
      helmIn("rollback", "grafana", "1");
      const run = drift();
      assert.strictEqual(run.status, 0, run.out);
      assert.match(run.out, /revision 2\): no drift/);
    });
  },
);
