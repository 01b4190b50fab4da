// What verify reads: the stack's outputs and cluster settings from the Pulumi CLI, the live objects
// and container logs through kubectl (-o json), and the addresses of external hosts. Everything
// that talks to a process or the network is here; the checks themselves are pure.
import { spawnSync } from "child_process";
import * as dns from "dns";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { K8s, LogRequest, LogTail } from "./checks";
import { CLUSTER_DNS, StackOutputs } from "./connections";

/** The stack's objects verify reads in its namespace, in one kubectl call. */
const STACK_KINDS = [
  "pods",
  "deployments.apps",
  "statefulsets.apps",
  "daemonsets.apps",
  "replicasets.apps",
  "services",
  "endpointslices.discovery.k8s.io",
  "horizontalpodautoscalers.v2.autoscaling",
  "poddisruptionbudgets.policy",
  "persistentvolumeclaims",
  "networkpolicies.networking.k8s.io",
  "events",
];
/** What a connection's other end needs from a namespace outside the stack's. */
const PEER_KINDS = ["pods", "services", "networkpolicies.networking.k8s.io"];

function run(cmd: string, args: string[], options: { cwd?: string } = {}): { code: number; out: string; err: string } {
  const res = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, cwd: options.cwd });
  if (res.error) return { code: -1, out: "", err: `${cmd}: ${res.error.message}` };
  return { code: res.status ?? -1, out: res.stdout, err: res.stderr.trim() };
}

/** Where the Pulumi project is and which stack: `pulumi <args> --stack <stack> --cwd <dir>`. */
export interface StackRef {
  readonly stack: string;
  readonly cwd?: string;
}

function pulumi(ref: StackRef, args: string[]): { code: number; out: string; err: string } {
  return run("pulumi", [...args, "--stack", ref.stack, "--non-interactive", ...(ref.cwd ? ["--cwd", ref.cwd] : [])]);
}

/** `pulumi stack output --json` (secret outputs stay "[secret]"). */
export function stackOutputs(ref: StackRef): StackOutputs {
  const res = pulumi(ref, ["stack", "output", "--json"]);
  if (res.code !== 0) throw new Error(`pulumi stack output --stack ${ref.stack} failed: ${res.err || res.out}`);
  return JSON.parse(res.out);
}

/** The stack's `cluster` settings (context, kubeconfig), so verify reads the cluster the stack deploys to. */
export function stackCluster(ref: StackRef): { context?: string; kubeconfig?: string } {
  const res = pulumi(ref, ["config", "get", "cluster", "--json"]);
  if (res.code !== 0) return {}; // not set: the kubeconfig's current context, as the program's provider
  const parsed = JSON.parse(res.out);
  return parsed.objectValue ?? JSON.parse(parsed.value ?? "{}");
}

/** kubectl against one cluster: --context and --kubeconfig as given (a kubeconfig's contents go to a private temporary file). */
export class Kubectl {
  private readonly global: string[] = [];
  private tempDir?: string;

  constructor(cluster: { context?: string; kubeconfig?: string }) {
    if (cluster.context) this.global.push("--context", cluster.context);
    if (cluster.kubeconfig) {
      let file = cluster.kubeconfig;
      if (/\n/.test(file) || !fs.existsSync(file)) {
        this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-verify-"));
        file = path.join(this.tempDir, "kubeconfig");
        fs.writeFileSync(file, cluster.kubeconfig, { mode: 0o600 });
      }
      this.global.push("--kubeconfig", file);
    }
  }

  /** Removes the temporary kubeconfig, if one was written. */
  close(): void {
    if (this.tempDir) fs.rmSync(this.tempDir, { recursive: true, force: true });
  }

  /** `kubectl get <kinds> [args] -n <namespace> -o json` (args: names or -l): the items; throws kubectl's error. */
  get(kinds: string[], namespace?: string, args: string[] = []): K8s[] {
    const res = run("kubectl", [...this.global, "get", kinds.join(","), ...args, ...(namespace ? ["-n", namespace] : []), "-o", "json"]);
    if (res.code !== 0) throw new Error(`kubectl get ${kinds.join(",")}${namespace ? ` -n ${namespace}` : ""}: ${res.err}`);
    const out = JSON.parse(res.out);
    return out.items ?? [out];
  }

  /** The last `tail` lines of a container's log, or kubectl's explanation of why there is none. */
  logs(namespace: string, req: LogRequest, tail: number): LogTail {
    const args = ["logs", "-n", namespace, req.pod, "-c", req.container, `--tail=${tail}`, ...(req.previous ? ["--previous"] : [])];
    const res = run("kubectl", [...this.global, ...args]);
    const text = res.code === 0 ? res.out : res.err;
    const lines = text.split("\n").filter((l, i, all) => l !== "" || i < all.length - 1);
    return { ...req, lines: lines.length > 0 ? lines : ["(no output)"] };
  }
}

export interface Snapshot {
  /** The stack namespace's objects, then those of the namespaces its connections point into. */
  readonly objects: K8s[];
  readonly namespaceLabels: Record<string, Record<string, string>>;
  /** What could not be read outside the stack's namespace (the checks that needed it say so). */
  readonly notes: string[];
}

/** Reads the stack's namespace and, best effort, the other namespaces the connections need. */
export function snapshot(kubectl: Kubectl, namespace: string, others: string[]): Snapshot {
  const objects = kubectl.get(STACK_KINDS, namespace);
  const notes: string[] = [];
  for (const ns of others)
    try {
      objects.push(...kubectl.get(PEER_KINDS, ns));
    } catch (e) {
      notes.push(String((e as Error).message));
    }
  try {
    const dnsService = kubectl.get(["services"], CLUSTER_DNS.namespace, [CLUSTER_DNS.service])[0];
    const selector = Object.entries(dnsService.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`);
    objects.push(dnsService);
    if (selector.length > 0) {
      const res = kubectl.get(["pods"], CLUSTER_DNS.namespace, ["-l", selector.join(",")]);
      objects.push(...res, ...kubectl.get(["networkpolicies.networking.k8s.io"], CLUSTER_DNS.namespace));
    }
  } catch (e) {
    notes.push(`cluster DNS not checked: ${(e as Error).message}`);
  }
  const namespaceLabels: Record<string, Record<string, string>> = {};
  const all = [...new Set([namespace, ...others, CLUSTER_DNS.namespace])];
  for (const ns of all)
    try {
      namespaceLabels[ns] = kubectl.get(["namespaces"], undefined, [ns])[0].metadata.labels ?? {};
    } catch {
      namespaceLabels[ns] = { "kubernetes.io/metadata.name": ns }; // the label every namespace carries
    }
  return { objects, namespaceLabels, notes };
}

/** The addresses of `hosts` as this machine resolves them (none when a name does not resolve). */
export async function lookUp(hosts: string[]): Promise<Record<string, string[]>> {
  const entries = await Promise.all(
    hosts.map(async (h) => {
      try {
        return [h, (await dns.promises.lookup(h, { all: true })).map((a) => a.address)] as const;
      } catch {
        return [h, []] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
