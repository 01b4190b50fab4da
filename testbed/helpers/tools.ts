// The external tools some unit tests run (promtool, amtool, helm, actionlint), found in the tools
// cache that testbed/tools/install.sh fills or on PATH, and a background lane to run them in.
// A spec queues its tool runs when mocha loads it and awaits the results in its tests: the tools
// then work on a second core while the other specs evaluate the program on the first, instead of
// blocking it one after another. One tool process runs at a time, so the lane never takes both.
// The results are ready by the time their tests run when those specs come late in mocha's
// alphabetical order (prometheus-rules, receivers, runtime, workflows); a spec that comes first
// would wait for its tools with nothing else to do.
import { spawn } from "child_process";
import * as path from "path";
import { serially } from "../harness/serial";

export { findTool } from "../../scripts/find-tool";

export interface ToolRun {
  readonly status: number | null;
  readonly stdout: string;
  /** stdout then stderr, for assertion messages. */
  readonly output: string;
}

const lane = serially();

/** Queues `cmd args` on the background lane and resolves with how it ended. */
export function inBackground(cmd: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv): Promise<ToolRun> {
  return lane(
    () =>
      new Promise<ToolRun>((resolve, reject) => {
        const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, output: `${stdout}${stderr}` }));
      }),
  );
}

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Queues a fresh Node.js process that loads TypeScript as the suite does (testbed/harness/register.js) and
 * runs `script` from the repository root, with exactly the environment `env`.
 */
export function inFreshNode(script: string, env: NodeJS.ProcessEnv): Promise<ToolRun> {
  return inBackground(process.execPath, ["-r", path.join(ROOT, "testbed", "harness", "register.js"), "-e", script], ROOT, env);
}

/**
 * Starts `work` at once (while mocha loads the spec) for the tests to await later. A failure
 * reaches the tests that await it rather than surfacing as an unhandled rejection.
 */
export function startEarly<T>(work: () => Promise<T>): Promise<T> {
  const started = work();
  started.catch(() => undefined);
  return started;
}
