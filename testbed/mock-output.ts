// The program's mock output, resource by resource, for the no-behaviour-change check of a
// restructure: dev, production and a stack without a file, each resource's type, name, URN,
// inputs, secret paths and options (protect, retainOnDelete, deleteBeforeReplace, ignoreChanges,
// aliases, parent, dependencies, provider), with the stack outputs and the warnings.
//   node -r ./testbed/harness/register.js testbed/mock-output.ts write <file> [checkout]
//   node -r ./testbed/harness/register.js testbed/mock-output.ts compare <before> <after>
// `write` evaluates this checkout, or another one (a `git worktree add` of an older commit whose
// harness sits at testbed/harness/ or, before the test bed moved there, at harness/).
// `compare` lists the URNs only one side has and, for each other resource that differs, which of
// its fields do; exit 1 when anything differs. Secrets are the mocks' values, never real ones.
import * as fs from "fs";
import * as path from "path";

/** Each stack as `runProgram` is asked for it; the third one has no stack file (code defaults only). */
const STACKS: readonly [label: string, stack: string, options: object][] = [
  ["dev", "dev", {}],
  ["production", "production", {}],
  ["without a file", "prod-eu", { withoutStackFile: true, set: { "api.image.tag": "1.2.3" } }],
];

const FIELDS = [
  "type",
  "name",
  "urn",
  "custom",
  "inputs",
  "secretPaths",
  "protect",
  "retainOnDelete",
  "deleteBeforeReplace",
  "ignoreChanges",
  "aliases",
  "parent",
  "dependencies",
  "provider",
] as const;

type Resource = Record<(typeof FIELDS)[number], unknown>;
type Output = Record<string, { resources: Resource[]; outputs: unknown; secretOutputs: string[]; warnings: readonly string[] }>;

function harnessOf(checkout: string): string {
  const found = ["testbed/harness/program.ts", "harness/program.ts"].map((p) => path.resolve(checkout, p)).find((p) => fs.existsSync(p));
  if (!found) throw new Error(`${checkout}: no testbed/harness/program.ts or harness/program.ts`);
  return found;
}

async function write(file: string, checkout: string): Promise<void> {
  const { runProgram } = require(harnessOf(checkout));
  const out: Output = {};
  for (const [label, stack, options] of STACKS) {
    const run = await runProgram(stack, options);
    out[label] = {
      resources: run.resources.map((r: Resource) => Object.fromEntries(FIELDS.map((f) => [f, r[f]])) as Resource),
      outputs: run.outputs,
      secretOutputs: [...run.secretOutputs].sort(),
      warnings: run.warnings,
    };
  }
  fs.writeFileSync(file, JSON.stringify(out, null, 1) + "\n");
  console.log(`${file}: ${STACKS.map(([label]) => `${label} ${out[label].resources.length} resources`).join(", ")}`);
}

function compare(beforeFile: string, afterFile: string): boolean {
  const [before, after] = [beforeFile, afterFile].map((f) => JSON.parse(fs.readFileSync(f, "utf8")) as Output);
  let same = true;
  const say = (line: string) => {
    same = false;
    console.log(line);
  };
  for (const [label] of STACKS) {
    const byUrn = (o: Output) => new Map(o[label].resources.map((r) => [String(r.urn), r]));
    const [b, a] = [byUrn(before), byUrn(after)];
    for (const urn of b.keys()) if (!a.has(urn)) say(`${label}: only before: ${urn}`);
    for (const urn of a.keys()) if (!b.has(urn)) say(`${label}: only after: ${urn}`);
    for (const [urn, r] of b) {
      const other = a.get(urn);
      if (!other) continue;
      const differ = FIELDS.filter((f) => JSON.stringify(r[f]) !== JSON.stringify(other[f]));
      if (differ.length > 0) say(`${label}: ${urn}: ${differ.join(", ")}`);
    }
    for (const part of ["outputs", "secretOutputs", "warnings"] as const)
      if (JSON.stringify(before[label][part]) !== JSON.stringify(after[label][part])) say(`${label}: ${part} differ`);
  }
  if (same) console.log(`no difference: ${STACKS.map(([label]) => `${label} ${before[label].resources.length} resources`).join(", ")}`);
  return same;
}

async function main([verb, ...args]: string[]): Promise<number> {
  if (verb === "write" && args.length >= 1) {
    await write(args[0], args[1] ?? path.join(__dirname, ".."));
    return 0;
  }
  if (verb === "compare" && args.length === 2) return compare(args[0], args[1]) ? 0 : 1;
  console.error("usage: testbed/mock-output.ts write <file> [checkout] | compare <before> <after>");
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
