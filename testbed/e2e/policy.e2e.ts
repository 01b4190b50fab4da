// The policy pack (policy/) loaded by a real Pulumi CLI, as the pull-request check runs it:
// `pulumi preview --policy-pack policy` of the dev and production stacks from their real stack
// files (production with --policy-pack-config policy/production.json) passes, and a setting the
// program accepts but the pack forbids fails the preview, naming the policy. Needs the offline
// engine (testbed/e2e.sh) with a language host that runs policy packs: testbed/engine/build.sh
// builds one from source (the v3.68.0 host it falls back to answers "not supported"). Skipped,
// saying why, without them.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PACK_NAME } from "../../policy/policies";
import { ENGINE_ENABLED, initStack, Pulumi, pulumiEnv, REPO, TRANSPILE_ONLY } from "./pulumi";
import { ok, Run } from "./run";

const PROJECT_DIR = path.join(__dirname, "engine");
const WORK = path.join(os.tmpdir(), `ape-e2e-policy-${process.pid}`);
/** A copy of policy/ beside this process's backend, its node_modules linked to the root's as in CI. */
const PACK = path.join(WORK, "policy");
const PRODUCTION_CONFIG = path.join(REPO, "policy", "production.json");

/**
 * The oldest language host checked to run Node.js policy packs (through @pulumi/pulumi's
 * cmd/run-policy-pack); v3.68.0 has no -version flag and answers "not supported".
 */
const MIN_HOST = [3, 230, 0];

/** a < b for [major, minor, patch]. */
const older = (a: number[], b: number[]) => a.some((v, i) => v !== b[i] && a.slice(0, i).every((w, j) => w === b[j]) && v < b[i]);

/** Why the policy previews cannot run here, or undefined. */
function skipReason(): string | undefined {
  if (!ENGINE_ENABLED) return "no offline Pulumi engine (run through testbed/e2e.sh after testbed/engine/build.sh pulumi providers)";
  const run = spawnSync("pulumi-language-nodejs", ["-version"], { encoding: "utf8" });
  const found = run.status === 0 ? /^v?(\d+)\.(\d+)\.(\d+)/.exec(run.stdout.trim()) : null;
  if (!found || older(found.slice(1).map(Number), MIN_HOST))
    return (
      `the language host on PATH cannot run policy packs (${found ? found[0] : "no -version flag: the v3.68.0 host"};` +
      ` needs v${MIN_HOST.join(".")} or newer): build it from source (testbed/engine/README.md, "The language host")`
    );
  return undefined;
}

const skip = skipReason();
const figures: string[] = [];

(skip ? describe.skip : describe)(
  `e2e policy pack: pulumi preview --policy-pack policy under the real CLI${skip ? ` (SKIPPED: ${skip})` : ""}`,
  function () {
    this.timeout(900_000);
    const cli = new Pulumi(PROJECT_DIR, pulumiEnv(WORK));
    /** `pulumi preview --policy-pack` of `stack`, the program loaded through SWC as the CI previews load it. */
    const previewWithPack = (stack: string, ...args: string[]): Run =>
      cli.run(stack, ["preview", "--policy-pack", PACK, ...args], TRANSPILE_ONLY);
    const production = ["--policy-pack-config", PRODUCTION_CONFIG];

    /** The pack ran and reported no violation (the CLI lists every pack it ran under "Policies:"). */
    function assertPassed(run: Run, what: string): void {
      ok(run, what);
      assert.match(run.out, new RegExp(`Policies:[\\s\\S]*${PACK_NAME}`), `${what}: the pack is not listed as run`);
      assert.doesNotMatch(run.out, /mandatory|advisory/, `${what}: a violation was reported`);
    }

    /** The preview failed on a mandatory violation of `policy`, with `message` in its report. */
    function assertViolation(run: Run, policy: string, message: RegExp, what: string): void {
      assert.notStrictEqual(run.code, 0, `${what}: the preview passed:\n${run.out.slice(-3000)}`);
      assert.match(
        run.out,
        new RegExp(`\\[mandatory\\]\\s+${policy}`),
        `${what}: no mandatory ${policy} violation:\n${run.out.slice(-3000)}`,
      );
      assert.match(run.out, message, `${what}: the violation does not say why:\n${run.out.slice(-3000)}`);
      const report = run.out.split("\n").filter((line) => line.includes(policy) || message.test(line));
      figures.push(`${what}: exit ${run.code} after ${run.seconds.toFixed(1)} s; the CLI printed:`, ...report.map((l) => `  ${l.trim()}`));
    }

    before(() => {
      fs.mkdirSync(path.join(WORK, "state"), { recursive: true });
      fs.cpSync(path.join(REPO, "policy"), PACK, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
      fs.symlinkSync(path.join(REPO, "node_modules"), path.join(PACK, "node_modules"));
      for (const stack of ["dev", "production"]) initStack(PROJECT_DIR, stack, undefined, cli);
    });

    after(() => {
      for (const stack of ["dev", "production"]) fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), { force: true });
      fs.rmSync(WORK, { recursive: true, force: true });
      if (figures.length) console.log(`\n    figures:\n${figures.map((f) => `      ${f}`).join("\n")}`);
    });

    it("dev: the pack loads and the stack passes it", () => {
      const plain = ok(cli.run("dev", ["preview"], TRANSPILE_ONLY), "pulumi preview (dev, no pack)");
      const run = previewWithPack("dev");
      assertPassed(run, "pulumi preview --policy-pack (dev)");
      figures.push(`pulumi preview (dev): ${plain.seconds.toFixed(1)} s without the pack, ${run.seconds.toFixed(1)} s with it`);
    });

    it("production, with policy/production.json: the stack passes the production rules too", () => {
      const run = previewWithPack("production", ...production);
      assertPassed(run, "pulumi preview --policy-pack --policy-pack-config production.json (production)");
      figures.push(`pulumi preview --policy-pack (production): ${run.seconds.toFixed(1)} s`);
    });

    it("dev: a token in the API's plain environment (its ConfigMap) fails the preview: configmap-no-secrets", () => {
      // The CLI refuses a secret-looking name without --secret; --plaintext overrides it, as someone in a hurry would.
      ok(cli.run("dev", ["config", "set", "--plaintext", "--path", "api.env.PAYMENT_API_TOKEN", "tok-e2e-plain-text"]), "config set");
      try {
        const run = previewWithPack("dev");
        assertViolation(run, "configmap-no-secrets", /key "PAYMENT_API_TOKEN" is named like a secret and has a value/, "dev with a token");
      } finally {
        ok(cli.run("dev", ["config", "rm", "--path", "api.env.PAYMENT_API_TOKEN"]), "config rm");
      }
      const again = previewWithPack("dev");
      assertPassed(again, "pulumi preview --policy-pack (dev, token removed)");
      figures.push(`pulumi preview --policy-pack (dev, again once the token is removed): ${again.seconds.toFixed(1)} s`);
    });

    it("production told it is a development stack (nothing protected) fails stateful-protected-in-production", () => {
      cli.set("production", "environment", "development");
      try {
        const run = previewWithPack("production", ...production);
        assertViolation(run, "stateful-protected-in-production", /must be protected in production/, "production as development");
      } finally {
        ok(cli.run("production", ["config", "set", "environment", "production"]), "config set environment production");
      }
    });
  },
);
