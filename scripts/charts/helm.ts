// Renders a chart release as `helm template` does, with the Helm version the kubernetes provider
// links (pulumi-kubernetes renders and installs every helm.v3.Release with its embedded Helm v3
// library, so a Helm CLI of that version renders what `pulumi up` installs). Charts come from the
// chart cache (docs/operations.md "Air-gapped charts") when it holds them, else from their
// repositories.
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { chartName } from "../../policy/charts";
import { Obj } from "./diff";
import { ReleaseSpec } from "./values";

/**
 * helm.sh/helm/v3 in the go.mod of pulumi-kubernetes: v3.20.2 in the v4.32.0 release and in the
 * repository after it (2026-07); the @pulumi/kubernetes 4.34.2 this project uses ships the
 * provider of the same number. `--check-provider <plugin binary>` (scripts/chart-diff.ts) reads
 * the version a provider binary was built with.
 */
export const HELM_VERSION = "v3.20.2";

/** Kubernetes version the charts are rendered for (.Capabilities.KubeVersion): the Helm release's default. */
export const DEFAULT_KUBE_VERSION = "1.35.0";

export const CHART_CACHE = process.env.APE_CHART_CACHE ?? path.join(os.homedir(), ".cache", "ape-2026-charts");
const TOOLS_BIN = path.join(process.env.APE_TOOLS_CACHE ?? path.join(os.homedir(), ".cache", "ape-2026-tools"), "bin");

/** Where charts come from: the cache only, the repositories only, or the cache first. */
export type ChartSource = "offline" | "online" | "auto";

/** A Helm CLI of HELM_VERSION: `explicit`, else helm3 in the tools cache or on PATH, else helm. */
export function findHelm(explicit?: string): { bin: string; version: string } {
  const candidates = explicit
    ? [explicit]
    : [path.join(TOOLS_BIN, "helm3"), ...onPath("helm3"), path.join(TOOLS_BIN, "helm"), ...onPath("helm")];
  const seen: string[] = [];
  for (const bin of candidates.filter((c) => fs.existsSync(c))) {
    const version = helmVersion(bin);
    if (version === HELM_VERSION) return { bin, version };
    seen.push(`${bin} is ${version}`);
  }
  throw new Error(
    `no Helm ${HELM_VERSION} (the provider's Helm library) found${seen.length ? ` (${seen.join("; ")})` : ""}: ` +
      "run testbed/tools/install.sh helm3, or pass --helm <path> (--any-helm renders with another version)",
  );
}

export function helmVersion(bin: string): string {
  try {
    return execFileSync(bin, ["version", "--template", "{{.Version}}"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

const onPath = (name: string) => (process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, name));

/**
 * The helm.sh/helm/v3 version a Go binary (the kubernetes provider plugin) was built with, from the
 * module list Go records in every binary; undefined when the binary records none.
 */
export function embeddedHelmVersion(binary: string): string | undefined {
  const text = fs.readFileSync(binary).toString("latin1");
  return /\thelm\.sh\/helm\/v3\t(v[0-9][^\t\n]*)/.exec(text)?.[1];
}

/** What `helm template` is given to load a release's chart, or why it cannot be loaded. */
function chartLocation(
  release: Pick<ReleaseSpec, "chart" | "version" | "repo">,
  source: ChartSource,
  root: string,
  cache = CHART_CACHE,
): { ref: string; args: string[] } | { missing: string } {
  const { chart, version, repo } = release;
  if (!repo && (chart.startsWith("/") || chart.startsWith("./") || chart.startsWith("../"))) {
    const local = path.resolve(root, chart);
    return fs.existsSync(local) ? { ref: local, args: [] } : { missing: `local chart ${chart} does not exist` };
  }
  const cached = path.join(cache, `${chartName(chart)}-${version}`);
  if (source !== "online" && fs.existsSync(path.join(cached, "Chart.yaml"))) return { ref: cached, args: [] };
  if (source === "offline") return { missing: `${chartName(chart)}-${version} is not in the chart cache ${cache}` };
  return { ref: chart, args: ["--version", version, ...(repo ? ["--repo", repo] : [])] };
}

export interface RenderOptions {
  readonly helm: string;
  readonly source: ChartSource;
  readonly kubeVersion: string;
  /** Where a local chart path is relative to (the checkout the release comes from). */
  readonly root: string;
}

const renders = new Map<string, Obj[]>();

/** The objects `helm template` renders for a release; renders of identical inputs are shared. */
export function render(release: ReleaseSpec, options: RenderOptions): Obj[] | { missing: string } {
  const location = chartLocation(release, options.source, options.root);
  if ("missing" in location) return location;
  const key = crypto
    .createHash("sha256")
    .update(JSON.stringify([location, release.name, release.namespace, release.values, options.kubeVersion, options.helm]))
    .digest("hex");
  const known = renders.get(key);
  if (known) return known;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-render-"));
  try {
    const values = path.join(dir, "values.json");
    fs.writeFileSync(values, JSON.stringify(release.values));
    const args = ["template", release.name, location.ref, ...location.args];
    args.push(
      "--namespace",
      release.namespace,
      "--values",
      values,
      "--kube-version",
      options.kubeVersion,
      "--skip-tests",
      "--include-crds",
    );
    let yaml: string;
    try {
      yaml = execFileSync(options.helm, args, { encoding: "utf8", maxBuffer: 256 * 2 ** 20, stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      const stderr = String((e as { stderr?: string }).stderr ?? e).trim();
      return { missing: `helm template failed: ${stderr.split("\n").slice(0, 5).join(" ")}` };
    }
    const objects = parseManifest(yaml);
    renders.set(key, objects);
    return objects;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The objects of a multi-document manifest, read as YAML 1.1 as Helm reads it (0755 is octal). */
export function parseManifest(yaml: string): Obj[] {
  return parseAllDocuments(yaml, { version: "1.1" })
    .map((d) => d.toJSON())
    .flatMap((d) => (d?.kind === "List" && Array.isArray(d.items) ? d.items : [d]))
    .filter((d): d is Obj => d !== null && typeof d === "object" && typeof d.kind === "string");
}
