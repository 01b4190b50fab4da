// Object-level diff of two sets of Kubernetes objects (a chart rendered twice, or Helm's recorded
// manifest against what the cluster holds): which objects were added, removed or changed, and for
// a changed object every changed field with its value before and after. Values that could carry a
// credential never leave this module: Secret data is reported as changed without its value, and so
// are checksum annotations (hashes of rendered Secrets and ConfigMaps).

export type Obj = Record<string, any>;

export interface FieldChange {
  /** Path of the field, e.g. spec.template.spec.containers[name=api].resources.limits.memory. */
  readonly path: string;
  readonly op: "added" | "removed" | "changed";
  /** The value before and after as short printable text; undefined when absent or redacted. */
  readonly before?: string;
  readonly after?: string;
  /** For a changed multi-line string: its changed lines, "-"/"+" prefixed, with a little context. */
  readonly lines?: readonly string[];
  /** The value is not shown (Secret data, checksums). */
  readonly redacted?: boolean;
}

export interface ObjectChange {
  /** "Kind namespace/name" (no namespace for cluster-scoped objects). */
  readonly id: string;
  readonly kind: string;
  readonly op: "added" | "removed" | "changed";
  /** Changed fields (op "changed" only). */
  readonly fields: readonly FieldChange[];
  /** Every change is a chart or app version label (a chart bump touches every object that way). */
  readonly labelsOnly: boolean;
}

/** Kinds without a namespace: the release's namespace is not theirs. */
const CLUSTER_SCOPED = new Set([
  "APIService",
  "ClusterRole",
  "ClusterRoleBinding",
  "CSIDriver",
  "CustomResourceDefinition",
  "IngressClass",
  "MutatingWebhookConfiguration",
  "Namespace",
  "PersistentVolume",
  "PriorityClass",
  "RuntimeClass",
  "StorageClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
]);

/**
 * The identity of an object across renders: kind, namespace and name (apiVersion may change). A
 * namespaced object without one is in `defaultNamespace` (the release's).
 */
export function objectId(o: Obj, defaultNamespace = ""): string {
  const ns = o.metadata?.namespace ?? (CLUSTER_SCOPED.has(o.kind) ? "" : defaultNamespace);
  return `${o.kind} ${ns ? `${ns}/` : ""}${o.metadata?.name ?? "(unnamed)"}`;
}

const isMap = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Labels whose change only says which chart or app version rendered the object. */
const VERSION_LABEL = /labels\["(helm\.sh\/chart|app\.kubernetes\.io\/version|chart)"\]$/;

/** Fields whose values are never shown: a Secret's data, and checksum annotations. */
function redactedPath(kind: string, path: string): boolean {
  if (kind === "Secret" && /^(data|stringData)\b/.test(path)) return true;
  return /annotations\["checksum\/[^"]*"\]$/.test(path);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const child = (at: string, key: string) => (PLAIN_KEY.test(key) ? (at ? `${at}.${key}` : key) : `${at}["${key}"]`);

/** The key that identifies the items of a list on both sides, or undefined (then items pair by index). */
function listKey(a: unknown[], b: unknown[]): string | undefined {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isMap)) return undefined;
  for (const key of ["name", "mountPath", "containerPort", "port", "key", "ip"]) {
    const unique = (list: unknown[]) => {
      const seen = list.map((item) => (item as Obj)[key]);
      return seen.every((v) => typeof v === "string" || typeof v === "number") && new Set(seen).size === seen.length;
    };
    if (unique(a) && unique(b)) return key;
  }
  return undefined;
}

const MAX_VALUE = 160;

/** A value as short printable text (JSON, cut at MAX_VALUE characters). */
function printable(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** Every difference between two values, as field changes under `at`. */
function diffValues(kind: string, before: unknown, after: unknown, at = ""): FieldChange[] {
  if (before === undefined && after === undefined) return [];
  if (isMap(before) && isMap(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => diffValues(kind, before[k], after[k], child(at, k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = listKey(before, after);
    if (key) {
      const byKey = (list: Obj[]) => new Map(list.map((item) => [String(item[key]), item]));
      const [a, b] = [byKey(before), byKey(after)];
      const keys = [...new Set([...a.keys(), ...b.keys()])];
      return keys.flatMap((k) => diffValues(kind, a.get(k), b.get(k), `${at}[${key}=${k}]`));
    }
    const n = Math.max(before.length, after.length);
    return Array.from({ length: n }, (_, i) => diffValues(kind, before[i], after[i], `${at}[${i}]`)).flat();
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const op = before === undefined ? "added" : after === undefined ? "removed" : "changed";
  if (redactedPath(kind, at)) return [{ path: at, op, redacted: true }];
  if (typeof before === "string" && typeof after === "string" && (before.includes("\n") || after.includes("\n")))
    return [{ path: at, op, lines: lineDiff(before, after) }];
  return [
    {
      path: at,
      op,
      ...(before !== undefined ? { before: printable(before) } : {}),
      ...(after !== undefined ? { after: printable(after) } : {}),
    },
  ];
}

/** Objects added, removed and changed from `before` to `after`, sorted by id. */
export function diffObjects(before: Obj[], after: Obj[], defaultNamespace = ""): ObjectChange[] {
  const index = (list: Obj[]) => new Map(list.map((o) => [objectId(o, defaultNamespace), o]));
  const [a, b] = [index(before), index(after)];
  const ids = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: ObjectChange[] = [];
  for (const id of ids) {
    const [x, y] = [a.get(id), b.get(id)];
    const kind = (x ?? y)!.kind as string;
    if (!x || !y) {
      out.push({ id, kind, op: x ? "removed" : "added", fields: [], labelsOnly: false });
      continue;
    }
    const fields = diffValues(kind, x, y);
    if (fields.length === 0) continue;
    out.push({ id, kind, op: "changed", fields, labelsOnly: fields.every((f) => VERSION_LABEL.test(f.path)) });
  }
  return out;
}

const CONTEXT = 1;
const MAX_CELLS = 4_000_000;

/**
 * The changed lines of two texts, with CONTEXT unchanged lines around each change ("  " prefix) and
 * "…" where unchanged lines are left out. Longest common subsequence; texts too long for it are
 * summarised by their line counts.
 */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  if (a.length * b.length > MAX_CELLS) return [`(${a.length} lines → ${b.length} lines; too long to compare line by line)`];
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const script: { mark: " " | "-" | "+"; text: string }[] = [];
  let [i, j] = [0, 0];
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      script.push({ mark: " ", text: a[i++] });
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) script.push({ mark: "-", text: a[i++] });
    else script.push({ mark: "+", text: b[j++] });
  }
  const keep = script.map((_, k) => script.slice(Math.max(0, k - CONTEXT), k + CONTEXT + 1).some((s) => s.mark !== " "));
  const out: string[] = [];
  script.forEach((s, k) => {
    if (keep[k]) out.push(`${s.mark} ${s.text}`);
    else if (k === 0 || keep[k - 1]) out.push("…");
  });
  return out;
}
