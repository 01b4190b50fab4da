// How every transpile-only load of the program is cached: a ts-node transpiler (ts-node's own SWC
// transpiler behind an on-disk cache of its output) that also turns on V8's compile cache. Used by
// testbed/harness/register.js (tests, benchmark, scripts) and by tsconfig.transpile.json (`pulumi preview`
// and `pulumi up` after a type-check); like them it never type-checks (`npm run typecheck` does).
//
// - Transpiled output: a process transpiles only the files that changed since the last one, and
//   does not load SWC's native library at all when none did. An entry is keyed by everything that
//   decides the output: the file's name and text, the compiler options ts-node derived from
//   tsconfig, the module kind, and the versions of ts-node and SWC; a stale entry is never read.
// - V8's compile cache (Node's module.enableCompileCache): every CommonJS module compiled after
//   ts-node is registered (the program, its libraries, the transpiled files) is stored as V8 code
//   and reused while its text is unchanged. In a `pulumi preview` this starts after Pulumi's own
//   SDK has loaded, so it speeds the program's part.
//
// Both live in node_modules/.cache/ape-2026-compile (APE_COMPILE_CACHE=<dir> moves them,
// APE_COMPILE_CACHE=off turns both off). Deleting the directory at any time is safe; entries for old
// versions of a file just stay unused. A plain .js file because it runs before anything can load
// TypeScript.
//
// Public interfaces only: ts-node's documented `transpiler` setting and its transpiler module
// interface (`create(options)` returning `{ transpile(input, { fileName }) }`), the SWC transpiler
// ts-node exports for that setting (ts-node/transpilers/swc), handed ts-node's options as they
// came, and Node's module.enableCompileCache where Node has it.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const DEFAULT_DIR = path.join(__dirname, "..", "node_modules", ".cache", "ape-2026-compile");

/** ts-node calls this once per compiler configuration with its own factory options. */
exports.create = function create(createOptions) {
  const setting = process.env.APE_COMPILE_CACHE;
  let swc;
  /** ts-node's SWC transpiler, created on the first cache miss only. */
  const transpiler = () => (swc ??= require("ts-node/transpilers/swc").create(createOptions));
  if (setting === "off") return { transpile: (input, options) => transpiler().transpile(input, options) };

  const dir = setting || DEFAULT_DIR;
  enableV8CompileCache(path.join(dir, "v8"));
  const salt = JSON.stringify([
    require("ts-node/package.json").version,
    require("@swc/core/package.json").version,
    createOptions.service.config.options,
    extraOptions(createOptions),
  ]);

  return {
    transpile(input, options) {
      const key = crypto.createHash("sha256").update(salt).update("\0").update(options.fileName).update("\0").update(input).digest("hex");
      const file = path.join(dir, "swc", key.slice(0, 2), `${key}.json`);
      try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
      } catch {
        // Not cached yet (or unreadable): transpile, then store it for the next process.
      }
      const output = transpiler().transpile(input, options);
      store(file, { outputText: output.outputText, sourceMapText: output.sourceMapText });
      return output;
    },
  };
};

/**
 * What ts-node hands a transpiler beyond the `service` its typings declare, as data (functions
 * dropped): today the module kind it emits the file as (`nodeModuleEmitKind`: a .cts and an .mts
 * file get the same compiler options and differ only there) and any options given with the
 * `transpiler` setting. Taken whole rather than by name, so that the key holds whatever ts-node
 * passes and SWC reads even if ts-node renames or adds something.
 */
function extraOptions(createOptions) {
  return Object.entries(createOptions)
    .filter(([name, value]) => name !== "service" && typeof value !== "function")
    .map(([name, value]) => [name, value ?? null]);
}

/** Node >= 22.1; a no-op where it is missing or already on (NODE_COMPILE_CACHE, an earlier call). */
function enableV8CompileCache(dir) {
  const nodeModule = require("module");
  if (typeof nodeModule.enableCompileCache === "function") nodeModule.enableCompileCache(dir);
}

/** Writes atomically (another process may read or write the same entry); a failure only costs the cache. */
function store(file, entry) {
  const partial = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(partial, JSON.stringify(entry));
    fs.renameSync(partial, file);
  } catch {
    fs.rmSync(partial, { force: true });
  }
}
