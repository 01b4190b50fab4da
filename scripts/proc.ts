// Running the commands the user tools drive (the engine's scripts, kubectl, pulumi, apt-get):
// either in front of the user (output straight to the terminal) or captured.
import { spawn, spawnSync } from "child_process";

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Options {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly input?: string;
}

/** `cmd args` to its end, output captured; a command that cannot start counts as exit 127. */
export function capture(cmd: string, args: readonly string[], { env, cwd, input }: Options = {}): Captured {
  const res = spawnSync(cmd, args, { env: env ?? process.env, cwd, input, encoding: "utf8", maxBuffer: 256 << 20 });
  if (res.error) return { code: 127, stdout: "", stderr: String(res.error.message) };
  return { code: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

/** `cmd args` with the terminal as its stdout and stderr; resolves with the exit code. */
export function inFront(cmd: string, args: readonly string[], { env, cwd }: Options = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: env ?? process.env, cwd, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", () => resolve(127));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Seconds or minutes and seconds, for people: "45 s", "3 min 05 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/** A problem the user can act on: printed as it is (no stack trace), its message says what to do. */
export class ToolError extends Error {}
