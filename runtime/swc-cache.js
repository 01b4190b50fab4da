// A ts-node transpiler: ts-node's own SWC transpiler behind an on-disk cache of its output, so that
// a process that loads the program (every `pulumi preview` and `pulumi up` that skips the type-check,
// every test run, the benchmark) transpiles only the files that changed since the last one, and
// does not load SWC's native library at all when nothing did. Used by harness/register.js and by
// tsconfig.transpile.json; like them it never type-checks (`npm run typecheck` does that).
//
// An entry is keyed by everything that decides the output: the file's name and text, the compiler
// options ts-node derived from tsconfig, the module kind, and the versions of ts-node and SWC. So a
// stale entry is never read; entries for old versions of a file just stay unused. The cache lives
// in node_modules/.cache/ape-2026-swc (APE_TRANSPILE_CACHE elsewhere; APE_TRANSPILE_CACHE=off
// disables it); deleting it at any time is safe. A plain .js file because it runs before anything
// can load TypeScript.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const DEFAULT_DIR = path.join(__dirname, "..", "node_modules", ".cache", "ape-2026-swc");

/** ts-node calls this once per compiler configuration with its own factory options. */
exports.create = function create(createOptions) {
  const setting = process.env.APE_TRANSPILE_CACHE;
  let swc;
  /** ts-node's SWC transpiler, created on the first cache miss only. */
  const transpiler = () => (swc ??= require("ts-node/transpilers/swc").create(createOptions));
  if (setting === "off") return { transpile: (input, options) => transpiler().transpile(input, options) };

  const dir = setting || DEFAULT_DIR;
  const salt = JSON.stringify([
    require("ts-node/package.json").version,
    require("@swc/core/package.json").version,
    createOptions.service.config.options,
    createOptions.nodeModuleEmitKind ?? null,
  ]);

  return {
    transpile(input, options) {
      const key = crypto.createHash("sha256").update(salt).update("\0").update(options.fileName).update("\0").update(input).digest("hex");
      const file = path.join(dir, key.slice(0, 2), `${key}.json`);
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
