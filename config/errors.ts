// Turns schema issues into one error that lists every problem: key path, value given, what is allowed.
import { z } from "zod";
import { keysAt } from "./keys";
import { MOVED_KEYS, movedKeyMessage } from "./moved";
import { isSecretPath } from "./secrets";

export interface ConfigProblem {
  /**
   * The key as `pulumi config set --path` spells it (configPath): api.autoscaling.minReplicas,
   * ingress.hosts[0].host, ingress.annotations["nginx.ingress.kubernetes.io/limit-rpm"].
   */
  readonly path: string;
  /** What is allowed. */
  readonly message: string;
  /** The value given ("<secret>" for secret paths, undefined when the key is missing). */
  readonly value?: unknown;
}

export class ConfigValidationError extends Error {
  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid stack configuration: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}${describeValue(p)}`).join("\n") +
        "\nFix them with `pulumi config set --path '<key>' <value>` (quote the key: brackets and quotes are part of it;" +
        " every key: docs/configuration.md).",
    );
    this.name = "ConfigValidationError";
  }
}

function describeValue(problem: ConfigProblem): string {
  if (!("value" in problem)) return "";
  if (problem.value === undefined) return " (not set)";
  const text = JSON.stringify(problem.value);
  return ` (given: ${text.length > 80 ? text.slice(0, 77) + "..." : text})`;
}

/** A key `pulumi config set --path` reads without brackets: letters, digits, '_', '$' and '-'. */
const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

/**
 * A config key path as `pulumi config set --path` parses it: a list index as [0], a key with any
 * other character (a dot, a slash, a space) as ["..."] with inner double quotes written \" (the
 * only escape the parser knows), everything else dot-separated. E.g. ["ingress", "hosts", 0, "host"] -> ingress.hosts[0].host and
 * ["ingress", "annotations", "nginx.ingress.kubernetes.io/limit-rpm"] ->
 * ingress.annotations["nginx.ingress.kubernetes.io/limit-rpm"].
 */
export function configPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((key, i) => {
      if (typeof key === "number") return `[${key}]`;
      const name = String(key);
      if (PLAIN_KEY.test(name)) return i === 0 ? name : `.${name}`;
      return `["${name.replace(/"/g, '\\"')}"]`;
    })
    .join("");
}

/** The dotted form the secret and retired-key tables are written in (their keys hold no special characters). */
const dotted = (path: ReadonlyArray<PropertyKey>): string => path.map(String).join(".");

/** Problems for every zod issue; unknown keys name the allowed keys and the closest match. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const allowed = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        const at = [...issue.path, key];
        const path = configPath(at);
        const moved = MOVED_KEYS[dotted(at)];
        if (moved) {
          const input = (issue.input as Record<string, unknown> | undefined)?.[key];
          problems.push({ path, message: movedKeyMessage(path, moved), value: moved.secret ? "<secret>" : input });
          continue;
        }
        const guess = closest(key, allowed);
        const input = (issue.input as Record<string, unknown> | undefined)?.[key];
        problems.push({
          path,
          message:
            `is not a known key${guess ? ` (did you mean ${configPath([...issue.path, guess])}?)` : ""};` +
            ` allowed here: ${allowed.join(", ")}`,
          value: isSecretPath(schema, dotted(at)) ? "<secret>" : input,
        });
      }
      continue;
    }
    const path = configPath(issue.path);
    const secret = isSecretPath(schema, dotted(issue.path)) && issue.input !== undefined;
    problems.push({ path, message: issue.message, value: secret ? "<secret>" : issue.input });
  }
  return problems;
}

function closest(key: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const [a, b] = [key.toLowerCase(), c.toLowerCase()];
    const score = commonPrefix(a, b) >= Math.min(5, a.length, b.length) ? 1 : editDistance(a, b);
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return bestScore <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}
