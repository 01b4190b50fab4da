// Plumbing of the fault-injection e2e (testbed/e2e/faults.e2e.ts): what the CLI's output says
// went wrong, the API server of the throw-away control plane stopped, frozen and restarted, a local
// chart server, and the evidence that nothing data-bearing was lost (UIDs and password hashes; a
// password itself is never printed). The Pulumi CLI itself runs through testbed/e2e/pulumi.ts.
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { kubectl } from "../kubectl";
import { Pulumi } from "../pulumi";
import { since, sleep } from "../run";

/** The engine's warnings about ambient plugins and unset outputs, and summary lines: the same in every run. */
const NOISE =
  /using pulumi-resource-|is expected to have version|package\.json|will not show as a stack output|^\S+:\S+ \S+ +\d+ (errors?|warnings?)/;

/** The lines of a CLI output that carry errors and warnings, for the report and for assertions. */
export function diagnostics(out: string): string[] {
  const lines = out
    .split("\n")
    .map((l) => l.replace(/\u001b\[[0-9;]*m/g, "").trim())
    .filter((l) => /error|warning|locked|unreachable|pending|refused|conflict|timed out|protected|interrupted/i.test(l))
    .filter((l) => !NOISE.test(l))
    .filter((l) => !/^pulumi:pulumi:Stack /.test(l));
  return [...new Set(lines)].slice(0, 8);
}

/**
 * The kube-apiserver that testbed/engine/cluster.sh started (pid file in APE_CLUSTER_DIR): stopped and
 * started again with the very same command line, or frozen (SIGSTOP: connections are accepted, nothing
 * answers) and thawed. The pid file is kept current so `cluster.sh stop` still finds the process.
 */
export class ApiServer {
  private readonly pidFile: string;
  private argv: string[] = [];

  constructor(readonly clusterDir: string) {
    this.pidFile = path.join(clusterDir, "kube-apiserver.pid");
  }

  static fromEnv(): ApiServer | undefined {
    const dir = process.env.APE_CLUSTER_DIR;
    return dir && fs.existsSync(path.join(dir, "kube-apiserver.pid")) ? new ApiServer(dir) : undefined;
  }

  get pid(): number {
    return Number(fs.readFileSync(this.pidFile, "utf8").trim());
  }

  async stop(): Promise<void> {
    const pid = this.pid;
    this.argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 200 && alive(pid); i++) await sleep(100);
    if (alive(pid)) process.kill(pid, "SIGKILL");
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  }

  async start(): Promise<number> {
    assert.ok(this.argv.length > 0, "the API server was not stopped by this harness");
    const log = fs.openSync(path.join(this.clusterDir, "kube-apiserver.log"), "a");
    const child = spawn(this.argv[0], this.argv.slice(1), { detached: true, stdio: ["ignore", log, log] });
    child.unref();
    fs.closeSync(log);
    fs.writeFileSync(this.pidFile, `${child.pid}\n`);
    const start = process.hrtime.bigint();
    for (;;) {
      const res = spawnSync("kubectl", ["get", "--raw", "/readyz"], { encoding: "utf8" });
      if (res.status === 0) return since(start);
      if (since(start) > 120) throw new Error(`kube-apiserver not ready after 120 s: ${res.stderr}`);
      await sleep(500);
    }
  }

  freeze(): void {
    process.kill(this.pid, "SIGSTOP");
  }

  thaw(): void {
    process.kill(this.pid, "SIGCONT");
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2].startsWith("Z");
  } catch {
    return false;
  }
}

/**
 * Charts cannot be downloaded here, so the data releases install minimal charts of our own, served
 * over HTTP from a separate process (the test process blocks while a synchronous pulumi runs). What
 * the faults need from a release is the program's side of it: the Release resource, its generated
 * credentials and their protection; what the chart would run does not matter without a kubelet.
 */
export class ChartServer {
  private child?: ChildProcess;
  port = 0;

  constructor(readonly dir: string) {}

  /** Packs a chart `name`@`version` whose only object is a ConfigMap naming the release. */
  addChart(name: string, version: string): string {
    const src = path.join(this.dir, "src", name);
    fs.mkdirSync(path.join(src, "templates"), { recursive: true });
    fs.writeFileSync(path.join(src, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\ndescription: e2e stand-in\n`);
    fs.writeFileSync(
      path.join(src, "templates", "marker.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-release-marker\ndata:\n  chart: {{ .Chart.Name }}\n",
    );
    const file = `${name}-${version}.tgz`;
    const tar = spawnSync("tar", ["-czf", path.join(this.dir, file), "-C", path.join(this.dir, "src"), name], { encoding: "utf8" });
    assert.strictEqual(tar.status, 0, tar.stderr);
    return file;
  }

  async start(): Promise<void> {
    const script =
      "const http=require('http'),fs=require('fs'),path=require('path');const dir=process.argv[1];" +
      "const s=http.createServer((q,r)=>{const f=path.join(dir,path.basename(q.url||''));" +
      "fs.readFile(f,(e,b)=>{if(e){r.writeHead(404);r.end();return}r.writeHead(200,{'content-type':'application/gzip'});r.end(b)})});" +
      "s.listen(0,'127.0.0.1',()=>console.log(s.address().port));";
    this.child = spawn(process.execPath, ["-e", script, this.dir], { stdio: ["ignore", "pipe", "inherit"] });
    this.port = await new Promise<number>((resolve, reject) => {
      this.child!.stdout!.once("data", (d) => resolve(Number(String(d).trim())));
      this.child!.once("exit", () => reject(new Error("chart server exited")));
    });
  }

  url(file: string): string {
    return `http://127.0.0.1:${this.port}/${file}`;
  }

  stop(): void {
    this.child?.kill();
  }
}

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/**
 * What must survive every fault: the UID of each PVC and of each Secret holding generated credentials
 * (a new UID means the object was deleted and created again), and a sha256 of each generated password
 * (a new hash means the password rotated, which locks the data services out of their data).
 */
export interface Evidence {
  readonly pvcs: Record<string, string>;
  readonly secrets: Record<string, string>;
  readonly passwords: Record<string, string>;
}

export function evidence(namespace: string, credentialSecrets: readonly string[]): Evidence {
  const pvcs: Record<string, string> = {};
  for (const pvc of kubectl(["get", "pvc", "-n", namespace, "-o", "json"]).items) pvcs[pvc.metadata.name] = pvc.metadata.uid;
  const secrets: Record<string, string> = {};
  const passwords: Record<string, string> = {};
  for (const name of credentialSecrets) {
    const secret = kubectl(["get", "secret", name, "-n", namespace, "-o", "json"]).items[0];
    secrets[name] = secret.metadata.uid;
    for (const [key, value] of Object.entries<string>(secret.data ?? {})) {
      if (/password/i.test(key)) passwords[`${name}/${key}`] = sha256(Buffer.from(value, "base64").toString("utf8"));
    }
  }
  return { pvcs, secrets, passwords };
}

/** One line per object for the report: name=UID or key=sha256 prefix. */
export function describeEvidence(e: Evidence): string {
  const short = (r: Record<string, string>) =>
    Object.entries(r)
      .map(([k, v]) => `${k}=${v.slice(0, 12)}`)
      .join(", ");
  return `PVC UIDs: ${short(e.pvcs)}; Secret UIDs: ${short(e.secrets)}; password sha256: ${short(e.passwords)}`;
}

/**
 * The stack's state with secrets decrypted, the manifest's time left out and empty dependency lists
 * dropped: what a comparison before and after a run must look at, since every write of the state
 * encrypts each secret again (new ciphertext for the same value) and stamps a new time. Stays in
 * this process; never printed.
 */
export function decryptedState(pulumi: Pulumi, stack: string): unknown {
  const deployment: any = pulumi.export(stack, true);
  delete deployment.manifest.time;
  // A rewrite after a refresh also drops the empty entries of propertyDependencies (a property that
  // depends on nothing); they say the same thing as no entry.
  for (const r of deployment.resources ?? []) {
    if (!r.propertyDependencies) continue;
    for (const [k, deps] of Object.entries(r.propertyDependencies)) if ((deps as unknown[]).length === 0) delete r.propertyDependencies[k];
    if (Object.keys(r.propertyDependencies).length === 0) delete r.propertyDependencies;
  }
  return deployment;
}

/** The paths at which two JSON values differ (paths only: the values may be secrets). */
export function changedPaths(a: unknown, b: unknown, at = ""): string[] {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b ? [] : [at || "/"];
  if (Array.isArray(a) !== Array.isArray(b)) return [at || "/"];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}/${k}`));
}

/**
 * The sha256 of every generated password as the state holds it (RandomPassword results), keyed by
 * resource name; the export with --show-secrets stays in this process and is never printed.
 */
export function statePasswordHashes(pulumi: Pulumi, stack: string): Record<string, string> {
  const deployment = pulumi.export(stack, true);
  const out: Record<string, string> = {};
  for (const r of deployment.resources ?? []) {
    if (r.type !== "random:index/randomPassword:RandomPassword") continue;
    const result = r.outputs?.result;
    const plain = typeof result === "string" ? result : result?.plaintext !== undefined ? JSON.parse(result.plaintext) : result?.value;
    out[r.urn.split("::").pop()!] = sha256(String(plain));
  }
  return out;
}
