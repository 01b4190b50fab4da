// One evaluation under the test mocks in this (fresh) process, for the benchmark: the real program
// for a stack, or the smallest program (testbed/harness/floor.ts). Imports nothing of the program itself,
// so that both pay the same start-up.
//   node -r ./testbed/harness/register.js testbed/harness/evaluate.ts <dev|production|floor>
import { FLOOR_PROGRAM, runProgram } from "./program";

async function main(what: string): Promise<void> {
  const run = what === "floor" ? await runProgram("floor", { program: FLOOR_PROGRAM, withoutStackFile: true }) : await runProgram(what);
  if (run.resources.length === 0) throw new Error(`${what}: nothing registered`);
}

main(process.argv[2] ?? "dev").then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
