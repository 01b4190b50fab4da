// What a change does inside the chart releases, which `pulumi preview` cannot show (it compares a
// Release's inputs, never the objects the chart renders):
//
//   npm run chart-diff -- --base origin/main [--stack dev --stack production] [--rules] [--out <dir>]
//
// For every release whose chart, version or values differ between the base ref and this working
// tree, both sides are rendered with Helm at the version of the provider's Helm library, from the
// program's real values for the stack (the program evaluated under the test mocks; the base from a
// temporary `git worktree`), and the objects are compared: added, removed, changed with every
// changed field. Secret data and checksum annotations are never shown, and a generated password or
// a secure setting in any value or rendered object stops the run before anything is printed.
// With --rules, every release of the head is rendered and judged: the policy pack's object rules
// (pod specs, Services, RBAC) and the upstream Pod Security evaluator at the namespace's level.
//
// Options: --source auto|offline|online (charts from the chart cache APE_CHART_CACHE, the
// repositories, or the cache first: auto), --kube-version, --helm <path> (default: helm3 from
// testbed/tools/install.sh), --any-helm, --psa-judge <path>, --set key=value (a config override on
// both sides), --check-provider <pulumi-resource-kubernetes binary>, --artifact <text> (where the
// comment says the whole diff is).
// --out writes chart-diff.md (everything), comment.md (cut to GitHub's comment limit),
// chart-diff.json and, with --rules, violations.txt (one line per violation).
// Exit status: 0 clean, 1 rule violations, 2 the check could not be made.
import * as fs from "fs";
import * as path from "path";
import { diffObjects, Obj } from "./charts/diff";
import {
  ChartSource,
  CHART_CACHE,
  DEFAULT_KUBE_VERSION,
  embeddedHelmVersion,
  findHelm,
  HELM_VERSION,
  helmVersion,
  render,
} from "./charts/helm";
import { commentMarkdown, Finding, fullMarkdown, ReleaseDiff, Report } from "./charts/report";
import { acceptedOrNot, Judged, packFindings, podSecurityFindings } from "./charts/rules";
import { assertNoSecrets, Declared, declaredReleases, headDescription, ReleaseSpec, ROOT, worktreeOf } from "./charts/values";
import { findTool } from "./find-tool";
import { eachFlag } from "./args";

interface Options {
  stacks: string[];
  base?: string;
  rules: boolean;
  out?: string;
  source: ChartSource;
  kubeVersion: string;
  helm?: string;
  anyHelm: boolean;
  psaJudge?: string;
  set: Record<string, string>;
  checkProvider?: string;
  artifact: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { stacks: [], rules: false, source: "auto", kubeVersion: DEFAULT_KUBE_VERSION, anyHelm: false, set: {}, artifact: "" };
  eachFlag(argv, (flag, value) => {
    if (flag === "--stack") o.stacks.push(...value().split(","));
    else if (flag === "--base") o.base = value();
    else if (flag === "--rules") o.rules = true;
    else if (flag === "--out") o.out = value();
    else if (flag === "--source") o.source = value() as ChartSource;
    else if (flag === "--offline") o.source = "offline";
    else if (flag === "--online") o.source = "online";
    else if (flag === "--kube-version") o.kubeVersion = value();
    else if (flag === "--helm") o.helm = value();
    else if (flag === "--any-helm") o.anyHelm = true;
    else if (flag === "--psa-judge") o.psaJudge = value();
    else if (flag === "--check-provider") o.checkProvider = value();
    else if (flag === "--artifact") o.artifact = value();
    else if (flag === "--set") {
      const pair = value();
      o.set[pair.slice(0, pair.indexOf("="))] = pair.slice(pair.indexOf("=") + 1);
    } else throw new Error(`unknown option ${flag}`);
  });
  if (!["auto", "offline", "online"].includes(o.source)) throw new Error(`--source must be auto, offline or online`);
  if (!o.base && !o.rules) throw new Error("give --base <ref> (the rendered diff), --rules (the rules), or both");
  if (o.stacks.length === 0) o.stacks = ["dev", "production"];
  return o;
}

/** Wall time of each step, printed at the end (the PR check reports them). */
const timings: [string, number][] = [];
function timed<T>(step: string, work: () => T): T {
  const start = Date.now();
  try {
    return work();
  } finally {
    timings.push([step, (Date.now() - start) / 1000]);
  }
}

const chartText = (r: ReleaseSpec | undefined) => (r ? `${r.chart.split("/").pop()} ${r.version}` : "(none)");
const sameRelease = (a: ReleaseSpec, b: ReleaseSpec) =>
  JSON.stringify([a.chart, a.version, a.repo ?? "", a.namespace, a.values]) ===
  JSON.stringify([b.chart, b.version, b.repo ?? "", b.namespace, b.values]);

/** Top-level values keys whose values differ. */
function changedKeys(a: Record<string, unknown> = {}, b: Record<string, unknown> = {}): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const helm = o.anyHelm ? { bin: o.helm ?? findTool("helm3") ?? findTool("helm") ?? "helm", version: "" } : findHelm(o.helm);
  if (o.anyHelm) helm.version = helmVersion(helm.bin);
  if (o.checkProvider) {
    const embedded = embeddedHelmVersion(o.checkProvider);
    if (embedded !== HELM_VERSION)
      throw new Error(`${o.checkProvider} links Helm ${embedded ?? "(none found)"}, the renders use ${HELM_VERSION}`);
    console.error(`provider ${o.checkProvider} links Helm ${embedded}: the version rendered with`);
  }

  const head = timed("evaluate the program (head)", () => declaredReleases(ROOT, o.stacks, o.set));
  const base = o.base ? timed("worktree of the base", () => worktreeOf(o.base!)) : undefined;
  try {
    const before: Declared | undefined = base && timed("evaluate the program (base)", () => declaredReleases(base.dir, o.stacks, o.set));
    const markers = [...new Set([...head.secretMarkers, ...(before?.secretMarkers ?? [])])];
    for (const [side, declared] of [
      ["head", head],
      ["base", before],
    ] as const)
      for (const [stack, { releases }] of Object.entries(declared?.stacks ?? {}))
        for (const r of releases) assertNoSecrets(`${stack} ${r.name} (${side})`, r.values, markers, r.secretValuePaths);

    const rendered = (r: ReleaseSpec, root: string, what: string): Obj[] | { missing: string } => {
      const result = render(r, { helm: helm.bin, source: o.source, kubeVersion: o.kubeVersion, root });
      if (!("missing" in result)) assertNoSecrets(`the render of ${what}`, result, markers);
      return result;
    };

    const diffs: ReleaseDiff[] = [];
    if (before && base)
      timed("render and compare the changed releases", () => {
        for (const stack of o.stacks) {
          const a = new Map(before.stacks[stack]?.releases.map((r) => [r.name, r]));
          const b = new Map(head.stacks[stack]?.releases.map((r) => [r.name, r]));
          for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
            const [x, y] = [a.get(name), b.get(name)];
            if (x && y && sameRelease(x, y)) continue;
            const chart = chartText(x) === chartText(y) ? chartText(y) : `${chartText(x)} → ${chartText(y)}`;
            const sides = [x && rendered(x, base.dir, `${stack} ${name} (base)`), y && rendered(y, ROOT, `${stack} ${name} (head)`)];
            const missing = sides.filter((s): s is { missing: string } => !!s && "missing" in s).map((s) => s.missing);
            const objects = (s: (typeof sides)[number]) => (s && !("missing" in s) ? s : []);
            diffs.push({
              stack,
              release: name,
              chart,
              valuesChanged: changedKeys(x?.values, y?.values),
              objects: missing.length ? [] : diffObjects(objects(sides[0]), objects(sides[1]), (y ?? x)!.namespace),
              ...(missing.length ? { notRendered: missing.join("; ") } : {}),
            });
          }
        }
      });

    const judgement = o.rules ? await judge(o, head, (r, what) => rendered(r, ROOT, what)) : undefined;
    return report(o, helm.version, diffs, judgement, before, base?.commit, markers);
  } finally {
    base?.remove();
  }
}

interface Judgement {
  readonly findings: Finding[];
  readonly accepted: { finding: Finding; reason: string }[];
  readonly judged: string;
}

/**
 * Renders every release of the head and runs the rules on the objects. A release that cannot be
 * rendered cannot be judged: it is a finding, so that the check fails rather than pass blind.
 */
async function judge(
  o: Options,
  head: Declared,
  rendered: (r: ReleaseSpec, what: string) => Obj[] | { missing: string },
): Promise<Judgement> {
  const psaJudge = o.psaJudge ?? findTool("psa-judge");
  if (!psaJudge) throw new Error("psa-judge not found: run testbed/tools/install.sh psa-judge, or pass --psa-judge <path>");
  const start = Date.now();
  const all: Finding[] = [];
  let [releases, podTemplates] = [0, 0];
  for (const stack of o.stacks) {
    const { releases: specs, namespaceLabels } = head.stacks[stack];
    const level = namespaceLabels["pod-security.kubernetes.io/enforce"] ?? "restricted";
    for (const r of specs) {
      const objects = rendered(r, `${stack} ${r.name}`);
      if ("missing" in objects) {
        all.push({
          stack,
          release: r.name,
          chart: chartText(r),
          object: "(all)",
          rule: "render",
          message: `not judged: ${objects.missing}`,
        });
        continue;
      }
      const target: Judged = { stack, release: r.name, chart: chartText(r), namespace: r.namespace, objects };
      const psa = podSecurityFindings(target, psaJudge, level);
      all.push(...psa.findings, ...(await packFindings(target)));
      podTemplates += psa.podTemplates;
      releases++;
    }
  }
  timings.push(["render every release and run the rules", (Date.now() - start) / 1000]);
  const { failing, accepted } = acceptedOrNot(all);
  return { findings: failing, accepted, judged: `${releases} releases of ${o.stacks.join(" and ")}, ${podTemplates} pod templates` };
}

function report(
  o: Options,
  helmVersionUsed: string,
  diffs: ReleaseDiff[],
  judgement: Judgement | undefined,
  before: Declared | undefined,
  baseCommit: string | undefined,
  markers: readonly string[],
): number {
  const source = {
    auto: `the chart cache (${CHART_CACHE}) or the repositories`,
    offline: `the chart cache (${CHART_CACHE})`,
    online: "the repositories",
  }[o.source];
  const context =
    (before ? `Base \`${o.base}\` (${baseCommit?.slice(0, 8)}) → head ${headDescription()}. ` : `Head ${headDescription()}. `) +
    `Rendered with Helm ${helmVersionUsed}${helmVersionUsed === HELM_VERSION ? " (the kubernetes provider's Helm library)" : ` (not the provider's ${HELM_VERSION})`}, ` +
    `Kubernetes ${o.kubeVersion}, charts from ${source}; values from the program for ${o.stacks.join(" and ")}.`;
  const r: Report = { context, diffs: before ? diffs : [], ...(judgement ?? {}) };
  const full = fullMarkdown(r);
  const comment = commentMarkdown(r, o.artifact || "the chart-diff artifact of this run (chart-diff.md)");
  assertNoSecrets("the report", full, markers);
  if (o.out) {
    fs.mkdirSync(o.out, { recursive: true });
    fs.writeFileSync(path.join(o.out, "chart-diff.md"), full);
    fs.writeFileSync(path.join(o.out, "comment.md"), comment);
    fs.writeFileSync(path.join(o.out, "chart-diff.json"), JSON.stringify(r, null, 2) + "\n");
    if (judgement)
      fs.writeFileSync(
        path.join(o.out, "violations.txt"),
        judgement.findings.map((f) => `${f.stack} ${f.release} (${f.chart}) ${f.object}: [${f.rule}] ${f.message}\n`).join(""),
      );
  }
  process.stdout.write(full);
  console.error(timings.map(([step, s]) => `${step}: ${s.toFixed(1)} s`).join("\n"));
  if (diffs.some((d) => d.notRendered)) return 2;
  return judgement && judgement.findings.length > 0 ? 1 : 0;
}

main().then(
  (status) => process.exit(status),
  (e) => {
    console.error(`chart-diff: ${e instanceof Error ? e.message : e}`);
    process.exit(2);
  },
);
