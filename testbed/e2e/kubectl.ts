// A thin kubectl wrapper for the e2e tests: JSON in, JSON out, warnings kept.
import { spawnSync } from "child_process";
import { Manifest } from "./manifests";

export interface KubectlResult {
  readonly items: any[];
  /** "Warning: ..." lines the API server returned (e.g. Pod Security). */
  readonly warnings: string[];
}

export function kubectl(args: string[], input?: unknown): KubectlResult {
  const res = spawnSync("kubectl", args, {
    input: input === undefined ? undefined : JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed:\n${res.stderr.trim()}`);
  const warnings = res.stderr.split("\n").filter((l) => l.startsWith("Warning:"));
  const json = args.includes("json");
  const out = json && res.stdout.trim() ? JSON.parse(res.stdout) : {};
  return { items: out.kind === "List" || Array.isArray(out.items) ? out.items : [out], warnings };
}

const list = (manifests: Manifest[]) => ({ apiVersion: "v1", kind: "List", items: manifests });

/** Server-side apply; `dryRun` asks the API server to validate and admit without persisting. */
export function apply(manifests: Manifest[], dryRun = false): KubectlResult {
  if (manifests.length === 0) return { items: [], warnings: [] };
  const args = ["apply", "--server-side", "--field-manager=ape-e2e", "-o", "json", "-f", "-"];
  if (dryRun) args.push("--dry-run=server");
  return kubectl(args, list(manifests));
}

export function remove(manifests: Manifest[]): void {
  if (manifests.length === 0) return;
  kubectl(["delete", "--ignore-not-found", "--wait=true", "--timeout=120s", "-f", "-"], list(manifests));
}
