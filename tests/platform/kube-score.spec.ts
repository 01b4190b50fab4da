// kube-score on everything each stack puts in its namespace: the pinned charts rendered with the
// program's values (helm template from the local chart cache) together with the program's own
// objects, so that checks across objects (a NetworkPolicy or PodDisruptionBudget per pod, a
// Service's selector) see the real neighbours. Every finding is either fixed or listed, with its
// reason, in the one reviewed allow-list beside this spec; an entry that no longer matches anything
// fails too. Also from the same objects: which pods get a ServiceAccount token. Skipped with a
// reason when kube-score (testbed/tools/install.sh kube-score), helm or the chart cache is missing.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { findTool, inBackground, startEarly } from "../../testbed/helpers/tools";
import { allObjects, Doc, podsWithToken, RenderedStack, renderingMissing, renderStack } from "../../testbed/helpers/rendered";

const ALLOW_FILE = path.join(__dirname, "kube-score.allow.yaml");
/** The Kubernetes version kube-score judges API versions against (the engine e2e runs 1.36). */
const KUBERNETES_VERSION = "v1.33";
const STACKS = ["dev", "production"] as const;

interface Allowed {
  readonly check: string;
  readonly objects: readonly string[];
  readonly containers?: readonly string[];
  readonly stacks?: readonly string[];
  readonly reason: string;
}

interface Finding {
  readonly stack: string;
  readonly check: string;
  /** Kind/name of the object. */
  readonly object: string;
  /** The container the comment is about ("" for the whole object). */
  readonly container: string;
  readonly summary: string;
}

const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
const matches = (a: Allowed, f: Finding) =>
  a.check === f.check &&
  a.objects.some((o) => glob(o).test(f.object)) &&
  (!a.containers || a.containers.includes(f.container)) &&
  (!a.stacks || a.stacks.includes(f.stack));
const describeFinding = (f: Finding) => `${f.stack} ${f.check} ${f.object}${f.container ? ` (${f.container})` : ""}: ${f.summary}`;

/** kube-score's findings (checks not OK and not skipped, one per comment) for the objects of one stack. */
async function kubeScore(kubeScoreBin: string, stack: string, objects: Doc[]): Promise<Finding[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ape-kube-score-${stack}-`));
  try {
    // JSON documents: a YAML 1.1 reader (kube-score's) would take an unquoted yes/on for a boolean.
    const file = path.join(dir, "objects.yaml");
    fs.writeFileSync(file, objects.map((o) => JSON.stringify(o)).join("\n---\n"));
    // It exits 1 when it finds something; the report is on stdout either way.
    const run = await inBackground(kubeScoreBin, ["score", "--kubernetes-version", KUBERNETES_VERSION, "-o", "json", file]);
    if (!run.stdout.trim().startsWith("[")) throw new Error(`kube-score: ${run.output}`);
    const findings: Finding[] = [];
    for (const o of JSON.parse(run.stdout)) {
      const object = `${o.type_meta.kind}/${o.object_meta.name}`;
      for (const c of o.checks) {
        if (c.skipped || c.grade >= 10) continue;
        for (const comment of c.comments ?? [{ path: "", summary: c.check.name }])
          findings.push({ stack, check: c.check.id, object, container: comment.path ?? "", summary: comment.summary });
      }
    }
    return findings;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Each stack rendered and scored. */
interface Scored {
  readonly rendered: Record<string, RenderedStack>;
  readonly findings: Finding[];
}

async function scoreStacks(kubeScoreBin: string): Promise<Scored> {
  const rendered: Record<string, RenderedStack> = {};
  const findings: Finding[] = [];
  for (const stack of STACKS) {
    rendered[stack] = await renderStack(stack);
    findings.push(...(await kubeScore(kubeScoreBin, stack, allObjects(rendered[stack]))));
  }
  return { rendered, findings };
}

describe("the rendered stacks, checked by kube-score", function () {
  this.timeout(300_000);
  const bin = findTool("kube-score");
  const missing = [...(bin ? [] : ["kube-score (testbed/tools/install.sh kube-score)"]), ...renderingMissing()];
  const allowed: Allowed[] = parse(fs.readFileSync(ALLOW_FILE, "utf8"));
  // Started when mocha loads the spec: helm and kube-score run on the second core meanwhile.
  const scored = missing.length === 0 ? startEarly(() => scoreStacks(bin!)) : undefined;
  let rendered: Record<string, RenderedStack> = {};
  let findings: Finding[] = [];

  before(async function () {
    if (!scored) {
      console.log(`      ${missing.join(", ")} missing: kube-score not run (chart cache: docs/operations.md "Air-gapped charts")`);
      this.skip();
    }
    ({ rendered, findings } = await scored!);
  });

  it("the allow-list is well formed: every entry names a check and objects and says why", () => {
    for (const a of allowed) {
      assert.ok(a.check && a.objects?.length > 0, JSON.stringify(a));
      assert.ok(typeof a.reason === "string" && a.reason.length > 40, `${a.check}: a reason is required`);
    }
  });

  it("every kube-score finding is fixed or allowed with its reason", () => {
    const open = findings.filter((f) => !allowed.some((a) => matches(a, f)));
    assert.deepStrictEqual(open.map(describeFinding), [], "findings without an entry in tests/platform/kube-score.allow.yaml");
  });

  it("no allow-list entry is stale: each still matches a finding", () => {
    const stale = allowed.filter((a) => !findings.some((f) => matches(a, f)));
    assert.deepStrictEqual(
      stale.map((a) => `${a.check} ${a.objects.join(",")}`),
      [],
      "entries that no longer match a finding: remove them",
    );
  });

  it("the checks the fixes answer stay fixed: identical probes, NetworkPolicy per pod, PDB, Service selectors", () => {
    const fixed = ["pod-networkpolicy", "deployment-has-poddisruptionbudget", "service-targets-pod", "cronjob-has-deadline"];
    assert.deepStrictEqual(findings.filter((f) => fixed.includes(f.check)).map(describeFinding), []);
    assert.ok(
      !findings.some((f) => f.check === "pod-probes-identical" && f.object === "StatefulSet/prometheus-alertmanager"),
      "StatefulSet/prometheus-alertmanager: probes differ",
    );
    // kube-score names the pod: Grafana's finding is the dashboard sidecar's one health endpoint
    // (allow-listed with its reason); Grafana's own container keeps distinct probes.
    for (const stack of STACKS) {
      const grafana = allObjects(rendered[stack]).find((o: any) => o.kind === "Deployment" && o.metadata.name === "grafana") as any;
      const own = grafana.spec.template.spec.containers.find((c: any) => c.name === "grafana");
      assert.notDeepStrictEqual(own.livenessProbe, own.readinessProbe, `${stack}: Grafana's own probes differ`);
    }
  });

  it("only the pods that call the Kubernetes API get a ServiceAccount token, the default account's pods included", () => {
    for (const stack of STACKS) {
      const objects = allObjects(rendered[stack]);
      // Prometheus discovers its targets and kube-state-metrics lists objects. Grafana's dashboard
      // sidecar gets a projected token of its own (services/grafana), not the pod's.
      assert.deepStrictEqual(podsWithToken(objects), ["Deployment/prometheus-kube-state-metrics", "Deployment/prometheus-server"], stack);
    }
    // The backup CronJob names no ServiceAccount (its chart has no setting): it runs as `default`,
    // whose token the program turns off.
    const backup = allObjects(rendered.production).find((o) => o.kind === "CronJob");
    assert.strictEqual(backup?.spec.jobTemplate.spec.template.spec.serviceAccountName, undefined);
    const withoutPatch = allObjects(rendered.production).filter((o) => !(o.kind === "ServiceAccount" && o.metadata.name === "default"));
    assert.ok(podsWithToken(withoutPatch).includes("CronJob/postgresql-pgdumpall"), "without the program's patch it would mount one");
  });
});
