// Building what the local cluster (or the offline Pulumi CLI) needs from the project's engine
// (testbed/engine/build.sh), with progress: which target is being built, how many are done, and an
// estimate from the seconds each target took in the last build (the engine's build report).
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { capture, duration } from "./proc";

const ROOT = path.resolve(__dirname, "..");
export const ENGINE_DIR = path.join(ROOT, "testbed", "engine");

/**
 * First-build times (seconds) measured on 2 cores (testbed/engine/README.md), used only for a target
 * the build report has no time for, e.g. on a machine that never built the engine.
 */
const FIRST_BUILD_SECONDS: Record<string, number> = {
  etcd: 90,
  "kube-apiserver": 480,
  "kube-controller-manager": 40,
  kubectl: 20,
  pulumi: 1260,
  "pulumi-language-nodejs": 120,
  "pulumi-resource-pulumi-nodejs": 1,
  node: 20,
  "pulumi-resource-kubernetes": 2040,
  "pulumi-resource-random": 240,
  "pulumi-resource-tls": 240,
  kubelet: 50,
  "kube-proxy": 15,
  "kube-scheduler": 7,
  "cni-plugins": 18,
  "kube-router": 337,
  "metrics-server": 445,
  "local-path-provisioner": 263,
  coredns: 227,
  crictl: 125,
  nettool: 2,
  "image-pause": 1,
  "image-podinfo": 140,
  "image-client": 8,
  "image-coredns": 1,
  traefik: 1521,
  "cert-manager-controller": 859,
  "edge-crds": 2,
  "image-traefik": 3,
};

/** The engine's directories (testbed/engine/env.sh): ENGINE (its fingerprint's directory) and ENGINE_BIN. */
export function engineDirs(): { engine: string; bin: string } {
  const res = capture("bash", ["-c", `source "${ENGINE_DIR}/env.sh" && printf '%s\\n%s' "$ENGINE" "$ENGINE_BIN"`]);
  if (res.code !== 0) throw new Error(`testbed/engine/env.sh: ${res.stderr.trim()}`);
  const [engine, bin] = res.stdout.split("\n");
  return { engine, bin };
}

/** Whether Go is there for the engine's build (it takes /usr/local/go first, then PATH). */
export function goInstalled(): boolean {
  return fs.existsSync("/usr/local/go/bin/go") || capture("sh", ["-c", "command -v go"]).code === 0;
}

/** The build target that makes one of the names testbed/engine/env.sh reports missing. */
export function targetOf(missing: string): string {
  if (missing.startsWith("cni/")) return "cni-plugins";
  if (missing.startsWith("edge/crds/")) return "edge-crds";
  const image = /^(?:edge\/)?images\/(.+)\.tar$/.exec(missing);
  if (image) return `image-${image[1]}`;
  if (missing.startsWith("node>=")) return "node";
  return missing;
}

/** The targets to build for the engine groups given (env.sh's names), none when all are there. */
export function missingTargets(groups: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const res = capture("bash", [path.join(ENGINE_DIR, "env.sh"), ...groups], { env });
  if (res.code === 0) return [];
  const missing = /missing: (.*?) \(run/.exec(res.stderr)?.[1];
  if (!missing) throw new Error(`testbed/engine/env.sh ${groups.join(" ")} failed: ${res.stderr.trim()}`);
  return [...new Set(missing.split(/\s+/).filter(Boolean).map(targetOf))];
}

/** Seconds each target took when it was last built: one row per target in the engine's report.d, else build-report.tsv. */
export function lastBuildSeconds(engine: string): Map<string, number> {
  const seconds = new Map<string, number>();
  const rows: string[] = [];
  const reportDir = path.join(engine, "report.d");
  if (fs.existsSync(reportDir)) {
    for (const f of fs.readdirSync(reportDir))
      if (f.endsWith(".tsv")) rows.push(...fs.readFileSync(path.join(reportDir, f), "utf8").split("\n"));
  }
  const report = path.join(engine, "build-report.tsv");
  if (fs.existsSync(report)) rows.push(...fs.readFileSync(report, "utf8").split("\n").slice(1));
  for (const row of rows) {
    const [target, , status, secs] = row.split("\t");
    if (!target || seconds.has(target) || !/^\d+$/.test(secs ?? "") || Number(secs) === 0) continue;
    if (status === "built") seconds.set(target, Number(secs));
  }
  return seconds;
}

/** Progress of one build.sh run, fed with its log lines; says where it is and what is left. */
export class BuildProgress {
  private readonly done = new Set<string>();
  private current?: { target: string; since: number };

  constructor(
    readonly targets: readonly string[],
    private readonly last: ReadonlyMap<string, number>,
  ) {}

  /** The expected seconds of one target, and where that figure comes from. */
  estimate(target: string): { seconds?: number; from: string } {
    const last = this.last.get(target);
    if (last !== undefined) return { seconds: last, from: "its last build" };
    const first = FIRST_BUILD_SECONDS[target];
    if (first !== undefined) return { seconds: first, from: "a first build on 2 cores" };
    return { from: "no earlier build" };
  }

  /** Estimated seconds left: the targets not started plus what remains of the current one. */
  remaining(now: number): number {
    let left = 0;
    for (const t of this.targets) {
      if (this.done.has(t)) continue;
      const e = this.estimate(t).seconds ?? 0;
      left += this.current?.target === t ? Math.max(e - (now - this.current.since), 0) : e;
    }
    return left;
  }

  /** A line of build.sh's output; returns what to tell the user, if anything. */
  line(text: string, now: number): string | undefined {
    const start = /\[engine\] build (\S+) /.exec(text);
    if (start) {
      this.current = { target: start[1], since: now };
      const e = this.estimate(start[1]);
      const took = e.seconds === undefined ? e.from : `${e.from}: ${duration(e.seconds)}`;
      return `[${this.done.size + 1}/${this.targets.length}] building ${start[1]} (${took}); about ${duration(this.remaining(now))} left in all`;
    }
    const ended = /\[engine\] (done|FAILED|skip)\s+(\S+)(.*)$/.exec(text);
    if (ended && this.targets.includes(ended[2])) {
      this.done.add(ended[2]);
      if (this.current?.target === ended[2]) this.current = undefined;
      if (ended[1] === "FAILED") return `FAILED ${ended[2]}${ended[3]}`;
      if (ended[1] === "skip") return undefined;
      const secs = /in (\d+)s/.exec(ended[3])?.[1];
      return `[${this.done.size}/${this.targets.length}] built ${ended[2]}${secs ? ` in ${duration(Number(secs))}` : ""}`;
    }
    return undefined;
  }

  /** The periodic line while one target builds. */
  tick(now: number): string | undefined {
    if (!this.current) return undefined;
    const { target, since } = this.current;
    const e = this.estimate(target).seconds;
    const of = e === undefined ? "" : ` of about ${duration(e)}`;
    return `    still building ${target}: ${duration(now - since)}${of}; about ${duration(this.remaining(now))} left in all`;
  }
}

/**
 * Runs `build.sh targets...` with its whole output in `logFile` and progress lines through `say`;
 * resolves with its exit code (0: every target is there).
 */
export function buildWithProgress(
  targets: readonly string[],
  engine: string,
  logFile: string,
  say: (line: string) => void,
  tickSeconds = 30,
): Promise<number> {
  const progress = new BuildProgress(targets, lastBuildSeconds(engine));
  const now = () => Date.now() / 1000;
  say(`building ${targets.length} engine target(s): ${targets.join(" ")}; about ${duration(progress.remaining(now()))} (log: ${logFile})`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile, { flags: "a" });
  return new Promise((resolve) => {
    const child = spawn(path.join(ENGINE_DIR, "build.sh"), targets, { stdio: ["ignore", "pipe", "pipe"] });
    const timer = setInterval(() => {
      const line = progress.tick(now());
      if (line) say(line);
    }, tickSeconds * 1000);
    let pending = "";
    const feed = (chunk: Buffer) => {
      log.write(chunk);
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) {
        const message = progress.line(l, now());
        if (message) say(message);
      }
    };
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
    child.on("error", (e) => {
      say(`cannot run testbed/engine/build.sh: ${e.message}`);
      clearInterval(timer);
      resolve(127);
    });
    child.on("close", (code) => {
      clearInterval(timer);
      log.end();
      resolve(code ?? 1);
    });
  });
}
