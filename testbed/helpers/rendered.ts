// Every object a stack puts in its namespace, as Kubernetes would receive it: the pinned charts
// rendered (helm template, from the local chart cache) with the values the program gives each
// release, plus the objects the program creates itself (the mock run's inputs). For the checks
// that look at the whole namespace (kube-score, which pods mount a ServiceAccount token).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { ProgramRun, runProgram } from "../harness/program";
import { T } from "../harness/types";
import { isKubernetesObject, podSpecOf, toManifest } from "../e2e/manifests";
import { CACHED_CHARTS, cachedChart } from "./charts";
import { findTool, inBackground } from "./tools";

export type Doc = Record<string, any>;

export interface RenderedStack {
  readonly stack: string;
  readonly run: ProgramRun;
  /** Each release's rendered objects, by release name. */
  readonly charts: Record<string, Doc[]>;
  /** The objects the program creates itself (Patch resources as the object they patch). */
  readonly program: Doc[];
}

/** What rendering needs and is not here (helm, chart directories); empty when everything is. */
export function renderingMissing(): string[] {
  return [
    ...(findTool("helm") ? [] : ["helm (testbed/tools/install.sh helm)"]),
    ...CACHED_CHARTS.map((c) => cachedChart(c)).filter((d) => !fs.existsSync(d)),
  ];
}

/**
 * Renders `stack` (with `set` applied) from the chart cache; helm runs on the tools' background lane
 * (testbed/helpers/tools.ts). Neo4j renders when the cache holds its chart, else the stack runs
 * without it.
 */
export async function renderStack(stack: string, set: Record<string, unknown> = {}): Promise<RenderedStack> {
  const helm = findTool("helm");
  if (!helm) throw new Error("helm not found");
  const cached: Record<string, unknown> = Object.fromEntries(CACHED_CHARTS.map((c) => [`charts.${c}.chart`, cachedChart(c)]));
  const neo4jDir = cachedChart("neo4j");
  if (fs.existsSync(neo4jDir)) Object.assign(cached, { "charts.neo4j.repo": "", "charts.neo4j.chart": neo4jDir });
  else cached["neo4j.enabled"] = false;
  const run = await runProgram(stack, { set: { ...cached, ...set } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ape-render-${stack}-`));
  const charts: Record<string, Doc[]> = {};
  try {
    for (const release of run.ofType(T.Release)) {
      const { name, chart, namespace, values } = release.inputs;
      const valuesFile = path.join(dir, `${name}.json`);
      fs.writeFileSync(valuesFile, JSON.stringify(values));
      const render = await inBackground(helm, ["template", name, chart, "-n", namespace, "-f", valuesFile]);
      if (render.status !== 0) throw new Error(`helm template ${name}: ${render.output}`);
      charts[name] = parseAllDocuments(render.stdout)
        .map((d) => d.toJSON())
        .filter(Boolean)
        .map((d: Doc) => ({ ...d, metadata: { namespace, ...d.metadata } }));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const program = run.resources.filter(isKubernetesObject).map((r) => toManifest(r) as Doc);
  return { stack, run, charts, program };
}

/** Every object of the namespace: the charts' and the program's. */
export const allObjects = (r: RenderedStack): Doc[] => [...Object.values(r.charts).flat(), ...r.program];

/**
 * The pods (by their workload, "Kind/name") that get a ServiceAccount token mounted: the pod's own
 * automountServiceAccountToken, else its ServiceAccount's, else Kubernetes' default (true). The
 * ServiceAccounts are those among `objects` (the `default` one only when the program sets it).
 */
export function podsWithToken(objects: Doc[]): string[] {
  const accounts = new Map<string, boolean | undefined>();
  for (const o of objects) if (o.kind === "ServiceAccount") accounts.set(o.metadata.name, o.automountServiceAccountToken);
  return objects
    .filter((o) => podSpecOf(o))
    .filter((o) => {
      const pod = podSpecOf(o)!;
      return pod.automountServiceAccountToken ?? accounts.get(pod.serviceAccountName ?? "default") ?? true;
    })
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .sort();
}
