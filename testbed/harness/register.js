// Loads TypeScript for the test suites, the benchmark and the harness scripts: ts-node transpiling
// with SWC through the compile cache (runtime/compile-cache.js), without type-checking (`npm run
// typecheck`, part of `npm test`, does that once for the whole project). A plain .js file because it
// runs before anything can load TypeScript. Pulumi's own runs (preview/up) load the program the same
// way when they skip the type-check: see tsconfig.transpile.json.
require("ts-node").register({ transpileOnly: true, transpiler: require.resolve("../../runtime/compile-cache.js") });
