// A chart bump as a pull request makes it, without any network: a copy of the cached Grafana chart
// as a new version whose main container has lost its securityContext and which renders one more
// object, and a copy of this checkout in which one commit moves the dev stack's Grafana to that
// version. The unit spec (tests/project/chart-diff.spec.ts) runs chart-diff over it; the e2e
// (testbed/e2e/chart-bump.e2e.ts) also installs both versions on the control plane.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CHART_CACHE } from "./charts";

const ROOT = path.resolve(__dirname, "..", "..");

/** The cached chart version the bump starts from, and the version it becomes. */
export const BUMP_FROM = "12.11.1";
export const BUMP_TO = "12.11.2-test";

/** The Grafana container's securityContext in the chart's pod template: the bumped chart drops it. */
const CONTAINER_SECURITY_CONTEXT =
  "    {{- with .Values.containerSecurityContext }}\n    securityContext:\n      {{- toYaml . | nindent 6 }}\n    {{- end }}\n";

/** The object the bumped chart adds. */
const ADDED_OBJECT = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "grafana.fullname" . }}-bump-test
  namespace: {{ include "grafana.namespace" . }}
data:
  note: added by the bumped chart
`;

/**
 * A chart cache holding every cached chart (symbolic links) plus Grafana BUMP_TO: a copy of
 * BUMP_FROM with its version changed, the container's securityContext dropped and one object added.
 */
function bumpedChartCache(dir: string): void {
  fs.mkdirSync(dir);
  for (const entry of fs.readdirSync(CHART_CACHE)) fs.symlinkSync(path.join(CHART_CACHE, entry), path.join(dir, entry));
  const chart = path.join(dir, `grafana-${BUMP_TO}`);
  fs.cpSync(path.join(CHART_CACHE, `grafana-${BUMP_FROM}`), chart, { recursive: true });
  const edit = (file: string, from: string | RegExp, to: string) => {
    const text = fs.readFileSync(path.join(chart, file), "utf8");
    const edited = text.replace(from, to);
    if (edited === text) throw new Error(`the cached grafana chart's ${file} no longer has ${from}`);
    fs.writeFileSync(path.join(chart, file), edited);
  };
  edit("Chart.yaml", new RegExp(`^version: ${BUMP_FROM.replace(/\./g, "\\.")}$`, "m"), `version: ${BUMP_TO}`);
  edit(path.join("templates", "_pod.tpl"), CONTAINER_SECURITY_CONTEXT, "");
  fs.writeFileSync(path.join(chart, "templates", "bump-test-configmap.yaml"), ADDED_OBJECT);
}

/**
 * A git repository at `dir` holding this working tree's files (tracked and untracked, not ignored)
 * in one commit, then a second commit that moves the dev stack's Grafana chart to BUMP_TO. The path
 * is the same for every run from this checkout, so the compile cache serves its files warm.
 */
function bumpedCheckout(dir: string): void {
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      ["-c", "user.name=chart-diff test", "-c", "user.email=chart-diff@test.invalid", "-c", "commit.gpgsign=false", ...args],
      {
        cwd: dir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f && f !== "node_modules" && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules")), path.join(dir, "node_modules"));
  git("init", "--quiet");
  git("add", "--all");
  git("commit", "--quiet", "--no-verify", "-m", "base");
  const stackFile = path.join(dir, "Pulumi.dev.yaml");
  fs.appendFileSync(stackFile, `  ape-2026:charts:\n    grafana:\n      version: ${BUMP_TO}\n`);
  git("commit", "--quiet", "--no-verify", "-am", `grafana chart ${BUMP_TO}`);
}

/**
 * The synthetic pull request under `work` (emptied first): `repo`, whose HEAD~1 is this working
 * tree and whose HEAD bumps the dev stack's Grafana, and `cache`, a chart cache that also holds
 * the bumped chart (give it to chart-diff as APE_CHART_CACHE).
 */
export function chartBumpPullRequest(work: string): { repo: string; cache: string } {
  const [repo, cache] = ["repo", "charts"].map((d) => path.join(work, d));
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work);
  bumpedChartCache(cache);
  fs.mkdirSync(repo);
  bumpedCheckout(repo);
  return { repo, cache };
}
