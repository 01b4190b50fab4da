// Benchmark: wall time of `npm test`, evaluation time per stack under mocks, and what each stack
// requests in total (the dev stack must fit a laptop: 2 cores, 4 GiB; tests/budget.spec.ts).
// Figures are reported in issue notes; nothing here is asserted. Usage: npm run bench [-- --runs 5]
import { execFileSync } from "child_process";
import { runProgram } from "../harness/program";
import { stackContainers, totalRequests } from "../harness/requests";

// Distinct options per iteration so that every run is evaluated, not served from the test cache.
const fresh = (i: number) => ({ set: { "api.env.BENCH_RUN": String(i) } });

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  for (const stack of ["dev", "production"]) {
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < runs + 1; i++) {
      const start = process.hrtime.bigint();
      const run = await runProgram(stack, fresh(i));
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (i > 0) times.push(ms); // the first run also pays for module loading
      count = run.resources.length;
    }
    const requested = totalRequests(stackContainers(await runProgram(stack)));
    console.log(
      `requests ${stack}: ${requested.cpu.toFixed(2)} CPU cores, ${(requested.memory / 2 ** 30).toFixed(2)} GiB memory` +
        " (all containers, HPA minimum replicas)",
    );
    console.log(
      `evaluate ${stack}: median ${median(times).toFixed(0)} ms over ${runs} runs` +
        ` (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}), ${count} resources`,
    );
  }
  if (!process.argv.includes("--no-npm-test")) {
    const start = Date.now();
    execFileSync("npm", ["test", "--silent"], { stdio: "ignore" });
    console.log(`npm test: ${((Date.now() - start) / 1000).toFixed(1)} s wall`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
