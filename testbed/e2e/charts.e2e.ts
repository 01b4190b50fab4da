// The pinned charts rendered with the program's own values (helm template), for both stacks, from a
// local chart cache: every pod passes the restricted Pod Security level (the upstream evaluator),
// no chart grants access to Secrets beyond its namespace, and every container is bounded (memory
// and ephemeral storage) with a read-only root filesystem. Skipped with a reason when the chart
// cache (fill it as docs/operations.md "Air-gapped charts" says), helm or psa-judge is missing.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { runProgram } from "../harness/program";
import { CACHED_CHARTS, cachedChart } from "../helpers/charts";
import { findTool } from "../helpers/tools";
import { isKubernetesObject, podSpecOf, toManifest } from "./manifests";
import { podsWithToken } from "../helpers/rendered";

type Doc = Record<string, any>;

describe("the pinned charts rendered with the program's values", function () {
  this.timeout(300_000);
  const helm = findTool("helm");
  const judge = findTool("psa-judge");
  const missing = [
    ...CACHED_CHARTS.map((c) => cachedChart(c)).filter((d) => !fs.existsSync(d)),
    ...(helm ? [] : ["helm"]),
    ...(judge ? [] : ["psa-judge"]),
  ];

  before(function () {
    if (missing.length > 0) {
      console.log(`      chart render skipped: missing ${missing.join(", ")} (testbed/tools/install.sh; chart cache: docs/operations.md)`);
      this.skip();
    }
  });

  for (const stack of ["dev", "production"]) {
    describe(stack, () => {
      const rendered: Record<string, Doc[]> = {};
      /** The program's own objects (the `default` ServiceAccount's patch among them). */
      let program: Doc[] = [];
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ape-render-${stack}-`));
      after(() => fs.rmSync(dir, { recursive: true, force: true }));

      before(async function () {
        if (missing.length > 0) this.skip();
        const set: Record<string, unknown> = Object.fromEntries(CACHED_CHARTS.map((c) => [`charts.${c}.chart`, cachedChart(c)]));
        // Neo4j's pinned chart (served by Neo4j's own repository) renders when the cache holds it.
        const neo4jDir = cachedChart("neo4j");
        if (fs.existsSync(neo4jDir)) Object.assign(set, { "charts.neo4j.repo": "", "charts.neo4j.chart": neo4jDir });
        else {
          console.log(`      neo4j not rendered: ${neo4jDir} is not in the chart cache`);
          set["neo4j.enabled"] = false;
        }
        const run = await runProgram(stack, { set });
        program = run.resources.filter(isKubernetesObject).map((r) => toManifest(r) as Doc);
        for (const release of run.ofType("kubernetes:helm.sh/v3:Release")) {
          const { name, chart, namespace, values } = release.inputs;
          assert.ok(fs.existsSync(chart), `${name} renders from the local chart ${chart}`);
          const valuesFile = path.join(dir, `${name}.json`);
          fs.writeFileSync(valuesFile, JSON.stringify(values));
          const yaml = execFileSync(helm!, ["template", name, chart, "-n", namespace, "-f", valuesFile], {
            encoding: "utf8",
            maxBuffer: 64 * 2 ** 20,
          });
          fs.writeFileSync(path.join(dir, `${name}.yaml`), yaml);
          rendered[name] = parseAllDocuments(yaml)
            .map((d) => d.toJSON())
            .filter(Boolean);
        }
      });

      it("every pod of every chart passes the restricted Pod Security level (upstream evaluator)", () => {
        const files = Object.keys(rendered).map((n) => path.join(dir, `${n}.yaml`));
        const result = spawnSync(judge!, ["-level", "restricted", ...files], { encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stdout + result.stderr);
        assert.match(result.stdout, / 0 refused/);
      });

      it("no chart grants access to Secrets outside its namespace, and Grafana's Role reads ConfigMaps only", () => {
        const all = Object.values(rendered).flat();
        const clusterSecretRules = all
          .filter((d) => d.kind === "ClusterRole")
          .flatMap((d) =>
            (d.rules ?? [])
              .filter((r: Doc) => (r.resources ?? []).some((x: string) => x === "secrets" || x === "*"))
              .map(() => d.metadata.name),
          );
        assert.deepStrictEqual(clusterSecretRules, [], "ClusterRoles that read Secrets");
        assert.deepStrictEqual(
          rendered.grafana.filter((d) => ["Role", "ClusterRole"].includes(d.kind)).map((d) => d.metadata.name),
          [],
          "Grafana's chart creates no Role of its own: it binds to the program's ConfigMap-only Role",
        );
        const binding = rendered.grafana.find((d) => d.kind === "RoleBinding");
        assert.deepStrictEqual(binding?.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "grafana-dashboard-reader" });
      });

      it("every container has a memory limit, ephemeral-storage requests and limits, and a read-only root filesystem", () => {
        const problems: string[] = [];
        for (const [release, docs] of Object.entries(rendered)) {
          for (const doc of docs) {
            const pod = podSpecOf(doc);
            if (!pod) continue;
            for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
              const where = `${release} ${doc.kind}/${doc.metadata.name} ${c.name}`;
              if (!c.resources?.limits?.memory) problems.push(`${where}: no memory limit`);
              if (!c.resources?.requests?.["ephemeral-storage"] || !c.resources?.limits?.["ephemeral-storage"])
                problems.push(`${where}: ephemeral storage unbounded`);
              if (c.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${where}: writable root filesystem`);
            }
            if (pod.securityContext?.fsGroupChangePolicy === "Always")
              problems.push(`${release} ${doc.kind}/${doc.metadata.name}: fsGroupChangePolicy Always`);
          }
        }
        assert.deepStrictEqual(problems, []);
      });

      it("only the pods that call the Kubernetes API mount a token, the namespace's default ServiceAccount included", () => {
        // Decided per pod: its own setting, else its ServiceAccount's (the chart's, or `default` as
        // the program patches it), else Kubernetes' default (a token). Prometheus discovers its
        // targets and kube-state-metrics lists objects; Grafana's sidecar has a projected token.
        assert.deepStrictEqual(podsWithToken([...Object.values(rendered).flat(), ...program]), [
          "Deployment/prometheus-kube-state-metrics",
          "Deployment/prometheus-server",
        ]);
      });

      it("no image comes from docker.io/bitnami (its versioned images are gone)", () => {
        const images = Object.values(rendered)
          .flat()
          .flatMap((d) =>
            [...(podSpecOf(d)?.initContainers ?? []), ...(podSpecOf(d)?.containers ?? [])].map((c: Doc) => c.image as string),
          );
        assert.ok(images.length >= 6);
        assert.deepStrictEqual(
          images.filter((i) => /^docker\.io\/bitnami\//.test(i)),
          [],
        );
        // Production runs the maintained recipes of images/, never Bitnami's frozen images.
        if (stack === "production")
          assert.deepStrictEqual(
            images.filter((i) => /bitnamilegacy/.test(i)),
            [],
          );
        console.log(`      images (${stack}): ${[...new Set(images)].sort().join(", ")}`);
      });
    });
  }
});
