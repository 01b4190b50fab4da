// Writes the values of every helm.v3.Release that the program registers for a stack (under the
// test mocks) to <outdir>/<release>.json, for rendering the real charts locally, e.g.
//   node -r ./testbed/harness/register.js testbed/dump-values.ts production /tmp/ape-values/production [key=value ...]
//   helm template postgresql <chart dir> -n ape-2026 -f /tmp/ape-values/production/postgresql.json
// key=value pairs are `pulumi config set --path` overrides (values parsed as JSON when they parse).
// The output contains no passwords (charts get Secret names only); still, keep it out of the repo.
//
// With --json, everything a rendering tool needs for one or more stacks goes into one file:
//   node -r ./testbed/harness/register.js testbed/dump-values.ts --json <file> dev,production [key=value ...]
// scripts/chart-diff.ts runs this (on the base of a pull request too) and renders from it. Each
// release carries `secretValuePaths`: the parts of its values that arrived as Pulumi secrets (a
// generated password or a `secure:` setting); `secretMarkers` are the text every generated
// password and every secure setting has in the mocked run, for searching rendered output;
// `namespaceLabels` are the labels of the stack's Namespace (its Pod Security levels).
import * as fs from "fs";
import * as path from "path";
import { runProgram } from "./harness/program";
import { MOCK_PASSWORD_PREFIX } from "./harness/mocks";
import { TEST_SECRET_PREFIX } from "./harness/stackFile";
import { T } from "./harness/types";

/** The --json document (read by scripts/charts/values.ts). */
interface ValuesDump {
  readonly stacks: Record<string, { releases: unknown[]; namespaceLabels: Record<string, string> }>;
  readonly secretMarkers: string[];
}

function overrides(pairs: string[]): Record<string, unknown> {
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
  return set;
}

async function writeJson(file: string, stacks: string[], set: Record<string, unknown>): Promise<void> {
  const markers = new Set([MOCK_PASSWORD_PREFIX, TEST_SECRET_PREFIX]);
  const dump: ValuesDump = { stacks: {}, secretMarkers: [] };
  for (const stack of stacks) {
    const run = await runProgram(stack, { set });
    for (const password of run.ofType(T.RandomPassword)) markers.add(String(password.state.result));
    dump.stacks[stack] = {
      namespaceLabels: run.ofType(T.Namespace)[0]?.inputs.metadata?.labels ?? {},
      releases: run.ofType(T.Release).map((r) => ({
        name: r.inputs.name,
        chart: r.inputs.chart,
        version: r.inputs.version,
        repo: r.inputs.repositoryOpts?.repo,
        namespace: r.inputs.namespace,
        values: r.inputs.values ?? {},
        secretValuePaths: r.secretPaths.filter((p) => p === "" || p === "values" || p.startsWith("values.")),
      })),
    };
  }
  fs.writeFileSync(file, JSON.stringify({ ...dump, secretMarkers: [...markers] }));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--json") {
    const [, file, stacks = "dev", ...pairs] = args;
    return writeJson(file, stacks.split(","), overrides(pairs));
  }
  const [stack = "dev", outdir = `/tmp/ape-values/${stack}`, ...pairs] = args;
  const run = await runProgram(stack, { set: overrides(pairs) });
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
