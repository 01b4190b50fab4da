// Commands of the real-engine tests (pulumi, kubectl exec and the processes they start), run to the
// end or in the background, each timed and reduced to its exit and output; and the waiting every
// e2e spec does.
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";

export interface Run {
  readonly code: number;
  /** The signal that ended the process (a kill), or null. */
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly seconds: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds since `start`, a process.hrtime.bigint(). */
export const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** `run` if it exited 0; otherwise fails with `what` and the last `tail` characters of its output. */
export function ok<R extends Run>(run: R, what: string, tail = 4000): R {
  assert.strictEqual(run.code, 0, `${what} failed:\n${run.out.slice(-tail)}`);
  return run;
}

interface SyncOptions {
  /** The process's environment; unset = this process's. */
  readonly env?: NodeJS.ProcessEnv;
  readonly maxBuffer: number;
  /** What stands between stdout and stderr in `out`. */
  readonly separator?: string;
}

/** `cmd args`, waiting for it; throws only if it could not be started. */
export function runSync(cmd: string, args: string[], { env, maxBuffer, separator = "\n" }: SyncOptions): Run {
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { env, encoding: "utf8", maxBuffer });
  if (res.error) throw res.error;
  return { code: res.status ?? -1, signal: res.signal, out: `${res.stdout}${separator}${res.stderr}`, seconds: since(start) };
}

interface BackgroundOptions {
  /** The process's environment; unset = this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * In a process group of its own with stdin closed, so that a kill takes what it started along
   * (see Background.kill) and a terminal's interrupt does not reach it.
   */
  readonly ownGroup?: boolean;
}

/** `cmd args` in the background; its output collects as it comes. */
export function background(cmd: string, args: string[], { env, ownGroup = false }: BackgroundOptions = {}): Background {
  return new Background(
    ownGroup ? spawn(cmd, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] }) : spawn(cmd, args, { env: env ?? process.env }),
  );
}

/** A process started in the background: its output so far, its end, and ways to wait for it or kill it. */
export class Background {
  private buffer = "";
  private readonly started = process.hrtime.bigint();
  /** Resolves with the exit and the whole output once the process has ended. */
  readonly done: Promise<Run>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on("data", (d) => (this.buffer += d));
    child.stderr!.on("data", (d) => (this.buffer += d));
    this.done = new Promise((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, out: this.buffer, seconds: since(this.started) }));
    });
  }

  get out(): string {
    return this.buffer;
  }

  /** Resolves once the output matches `pattern`; rejects if the process ends first or after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.done.then(() => (ended = true));
    while (!pattern.test(this.buffer)) {
      if (ended) throw new Error(`process ended before ${pattern} appeared:\n${this.buffer.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${pattern} did not appear within ${timeoutMs} ms:\n${this.buffer.slice(-3000)}`);
      await sleep(100);
    }
  }

  /**
   * SIGKILL to the process and every process under it (for the Pulumi CLI: language host, program,
   * providers), as when a runner or container dies: the CLI starts its plugins in process groups of
   * their own, so a kill of its group alone would leave them running.
   */
  async kill(): Promise<Run> {
    for (const pid of [this.child.pid!, ...descendants(this.child.pid!)]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    return this.done;
  }
}

/** Every process below `pid`, from the parent pids in /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  for (let queue = [pid]; queue.length > 0;) {
    const next = children.get(queue.shift()!) ?? [];
    out.push(...next);
    queue.push(...next);
  }
  return out;
}
