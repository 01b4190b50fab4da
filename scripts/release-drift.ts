// Hand edits inside the chart releases, which `pulumi preview --refresh` cannot see (it refreshes a
// Release from Helm's record, not from the objects):
//
//   npm run release-drift -- --stack production [--release grafana] [--out <dir>]
//   npm run release-drift -- --namespace ape-2026
//
// For every Helm release the stack declares (or every release in the namespace), the manifest Helm
// recorded is compared with the live objects (scripts/charts/drift.ts): deleted objects, fields
// whose live value differs from the record, and fields last written by a kubectl command. Uses
// kubectl with the current KUBECONFIG (read access to the namespace, and the permission to apply
// its objects as a server-side dry run). Secret values are never printed.
// The fix: docs/operations.md "Drift inside chart releases".
// Exit status: 0 no drift, 1 drift or a release that is not deployed, 2 the check could not be made.
import * as fs from "fs";
import * as path from "path";
import { driftLines, helmReleases, kubectlCli, ObjectDrift, releaseDrift } from "./charts/drift";
import { declaredReleases, ROOT } from "./charts/values";
import { eachFlag } from "./args";

function parseArgs(argv: string[]): { stack?: string; namespace?: string; releases: string[]; kubectl: string; out?: string } {
  const o: { stack?: string; namespace?: string; releases: string[]; kubectl: string; out?: string } = { releases: [], kubectl: "kubectl" };
  eachFlag(argv, (flag, value) => {
    if (flag === "--stack") o.stack = value();
    else if (flag === "--namespace") o.namespace = value();
    else if (flag === "--release") o.releases.push(value());
    else if (flag === "--kubectl") o.kubectl = value();
    else if (flag === "--out") o.out = value();
    else throw new Error(`unknown option ${flag}`);
  });
  if (!o.stack && !o.namespace) throw new Error("give --stack <stack> (its namespace and releases) or --namespace <namespace>");
  return o;
}

function main(): number {
  const o = parseArgs(process.argv.slice(2));
  const problems: string[] = [];
  let namespace = o.namespace;
  let names = o.releases.length ? o.releases : undefined;
  if (o.stack) {
    const declared = declaredReleases(ROOT, [o.stack]).stacks[o.stack].releases;
    namespace ??= declared[0]?.namespace;
    names ??= declared.map((r) => r.name);
  }
  if (!namespace) throw new Error(`stack ${o.stack} declares no chart release`);
  const kubectl = kubectlCli(o.kubectl);
  const releases = helmReleases(kubectl, namespace, names);
  for (const name of names ?? [])
    if (!releases.some((r) => r.name === name)) problems.push(`${namespace}/${name}: no Helm release in the cluster`);
  for (const r of releases) if (r.status !== "deployed") problems.push(`${namespace}/${r.name}: revision ${r.revision} is ${r.status}`);
  const drift: ObjectDrift[] = releases.flatMap((r) => releaseDrift(kubectl, r));

  const lines = [
    `## Drift inside the chart releases of ${o.stack ? `stack ${o.stack}, ` : ""}namespace ${namespace}`,
    "",
    ...driftLines(releases, drift).map((l) => (l.startsWith(" ") ? l : `- ${l}`)),
    ...problems.map((p) => `- ${p}`),
    "",
    drift.length || problems.length
      ? 'Fix: `pulumi up --refresh` if the release\'s values changed, else repair the release at the Helm level (docs/operations.md, "Drift inside chart releases").'
      : "Every object is as Helm recorded it.",
  ];
  const text = lines.join("\n") + "\n";
  process.stdout.write(text);
  if (o.out) {
    fs.mkdirSync(o.out, { recursive: true });
    fs.writeFileSync(path.join(o.out, "release-drift.md"), text);
    fs.writeFileSync(
      path.join(o.out, "release-drift.json"),
      JSON.stringify({ namespace, releases: releases.map(({ manifest: _m, ...r }) => r), drift, problems }, null, 2) + "\n",
    );
  }
  return drift.length || problems.length ? 1 : 0;
}

try {
  process.exit(main());
} catch (e) {
  console.error(`release-drift: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
}
