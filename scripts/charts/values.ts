// The chart releases a checkout of the program declares for each stack, with the real values the
// program computes for them: testbed/dump-values.ts --json evaluates the program under the test
// mocks (no engine, no cluster, no credentials) in a separate Node.js process. For the base of a
// pull request the checkout is a temporary `git worktree` of the base commit that shares this
// checkout's node_modules.
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");

/** One helm.v3.Release as the program declares it. */
export interface ReleaseSpec {
  readonly name: string;
  /** A chart URL (oci://, https://), a chart name in `repo`, or a local chart path. */
  readonly chart: string;
  readonly version: string;
  readonly repo?: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  /** Parts of the values that arrived as Pulumi secrets ("values", "values.a.b"); expected empty. */
  readonly secretValuePaths: readonly string[];
}

export interface Declared {
  /** Releases by stack, and the labels of the stack's Namespace. */
  readonly stacks: Record<string, { readonly releases: readonly ReleaseSpec[]; readonly namespaceLabels: Record<string, string> }>;
  /** Text that every generated password and secure setting of the mocked runs contains. */
  readonly secretMarkers: readonly string[];
}

const DUMP = path.join("testbed", "dump-values.ts");

/**
 * The releases of `stacks` in the checkout at `root`, evaluated with `set` (config path =>
 * value) over the stack files. The head's testbed/dump-values.ts is used on every side, so that an
 * older base without its --json mode works too.
 */
export function declaredReleases(root: string, stacks: readonly string[], set: Record<string, string> = {}): Declared {
  if (path.resolve(root) !== ROOT) fs.copyFileSync(path.join(ROOT, DUMP), path.join(root, DUMP));
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ape-values-")), "values.json");
  try {
    execFileSync(
      process.execPath,
      ["-r", "./testbed/harness/register.js", DUMP, "--json", out, stacks.join(","), ...Object.entries(set).map(([k, v]) => `${k}=${v}`)],
      { cwd: root, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 2 ** 20 },
    );
    return JSON.parse(fs.readFileSync(out, "utf8"));
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? "").trim();
    throw new Error(`evaluating the program in ${root} failed${stderr ? `:\n${stderr.split("\n").slice(0, 20).join("\n")}` : `: ${e}`}`);
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

/**
 * Throws (naming `what`, never the value) when a generated password or secure setting could reach
 * the output: values that carry Pulumi secrets (`secretPaths`), or any text of `data` containing
 * one of the `markers` that the mocked run gives every such value.
 */
export function assertNoSecrets(what: string, data: unknown, markers: readonly string[], secretPaths: readonly string[] = []): void {
  if (secretPaths.length) throw new Error(`${what}: values carry Pulumi secrets at ${secretPaths.join(", ")}; nothing is printed`);
  const text = JSON.stringify(data);
  if (markers.some((m) => text.includes(m)))
    throw new Error(`${what} contains a generated password or a secure setting; nothing is printed`);
}

/**
 * A temporary worktree of `ref` that shares this checkout's node_modules; `remove` deletes it. Its
 * path is the same for every run from this checkout, so that the compile cache (keyed by file path
 * and text) serves the base's unchanged files from the previous run.
 */
export function worktreeOf(ref: string): { dir: string; commit: string; remove: () => void } {
  const commit = git(["rev-parse", "--verify", `${ref}^{commit}`]).trim();
  const dir = path.join(os.tmpdir(), `ape-chart-diff-base-${crypto.createHash("sha256").update(ROOT).digest("hex").slice(0, 8)}`);
  if (fs.existsSync(dir)) {
    spawnSync("git", ["worktree", "remove", "--force", dir], { cwd: ROOT });
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // --force: also when an earlier run's directory was deleted but is still registered.
  git(["worktree", "add", "--force", "--detach", "--quiet", dir, commit]);
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules")), path.join(dir, "node_modules"));
  return {
    dir,
    commit,
    remove: () => {
      git(["worktree", "remove", "--force", dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The commit checked out here, with "+ changes" when the working tree differs from it. */
export function headDescription(): string {
  const commit = git(["rev-parse", "--short", "HEAD"]).trim();
  const dirty = git(["status", "--porcelain", "--untracked-files=no"]).trim() !== "";
  return dirty ? `${commit} + working tree changes` : commit;
}

const git = (args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
