// The verdict of verify and its two forms: the human summary (one line per object, then each
// failing object with its events and log tails) and the JSON document (--json). Pure.
import { Check, SECTIONS, Section, Status } from "./checks";

export interface Report {
  readonly stack: string;
  readonly namespace: string;
  /** No check failed (warnings pass). */
  readonly passed: boolean;
  readonly counts: Record<Status, number>;
  readonly checks: Check[];
  /** Things verify could not read, which some checks then could not cover. */
  readonly notes: string[];
  /** When the cluster was read (ISO 8601). */
  readonly checkedAt: string;
}

export function makeReport(stack: string, namespace: string, checks: Check[], notes: string[], now: Date): Report {
  const counts: Record<Status, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  return { stack, namespace, passed: counts.fail === 0, counts, checks, notes, checkedAt: now.toISOString() };
}

const MARK: Record<Status, string> = { ok: "ok  ", warn: "warn", fail: "FAIL", skip: "skip" };

/** "5 ago", "3m ago", "2h ago" from an ISO time, relative to `now`. */
function ago(iso: string | undefined, now: Date): string {
  if (!iso) return "";
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

/** The headline of a section, e.g. "Pods: 4/6 Running and Ready, 3 restarts". */
function headline(section: Section, checks: Check[]): string {
  const pass = checks.filter((c) => c.status === "ok" || c.status === "warn").length;
  const counted = checks.filter((c) => c.status !== "skip").length;
  const extra = section === "pods" ? `, ${checks.reduce((n, c) => n + Number(c.facts?.restarts ?? 0), 0)} restarts` : "";
  return `${SECTIONS[section]}: ${pass}/${counted} passing${extra}`;
}

/** The human summary; `now` dates the events. */
export function formatReport(report: Report, now: Date): string {
  const { counts } = report;
  const verdict = report.passed ? "PASSED" : "FAILED";
  const lines = [
    `verify: stack ${report.stack}, namespace ${report.namespace}: ${verdict} ` +
      `(${counts.ok} ok, ${counts.warn} warnings, ${counts.fail} failing, ${counts.skip} skipped)`,
  ];
  const width = Math.min(60, Math.max(0, ...report.checks.map((c) => c.object.length)));
  for (const section of Object.keys(SECTIONS) as Section[]) {
    const checks = report.checks.filter((c) => c.section === section);
    if (checks.length === 0) continue;
    lines.push("", headline(section, checks));
    for (const c of checks) lines.push(`  ${MARK[c.status]}  ${c.object.padEnd(width)}  ${c.summary}`);
  }
  const failing = report.checks.filter((c) => c.status === "fail");
  if (failing.length > 0) {
    lines.push("", `Failing objects (${failing.length}):`);
    for (const c of failing) {
      lines.push("", `${c.object}: ${c.summary}`);
      if (c.events && c.events.length > 0) {
        lines.push("  recent events:");
        for (const e of c.events)
          lines.push(
            `    ${ago(e.last, now).padStart(8)}  ${e.type.padEnd(7)} ${e.reason}${e.count > 1 ? ` (x${e.count})` : ""}: ${e.message}`,
          );
      } else if (c.section !== "connections" && c.section !== "entry") lines.push("  recent events: none");
      for (const log of c.logs ?? []) {
        lines.push(`  log of ${log.container}${log.previous ? " (previous run)" : ""}, last ${log.lines.length} lines:`);
        for (const l of log.lines) lines.push(`    | ${l}`);
      }
    }
  }
  if (report.notes.length > 0) lines.push("", "Not checked:", ...report.notes.map((n) => `  ${n}`));
  return lines.join("\n") + "\n";
}
