// Plumbing of the node e2e (testbed/e2e/node.e2e.ts): a throw-away Pulumi project around the real
// program, kubectl exec in stand-in pods (blocking and in the background), waiting, stand-in pods
// and what the node's container runtime knows about a container.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { apply, kubectl } from "./kubectl";
import { Deployment, Pulumi, pulumiEnv, REPO } from "./pulumi";
import { background, Background, ok, Run, runSync, sleep } from "./run";

/**
 * What the node e2e specs (node.e2e.ts, verify.e2e.ts) change in the real dev stack file, and why:
 * - charts cannot be downloaded here: the data services become external endpoints and the
 *   monitoring releases are off (as in the engine e2e);
 * - the behaviours under test are on: HPA (2..6 pods), PDB (minAvailable 1), a ReadWriteMany PVC
 *   for the API's data volume on the node's shared local-path class (so the provisioner and
 *   `destroy` of a claim are exercised);
 * - the HPA's scale-down stabilization window is 30 s instead of 300 s, so scaling back down
 *   fits in the test (the policy itself, 50% per 60 s, stays).
 */
export const NODE_SETTINGS: Record<string, unknown> = {
  "postgresql.enabled": false,
  "postgresql.external.host": "db.e2e.internal",
  "postgresql.external.port": 5432,
  "postgresql.external.database": "ape_timeseries",
  "postgresql.external.username": "ape",
  "postgresql.external.existingSecret": "e2e-database",
  "postgresql.external.passwordKey": "password",
  "redis.enabled": false,
  "redis.external.host": "cache.e2e.internal",
  "redis.external.port": 6379,
  "redis.external.existingSecret": "e2e-cache",
  "redis.external.passwordKey": "redis-password",
  "prometheus.enabled": false,
  "grafana.enabled": false,
  "api.autoscaling.enabled": true,
  "api.autoscaling.minReplicas": 2,
  "api.autoscaling.maxReplicas": 6,
  "api.autoscaling.behavior.scaleDown.stabilizationWindowSeconds": 30,
  "api.podDisruptionBudget.enabled": true,
  "api.podDisruptionBudget.minAvailable": 1,
  "api.volumes.data.type": "pvc",
  "api.volumes.data.size": "64Mi",
  "api.volumes.data.accessModes[0]": "ReadWriteMany",
  "api.volumes.data.storageClass": "local-path-shared",
};

/**
 * The external data services' credentials, which their operator would have put in the namespace:
 * the API's pods read them (secretKeyRef) and do not start without them. Random values.
 */
export const nodeDataSecrets = (namespace: string) =>
  [
    [NODE_SETTINGS["postgresql.external.existingSecret"], NODE_SETTINGS["postgresql.external.passwordKey"]],
    [NODE_SETTINGS["redis.external.existingSecret"], NODE_SETTINGS["redis.external.passwordKey"]],
  ].map(([name, key]) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: String(name), namespace },
    type: "Opaque",
    stringData: { [String(key)]: crypto.randomBytes(18).toString("hex") },
  }));

/**
 * A Pulumi project in the repository's git-ignored tmp/ whose program is testbed/e2e/node.program.ts
 * (the real index.ts), with its own file backend, so nothing outside that directory is touched.
 */
export class NodeProject {
  readonly dir: string;
  private readonly pulumi: Pulumi;

  constructor(readonly stack: string) {
    this.dir = path.join(REPO, "tmp", `e2e-node-${process.pid}`);
    fs.mkdirSync(path.join(this.dir, "state"), { recursive: true });
    // Same project name and declared keys as the root Pulumi.yaml, so the stack file's settings apply.
    fs.writeFileSync(
      path.join(this.dir, "Pulumi.yaml"),
      [
        "name: ape-2026",
        "description: ape-2026 on the e2e node (testbed/e2e/node.e2e.ts)",
        "runtime:",
        "  name: nodejs",
        "  options:",
        "    typescript: true",
        "main: program.ts",
        "config:",
        "  environment:",
        "    type: string",
        '    default: ""',
        "",
      ].join("\n"),
    );
    fs.writeFileSync(path.join(this.dir, "program.ts"), 'module.exports = require("../../testbed/e2e/node.program");\n');
    fs.copyFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), path.join(this.dir, `Pulumi.${stack}.yaml`));
    this.pulumi = new Pulumi(this.dir, pulumiEnv(this.dir));
  }

  /** `pulumi <args>` in the background, in this process's group. */
  start(...args: string[]): Background {
    return this.startWith({}, ...args);
  }

  /** The same with `env` over the project's environment (e.g. the switches of node.program.ts). */
  startWith(env: NodeJS.ProcessEnv, ...args: string[]): Background {
    return this.pulumi.start(this.stack, args, env, { ownGroup: false });
  }

  init(settings: Record<string, unknown>): void {
    this.pulumi.init(this.stack, settings);
  }

  set(key: string, value: unknown): void {
    this.pulumi.set(this.stack, key, value);
  }

  setSecret(key: string, value: string): void {
    this.pulumi.setSecret(this.stack, key, value);
  }

  /** `pulumi <args>` for this stack, waiting for it. */
  run(...args: string[]): Run {
    return this.pulumi.run(this.stack, args);
  }

  /**
   * `npm run verify -- --stack <stack> --cwd <this project> <args>` in the background (so this
   * process can serve or watch meanwhile), with the project's backend; resolves when it ends.
   */
  verify(...args: string[]): Promise<Run> {
    const script = [path.join(REPO, "scripts", "verify.ts"), "--stack", this.stack, "--cwd", this.dir, ...args];
    return background(process.execPath, ["-r", path.join(REPO, "testbed", "harness", "register.js"), ...script], {
      env: pulumiEnv(this.dir),
    }).done;
  }

  /** The stack's state (`pulumi stack export`, secrets encrypted). */
  exportState(): Deployment {
    return this.pulumi.export(this.stack);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * `pulumi up` of the project, creating the external data services' Secrets (nodeDataSecrets) as
 * soon as the stack's namespace exists, as their operator would: the API's pods wait for them.
 */
export async function upWithDataSecrets(project: NodeProject, namespace: string): Promise<Run> {
  const up = project.start("up", "--yes", "--skip-preview");
  let upDone = false;
  let secrets = false;
  void up.done.then(() => (upDone = true));
  while (!upDone) {
    try {
      if (!secrets && kubectl(["get", "namespaces", "-o", "json"]).items.some((n) => n.metadata.name === namespace)) {
        apply(nodeDataSecrets(namespace) as never);
        secrets = true;
      }
    } catch {
      // not yet
    }
    await sleep(250);
  }
  return up.done;
}

/** Polls `check` every `everyMs` until it returns a value other than undefined/false, or fails after `seconds`. */
export async function until<T>(what: string, seconds: number, check: () => T | undefined | false, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  for (;;) {
    try {
      const v = check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) assert.fail(`timed out after ${seconds} s waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await sleep(everyMs);
  }
}

export interface PodInfo {
  name: string;
  ip: string;
  ready: boolean;
  deleting: boolean;
  uid: string;
  containerId: string;
  labels: Record<string, string>;
}

export function pods(namespace: string, selector: Record<string, string>): PodInfo[] {
  const sel = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return kubectl(["get", "pods", "-n", namespace, "-l", sel, "-o", "json"]).items.map((p) => ({
    name: p.metadata.name,
    ip: p.status.podIP,
    ready: (p.status.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True"),
    deleting: p.metadata.deletionTimestamp !== undefined,
    uid: p.metadata.uid,
    containerId: p.status.containerStatuses?.[0]?.containerID ?? "",
    labels: p.metadata.labels ?? {},
  }));
}

/** A stand-in pod: the client image serving `tcp`/`udp` ports with nettool, with the given labels. */
export function standIn(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ports: { tcp: number[]; udp: number[] },
  image: string,
): object {
  const args = ["serve"];
  if (ports.tcp.length) args.push("--tcp", ports.tcp.join(","));
  if (ports.udp.length) args.push("--udp", ports.udp.join(","));
  if (args.length === 1) args.push("--tcp", "7");
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      // Restricted Pod Security (the stack's namespace enforces it); ports below 1024 only need
      // the unprivileged port range opened in the pod's own network namespace.
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        seccompProfile: { type: "RuntimeDefault" },
        sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
      },
      containers: [
        {
          name: "nettool",
          image,
          imagePullPolicy: "Never",
          args,
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "5m", memory: "8Mi" }, limits: { memory: "64Mi" } },
          volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
        },
      ],
      volumes: [{ name: "tmp", emptyDir: {} }],
    },
  };
}

/** kubectl exec in the background (nettool in a stand-in pod); resolves with the output. */
export function execAsync(namespace: string, pod: string, command: string[]): Background {
  return background("kubectl", ["exec", "-n", namespace, pod, "--", ...command]);
}

export function exec(namespace: string, pod: string, command: string[]): Run {
  return runSync("kubectl", ["exec", "-n", namespace, pod, "--", ...command], { maxBuffer: 64 * 1024 * 1024, separator: "" });
}

export const jsonLines = <T>(out: string): T[] =>
  out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as T);

/**
 * `nettool load --url <url> <flags>` in a stand-in pod, in the background until `stop()` touches the
 * stop file it watches (or its --duration ends); `summary()` waits for it and returns the JSON
 * summary it prints.
 */
export function nettoolLoad(namespace: string, pod: string, stopFile: string, url: string, flags: string[]) {
  exec(namespace, pod, ["rm", "-f", stopFile]);
  const load = execAsync(namespace, pod, ["nettool", "load", "--url", url, ...flags, "--stop-file", stopFile]);
  return {
    stop: (): void => void exec(namespace, pod, ["touch", stopFile]),
    summary: async <T>(): Promise<T> => jsonLines<T>(ok(await load.done, "load").out)[0],
  };
}

/** The node's view of a running container (process id), through crictl on the node's runtime socket. */
export function containerPid(containerId: string): number {
  const socket = path.join(process.env.APE_CLUSTER_DIR ?? "", "node", "containerd.sock");
  const id = containerId.replace(/^containerd:\/\//, "");
  const res = spawnSync("crictl", ["--runtime-endpoint", `unix://${socket}`, "inspect", id], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`crictl inspect ${id}: ${res.stderr}`);
  return JSON.parse(res.stdout).info.pid;
}

/** Uid line of /proc/<pid>/status and the mount options of the container's root filesystem. */
export function processFacts(pid: number): { uids: number[]; gids: number[]; rootOptions: string[]; capEff: string } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => status.match(new RegExp(`^${name}:\\s+(.*)$`, "m"))?.[1] ?? "";
  // mountinfo: id parent major:minor root mountpoint options ... ; the container's "/" is its root filesystem.
  const root = fs
    .readFileSync(`/proc/${pid}/mountinfo`, "utf8")
    .split("\n")
    .map((l) => l.split(" "))
    .find((f) => f[4] === "/");
  return {
    uids: field("Uid").split(/\s+/).map(Number),
    gids: field("Gid").split(/\s+/).map(Number),
    rootOptions: root ? root[5].split(",") : [],
    capEff: field("CapEff"),
  };
}

export const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "ape-e2e-node-"));
