// A type error must stop `npm test` (and so the PR check and the deploy workflow) and
// `npm run deploy:dev`: Pulumi's own runs load the program without type-checking it after those
// (PULUMI_NODEJS_TRANSPILE_ONLY with tsconfig.transpile.json). This proves the type-check runs,
// covers the program, cannot be switched off by config, and fails on a type error.
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { REPO_ROOT } from "../../testbed/harness/stackFile";

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
const tsconfig = (file: string) => ts.parseConfigFileTextToJson(file, fs.readFileSync(path.join(REPO_ROOT, file), "utf8")).config;

// The compiler named by `npm run typecheck`, on a project of one deliberately broken file that
// uses a module of this repository. Started when this file loads, so that it runs beside the
// other tests; the test below waits for it.
const broken = (() => {
  const compiler = path.join(REPO_ROOT, "node_modules", ".bin", String(pkg.scripts.typecheck).split(" ")[0]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-typecheck-"));
  const types = path.join(REPO_ROOT, "testbed", "harness", "types");
  fs.writeFileSync(
    path.join(dir, "broken.ts"),
    `import { T } from ${JSON.stringify(types)};\nexport const deployment: typeof T.Deployment = T.Secret;\n`,
  );
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: path.join(REPO_ROOT, "tsconfig.json"),
      // Only the broken file and what it imports; no incremental state written into the repository.
      compilerOptions: { rootDir: "/", types: [], incremental: false },
      files: ["broken.ts"],
      include: [],
    }),
  );
  return new Promise<{ code: number; out: string }>((resolve) =>
    execFile(compiler, ["--noEmit", "--pretty", "false", "-p", dir], { encoding: "utf8" }, (error, stdout, stderr) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr });
    }),
  );
})();

describe("type-check", () => {
  it("npm test runs the type-check first and stops when it fails", () => {
    const steps = String(pkg.scripts.test)
      .split("&&")
      .map((s) => s.trim());
    assert.equal(steps[0], "npm run typecheck");
    assert.ok(steps.includes("npm run unit"), pkg.scripts.test);
    assert.match(pkg.scripts.typecheck, /^tsc --noEmit\b/);
    assert.doesNotMatch(pkg.scripts.typecheck, /noCheck|skipLibCheck false|--noEmit false/);
  });

  it("covers the program and cannot be switched off by config (no noCheck)", () => {
    const root = tsconfig("tsconfig.json");
    for (const glob of [
      "index.ts",
      "config/**/*.ts",
      "platform/**/*.ts",
      "services/**/*.ts",
      "stack/**/*.ts",
      "testbed/**/*.ts",
      "tests/**/*.ts",
      "scripts/**/*.ts",
    ])
      assert.ok(root.include.includes(glob), `tsconfig.json includes ${glob}`);
    assert.equal(root.compilerOptions.noCheck, undefined);
    assert.equal(root["ts-node"], undefined, "Pulumi's default runs (tsconfig.json) still type-check");
  });

  it("tsconfig.transpile.json only switches ts-node to SWC (through the compile cache) for runs after a type-check", () => {
    assert.deepEqual(tsconfig("tsconfig.transpile.json"), {
      extends: "./tsconfig.json",
      "ts-node": { transpiler: "./runtime/compile-cache.js" },
    });
  });

  it("npm run deploy:dev type-checks before pulumi up, which then skips its own type-check", () => {
    const script = fs.readFileSync(path.join(REPO_ROOT, "scripts", "deploy-dev.sh"), "utf8");
    const at = (text: string) => script.indexOf(text);
    assert.ok(at("npm run typecheck") >= 0 && at("npm run typecheck") < at("pulumi up"), "typecheck before pulumi up");
    assert.ok(at("PULUMI_NODEJS_TRANSPILE_ONLY=true") > at("npm run typecheck"));
    assert.ok(at("PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.transpile.json") > at("npm run typecheck"));
    assert.match(script, /^set -euo pipefail$/m, "a failed type-check ends the script");
  });

  it("the type-check fails on a deliberately broken file, naming the error", async function () {
    this.timeout(60_000);
    const { code, out } = await broken;
    assert.notEqual(code, 0, out);
    assert.match(out, /broken\.ts\(2,\d+\): error TS2322: Type '"kubernetes:core\/v1:Secret"' is not assignable/);
  });
});
