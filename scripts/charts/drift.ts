// Drift inside chart releases: what someone changed by hand in the objects a Helm release installed.
// `pulumi refresh` of a helm.v3.Release reads Helm's own record of the release (the release
// Secret), never the objects, so a `kubectl edit` of a chart's Deployment goes unnoticed. Here each
// release's recorded manifest is compared with the cluster, object by object:
// - missing: an object of the manifest that the cluster no longer has;
// - drifted fields: the manifest applied again (a server-side dry run, so the API server defaults
//   and normalises as it would) differs from the live object: a field Helm set was changed or removed;
// - hand-written fields: fields whose last writer, by the API server's own record (managedFields),
//   is a kubectl command (kubectl edit, patch, set, scale, label, annotate, apply), including
//   fields the chart never set.
import { spawnSync } from "child_process";
import * as zlib from "zlib";
import { diffObjects, FieldChange, Obj, objectId } from "./diff";
import { parseManifest } from "./helm";

export interface HelmRelease {
  readonly name: string;
  readonly namespace: string;
  readonly revision: number;
  /** Helm's status of the newest revision: deployed, failed, pending-upgrade, ... */
  readonly status: string;
  readonly chart: string;
  readonly manifest: Obj[];
}

export interface ObjectDrift {
  readonly release: string;
  /** "Kind namespace/name". */
  readonly id: string;
  readonly missing: boolean;
  /** Fields whose live value differs from the recorded manifest: before = as recorded, after = live. */
  readonly fields: readonly FieldChange[];
  /** Fields last written by a kubectl command: manager, time and field paths. */
  readonly handWritten: readonly { manager: string; time?: string; fields: string[] }[];
}

export type Kubectl = (args: string[], input?: unknown) => { status: number; stdout: string; stderr: string };

/** kubectl from PATH (or `bin`), JSON on stdin. */
export function kubectlCli(bin = "kubectl"): Kubectl {
  return (args, input) => {
    const run = spawnSync(bin, args, {
      input: input === undefined ? undefined : JSON.stringify(input),
      encoding: "utf8",
      maxBuffer: 256 * 2 ** 20,
    });
    if (run.error) throw run.error;
    return { status: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
  };
}

function json(kubectl: Kubectl, args: string[], input?: unknown): Obj {
  const run = kubectl(args, input);
  if (run.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${run.stderr.trim()}`);
  return run.stdout.trim() ? JSON.parse(run.stdout) : {};
}

/** Helm's release record from its Secret: data.release is base64 of gzipped JSON (base64 again in the Secret). */
export function decodeRelease(secret: Obj): HelmRelease {
  const packed = Buffer.from(String(secret.data?.release ?? ""), "base64").toString("utf8");
  const release = JSON.parse(zlib.gunzipSync(Buffer.from(packed, "base64")).toString("utf8"));
  const meta = release.chart?.metadata ?? {};
  return {
    name: release.name,
    namespace: release.namespace,
    revision: release.version,
    status: release.info?.status ?? "unknown",
    chart: `${meta.name ?? "?"}-${meta.version ?? "?"}`,
    manifest: parseManifest(String(release.manifest ?? "")),
  };
}

/** The newest revision of every Helm release in `namespace` (or of `names` only). */
export function helmReleases(kubectl: Kubectl, namespace: string, names?: readonly string[]): HelmRelease[] {
  const secrets: Obj[] = json(kubectl, ["get", "secrets", "-n", namespace, "-l", "owner=helm", "-o", "json"]).items ?? [];
  const newest = new Map<string, Obj>();
  for (const s of secrets) {
    const name = s.metadata?.labels?.name;
    if (names && !names.includes(name)) continue;
    const known = newest.get(name);
    if (!known || Number(s.metadata.labels.version) > Number(known.metadata.labels.version)) newest.set(name, s);
  }
  return [...newest.values()].map(decodeRelease).sort((a, b) => a.name.localeCompare(b.name));
}

/** Managers whose writes are hand edits. */
const HAND_MANAGER = /^kubectl/;

/**
 * managedFields' fieldsV1 as paths in the diff's notation (f:a -> a, k:{"name":"x"} -> [name=x],
 * v:"x" -> ["x"]), one per leaf, or per list item when the manager created the whole item.
 */
export function fieldPaths(fields: Obj, at = ""): string[] {
  const out: string[] = [];
  for (const [key, sub] of Object.entries(fields ?? {})) {
    if (key === ".") continue;
    let next: string;
    if (key.startsWith("f:")) {
      const name = key.slice(2);
      next = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? (at ? `${at}.${name}` : name) : `${at}["${name}"]`;
    } else if (key.startsWith("k:")) {
      const item = JSON.parse(key.slice(2)) as Record<string, unknown>;
      next = `${at}[${Object.entries(item)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}]`;
    } else if (key.startsWith("v:")) next = `${at}[${key.slice(2)}]`;
    else if (key.startsWith("i:")) next = `${at}[${key.slice(2)}]`;
    else next = `${at}.${key}`;
    const children = sub && typeof sub === "object" ? Object.keys(sub).filter((k) => k !== ".") : [];
    // A list item the manager created ("." owned) is reported as the item, not field by field.
    const wholeItem = !key.startsWith("f:") && sub && typeof sub === "object" && "." in sub;
    if (children.length === 0 || wholeItem) out.push(next);
    else out.push(...fieldPaths(sub, next));
  }
  return out;
}

/** Fields of `live` written last by a kubectl command, per manager (status writes aside; `scale` is kept). */
function handWrites(live: Obj): { manager: string; time?: string; fields: string[] }[] {
  return (live.metadata?.managedFields ?? [])
    .filter((m: Obj) => HAND_MANAGER.test(String(m.manager ?? "")) && m.subresource !== "status")
    .map((m: Obj) => ({ manager: String(m.manager), ...(m.time ? { time: String(m.time) } : {}), fields: fieldPaths(m.fieldsV1 ?? {}) }))
    .filter((m: { fields: string[] }) => m.fields.length > 0);
}

/** What the API server maintains itself: left out of the comparison. */
export function comparable(o: Obj): Obj {
  const { status: _status, ...rest } = o;
  const { managedFields: _m, resourceVersion: _r, generation: _g, uid: _u, creationTimestamp: _c, ...metadata } = o.metadata ?? {};
  return { ...rest, metadata };
}

const list = (items: Obj[]) => ({ apiVersion: "v1", kind: "List", items });

/** Drift of one release: each object of its manifest against the cluster. */
export function releaseDrift(kubectl: Kubectl, release: HelmRelease): ObjectDrift[] {
  const ns = release.namespace;
  if (release.manifest.length === 0) return [];
  const live: Obj[] =
    json(kubectl, ["get", "-n", ns, "--ignore-not-found", "--show-managed-fields", "-o", "json", "-f", "-"], list(release.manifest))
      .items ?? [];
  const liveById = new Map(live.map((o) => [objectId(o, ns), o]));
  const present = release.manifest.filter((o) => liveById.has(objectId(o, ns)));
  const reapplied: Obj[] = present.length
    ? (json(
        kubectl,
        [
          "apply",
          "--server-side",
          "--dry-run=server",
          "--force-conflicts",
          "--field-manager=ape-release-drift",
          "-n",
          ns,
          "-o",
          "json",
          "-f",
          "-",
        ],
        list(present),
      ).items ?? [])
    : [];
  const changes = new Map(
    diffObjects(reapplied.map(comparable), [...liveById.values()].map(comparable), ns)
      .filter((c) => c.op === "changed")
      .map((c) => [c.id, c.fields]),
  );
  const out: ObjectDrift[] = [];
  for (const o of release.manifest) {
    const id = objectId(o, ns);
    const current = liveById.get(id);
    if (!current) {
      out.push({ release: release.name, id, missing: true, fields: [], handWritten: [] });
      continue;
    }
    const fields = changes.get(id) ?? [];
    const handWritten = handWrites(current);
    if (fields.length || handWritten.length) out.push({ release: release.name, id, missing: false, fields, handWritten });
  }
  return out;
}

/** The drift report as Markdown lines. */
export function driftLines(releases: readonly HelmRelease[], drift: readonly ObjectDrift[]): string[] {
  const lines: string[] = [];
  for (const r of releases) {
    const mine = drift.filter((d) => d.release === r.name);
    const state = r.status === "deployed" ? "" : ` — Helm status ${r.status}, not deployed`;
    lines.push(
      `${r.namespace}/${r.name} (${r.chart}, revision ${r.revision}): ${mine.length ? `${mine.length} object(s) drifted` : "no drift"}${state}`,
    );
    for (const d of mine) {
      if (d.missing) {
        lines.push(`  - ${d.id}: deleted (Helm's record has it)`);
        continue;
      }
      lines.push(`  ~ ${d.id}`);
      for (const f of d.fields) {
        const shown = f.redacted
          ? "(value not shown)"
          : f.lines
            ? "(text changed)"
            : `${f.before ?? "(unset)"} recorded, ${f.after ?? "(unset)"} live`;
        lines.push(`      ${f.path}: ${shown}`);
      }
      for (const w of d.handWritten) lines.push(`      written by ${w.manager}${w.time ? ` at ${w.time}` : ""}: ${w.fields.join(", ")}`);
    }
  }
  return lines;
}
