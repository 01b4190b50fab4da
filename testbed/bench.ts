// Benchmark of the test and deploy loop, as ratios measured in one interleaved run (machines here
// are shared and drift, so absolute figures only compare within a run):
// - one evaluation of index.ts under the test mocks for dev and production, each in a fresh
//   process, against the smallest program (testbed/harness/floor.ts: one Namespace, one ConfigMap)
//   evaluated the same way;
// - the unit suite (mocha) and the type-check (tsc, cold as in CI, and warm incremental);
// - what each stack requests in total (the dev stack must fit a laptop: tests/platform/budget.spec.ts).
// Each round runs every measurement once, in a rotated order; figures are medians over rounds.
// Nothing here is asserted.
//   npm run bench [-- --runs 5] [-- --skip suite,typecheck]     (one evaluation: testbed/harness/evaluate.ts)
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runProgram } from "./harness/program";
import { stackContainers, totalRequests } from "./harness/requests";

const ROOT = path.resolve(__dirname, "..");
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Sample {
  /** Wall time of the whole process, seconds. */
  readonly wall: number;
  /** CPU time of the process and its children (all threads), seconds; NaN where unknown. */
  readonly cpu: number;
}

/** CPU seconds of this process's finished children (Linux /proc; NaN elsewhere). */
function childrenCpu(): number {
  try {
    const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in USER_HZ (100)
  } catch {
    return NaN;
  }
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const cpu = childrenCpu();
  const start = process.hrtime.bigint();
  const res = spawnSync(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (res.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${res.stdout}\n${res.stderr}`);
  return { wall, cpu: childrenCpu() - cpu };
}

const node = process.execPath;
/** Where the suite's evaluations are listed (testbed/harness/program.ts, APE_HARNESS_STATS). */
const SUITE_STATS = path.join(os.tmpdir(), `ape-bench-evaluations-${process.pid}.txt`);
const register = path.join(ROOT, "testbed", "harness", "register.js");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);
const evaluate = path.join(ROOT, "testbed", "harness", "evaluate.ts");

const measurements: Record<string, () => Sample> = {
  "evaluate floor": () => timed(node, ["-r", register, evaluate, "floor"]),
  "evaluate dev": () => timed(node, ["-r", register, evaluate, "dev"]),
  "evaluate production": () => timed(node, ["-r", register, evaluate, "production"]),
  "type-check (cold, as in CI)": () => timed(bin("tsc"), ["--noEmit"]),
  "type-check (warm, npm run typecheck)": () => timed(bin("tsc"), ["--noEmit", "--incremental"]),
  "unit suite (mocha)": () => {
    fs.rmSync(SUITE_STATS, { force: true });
    return timed(node, [path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"), "tests/**/*.spec.ts", "--reporter", "dot"], {
      APE_HARNESS_STATS: SUITE_STATS,
    });
  },
};

async function main(): Promise<void> {
  const runs = Math.max(3, Number(arg("--runs")) || 3);
  const skip = (arg("--skip") ?? "").split(",").filter(Boolean);
  const names = Object.keys(measurements).filter((n) => !skip.some((s) => n.replace(/-/g, "").includes(s.replace(/-/g, ""))));
  // The warm type-check needs its incremental state.
  if (names.some((n) => n.includes("warm"))) timed(bin("tsc"), ["--noEmit", "--incremental"]);
  const samples = new Map<string, Sample[]>(names.map((n) => [n, []]));
  for (let round = 0; round < runs; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) samples.get(name)!.push(measurements[name]());
    process.stderr.write(`round ${round + 1}/${runs} done\n`);
  }

  const wall = (name: string) => median(samples.get(name)!.map((s) => s.wall));
  const cpu = (name: string) => median(samples.get(name)!.map((s) => s.cpu));
  const floor = wall("evaluate floor");
  const floorCpu = cpu("evaluate floor");
  console.log(`medians of ${runs} interleaved rounds; ratios against one evaluation of the smallest program (floor)`);
  console.log(
    `${"measurement".padEnd(38)} ${"wall".padStart(8)} ${"CPU".padStart(8)} ${"wall x floor".padStart(13)} ${"CPU x floor".padStart(12)}`,
  );
  for (const name of names) {
    const [w, c] = [wall(name), cpu(name)];
    console.log(
      `${name.padEnd(38)} ${`${w.toFixed(2)} s`.padStart(8)} ${`${c.toFixed(2)} s`.padStart(8)} ` +
        `${(w / floor).toFixed(2).padStart(13)} ${(c / floorCpu).toFixed(2).padStart(12)}`,
    );
  }

  if (fs.existsSync(SUITE_STATS)) {
    const kinds = fs
      .readFileSync(SUITE_STATS, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ")[0]);
    fs.rmSync(SUITE_STATS);
    const count = (kind: string) => kinds.filter((k) => k === kind).length;
    console.log(`unit suite: ${count("run")} program evaluations, ${count("refused")} refused configurations (each run once per process)`);
  }

  for (const stack of ["dev", "production"]) {
    const requested = totalRequests(stackContainers(await runProgram(stack)));
    console.log(
      `requests ${stack}: ${requested.cpu.toFixed(2)} CPU cores, ${(requested.memory / 2 ** 30).toFixed(2)} GiB memory` +
        " (all containers, HPA minimum replicas)",
    );
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
