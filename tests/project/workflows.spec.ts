// The GitHub workflows: they parse, run the right Pulumi commands on the right events, pin their
// actions, keep permissions minimal, refuse to destroy production, show and judge what changes
// inside the charts, look for drift on a schedule, and pass actionlint.
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { findTool, inBackground, startEarly } from "../../testbed/helpers/tools";

const DIR = path.join(__dirname, "../../.github/workflows");
const text = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");
const load = (file: string): any => parse(text(file));

/** actionlint over the workflows, queued while mocha loads this file (testbed/helpers/tools.ts). */
const actionlint = startEarly(async () => {
  const bin = findActionlint();
  return bin ? inBackground(bin, ["-no-color"], path.join(__dirname, "..", "..")) : undefined;
});

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, any>; env?: Record<string, string> };
const steps = (job: any): Step[] => job.steps ?? [];
const pulumiSteps = (job: any) => steps(job).filter((s) => s.uses?.startsWith("pulumi/actions@"));
const runs = (job: any) =>
  steps(job)
    .map((s) => s.run ?? "")
    .join("\n");

describe("workflows", () => {
  const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

  it("are the preview, deploy, destroy and drift workflows", () => {
    assert.deepEqual(files.sort(), ["deploy.yml", "destroy.yml", "drift.yml", "preview.yml"]);
  });

  it("pin every action to a full commit SHA with a version comment", () => {
    for (const file of files) {
      const uses = [...text(file).matchAll(/uses:\s*(\S+)(.*)$/gm)];
      assert.ok(uses.length > 0, file);
      for (const [, ref, rest] of uses) {
        assert.match(ref, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${file}: ${ref} is not pinned to a commit`);
        assert.match(rest, /#\s*v\d+\.\d+\.\d+/, `${file}: ${ref} has no version comment`);
      }
    }
  });

  it("grant only read access by default and never write-all", () => {
    for (const file of files) {
      const wf = load(file);
      assert.deepEqual(wf.permissions, { contents: "read" }, file);
      assert.ok(!/write-all/.test(text(file)), file);
      for (const [name, job] of Object.entries<any>(wf.jobs)) {
        if (job.permissions === undefined) continue;
        const writes = Object.entries(job.permissions)
          .filter(([, v]) => v === "write")
          .map(([k]) => k);
        const comments = file === "preview.yml" && (name === "preview" || name === "charts");
        assert.deepEqual(writes, comments ? ["pull-requests"] : [], `${file} ${name}`);
      }
    }
  });

  describe("preview.yml", () => {
    const wf = load("preview.yml");
    it("runs on pull requests only", () => {
      assert.deepEqual(Object.keys(wf.on), ["pull_request"]);
    });
    it("installs with npm ci on Node 22 and runs npm test (type-check, format, unit tests) before previewing", () => {
      const test = wf.jobs.test;
      assert.equal(steps(test).find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"], 22);
      assert.match(runs(test), /npm ci[\s\S]*\bnpm test\b/);
      assert.equal(wf.jobs.preview.needs, "test");
    });
    it("previews load the program without a second type-check, only after the test job passed", () => {
      assertTranspileOnlyAfterTests(wf, "preview");
    });
    it("report step timings and the end-to-end time of the check in the job summaries", () => {
      assert.match(runs(wf.jobs.test), /GITHUB_STEP_SUMMARY/);
      assert.match(runs(wf.jobs.test), /npm ci[\s\S]*SECONDS[\s\S]*npm test[\s\S]*SECONDS/);
      assert.equal(wf.jobs.test.outputs.started, "${{ steps.start.outputs.epoch }}");
      const last = steps(wf.jobs.preview).at(-1)!;
      assert.equal(last.env?.STARTED, "${{ needs.test.outputs.started }}");
      assert.match(last.run ?? "", /GITHUB_STEP_SUMMARY/);
    });
    it("previews dev and production with the diff, a PR comment and the policy pack", () => {
      const job = wf.jobs.preview;
      const stacks = job.strategy.matrix.include.map((m: any) => m.stack);
      assert.deepEqual(stacks, ["dev", "production"]);
      const [step] = pulumiSteps(job);
      assert.equal(step.with?.command, "preview");
      assert.equal(step.with?.["stack-name"], "${{ matrix.stack }}");
      assert.equal(step.with?.["comment-on-pr"], true);
      assert.equal(step.with?.diff, true);
      assert.equal(step.with?.policyPacks, "${{ github.workspace }}/policy");
      assert.match(step.with?.policyPackConfigs, /matrix\.policy-config/);
      const prod = job.strategy.matrix.include.find((m: any) => m.stack === "production");
      assert.equal(prod["policy-config"], "policy/production.json", "production is previewed with production policy config");
      assert.ok(fs.existsSync(path.join(__dirname, "..", "..", prod["policy-config"])));
      assert.equal(job.permissions["pull-requests"], "write");
    });
  });

  describe("preview.yml: the charts job", () => {
    const wf = load("preview.yml");
    const job = wf.jobs.charts;
    const step = (name: RegExp) => steps(job).find((s) => name.test(s.name ?? ""));
    const run = (name: RegExp) => step(name)?.run ?? "";

    it("runs after the tests, with the whole history (the base commit's worktree)", () => {
      assert.equal(job.needs, "test");
      const checkout = steps(job).find((s) => s.uses?.startsWith("actions/checkout@"));
      assert.equal(checkout?.with?.["fetch-depth"], 0);
      assert.match(runs(job), /npm ci/);
    });
    it("builds the provider's Helm version and psa-judge with the project's tool installer, cached", () => {
      assert.match(run(/Helm CLI and psa-judge/), /testbed\/tools\/install\.sh helm3 psa-judge/);
      const cache = steps(job).find((s) => s.uses?.startsWith("actions/cache@"));
      assert.equal(cache?.with?.path, "~/.cache/ape-2026-tools");
      assert.match(cache?.with?.key, /hashFiles\('testbed\/tools\/install\.sh', 'testbed\/tools\/psa-judge\/main\.go'\)/);
    });
    it("renders base and head of both stacks and runs the rules, failing only when a release cannot be rendered", () => {
      const s = step(/Rendered chart diff/)!;
      assert.match(s.run!, /npm run -s chart-diff -- --base "\$BASE_SHA" --rules --source online --out/);
      assert.equal(s.env?.BASE_SHA, "${{ github.event.pull_request.base.sha }}");
      assert.match(s.run!, /status=\$status" >> "\$GITHUB_OUTPUT"/);
      assert.match(s.run!, /\[ "\$status" != 2 \]$/m);
      assert.ok(!/--stack/.test(s.run!), "both stacks (the default)");
    });
    it("keeps the whole diff as an artifact and posts the cut comment, updating one comment per pull request", () => {
      const upload = steps(job).find((s) => s.uses?.startsWith("actions/upload-artifact@"));
      assert.match(String((upload as any)?.if), /always\(\)/);
      assert.equal(upload?.with?.path, "${{ runner.temp }}/chart-diff/");
      const comment = step(/Comment the rendered diff/)!;
      assert.match(String((comment as any).if), /always\(\) && github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
      assert.match(comment.run!, /comment\.md/);
      assert.match(comment.run!, /-X PATCH[\s\S]*-X POST/);
      assert.equal(comment.env?.GH_TOKEN, "${{ github.token }}");
    });
    it("fails on rule violations after the comment is posted", () => {
      const names = steps(job).map((s) => s.name ?? "");
      const rules = names.findIndex((n) => /^Rules on the rendered chart objects/.test(n));
      assert.ok(rules > names.findIndex((n) => /^Comment the rendered diff/.test(n)));
      assert.match(run(/^Rules on the rendered chart objects/), /if \[ "\$STATUS" = 1 \]; then[\s\S]*exit 1/);
    });
    it("reports its step timings in the job summary", () => {
      assert.match(runs(job), /SECONDS[\s\S]*timings\.md[\s\S]*GITHUB_STEP_SUMMARY/);
    });
  });

  describe("drift.yml", () => {
    const wf = load("drift.yml");
    const job = wf.jobs.drift;
    it("runs on a schedule and by hand, for dev and production, changing nothing", () => {
      assert.deepEqual(Object.keys(wf.on).sort(), ["schedule", "workflow_dispatch"]);
      assert.ok(wf.on.schedule[0].cron);
      assert.deepEqual(
        job.strategy.matrix.include.map((m: any) => m.stack),
        ["dev", "production"],
      );
      assert.equal(job.permissions, undefined, "the workflow's read-only default");
    });
    it("compares each release's live objects with Helm's record, and previews with --refresh expecting no changes", () => {
      const drift = steps(job).find((s) => /Drift inside the chart releases/.test(s.name ?? ""))!;
      assert.match(drift.run!, /npm run -s release-drift -- --stack "\$STACK"/);
      const [preview] = pulumiSteps(job);
      assert.equal(preview.with?.command, "preview");
      assert.equal(preview.with?.refresh, true);
      assert.equal(preview.with?.["expect-no-changes"], true);
      assert.equal(preview.with?.["stack-name"], "${{ matrix.stack }}");
      assert.ok(steps(job).indexOf(drift) < steps(job).indexOf(preview), "both run: the release check records, the last step fails");
      assert.match(steps(job).at(-1)!.run ?? "", /exit 1/);
    });
    it("reads the kubeconfig from a secret", () => {
      assert.match(JSON.stringify(steps(job)), /secrets\[matrix\.kubeconfig-secret\]/);
    });
  });

  describe("deploy.yml", () => {
    const wf = load("deploy.yml");
    it("runs on pushes to main only", () => {
      assert.deepEqual(wf.on, { push: { branches: ["main"] } });
    });
    it("runs pulumi up on production only, behind the production environment, after the tests", () => {
      const job = wf.jobs.up;
      assert.equal(job.environment, "production");
      assert.equal(job.needs, "test");
      const ups = pulumiSteps(job);
      assert.equal(ups.length, 1);
      assert.equal(ups[0].with?.command, "up");
      assert.equal(ups[0].with?.["stack-name"], "production");
      assert.equal(ups[0].with?.policyPacks, "${{ github.workspace }}/policy");
      assert.equal(ups[0].with?.policyPackConfigs, "${{ github.workspace }}/policy/production.json");
      assert.match(runs(wf.jobs.test), /npm ci[\s\S]*\bnpm test\b/);
    });
    it("pulumi up loads the program without a second type-check, only after the test job passed", () => {
      assertTranspileOnlyAfterTests(wf, "up");
    });
    it("never runs two updates of production at once, and never cancels a running one", () => {
      assert.deepEqual(wf.jobs.up.concurrency, { group: "pulumi-production", "cancel-in-progress": false });
    });
    it("reads the kubeconfig from a secret, not from the repository", () => {
      assert.match(JSON.stringify(steps(wf.jobs.up)), /secrets\.KUBECONFIG_PRODUCTION/);
    });
    it("checks the deployed stack with npm run verify after pulumi up, failing the job when verify fails", () => {
      const all = steps(wf.jobs.up);
      const verify = all.findIndex((s) => /npm run --silent verify -- --stack production\b/.test(s.run ?? ""));
      assert.ok(verify > all.indexOf(pulumiSteps(wf.jobs.up)[0]), "a verify step after the pulumi up step");
      assert.match(all[verify].run!, /exit "\$status"/);
      assert.match(all[verify].run!, /GITHUB_STEP_SUMMARY/);
    });
  });

  describe("destroy.yml", () => {
    const wf = load("destroy.yml");
    const job = wf.jobs.destroy;
    const guard = steps(job)[0];
    const refuses = (stack: string) =>
      spawnSync("bash", ["-e", "-c", guard.run!], { env: { ...process.env, STACK: stack }, encoding: "utf8" });

    it("is started by hand with a stack name", () => {
      assert.deepEqual(Object.keys(wf.on), ["workflow_dispatch"]);
      assert.equal(wf.on.workflow_dispatch.inputs.stack.required, true);
    });
    it("refuses production first, before anything logs in, then runs pulumi destroy on the given stack", () => {
      assert.equal(guard.name, "Refuse production stacks");
      const destroys = pulumiSteps(job);
      assert.equal(destroys.length, 1);
      assert.equal(destroys[0].with?.command, "destroy");
      assert.equal(destroys[0].with?.["stack-name"], "${{ inputs.stack }}");
      assert.ok(steps(job).indexOf(guard) < steps(job).indexOf(destroys[0]));
      assert.equal(guard.env?.STACK, "${{ inputs.stack }}", "the input reaches the script through env, not string interpolation");
    });
    for (const stack of ["production", "prod", "Prod-eu", "PRODUCTION", "myorg/production", "myorg/ape-2026/prod-us"]) {
      it(`the guard step fails for "${stack}" with a clear message`, () => {
        const r = refuses(stack);
        assert.notEqual(r.status, 0);
        assert.match(r.stdout, /::error::refusing to destroy .*production stacks \(prod\*\) are never destroyed/);
      });
    }
    for (const stack of ["", "dev; rm -rf /", "../x", "a b"]) {
      it(`the guard step fails for the malformed name ${JSON.stringify(stack)}`, () => {
        assert.notEqual(refuses(stack).status, 0);
      });
    }
    for (const stack of ["dev", "pr-42", "myorg/preview-feature", "staging"]) {
      it(`the guard step lets "${stack}" through`, () => {
        assert.equal(refuses(stack).status, 0);
      });
    }
  });

  it("pass actionlint", async function () {
    this.timeout(60000);
    const linted = await actionlint;
    if (!linted) {
      // Pending, not failed: CI (.ci/run) installs it; locally run
      // `go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12`.
      console.log("      actionlint not installed (tools cache, PATH or $(go env GOPATH)/bin): check pending");
      this.skip();
    }
    assert.equal(linted.status, 0, `actionlint found problems:\n${linted.output}`);
  });
});

/**
 * The job's Pulumi step skips Pulumi's own type-check (transpile-only, SWC) and the job needs the
 * test job, whose npm test type-checks the same commit: a type error never reaches Pulumi.
 */
function assertTranspileOnlyAfterTests(wf: any, job: string): void {
  assert.equal(wf.jobs[job].needs, "test");
  assert.match(runs(wf.jobs.test), /\bnpm test\b/);
  const [step] = pulumiSteps(wf.jobs[job]);
  assert.deepEqual(step.env, { PULUMI_NODEJS_TRANSPILE_ONLY: "true", PULUMI_NODEJS_TSCONFIG_PATH: "tsconfig.transpile.json" });
  assert.ok(fs.existsSync(path.join(__dirname, "..", "..", "tsconfig.transpile.json")));
}

/** actionlint in the tools cache, on PATH or in Go's bin directory, else undefined. */
function findActionlint(): string | undefined {
  const found = findTool("actionlint");
  if (found) return found;
  try {
    const gopath = execFileSync("go", ["env", "GOPATH"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const candidate = gopath && path.join(gopath.split(path.delimiter)[0], "bin", "actionlint");
    return candidate && fs.existsSync(candidate) ? candidate : undefined;
  } catch {
    return undefined; // no Go toolchain
  }
}
