// The project's local Kubernetes cluster for `npm run deploy:dev` when there is no kube context:
// the engine's control plane and node (testbed/engine/cluster.sh: etcd, kube-apiserver, controllers,
// scheduler, kubelet with containerd, kube-proxy, kube-router, CoreDNS, metrics-server, local-path
// storage), the images of the local image build, and the edge controller (Traefik and cert-manager,
// testbed/engine/build.sh edge) when it is built.
// `up` builds what is missing first (with progress), starts what is not running and reuses what is;
// `down` stops everything and removes the cluster and the dev stack's state with it; `status` says
// what runs.
//
// Where: ${APE_LOCAL_CLUSTER:-~/.cache/ape-2026-local}: cluster/ (certificates, etcd data, the
// node's containerd, logs; APE_CLUSTER_DIR moves it), state/ (the dev stack's Pulumi state for
// this cluster) and Pulumi.dev.yaml (the dev stack file with the local settings, see
// localStackFile). API server on 127.0.0.1:16443, etcd on 12379/12380 (APE_APISERVER_PORT,
// APE_ETCD_PORT, APE_ETCD_PEER_PORT). One local cluster per machine: its node owns the bridge ape0.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { deepMerge, isPlainObject } from "../config/merge";
import { defaultsFor } from "../stack";
import { buildWithProgress, ENGINE_DIR, engineDirs, goInstalled, missingTargets } from "./engine-build";
import { capture, duration, ToolError } from "./proc";

const ROOT = path.resolve(__dirname, "..");
const CLUSTER_SH = path.join(ENGINE_DIR, "cluster.sh");
/** The node's bridge (testbed/engine/node.sh): it exists while a node runs on this machine. */
const NODE_BRIDGE = "ape0";
/** The nftables table of the node's fence (node.sh). */
const NODE_FENCE = "ape_node_fence";
/** The context name in the local cluster's kubeconfig (cluster.sh). */
const LOCAL_CONTEXT = "ape-local";

export interface LocalPaths {
  readonly root: string;
  readonly clusterDir: string;
  readonly kubeconfig: string;
  /** The dev stack's Pulumi backend for this cluster, and its generated stack file. */
  readonly stateDir: string;
  readonly stackFile: string;
  readonly apiPort: number;
  readonly etcdPort: number;
  readonly etcdPeerPort: number;
}

export function localPaths(env: NodeJS.ProcessEnv = process.env): LocalPaths {
  const root = env.APE_LOCAL_CLUSTER ?? path.join(os.homedir(), ".cache", "ape-2026-local");
  const clusterDir = env.APE_CLUSTER_DIR ?? path.join(root, "cluster");
  return {
    root,
    clusterDir,
    kubeconfig: path.join(clusterDir, "admin.kubeconfig"),
    stateDir: path.join(root, "state"),
    stackFile: path.join(root, "Pulumi.dev.yaml"),
    apiPort: Number(env.APE_APISERVER_PORT ?? 16443),
    etcdPort: Number(env.APE_ETCD_PORT ?? 12379),
    etcdPeerPort: Number(env.APE_ETCD_PEER_PORT ?? 12380),
  };
}

/** The environment of the engine's scripts for this cluster. */
function engineEnv(p: LocalPaths): NodeJS.ProcessEnv {
  return {
    ...process.env,
    APE_CLUSTER_DIR: p.clusterDir,
    APE_APISERVER_PORT: String(p.apiPort),
    APE_ETCD_PORT: String(p.etcdPort),
    APE_ETCD_PEER_PORT: String(p.etcdPeerPort),
  };
}

// ---------------------------------------------------------------- operating system packages

/** Commands the node runs or its build uses, and the Debian package of each. */
const OS_REQUIREMENTS: ReadonlyArray<{ readonly command: string; readonly pkg: string }> = [
  { command: "containerd", pkg: "containerd" },
  { command: "containerd-shim-runc-v2", pkg: "containerd" },
  { command: "ctr", pkg: "containerd" },
  { command: "runc", pkg: "runc" },
  { command: "iptables", pkg: "iptables" },
  { command: "ipset", pkg: "ipset" },
  { command: "nft", pkg: "nftables" },
  { command: "conntrack", pkg: "conntrack" },
  { command: "ip", pkg: "iproute2" },
  // The node's client image (local-path helper pods) carries the static busybox.
  { command: "busybox", pkg: "busybox-static" },
  { command: "unshare", pkg: "util-linux" },
  { command: "nsenter", pkg: "util-linux" },
  { command: "openssl", pkg: "openssl" },
  { command: "curl", pkg: "curl" },
  { command: "jq", pkg: "jq" },
];

export type PackagePlan =
  | { readonly kind: "ready" }
  | { readonly kind: "install"; readonly packages: readonly string[] }
  | { readonly kind: "stop"; readonly message: string };

/** What to do about missing OS packages: nothing, install them (root on Debian), or name them and stop. */
export function planPackages(missing: readonly string[], root: boolean, debian: boolean): PackagePlan {
  const packages = [...new Set(missing)].sort();
  if (packages.length === 0) return { kind: "ready" };
  if (root && debian) return { kind: "install", packages };
  return {
    kind: "stop",
    message:
      `The local cluster's node needs these operating system packages: ${packages.join(" ")}.\n` +
      (debian
        ? `Install them as root (sudo apt-get install ${packages.join(" ")}) and run again.`
        : `Install them with your system's package manager (Debian names: ${packages.join(" ")}) and run again.`),
  };
}

/** Whether an executable names a dynamic loader (Debian's plain busybox does; busybox-static does not). */
function dynamicallyLinked(file: string): boolean {
  return fs.readFileSync(file).includes("/ld-linux");
}

/** The Debian packages of the requirements this machine lacks. */
function missingPackages(): string[] {
  const missing: string[] = [];
  for (const { command, pkg } of OS_REQUIREMENTS) {
    const where = capture("sh", ["-c", `command -v ${command}`]);
    if (where.code !== 0) missing.push(pkg);
    else if (command === "busybox" && dynamicallyLinked(where.stdout.trim())) missing.push(pkg);
  }
  return missing;
}

const isRoot = () => process.getuid?.() === 0;
const isDebian = () => fs.existsSync("/etc/debian_version") && capture("sh", ["-c", "command -v apt-get"]).code === 0;

function ensurePackages(say: (l: string) => void): void {
  const plan = planPackages(missingPackages(), isRoot(), isDebian());
  if (plan.kind === "ready") return;
  if (plan.kind === "stop") throw new ToolError(plan.message);
  say(`installing operating system packages: ${plan.packages.join(" ")} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => capture("apt-get", ["install", "-y", "--no-install-recommends", ...plan.packages], { env });
  let res = install();
  if (res.code !== 0) {
    capture("apt-get", ["update"], { env });
    res = install();
  }
  if (res.code !== 0) {
    throw new ToolError(
      `apt-get install ${plan.packages.join(" ")} failed:\n${res.stderr.trim().split("\n").slice(-5).join("\n")}\n` +
        "Install them yourself and run again.",
    );
  }
}

// ---------------------------------------------------------------- state of the cluster

export interface LocalStatus {
  readonly controlPlane: boolean;
  readonly node: boolean;
  /** The node's bridge exists (a node runs, or was not stopped), possibly of another cluster directory. */
  readonly bridge: boolean;
}

export function localStatus(p: LocalPaths): LocalStatus {
  const env = engineEnv(p);
  return {
    controlPlane: capture(CLUSTER_SH, ["status"], { env }).code === 0,
    node: fs.existsSync(path.join(p.clusterDir, "node")) && capture(CLUSTER_SH, ["node", "status"], { env }).code === 0,
    bridge: capture("ip", ["link", "show", NODE_BRIDGE]).code === 0,
  };
}

// ---------------------------------------------------------------- the edge controller (hook)

/**
 * The edge controller (Traefik for Gateway API and Ingress, cert-manager with the CA ClusterIssuer
 * ape-2026-local-ca) is part of the local cluster when the engine knows the group `edge` (env.sh;
 * testbed/engine/build.sh edge) and it is built: `up` starts it after the node (cluster.sh node
 * edge start) and `down` stops it with the node. An engine without that group (an older checkout)
 * or a failed edge build leaves the dev stack's public entry point off on the local cluster
 * (nothing would serve it; see localStackSettings).
 */
export function edgeControllerKnown(envSh = path.join(ENGINE_DIR, "env.sh")): boolean {
  return /^\s*edge\)/m.test(fs.readFileSync(envSh, "utf8"));
}

/** Starts the edge controller unless it runs already; false (with the reason said) when it cannot. */
function startEdge(p: LocalPaths, built: boolean, say: (l: string) => void): boolean {
  if (!edgeControllerKnown()) {
    say(
      "edge controller: not part of this engine yet; the dev stack's Ingress is off on the local cluster (reach the API by port-forward)",
    );
    return false;
  }
  if (!built) {
    say("edge controller: not built (testbed/engine/build.sh edge); the dev stack's Ingress is off on the local cluster");
    return false;
  }
  // Both parts: Traefik's Deployment Available and cert-manager's process alive.
  if (capture(CLUSTER_SH, ["node", "edge", "status"], { env: engineEnv(p) }).code === 0) {
    say("edge controller: running (reused)");
    return true;
  }
  capture(CLUSTER_SH, ["node", "edge", "stop"], { env: engineEnv(p) }); // whatever part of it still runs
  const t0 = Date.now();
  const res = capture(CLUSTER_SH, ["node", "edge", "start"], { env: engineEnv(p) });
  if (res.code !== 0) throw new ToolError(`starting the edge controller failed:\n${tail(res.stderr)}`);
  say(`edge controller: started in ${duration((Date.now() - t0) / 1000)} (Traefik, cert-manager)`);
  return true;
}

// ---------------------------------------------------------------- images of the local image build

/**
 * The image tarballs of the local image build (the chart images, under the names the charts use):
 * what `testbed/images/build.sh --list` names when that build is part of this checkout, else the
 * newest build in its cache (${APE_IMAGES_CACHE:-~/.cache/ape-2026-images}/<fingerprint>/images).
 */
export function localImageTarballs(env: NodeJS.ProcessEnv = process.env): string[] {
  const script = path.join(ROOT, "testbed", "images", "build.sh");
  if (fs.existsSync(script)) {
    const res = capture(script, ["--list"], { env });
    if (res.code === 0) {
      return res.stdout
        .split("\n")
        .flatMap((l) => l.split(/\s+/))
        .filter((f) => f.endsWith(".tar") && fs.existsSync(f));
    }
  }
  const cache = env.APE_IMAGES_CACHE ?? path.join(os.homedir(), ".cache", "ape-2026-images");
  if (!fs.existsSync(cache)) return [];
  const builds = fs
    .readdirSync(cache)
    .map((d) => path.join(cache, d, "images"))
    .filter((d) => fs.existsSync(d) && fs.readdirSync(d).some((f) => f.endsWith(".tar")))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (builds.length === 0) return [];
  return fs
    .readdirSync(builds[0])
    .filter((f) => f.endsWith(".tar"))
    .map((f) => path.join(builds[0], f));
}

/** Imports the tarballs the node's containerd has not imported yet (by size and time); returns how many. */
function importImages(p: LocalPaths, say: (l: string) => void): number {
  const node = path.join(p.clusterDir, "node");
  const stampsFile = path.join(node, "imported-images.json");
  const stamps: Record<string, string> = fs.existsSync(stampsFile) ? JSON.parse(fs.readFileSync(stampsFile, "utf8")) : {};
  let imported = 0;
  for (const tar of localImageTarballs()) {
    const st = fs.statSync(tar);
    const stamp = `${st.size}:${st.mtimeMs}`;
    if (stamps[tar] === stamp) continue;
    const res = capture("ctr", ["--address", path.join(node, "containerd.sock"), "-n", "k8s.io", "images", "import", tar]);
    if (res.code !== 0) {
      say(`WARNING: importing ${path.basename(tar)} failed: ${res.stderr.trim().split("\n").pop()}`);
      continue;
    }
    stamps[tar] = stamp;
    imported++;
    say(`imported ${path.basename(tar)} into the node`);
  }
  fs.writeFileSync(stampsFile, JSON.stringify(stamps, null, 2));
  return imported;
}

// ---------------------------------------------------------------- up, down

export interface UpOptions {
  /** Build what is missing (default); false: stop and say what to build. */
  readonly build: boolean;
  readonly say: (line: string) => void;
}

export interface UpResult {
  readonly paths: LocalPaths;
  readonly edge: boolean;
  /** What was started (empty when everything was reused). */
  readonly started: readonly string[];
}

/** The engine groups the local cluster runs (testbed/engine/env.sh). */
const CLUSTER_GROUPS = ["controlplane", "kubenode"];

/** Starts the local cluster, building what is missing first, and reuses whatever already runs. */
export async function up(options: UpOptions, p: LocalPaths = localPaths()): Promise<UpResult> {
  const { say } = options;
  const env = engineEnv(p);
  const started: string[] = [];
  if (!isRoot()) {
    throw new ToolError(
      "The local cluster's node needs root (containerd, kubelet and the pod network). Run as root, " +
        "or deploy to a cluster of your own (kind, minikube, ...): with a kube context, npm run deploy:dev deploys there.",
    );
  }
  ensurePackages(say);

  const { engine, bin } = engineDirs();
  const missing = () => {
    const targets = missingTargets(CLUSTER_GROUPS);
    // node.sh runs the engine's own kubectl, whichever kubectl is on PATH.
    if (!fs.existsSync(path.join(bin, "kubectl")) && !targets.includes("kubectl")) targets.push("kubectl");
    return targets;
  };
  const targets = missing();
  // The edge controller is built with the rest when it is missing, but never keeps the cluster from starting.
  const edgeTargets = edgeControllerKnown() ? missingTargets(["edge"]) : [];
  if (targets.length > 0 && !options.build) {
    throw new ToolError(
      `The local cluster is not built: missing ${targets.join(" ")}. Build it with testbed/engine/build.sh ${targets.join(" ")}.`,
    );
  }
  const toBuild = options.build ? [...targets, ...edgeTargets] : [];
  if (toBuild.length > 0) {
    const how = `testbed/engine/build.sh ${toBuild.join(" ")}`;
    if (!goInstalled()) {
      throw new ToolError(`The local cluster is built from source with Go 1.26 (/usr/local/go), which is not installed; then: ${how}.`);
    }
    const t0 = Date.now();
    const code = await buildWithProgress(toBuild, engine, path.join(p.root, "build.log"), say);
    if (missing().length > 0) {
      throw new ToolError(`${how} failed (exit ${code}); see ${path.join(p.root, "build.log")} and ${engine}/build-report.tsv.`);
    }
    say(`built in ${duration((Date.now() - t0) / 1000)}${code === 0 ? "" : " (the edge controller failed to build: see the log)"}`);
  }
  const edgeBuilt = edgeControllerKnown() && missingTargets(["edge"]).length === 0;

  fs.mkdirSync(p.root, { recursive: true });
  const status = localStatus(p);
  if (status.controlPlane) {
    say(`control plane: running (reused), API server https://127.0.0.1:${p.apiPort}`);
  } else {
    capture(CLUSTER_SH, ["stop"], { env }); // whatever part of it still runs
    const t0 = Date.now();
    const res = capture(CLUSTER_SH, ["start"], { env });
    if (res.code !== 0) throw new ToolError(`starting the control plane failed:\n${tail(res.stderr)}`);
    say(`control plane: started in ${duration((Date.now() - t0) / 1000)} (etcd, kube-apiserver, kube-controller-manager)`);
    started.push("control plane");
  }

  if (status.node) {
    say("node: running (reused)");
  } else {
    if (fs.existsSync(path.join(p.clusterDir, "node"))) capture(CLUSTER_SH, ["node", "stop"], { env }); // a node that died: clean up first
    if (capture("ip", ["link", "show", NODE_BRIDGE]).code === 0) {
      throw new ToolError(
        `Another local node runs on this machine (bridge ${NODE_BRIDGE} exists, not of ${p.clusterDir}); ` +
          "stop it first (its cluster.sh node stop, or npm run cluster -- down with its APE_LOCAL_CLUSTER).",
      );
    }
    const t0 = Date.now();
    say("node: starting (containerd, kubelet, kube-proxy, kube-router, CoreDNS, metrics-server, local-path storage)");
    const res = capture(CLUSTER_SH, ["node", "start"], { env });
    if (res.code !== 0) throw new ToolError(`starting the node failed:\n${tail(res.stderr)}`);
    say(`node: Ready in ${duration((Date.now() - t0) / 1000)}`);
    started.push("node");
  }

  const images = importImages(p, say);
  if (images > 0) started.push(`${images} image(s)`);

  const edge = startEdge(p, edgeBuilt, say);
  return { paths: p, edge, started };
}

const mountsUnder = (dir: string): string[] =>
  fs
    .readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1])
    .filter((mount) => mount?.startsWith(dir))
    .map((mount) => `mount ${mount}`);

const tail = (text: string, lines = 15) => text.trim().split("\n").slice(-lines).join("\n");

/**
 * What of a local cluster is still on this machine: processes, mounts, the bridge, the fence. The
 * bridge and the fence are the node's whichever cluster directory it runs from: while another
 * node runs (its containerd), they are that node's and not counted.
 */
export function leftovers(p: LocalPaths): string[] {
  const left: string[] = [];
  let otherNode = false;
  for (const pid of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      if (args.includes(p.clusterDir) && Number(pid) !== process.pid) left.push(`process ${pid}: ${args.slice(0, 160)}`);
      else if (/^containerd --config \S+\/node\/containerd\.toml/.test(args)) otherNode = true;
    } catch {
      // gone meanwhile
    }
  }
  if (otherNode) return left.concat(mountsUnder(p.clusterDir));
  left.push(...mountsUnder(p.clusterDir));
  if (capture("ip", ["link", "show", NODE_BRIDGE]).code === 0) left.push(`network link ${NODE_BRIDGE}`);
  if (capture("nft", ["list", "table", "inet", NODE_FENCE]).code === 0) left.push(`nftables table inet ${NODE_FENCE}`);
  return left;
}

/**
 * Stops the local cluster (the node with everything on it, then the control plane) and removes it with the dev
 * stack's state for it; returns what could not be removed (empty: nothing is left).
 */
export function down(say: (line: string) => void, p: LocalPaths = localPaths()): string[] {
  const env = engineEnv(p);
  if (!fs.existsSync(p.clusterDir) && !fs.existsSync(p.root)) {
    say(`no local cluster in ${p.root}`);
    return leftovers(p);
  }
  if (fs.existsSync(p.clusterDir)) {
    const t0 = Date.now();
    const res = capture(CLUSTER_SH, ["stop", "--purge"], { env });
    if (res.code !== 0) say(`WARNING: cluster.sh stop: ${tail(res.stderr, 5)}`);
    say(`stopped and removed the cluster in ${duration((Date.now() - t0) / 1000)}`);
  }
  fs.rmSync(p.stateDir, { recursive: true, force: true });
  fs.rmSync(p.stackFile, { force: true });
  fs.rmSync(path.join(p.root, "build.log"), { force: true });
  if (fs.existsSync(p.root) && fs.readdirSync(p.root).length === 0) fs.rmdirSync(p.root);
  return leftovers(p);
}

// ---------------------------------------------------------------- the dev stack on the local cluster

/** The pinned charts whose directory the air-gapped chart cache has (docs/operations.md), by chart. */
export function cachedCharts(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const cache = env.APE_CHART_CACHE ?? path.join(os.homedir(), ".cache", "ape-2026-charts");
  const out: Record<string, string> = {};
  for (const [name, chart] of Object.entries(defaultsFor("development").charts)) {
    const dir = path.join(cache, `${name}-${chart.version}`);
    if (fs.existsSync(path.join(dir, "Chart.yaml"))) out[name] = dir;
  }
  return out;
}

/**
 * What the dev stack changes on the local cluster, in the project's settings: the cluster's own
 * kubeconfig; the charts from the chart cache where it has them (the cluster may have no way out;
 * a chart the dev stack file sets itself is left alone); and, while the engine has no edge
 * controller, no Ingress (nothing would give it an address, and pulumi would wait for one).
 */
export function localStackSettings(
  devConfig: Record<string, unknown>,
  project: string,
  facts: { kubeconfig: string; charts: Record<string, string>; edge: boolean },
): Record<string, unknown> {
  const section = (name: string): Record<string, unknown> => {
    const value = devConfig[`${project}:${name}`];
    return isPlainObject(value) ? value : {};
  };
  const overrides: Record<string, unknown> = {
    [`${project}:cluster`]: { kubeconfig: facts.kubeconfig, context: LOCAL_CONTEXT },
  };
  const ownCharts = section("charts");
  const charts = Object.fromEntries(
    Object.entries(facts.charts)
      .filter(([name]) => !(name in ownCharts))
      .map(([name, dir]) => [name, { chart: dir }]),
  );
  if (Object.keys(charts).length > 0) overrides[`${project}:charts`] = charts;
  if (!facts.edge) overrides[`${project}:ingress`] = { enabled: false };
  return deepMerge(devConfig, overrides);
}

/**
 * Writes the local cluster's dev stack file: the repository's Pulumi.dev.yaml with the local
 * settings (localStackSettings) over its `config`; the rest (the stack's encryption salt) is the
 * repository file's, which `pulumi stack select --create` wrote there.
 */
export function writeLocalStackFile(p: LocalPaths, project: string, facts: { charts: Record<string, string>; edge: boolean }): void {
  const dev = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) ?? {};
  const config = localStackSettings(isPlainObject(dev.config) ? dev.config : {}, project, { kubeconfig: p.kubeconfig, ...facts });
  fs.mkdirSync(path.dirname(p.stackFile), { recursive: true });
  fs.writeFileSync(
    p.stackFile,
    "# Generated by npm run deploy:dev for the local cluster: Pulumi.dev.yaml with the local settings.\n" +
      "# Rewritten on every run; change Pulumi.dev.yaml instead.\n" +
      stringify({ ...dev, config }),
  );
}
