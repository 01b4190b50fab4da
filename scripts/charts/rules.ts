// Judges rendered chart objects: the policy pack's object rules (pod specs, Services, RBAC; the
// same rule functions CrossGuard runs on the program's own resources) and the upstream Pod
// Security evaluator (psa-judge) at the level the stack's namespace enforces. Each finding names
// the chart, the object and the field.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { objectPolicies } from "../../policy/policies";
import { checkResource } from "./policy-run";
import { Obj, objectId } from "./diff";
import { Finding } from "./report";

/**
 * Findings the project accepts on chart objects, each with its reason. The pack asks chart values
 * for memory limits only (chart-memory-limits); the production stack file gives its data services
 * (PostgreSQL, Redis and Sentinel, Neo4j) CPU requests without CPU limits on purpose, so that a
 * busy database is not throttled. Only a finding whose sole complaint is the CPU limit matches.
 */
const ACCEPTED: readonly { readonly rule: string; readonly message: RegExp; readonly reason: string }[] = [
  {
    rule: "containers-resources",
    message: /: set resources limits\.cpu$/,
    reason:
      "chart containers need memory limits; CPU limits are left to the stack file (unset for the data services, not to throttle them)",
  },
];

/** Splits findings into those that fail the check and those ACCEPTED, with the reason. */
export function acceptedOrNot(findings: readonly Finding[]): { failing: Finding[]; accepted: { finding: Finding; reason: string }[] } {
  const failing: Finding[] = [];
  const accepted: { finding: Finding; reason: string }[] = [];
  for (const finding of findings) {
    const rule = ACCEPTED.find((a) => a.rule === finding.rule && a.message.test(finding.message));
    if (rule) accepted.push({ finding, reason: rule.reason });
    else failing.push(finding);
  }
  return { failing, accepted };
}

/** The Pulumi type token of a Kubernetes object (what the pack's rules dispatch on). */
export function typeToken(o: Obj): string {
  const apiVersion = String(o.apiVersion ?? "");
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  return `kubernetes:${group}/${version}:${o.kind}`;
}

/** The chart (or subchart) that rendered an object, from its helm.sh/chart label, else `fallback`. */
const chartOf = (o: Obj, fallback: string): string => o.metadata?.labels?.["helm.sh/chart"] ?? fallback;

export interface Judged {
  readonly stack: string;
  readonly release: string;
  /** The release's chart and version, e.g. "postgresql 16.7.27". */
  readonly chart: string;
  readonly namespace: string;
  readonly objects: readonly Obj[];
}

/** Violations of the pack's object rules (the stack's name decides the production-only ones, as in the pack). */
export async function packFindings(judged: Judged): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const o of judged.objects) {
    const resource = { type: typeToken(o), name: String(o.metadata?.name ?? ""), props: o };
    for (const policy of objectPolicies)
      for (const message of await checkResource(policy, resource, { stack: judged.stack }))
        findings.push({
          stack: judged.stack,
          release: judged.release,
          chart: chartOf(o, judged.chart),
          object: objectId(o, judged.namespace),
          rule: policy.name,
          message,
        });
  }
  return findings;
}

/**
 * Pod templates refused at `level` by the upstream evaluator (psa-judge), with its reasons; none
 * when the level is privileged. Throws when psa-judge cannot run.
 */
export function podSecurityFindings(judged: Judged, psaJudge: string, level: string): { findings: Finding[]; podTemplates: number } {
  if (level === "privileged") return { findings: [], podTemplates: 0 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-psa-"));
  try {
    const file = path.join(dir, `${judged.release}.yaml`);
    fs.writeFileSync(file, judged.objects.map((o) => stringify(o)).join("---\n"));
    const run = spawnSync(psaJudge, ["-level", level, file], { encoding: "utf8" });
    if (run.status !== 0 && run.status !== 1) throw new Error(`psa-judge failed: ${run.stderr || run.error}`);
    const findings: Finding[] = [];
    let refused: Obj | undefined;
    for (const line of run.stdout.split("\n")) {
      const head = /^(OK|REFUSED)\s+(\S+)\/(\S+)$/.exec(line);
      if (head) {
        refused =
          head[1] === "REFUSED"
            ? (judged.objects.find((o) => o.kind === head[2] && o.metadata?.name === head[3]) ?? {
                kind: head[2],
                metadata: { name: head[3] },
              })
            : undefined;
        continue;
      }
      if (refused && /^\s+\S/.test(line))
        findings.push({
          stack: judged.stack,
          release: judged.release,
          chart: chartOf(refused, judged.chart),
          object: objectId(refused, judged.namespace),
          rule: `pod-security (${level})`,
          message: line.trim(),
        });
    }
    const podTemplates = Number(/(\d+) pod templates judged/.exec(run.stdout)?.[1] ?? 0);
    return { findings, podTemplates };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
