// Writes the values of every helm.v3.Release that the program registers for a stack (under the
// test mocks) to <outdir>/<release>.json, for rendering the real charts locally, e.g.
//   node -r ./testbed/harness/register.js testbed/dump-values.ts production /tmp/ape-values/production [key=value ...]
//   helm template postgresql <chart dir> -n ape-2026 -f /tmp/ape-values/production/postgresql.json
// key=value pairs are `pulumi config set --path` overrides (values parsed as JSON when they parse).
// The output contains no passwords (charts get Secret names only); still, keep it out of the repo.
import * as fs from "fs";
import * as path from "path";
import { runProgram } from "./harness/program";
import { T } from "./harness/types";

async function main(): Promise<void> {
  const [stack = "dev", outdir = `/tmp/ape-values/${stack}`, ...pairs] = process.argv.slice(2);
  const set: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a plain string */
    }
    set[pair.slice(0, at)] = value;
  }
  const run = await runProgram(stack, { set });
  fs.mkdirSync(outdir, { recursive: true });
  for (const release of run.ofType(T.Release)) {
    const file = path.join(outdir, `${release.inputs.name}.json`);
    fs.writeFileSync(file, JSON.stringify(release.inputs.values ?? {}, null, 2) + "\n");
    console.log(`${file}  chart=${release.inputs.chart} version=${release.inputs.version} namespace=${release.inputs.namespace}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
