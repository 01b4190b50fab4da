// Pulumi's SDK captures a stack trace for every promise it creates (debuggablePromise: shown in its
// leak report at exit) and reads one for every resource (Resource.callsites: the source position it
// sends the engine). That is about 2,000 captures per evaluation of this program, and under ts-node
// each one read is also source-mapped frame by frame: most of what an evaluation under mocks costs,
// for information nothing reads under mocks. The harness therefore
// - captures no frames for debuggablePromise (the SDK still tracks each promise for its leak report),
// - leaves the stack empty when Resource.callsites reads it (the mock monitor ignores positions).
// Every other stack (a failed assertion, an error thrown by the program or by the SDK) is captured
// and source-mapped as before. tests/project/harness.spec.ts checks both.
import { sep } from "path";
import { capturePromiseStacksOnlyWhenDebugging } from "../../runtime/promise-stacks";

const SDK = `${sep}@pulumi${sep}pulumi${sep}`;

let installed = false;

/** Installs both over the SDK and over whatever formats stacks now (ts-node's source-map-support). Idempotent. */
export function skipSdkStackCaptures(): void {
  if (installed) return;
  installed = true;

  // The same switch the program uses (PULUMI_DEBUG_PROMISE_LEAKS is never set under the tests).
  capturePromiseStacksOnlyWhenDebugging();

  const format = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, frames) => {
    const top = frames[0];
    if (top?.getFunctionName() === "callsites" && (top.getFileName() ?? "").includes(SDK)) return "";
    return format ? format(error, frames) : [`${error}`, ...frames.map((f) => `    at ${f}`)].join("\n");
  };
}
