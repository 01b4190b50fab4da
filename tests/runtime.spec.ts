// The program's one adjustment to Pulumi's Node.js runtime (runtime/promise-stacks.ts): the SDK's
// per-promise stack captures happen only when PULUMI_DEBUG_PROMISE_LEAKS asks for them, the
// promise bookkeeping behind the leak report stays, and every other stack is captured as usual.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { capturePromiseStacksOnlyWhenDebugging } from "../runtime/promise-stacks";

const ROOT = path.resolve(__dirname, "..");

/** What a fresh Node.js process (no harness) sees after loading the SDK and calling the switch with `env`. */
function probe(env: Record<string, string>): { switchedOff: boolean; frames: boolean; tracked: boolean } {
  const script = `
    const { capturePromiseStacksOnlyWhenDebugging } = require("./runtime/promise-stacks");
    const debuggable = require("@pulumi/pulumi/runtime/debuggable");
    const switchedOff = capturePromiseStacksOnlyWhenDebugging();
    const p = Promise.resolve(1);
    debuggable.debuggablePromise(p, "probe");
    console.log(JSON.stringify({ switchedOff, frames: /\\n\\s+at /.test(String(p._debugStackTrace)), tracked: p._debugCtx === "probe" }));`;
  const res = spawnSync(process.execPath, ["-r", path.join(ROOT, "harness", "register.js"), "-e", script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
  });
  assert.strictEqual(res.status, 0, res.stderr);
  return JSON.parse(res.stdout.trim().split("\n").pop()!);
}

describe("runtime: Pulumi's promise stack captures", () => {
  it("are off by default; the SDK still tracks every promise for its leak report", () => {
    assert.deepStrictEqual(probe({}), { switchedOff: true, frames: false, tracked: true });
  });

  it("are captured as the SDK does when PULUMI_DEBUG_PROMISE_LEAKS asks for them", () => {
    assert.deepStrictEqual(probe({ PULUMI_DEBUG_PROMISE_LEAKS: "1" }), { switchedOff: false, frames: true, tracked: true });
  });

  it("a second call changes nothing, and index.ts makes the call before it registers anything", () => {
    const debuggable = require("@pulumi/pulumi/runtime/debuggable");
    const before = debuggable.debuggablePromise;
    assert.strictEqual(capturePromiseStacksOnlyWhenDebugging(), true);
    assert.strictEqual(debuggable.debuggablePromise, before, "wrapped twice");
    const program = require("fs").readFileSync(path.join(ROOT, "index.ts"), "utf8") as string;
    assert.ok(program.indexOf("capturePromiseStacksOnlyWhenDebugging();") < program.indexOf("new k8s.Provider("));
  });
});
