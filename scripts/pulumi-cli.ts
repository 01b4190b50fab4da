// Which Pulumi CLI the project's commands run. The project supports one minimum version, the version
// of the @pulumi/pulumi SDK pinned in package.json (a CLI older than the SDK it runs is not
// supported). In this order:
//   1. `pulumi` on PATH, if it is at least that version (PulumiCommand.get checks it);
//   2. that version installed in the standard cache, ~/.pulumi/versions/<version> (where the
//      official installer and the `pulumi` npm package put it), else installed there now by the
//      SDK's Automation API (PulumiCommand.install, which needs get.pulumi.com: offline it fails,
//      after a short reachability probe instead of the SDK's two-minute timeout);
//   3. the CLI built by the project's offline engine (testbed/engine), with its plugins;
//   4. none: the engine's CLI can be built here (the caller decides), or a message says what to do.
// The choice itself (chooseCli) is a pure function of what the probes found, so it is unit-tested
// without any CLI.
import { PulumiCommand, PulumiCommandOptions } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import { createRequire } from "module";
import * as os from "os";
import * as path from "path";
import { engineDirs, goInstalled } from "./engine-build";

const ROOT = path.resolve(__dirname, "..");

/** The minimum Pulumi CLI version: the @pulumi/pulumi version pinned in package.json. */
export function pulumiCliMinimum(root = ROOT): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const version: unknown = pkg.dependencies?.["@pulumi/pulumi"];
  if (typeof version !== "string" || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`package.json must pin @pulumi/pulumi to an exact version (found ${String(version)})`);
  }
  return version;
}

/** Where a CLI came from. */
export type CliSource = "path" | "cache" | "installed" | "engine";

export interface Cli {
  readonly source: CliSource;
  /** The `pulumi` executable (a bare name when it is found on PATH). */
  readonly command: string;
  readonly version: string;
  /** The engine's CLI runs with the engine's plugins and language host, offline (see cliEnv). */
  readonly offline: boolean;
}

/** What one probe found: a CLI, or why not. */
export type Probe = { readonly cli: Cli } | { readonly reason: string };

/** The probes, in the order they are tried; each runs only if the ones before found nothing. */
export interface CliProbes {
  readonly onPath: () => Promise<Probe>;
  readonly cached: () => Promise<Probe>;
  /** Whether get.pulumi.com answers; undefined = yes, else why not. */
  readonly online: () => Promise<string | undefined>;
  readonly install: () => Promise<Probe>;
  readonly engine: () => Promise<Probe>;
  /** Whether the engine's CLI could be built here; undefined = yes, else why not. */
  readonly engineBuildable: () => string | undefined;
}

export type CliChoice =
  | { readonly kind: "found"; readonly cli: Cli; readonly tried: readonly string[] }
  /** Nothing usable, but the engine's CLI can be built here. */
  | { readonly kind: "build"; readonly tried: readonly string[] }
  | { readonly kind: "none"; readonly tried: readonly string[]; readonly message: string };

/** Tries the probes in order and says which CLI to use, or what is missing and what to do. */
export async function chooseCli(minimum: string, probes: CliProbes): Promise<CliChoice> {
  const tried: string[] = [];
  const attempt = async (what: string, probe: () => Promise<Probe>): Promise<Cli | undefined> => {
    const result = await probe();
    if ("cli" in result) return result.cli;
    tried.push(`${what}: ${result.reason}`);
    return undefined;
  };
  const found = (cli: Cli): CliChoice => ({ kind: "found", cli, tried });

  const onPath = await attempt("on PATH", probes.onPath);
  if (onPath) return found(onPath);
  const cached = await attempt(`in ${cacheRoot(minimum)}`, probes.cached);
  if (cached) return found(cached);
  const offline = await probes.online();
  if (offline) {
    tried.push(`install ${minimum} with the Automation API: ${offline}`);
  } else {
    const installed = await attempt(`install ${minimum} with the Automation API`, probes.install);
    if (installed) return found(installed);
  }
  const engine = await attempt("the local engine's CLI", probes.engine);
  if (engine) return found(engine);

  const unbuildable = probes.engineBuildable();
  if (!unbuildable) return { kind: "build", tried };
  tried.push(`build the local engine's CLI: ${unbuildable}`);
  return { kind: "none", tried, message: noCliMessage(minimum, tried) };
}

/** What to do when no CLI can be had: every way tried, and the three ways out. */
export function noCliMessage(minimum: string, tried: readonly string[]): string {
  return [
    `No Pulumi CLI ${minimum} or later could be found or installed:`,
    ...tried.map((t) => `  - ${t}`),
    "Do one of these, then run the command again:",
    `  - install the Pulumi CLI ${minimum} or later and put it on PATH (https://www.pulumi.com/docs/install/);`,
    `  - connect to the internet: it is then installed into ${cacheRoot(minimum)};`,
    "  - build the offline engine's CLI with Go 1.26 in /usr/local/go: testbed/engine/build.sh pulumi providers",
  ].join("\n");
}

/** The standard cache of one CLI version (the official installer's and the `pulumi` npm package's). */
function cacheRoot(version: string): string {
  return path.join(os.homedir(), ".pulumi", "versions", version);
}

/**
 * The environment a CLI runs in: the engine's CLI finds its language host and plugins on PATH and
 * never downloads plugins or checks for updates; any other CLI runs with the caller's environment.
 */
export function cliEnv(cli: Cli, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!cli.offline) return { ...env };
  const bin = path.dirname(cli.command);
  return {
    ...env,
    PATH: `${bin}${path.delimiter}${env.PATH ?? ""}`,
    PULUMI_SKIP_UPDATE_CHECK: env.PULUMI_SKIP_UPDATE_CHECK ?? "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION ?? "true",
  };
}

/** One line for the user: which CLI runs, and from where. */
export function describeCli(cli: Cli): string {
  const where: Record<CliSource, string> = {
    path: "found on PATH",
    cache: "from the standard cache",
    installed: "just installed into the standard cache by the Automation API",
    engine: "built by the local engine, offline, with the plugins beside it",
  };
  return `Pulumi CLI ${cli.version}, ${where[cli.source]}: ${cli.command}`;
}

// ---------------------------------------------------------------- the real probes

/** The SDK's own semver, so that the version handed to PulumiCommand is the class it compares with. */
type SemVer = NonNullable<PulumiCommandOptions["version"]>;
const semver: { SemVer: new (v: string) => SemVer } = createRequire(require.resolve("@pulumi/pulumi/package.json"))("semver");

/** The first line of an error, without the SDK's "code: -2 stdout: ..." wrapping. */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const enoent = /ENOENT/.test(text);
  if (enoent) return "not found";
  const min = /Minimum version requirement failed[^\n]*your current CLI version is ([^\s.]+\.[^\s.]+\.[^\s.]+)/.exec(text);
  if (min) return `version ${min[1].replace(/^v/, "")} is too old`;
  const major = /Major version mismatch[^\n]*CLI version (\S+)/.exec(text);
  if (major) return `version ${major[1]} is a newer major version than this project supports`;
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l && !/^(code|stdout|stderr|err\?):?\s*$/.test(l) && !/^code: -?\d+$/.test(l));
  return (line ?? text).replace(/^(stderr|err\?):\s*/, "").slice(0, 300);
}

async function probeCommand(source: CliSource, options: PulumiCommandOptions, offline = false): Promise<Probe> {
  try {
    const cmd = await PulumiCommand.get(options);
    return { cli: { source, command: cmd.command, version: cmd.version?.toString() ?? "unknown", offline } };
  } catch (error) {
    return { reason: reasonOf(error) };
  }
}

/** How long the reachability probe of get.pulumi.com may take. */
const ONLINE_PROBE_MS = 8000;

/** The probes against this machine, for `minimum`. */
export function realProbes(minimum: string): CliProbes {
  const version = new semver.SemVer(minimum);
  return {
    onPath: () => probeCommand("path", { version }),
    cached: () => probeCommand("cache", { version, root: cacheRoot(minimum) }),
    online: async () => {
      try {
        const res = await fetch("https://get.pulumi.com/install.sh", { method: "HEAD", signal: AbortSignal.timeout(ONLINE_PROBE_MS) });
        return res.ok ? undefined : `get.pulumi.com answered ${res.status} ${res.statusText}`;
      } catch (error) {
        const e = error as Error & { cause?: { code?: string } };
        if (e.name === "TimeoutError") return `get.pulumi.com did not answer within ${ONLINE_PROBE_MS / 1000} s (offline?)`;
        return `get.pulumi.com cannot be reached (${e.cause?.code ?? e.message}; offline?)`;
      }
    },
    install: async () => {
      try {
        const cmd = await PulumiCommand.install({ version, root: cacheRoot(minimum) });
        return { cli: { source: "installed", command: cmd.command, version: cmd.version?.toString() ?? minimum, offline: false } };
      } catch (error) {
        return { reason: reasonOf(error) };
      }
    },
    engine: async () => {
      const { bin } = engineDirs();
      if (!fs.existsSync(path.join(bin, "pulumi"))) return { reason: `not built (no ${path.join(bin, "pulumi")})` };
      for (const plugin of ["pulumi-language-nodejs", "pulumi-resource-kubernetes", "pulumi-resource-random", "pulumi-resource-tls"]) {
        if (!fs.existsSync(path.join(bin, plugin))) return { reason: `built without ${plugin}` };
      }
      return probeCommand("engine", { version, root: path.dirname(bin) }, true);
    },
    engineBuildable: () =>
      goInstalled() ? undefined : "Go is not installed (the engine is built from source with Go 1.26 in /usr/local/go)",
  };
}
