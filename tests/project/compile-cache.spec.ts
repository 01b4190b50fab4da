// The compile cache (runtime/compile-cache.js) that every transpile-only load of the program goes
// through: it returns SWC's output, reads it back from disk in the next process instead of
// transpiling again, never serves an entry made for other source text or other options, and turns
// on V8's compile cache in the same directory.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { inFreshNode, startEarly } from "../../testbed/helpers/tools";

interface Transpiler {
  transpile(input: string, options: { fileName: string }): { outputText: string; sourceMapText: string };
}
const { create } = require("../../runtime/compile-cache.js") as { create(options: unknown): Transpiler };

// Where a fresh process keeps V8's compiled code (queued while mocha loads this file: testbed/helpers/tools.ts).
const V8_PROBE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "ape-compile-cache-probe-"));
const probe = (setting: string) =>
  inFreshNode('console.log(require("module").getCompileCacheDir() ?? "none")', { ...process.env, APE_COMPILE_CACHE: setting });
const v8CacheDirs = startEarly(async () => {
  try {
    return await Promise.all([probe(V8_PROBE_DIR), probe("off")]);
  } finally {
    fs.rmSync(V8_PROBE_DIR, { recursive: true, force: true });
  }
});

const SOURCE = "export const answer: number = 42;\nexport function twice(n: number): number {\n  return 2 * n;\n}\n";
const FILE = "/project/answer.ts";

describe("compile cache (runtime/compile-cache.js)", () => {
  let dir: string;
  const saved = process.env.APE_COMPILE_CACHE;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-compile-cache-"));
    process.env.APE_COMPILE_CACHE = dir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.APE_COMPILE_CACHE;
    else process.env.APE_COMPILE_CACHE = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A transpiler as ts-node creates one, for the given compiler options (and module kind). */
  const transpiler = (
    options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, sourceMap: true },
    nodeModuleEmitKind?: "nodecjs" | "nodeesm",
  ) =>
    create({
      service: { config: { options }, projectLocalResolveHelper: (s: string) => require.resolve(s) },
      transpilerConfigLocalResolveHelper: (s: string) => require.resolve(s),
      nodeModuleEmitKind,
    });
  const entries = () => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".json")) : []);

  it("returns SWC's CommonJS output with a source map, and stores it", () => {
    const out = transpiler().transpile(SOURCE, { fileName: FILE });
    assert.doesNotMatch(out.outputText, /: number/, "types are gone");
    assert.match(out.outputText, /exports\.answer|answer: function|get answer/);
    assert.deepStrictEqual(JSON.parse(out.sourceMapText).sources, [FILE]);
    assert.strictEqual(entries().length, 1);
  });

  it("a later process reads the stored output instead of transpiling again", () => {
    transpiler().transpile(SOURCE, { fileName: FILE });
    const [entry] = entries();
    const stored = path.join(dir, String(entry));
    // Mark the stored entry: a second transpiler (a new process would make a new one) must return it as stored.
    fs.writeFileSync(stored, JSON.stringify({ outputText: "/* from the cache */", sourceMapText: "{}" }));
    assert.strictEqual(transpiler().transpile(SOURCE, { fileName: FILE }).outputText, "/* from the cache */");
  });

  it("other source text, another file name or other compiler options never read that entry", () => {
    transpiler().transpile(SOURCE, { fileName: FILE });
    const [entry] = entries();
    fs.writeFileSync(path.join(dir, String(entry)), JSON.stringify({ outputText: "/* stale */", sourceMapText: "{}" }));
    const outputs = [
      transpiler().transpile(SOURCE.replace("42", "43"), { fileName: FILE }),
      transpiler().transpile(SOURCE, { fileName: "/project/other.ts" }),
      transpiler({ target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.CommonJS, sourceMap: true }).transpile(SOURCE, { fileName: FILE }),
    ];
    for (const out of outputs) assert.notStrictEqual(out.outputText, "/* stale */");
    assert.strictEqual(entries().length, 4);
  });

  it("the module kind ts-node passes beside its declared options (CommonJS or ESM under node16) never reads the other's entry", () => {
    const node16 = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, sourceMap: true };
    const commonjs = transpiler(node16, "nodecjs").transpile(SOURCE, { fileName: FILE });
    const esm = transpiler(node16, "nodeesm").transpile(SOURCE, { fileName: FILE });
    assert.match(commonjs.outputText, /exports/);
    assert.match(esm.outputText, /^export /m);
    assert.strictEqual(entries().length, 2);
  });

  it("through ts-node itself, as tsconfig.transpile.json names it: other compiler options never read that entry", () => {
    const source = "export const pick = (a?: number) => a ?? 1;\n";
    const compile = (target: string) =>
      require("ts-node")
        .create({
          transpileOnly: true,
          transpiler: require.resolve("../../runtime/compile-cache.js"),
          skipProject: true,
          compilerOptions: { target },
        })
        .compile(source, FILE) as string;
    assert.match(compile("es2022"), /\?\?/, "es2022 keeps ??");
    assert.doesNotMatch(compile("es2017"), /\?\?/, "es2017 gets its own output");
    assert.strictEqual(entries().length, 2);
  });

  it("an unreadable entry is transpiled again and replaced", () => {
    transpiler().transpile(SOURCE, { fileName: FILE });
    const stored = path.join(dir, String(entries()[0]));
    fs.writeFileSync(stored, "{ not json");
    assert.match(transpiler().transpile(SOURCE, { fileName: FILE }).outputText, /42/);
    assert.doesNotThrow(() => JSON.parse(fs.readFileSync(stored, "utf8")));
  });

  it("APE_COMPILE_CACHE=off transpiles without storing anything", () => {
    process.env.APE_COMPILE_CACHE = "off";
    assert.match(transpiler().transpile(SOURCE, { fileName: FILE }).outputText, /42/);
    assert.deepStrictEqual(entries(), []);
  });

  it("a process that loads TypeScript through testbed/harness/register.js keeps V8's compiled code there too, unless off", async () => {
    const [on, off] = await v8CacheDirs;
    assert.strictEqual(on.status, 0, on.output);
    // Node keeps one subdirectory per Node version and V8 configuration.
    assert.strictEqual(path.dirname(on.stdout.trim()), path.join(V8_PROBE_DIR, "v8"));
    assert.strictEqual(off.status, 0, off.output);
    assert.strictEqual(off.stdout.trim(), "none");
  });
});
