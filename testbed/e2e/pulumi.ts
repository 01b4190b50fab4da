// The Pulumi CLI for the real-engine tests: a private file backend and home per test process,
// offline plugins, every command built and run in one place (Pulumi), and the stack set-up the
// engine specs share.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { background, Background, ok, Run, runSync } from "./run";

export const REPO = path.resolve(__dirname, "..", "..");

/**
 * What the e2e changes in the real stack files, and why: charts cannot be downloaded here, so the
 * four releases are off (the data services become external endpoints, which is also how a stack
 * without them runs). The Ingress keeps the dev stack's self-signed chain: the offline tls plugin
 * implements PrivateKey, SelfSignedCert, CertRequest and LocallySignedCert.
 */
export const E2E_OVERRIDES: Record<string, unknown> = {
  "postgresql.enabled": false,
  "postgresql.external": {
    host: "db.e2e.internal",
    port: 5432,
    database: "ape_timeseries",
    username: "ape",
    existingSecret: "e2e-database",
    passwordKey: "password",
  },
  "redis.enabled": false,
  "redis.external": { host: "cache.e2e.internal", port: 6379, existingSecret: "e2e-cache", passwordKey: "redis-password" },
  "prometheus.enabled": false,
  "grafana.enabled": false,
  "neo4j.enabled": false,
  "neo4j.external": { host: "graph.e2e.internal", port: 7687, username: "ape", existingSecret: "e2e-graph", passwordKey: "password" },
};

/**
 * Production names placeholder images (its API image; the data images by default) that `pulumi up`
 * refuses (stack/placeholders.ts): the e2e points them at a registry of its own, as an operator must.
 */
export const PRODUCTION_IMAGES: Record<string, string> = {
  "api.image.repository": "registry.e2e.internal/ape-2026/api",
  "postgresql.timescaledbImage.registry": "registry.e2e.internal",
  "postgresql.timescaledbImage.repository": "ape-2026/postgresql-timescaledb",
  "postgresql.metrics.image.registry": "registry.e2e.internal",
  "postgresql.metrics.image.repository": "ape-2026/postgres-exporter",
  "redis.image.registry": "registry.e2e.internal",
  "redis.image.repository": "ape-2026/redis",
  "redis.sentinel.image.registry": "registry.e2e.internal",
  "redis.sentinel.image.repository": "ape-2026/redis-sentinel",
  "redis.metrics.image.registry": "registry.e2e.internal",
  "redis.metrics.image.repository": "ape-2026/redis-exporter",
};
const STACK_OVERRIDES: Record<string, Record<string, unknown>> = { production: PRODUCTION_IMAGES };

/** Set by testbed/e2e.sh when the engine binaries (CLI, language host, providers) are built. */
export const ENGINE_ENABLED = process.env.APE_E2E_ENGINE === "1";

/** Where this process keeps its state and Pulumi home (removed by the specs' after hooks). */
export const WORK = path.join(os.tmpdir(), `ape-e2e-pulumi-${process.pid}`);

/**
 * The environment of every e2e `pulumi` command: a file backend and a Pulumi home under `workDir`,
 * a fixed passphrase, no update check and no plugin downloads (the plugins are the built ones on PATH).
 */
export function pulumiEnv(workDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${workDir}/state`,
    PULUMI_HOME: `${workDir}/home`,
    PULUMI_CONFIG_PASSPHRASE: "e2e-only",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

const ENV = pulumiEnv(WORK);

/** How the CI workflows and deploy:dev run Pulumi after a type-check: transpile-only, through SWC. */
export const TRANSPILE_ONLY = {
  PULUMI_NODEJS_TRANSPILE_ONLY: "true",
  PULUMI_NODEJS_TSCONFIG_PATH: path.join(REPO, "tsconfig.transpile.json"),
};

export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly id?: string;
  readonly protect?: boolean;
  readonly inputs?: Record<string, any>;
  readonly outputs?: Record<string, any>;
}

export interface Deployment {
  readonly resources?: StateResource[];
  readonly pending_operations?: Array<{ type: string; resource: StateResource }>;
}

/** The Pulumi CLI for one project directory with one environment (by default this process's backend and home). */
export class Pulumi {
  constructor(
    readonly projectDir: string,
    readonly env: NodeJS.ProcessEnv = ENV,
  ) {}

  private argv(stack: string, args: string[]): string[] {
    const flags = ["--stack", stack, "--non-interactive", "--cwd", this.projectDir];
    // After a `--` every word is a value: the flags go before it.
    const dash = args.indexOf("--");
    return dash < 0 ? [...args, ...flags] : [...args.slice(0, dash), ...flags, ...args.slice(dash)];
  }

  /** `pulumi <args> --stack <stack> --non-interactive`, waiting for it; `extraEnv` over the environment. */
  run(stack: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Run {
    return runSync("pulumi", this.argv(stack, args), { env: { ...this.env, ...extraEnv }, maxBuffer: 256 * 1024 * 1024 });
  }

  /** The same in the background; by default in its own process group, so that a kill takes its plugins with it. */
  start(stack: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}, { ownGroup = true } = {}): Background {
    return background("pulumi", this.argv(stack, args), { env: { ...this.env, ...extraEnv }, ownGroup });
  }

  /** `stack init`, then each of `settings` with `config set --path`. */
  init(stack: string, settings: Record<string, unknown>): void {
    ok(this.run(stack, ["stack", "init"]), `stack init ${stack}`);
    for (const [key, value] of Object.entries(settings)) this.set(stack, key, value);
  }

  /** A value after `--`, so one that starts with a dash (a command-line flag for the API) is taken as a value. */
  set(stack: string, key: string, value: unknown): void {
    ok(this.run(stack, ["config", "set", "--path", key, "--", String(value)]), `config set ${key}`);
  }

  /** `config set --secret --path`: stored encrypted, as the settings marked secret must be. */
  setSecret(stack: string, key: string, value: string): void {
    ok(this.run(stack, ["config", "set", "--secret", "--path", key, "--", value]), `config set --secret ${key}`);
  }

  /**
   * The stack's state as `pulumi stack export` prints it; with `showSecrets`, decrypted, and then a
   * failure does not print the output either: it stays in this process.
   */
  export(stack: string, showSecrets = false): Deployment {
    const args = ["stack", "export", ...(showSecrets ? ["--show-secrets"] : [])];
    const run = this.run(stack, args);
    assert.strictEqual(run.code, 0, `pulumi ${args.join(" ")} failed${showSecrets ? "" : `:\n${run.out.slice(-2000)}`}`);
    return JSON.parse(run.out.slice(run.out.indexOf("{"))).deployment;
  }
}

/** Runs `pulumi <args> --stack <stack>` for the project in `projectDir` with this process's backend, timing it. */
export function pulumi(projectDir: string, stack: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  return new Pulumi(projectDir).run(stack, args, env);
}

/**
 * Creates `stack` of the project in `projectDir` from the real Pulumi.<stack>.yaml plus `overrides`
 * (the e2e overrides unless told otherwise) and the stack's own e2e settings, in the backend of
 * `cli` (this process's unless told otherwise).
 */
export function initStack(
  projectDir: string,
  stack: string,
  overrides: Record<string, unknown> = E2E_OVERRIDES,
  cli = new Pulumi(projectDir),
): void {
  fs.copyFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), path.join(projectDir, `Pulumi.${stack}.yaml`));
  cli.init(stack, { ...flatten(overrides), ...(STACK_OVERRIDES[stack] ?? {}) });
}

/** One level of `--path` keys: { a: { b: 1 } } -> { "a.b": 1 }. */
export function flatten(overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) out[`${key}.${k}`] = v;
    else out[key] = value;
  }
  return out;
}
