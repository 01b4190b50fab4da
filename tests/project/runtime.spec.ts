// The program's one adjustment to Pulumi's Node.js runtime (runtime/promise-stacks.ts): the SDK's
// per-promise stack captures happen only when PULUMI_DEBUG_PROMISE_LEAKS asks for them, the
// promise bookkeeping behind the leak report stays, and every other stack is captured as usual.
import * as assert from "assert";
import * as path from "path";
import { capturePromiseStacksOnlyWhenDebugging } from "../../runtime/promise-stacks";
import { inFreshNode, startEarly } from "../../testbed/helpers/tools";

const ROOT = path.resolve(__dirname, "..", "..");

interface Seen {
  switchedOff: boolean;
  frames: boolean;
  tracked: boolean;
}

/**
 * What a fresh Node.js process (no harness) sees when the SDK tracks a promise after the switch is
 * called, first with PULUMI_DEBUG_PROMISE_LEAKS set, then without it (one process for both: each
 * start-up costs a few hundred milliseconds).
 */
async function probe(): Promise<{ debugging: Seen; normal: Seen }> {
  const script = `
    const { capturePromiseStacksOnlyWhenDebugging } = require("./runtime/promise-stacks");
    const debuggable = require("@pulumi/pulumi/runtime/debuggable");
    const seen = (env) => {
      const switchedOff = capturePromiseStacksOnlyWhenDebugging(env);
      const p = Promise.resolve(1);
      debuggable.debuggablePromise(p, "probe");
      return { switchedOff, frames: /\\n\\s+at /.test(String(p._debugStackTrace)), tracked: p._debugCtx === "probe" };
    };
    const debugging = seen({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    console.log(JSON.stringify({ debugging, normal: seen({}) }));`;
  const res = await inFreshNode(script, { PATH: process.env.PATH });
  assert.strictEqual(res.status, 0, res.output);
  return JSON.parse(res.stdout.trim().split("\n").pop()!);
}

/** Started while mocha loads this file (testbed/helpers/tools.ts). */
const probed = startEarly(probe);

describe("runtime: Pulumi's promise stack captures", () => {
  let seen: { debugging: Seen; normal: Seen };
  before(async () => (seen = await probed));

  it("are off by default; the SDK still tracks every promise for its leak report", () => {
    assert.deepStrictEqual(seen.normal, { switchedOff: true, frames: false, tracked: true });
  });

  it("are captured as the SDK does when PULUMI_DEBUG_PROMISE_LEAKS asks for them", () => {
    assert.deepStrictEqual(seen.debugging, { switchedOff: false, frames: true, tracked: true });
  });

  it("a second call changes nothing, and index.ts makes the call before it registers anything", () => {
    const debuggable = require("@pulumi/pulumi/runtime/debuggable");
    assert.strictEqual(capturePromiseStacksOnlyWhenDebugging({}), true);
    const once = debuggable.debuggablePromise;
    assert.strictEqual(capturePromiseStacksOnlyWhenDebugging({}), true);
    assert.strictEqual(debuggable.debuggablePromise, once, "wrapped twice");
    const program = require("fs").readFileSync(path.join(ROOT, "index.ts"), "utf8") as string;
    assert.ok(program.indexOf("capturePromiseStacksOnlyWhenDebugging();") < program.indexOf("new k8s.Provider("));
  });
});
