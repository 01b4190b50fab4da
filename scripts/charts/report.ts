// The rendered chart diff and the rules' findings as text: Markdown for a pull-request comment (a
// summary table first, each release's detail folded in <details>, cut to fit GitHub's comment
// limit) and the same document uncut for a job artifact.
import { FieldChange, ObjectChange } from "./diff";

/** GitHub refuses issue and pull-request comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** One release of one stack whose chart, version or values differ between base and head. */
export interface ReleaseDiff {
  readonly stack: string;
  readonly release: string;
  /** "postgresql 16.7.27" or "postgresql 16.7.27 → postgresql 16.7.28"; "(none)" on the side without it. */
  readonly chart: string;
  /** Top-level values keys that differ (what the program changed), e.g. ["primary", "metrics"]. */
  readonly valuesChanged: readonly string[];
  readonly objects: readonly ObjectChange[];
  /** Why the release was not rendered (its chart could not be loaded), if so. */
  readonly notRendered?: string;
}

/** A rule violation on a rendered object. */
export interface Finding {
  readonly stack: string;
  readonly release: string;
  readonly chart: string;
  /** "StatefulSet ape-2026/postgresql". */
  readonly object: string;
  /** Which rule: a policy name of the pack, or "pod-security (restricted)". */
  readonly rule: string;
  /** What is wrong, naming the field. */
  readonly message: string;
}

export interface Report {
  /** Header line: base and head, Helm version, chart source. */
  readonly context: string;
  readonly diffs: readonly ReleaseDiff[];
  /** Findings of the rules, when they ran. */
  readonly findings?: readonly Finding[];
  /** Findings the project accepts (scripts/charts/rules.ts ACCEPTED), each with the reason. */
  readonly accepted?: readonly { readonly finding: Finding; readonly reason: string }[];
  /** What the rules judged, e.g. "2 stacks, 10 releases, 23 pod templates". */
  readonly judged?: string;
}

/** Marks the comment so that a later run updates it instead of adding another. */
const COMMENT_MARKER = "<!-- ape-2026 rendered chart diff -->";

const count = (objects: readonly ObjectChange[], op: ObjectChange["op"], labelsOnly = false) =>
  objects.filter((o) => o.op === op && o.labelsOnly === labelsOnly).length;

/** "3 changed, 1 added" style summary of one release's object changes. */
function summary(d: ReleaseDiff): string {
  if (d.notRendered) return `not rendered: ${d.notRendered}`;
  const parts = [
    [count(d.objects, "added"), "added"],
    [count(d.objects, "removed"), "removed"],
    [count(d.objects, "changed"), "changed"],
    [count(d.objects, "changed", true), "relabelled only (chart/app version)"],
  ]
    .filter(([n]) => n)
    .map(([n, what]) => `${n} ${what}`);
  return parts.length ? parts.join(", ") : "no object changes";
}

const field = (f: FieldChange): string[] => {
  if (f.redacted) return [`    ${f.path}: ${f.op} (value not shown)`];
  if (f.lines) return [`    ${f.path}: changed`, ...f.lines.map((l) => `      ${l}`)];
  if (f.op === "added") return [`    ${f.path}: added ${f.after}`];
  if (f.op === "removed") return [`    ${f.path}: removed (was ${f.before})`];
  return [`    ${f.path}: ${f.before} → ${f.after}`];
};

/** The detail lines of one release: one line per added or removed object, a block per changed one. */
function detailLines(d: ReleaseDiff): string[] {
  const lines: string[] = [];
  const labelled = d.objects.filter((o) => o.labelsOnly);
  for (const o of d.objects.filter((x) => !x.labelsOnly)) {
    if (o.op === "added") lines.push(`+ ${o.id}`);
    else if (o.op === "removed") lines.push(`- ${o.id}`);
    else lines.push(`~ ${o.id}`, ...o.fields.flatMap(field));
  }
  if (labelled.length) lines.push(`~ version labels only: ${labelled.map((o) => o.id).join(", ")}`);
  return lines;
}

const fence = (lines: string[]) => ["```diff", ...lines.map((l) => l.replace(/```/g, "ˋˋˋ")), "```"];
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function summaryTable(report: Report): string[] {
  if (report.diffs.length === 0) return ["No release's chart, version or values change: nothing to render."];
  return [
    "| stack | release | chart | values changed | objects |",
    "|---|---|---|---|---|",
    ...report.diffs.map(
      (d) => `| ${d.stack} | ${d.release} | ${cell(d.chart)} | ${cell(d.valuesChanged.join(", ") || "(none)")} | ${cell(summary(d))} |`,
    ),
  ];
}

const findingLine = (f: Finding) => `${f.stack} ${f.release} (${f.chart}) ${f.object}: [${f.rule}] ${f.message}`;

function rulesSection(report: Report): { head: string[]; body: string[]; accepted: string[] } {
  if (!report.findings) return { head: [], body: [], accepted: [] };
  const findings = report.findings;
  const accepted = report.accepted ?? [];
  const also = accepted.length ? `; ${accepted.length} accepted finding${accepted.length === 1 ? "" : "s"}, listed in the whole diff` : "";
  const head = [
    "",
    findings.length === 0
      ? `**Rules on the rendered objects: passed** (${report.judged ?? ""}${also}).`
      : `**Rules on the rendered objects: ${findings.length} violation${findings.length === 1 ? "" : "s"}** (${report.judged ?? ""}${also}).`,
  ];
  return {
    head,
    body: findings.map((f) => `- ${findingLine(f)}`),
    accepted: accepted.map((a) => `- ${findingLine(a.finding)} (accepted: ${a.reason})`),
  };
}

/** The whole report as Markdown, uncut (the artifact). */
export function fullMarkdown(report: Report): string {
  const rules = rulesSection(report);
  const lines = [
    COMMENT_MARKER,
    "## Rendered chart changes",
    "",
    report.context,
    "",
    ...summaryTable(report),
    ...rules.head,
    ...rules.body,
  ];
  if (rules.accepted.length) lines.push("", "Accepted findings:", "", ...rules.accepted);
  for (const d of report.diffs) {
    const detail = detailLines(d);
    if (detail.length) lines.push("", `### ${d.stack} / ${d.release}: ${summary(d)}`, "", ...fence(detail));
  }
  return lines.join("\n") + "\n";
}

/**
 * The report as a pull-request comment of at most `limit` characters: the summary table and the
 * rules' verdict always, then each release's detail folded in <details>, as much of each as fits;
 * what is cut is named, with where to find the whole (`artifact`).
 */
export function commentMarkdown(report: Report, artifact: string, limit = GITHUB_COMMENT_LIMIT): string {
  const rules = rulesSection(report);
  const head = [COMMENT_MARKER, "## Rendered chart changes", "", report.context, "", ...summaryTable(report), ...rules.head];
  const footer = ["", `The whole diff: ${artifact}.`];
  // Room kept for the closing lines of a cut section and the footer.
  const reserve = footer.join("\n").length + 400;
  let text = head.join("\n");
  const add = (lines: string[]) => (text += "\n" + lines.join("\n"));
  const room = () => limit - reserve - text.length;

  if (rules.body.length) {
    const kept = fit(rules.body, room() - 200);
    add(["", "<details open><summary>Violations</summary>", "", ...kept.lines, ...cutNote(kept.cut), "", "</details>"]);
  }
  const omitted: string[] = [];
  for (const d of report.diffs) {
    const detail = detailLines(d);
    if (!detail.length) continue;
    const open = [``, `<details><summary>${d.stack} / ${d.release}: ${summary(d)}</summary>`, ""];
    const close = ["", "</details>"];
    const budget = room() - open.join("\n").length - close.join("\n").length - 60;
    if (budget < 200) {
      omitted.push(`${d.stack} / ${d.release}`);
      continue;
    }
    const kept = fit(detail, budget - 20);
    add([...open, ...fence(kept.lines), ...cutNote(kept.cut), ...close]);
  }
  if (omitted.length) add(["", `Not shown here for lack of room: ${omitted.join(", ")}.`]);
  add(footer);
  return text + "\n";
}

/** As many of `lines` as fit in `budget` characters (fenced), and how many were cut. */
function fit(lines: string[], budget: number): { lines: string[]; cut: number } {
  let used = "```diff\n```".length;
  const kept: string[] = [];
  for (const line of lines) {
    used += line.length + 1;
    if (used > budget) break;
    kept.push(line);
  }
  return { lines: kept, cut: lines.length - kept.length };
}

const cutNote = (cut: number) => (cut ? ["", `… ${cut} more line${cut === 1 ? "" : "s"}: see the whole diff.`] : []);
