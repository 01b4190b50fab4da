// Pulumi's Node.js SDK tracks every promise it creates so that, if the program exits with some
// still pending, it can report them; with PULUMI_DEBUG_PROMISE_LEAKS set that report also prints
// where each promise was created. The SDK captures that stack trace for every promise regardless
// (about 2,000 per preview of this program), and under ts-node each capture is formatted through
// source maps frame by frame on the spot: about 0.17 s of every preview and up, for traces nothing
// prints. This keeps the bookkeeping and the report, and captures the traces only when
// PULUMI_DEBUG_PROMISE_LEAKS asks for them.
//
// The SDK offers no public switch for this: the function that tracks promises lives in its
// runtime/debuggable module, whose typings export nothing (all of it is @internal). So this
// replaces that module's export only when it is there and a function; otherwise it leaves the SDK
// as it is and the program runs as it would without this file, only slower.
// tests/project/runtime.spec.ts fails on an SDK release that moves or reshapes it. To measure what
// it buys, run the same no-op preview with PULUMI_DEBUG_PROMISE_LEAKS=1 (the SDK's own captures)
// and without it.

/** Marks the SDK function once it is wrapped, so that a second call changes nothing. */
const WRAPPED = Symbol.for("ape-2026.promise-stacks");

type Track = ((promise: Promise<unknown>, ctx: unknown) => Promise<unknown>) & { [WRAPPED]?: true };

/**
 * Stops the SDK's per-promise stack captures unless `PULUMI_DEBUG_PROMISE_LEAKS` is set. Returns
 * whether they are off. Leaves the SDK alone when its internals are not the expected shape.
 */
export function capturePromiseStacksOnlyWhenDebugging(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.PULUMI_DEBUG_PROMISE_LEAKS) return false;
  let debuggable: { debuggablePromise?: Track };
  try {
    debuggable = require("@pulumi/pulumi/runtime/debuggable");
  } catch {
    return false;
  }
  const track = debuggable.debuggablePromise;
  if (typeof track !== "function") return false;
  if (track[WRAPPED]) return true;
  // The SDK calls it through its module object (`debuggable_1.debuggablePromise(...)`), so
  // replacing the export takes effect everywhere in the SDK.
  const wrapped: Track = (promise, ctx) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return track(promise, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  wrapped[WRAPPED] = true;
  debuggable.debuggablePromise = wrapped;
  return true;
}
