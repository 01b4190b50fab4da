// Real-engine checks of the API's external secrets and an external Neo4j (charts cannot be
// downloaded here, so Neo4j is an external endpoint, as the data services are in engine.e2e.ts):
// - stage 1 (a throw-away API server, KUBECONFIG from testbed/e2e.sh): the External Secrets
//   Operator's ExternalSecret CRD is applied from a local copy, and the API server admits the
//   program's ExternalSecret and API objects, validating them against the CRD's schema;
// - stage 2 (APE_E2E_ENGINE=1, the offline Pulumi engine): pulumi up and destroy of the dev stack
//   with the same settings.
// The CRD comes from the operator's release (config/crds/bases/external-secrets.io_externalsecrets.yaml):
// APE_ESO_CRDS names that file or a directory holding it (default: the newest version directory
// under $APE_CHART_CACHE/external-secrets-crds, APE_CHART_CACHE defaulting to
// $HOME/.cache/ape-2026-charts). Without it every test here is skipped, saying why.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runProgram } from "../harness/program";
import { CHART_CACHE } from "../helpers/charts";
import { apply, kubectl, remove } from "./kubectl";
import { Manifest, stackManifests } from "./manifests";
import { E2E_OVERRIDES, pulumi as pulumiIn, pulumiEnv, REPO } from "./pulumi";
import { ok } from "./run";

const CRD_FILE_NAME = "external-secrets.io_externalsecrets.yaml";
const CRD_NAME = "externalsecrets.external-secrets.io";

/** The ExternalSecret CRD file, or why there is none. */
function findCrd(): { file?: string; reason?: string } {
  const given = process.env.APE_ESO_CRDS ?? path.join(CHART_CACHE, "external-secrets-crds");
  if (!fs.existsSync(given)) return { reason: `no ExternalSecret CRD: ${given} does not exist (set APE_ESO_CRDS)` };
  if (fs.statSync(given).isFile()) return { file: given };
  const direct = path.join(given, CRD_FILE_NAME);
  if (fs.existsSync(direct)) return { file: direct };
  const versions = fs
    .readdirSync(given)
    .filter((d) => fs.existsSync(path.join(given, d, CRD_FILE_NAME)))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return versions.length > 0
    ? { file: path.join(given, versions[versions.length - 1], CRD_FILE_NAME) }
    : { reason: `no ${CRD_FILE_NAME} in ${given} or its version directories (set APE_ESO_CRDS)` };
}

/**
 * The settings under test, over the real stack files: the charts off (external data services, an
 * external Neo4j), the API's variables from a ClusterSecretStore, plus an existing Secret and the
 * Reloader switch.
 */
export const SECRETS_E2E: Record<string, unknown> = {
  ...E2E_OVERRIDES,
  "api.externalSecrets": {
    storeRef: { name: "e2e-store", kind: "ClusterSecretStore" },
    refreshInterval: "15m",
    data: { CLAUDE_API_KEY: { key: "ape-2026/e2e/claude", property: "key" } },
  },
  "api.existingSecret": "e2e-api-keys",
  "api.reloadOnSecretChange": true,
};

const crd = findCrd();
const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);

describe("e2e secrets: ExternalSecret and an external Neo4j on a real API server", function () {
  this.timeout(300_000);
  let manifests: Manifest[] = [];

  before(async function () {
    if (!crd.file) {
      console.log(`      SKIPPED: ${crd.reason}`);
      this.skip();
    }
    kubectl(["apply", "--server-side", "--field-manager=ape-e2e", "-o", "json", "-f", crd.file!]);
    kubectl(["wait", "--for=condition=Established", `crd/${CRD_NAME}`, "--timeout=60s"]);
    manifests = stackManifests(await runProgram("production", { set: structuredClone(SECRETS_E2E) }));
  });

  after(function () {
    if (!crd.file) return;
    remove(manifests.filter((m) => m.kind !== "Namespace"));
    remove(byKind(manifests, "Namespace"));
    kubectl(["delete", "--ignore-not-found", "--wait=true", "--timeout=120s", "crd", CRD_NAME]);
  });

  it("the API server admits every object, the ExternalSecret validated by the CRD's schema, with no warning", () => {
    apply(byKind(manifests, "Namespace"));
    const rest = manifests.filter((m) => m.kind !== "Namespace");
    assert.strictEqual(byKind(rest, "ExternalSecret").length, 1);
    const dry = apply(rest, true);
    assert.deepStrictEqual(dry.warnings, []);
    const { items, warnings } = apply(rest);
    assert.deepStrictEqual(warnings, []);
    assert.strictEqual(items.length, rest.length);
  });

  it("the stored ExternalSecret is external-secrets.io/v1 with the store, interval, target and remote keys", () => {
    const [stored] = kubectl(["get", "externalsecrets.external-secrets.io", "api-external-secrets", "-n", "ape-2026", "-o", "json"]).items;
    assert.strictEqual(stored.apiVersion, "external-secrets.io/v1");
    assert.deepStrictEqual(stored.spec.secretStoreRef, { name: "e2e-store", kind: "ClusterSecretStore" });
    assert.strictEqual(stored.spec.refreshInterval, "15m");
    assert.deepStrictEqual([stored.spec.target.name, stored.spec.target.creationPolicy], ["api-external-secrets", "Owner"]);
    assert.deepStrictEqual(
      stored.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property]),
      [["CLAUDE_API_KEY", "ape-2026/e2e/claude", "key"]],
    );
  });

  it("the stored Deployment reads the three Secrets and carries the Reloader annotation; the ConfigMap names the external Neo4j", () => {
    const [deployment] = kubectl(["get", "deployment", "api", "-n", "ape-2026", "-o", "json"]).items;
    assert.strictEqual(deployment.metadata.annotations["secret.reloader.stakater.com/reload"], "api-external-secrets,e2e-api-keys");
    const container = deployment.spec.template.spec.containers[0];
    const secrets = container.envFrom.filter((e: any) => e.secretRef).map((e: any) => e.secretRef.name);
    assert.deepStrictEqual(secrets.slice(0, 1), ["e2e-api-keys"]);
    assert.ok(secrets.includes("api-external-secrets"));
    const neo4jPassword = container.env.find((e: any) => e.name === "NEO4J_PASSWORD");
    assert.deepStrictEqual(neo4jPassword.valueFrom.secretKeyRef, { name: "e2e-graph", key: "password" });
    const configMap = container.envFrom.find((e: any) => e.configMapRef).configMapRef.name;
    const [cm] = kubectl(["get", "configmap", configMap, "-n", "ape-2026", "-o", "json"]).items;
    assert.deepStrictEqual([cm.data.NEO4J_URI, cm.data.NEO4J_USERNAME], ["bolt://graph.e2e.internal:7687", "ape"]);
  });

  it("negative control: the API server refuses an ExternalSecret whose store kind the CRD does not allow", () => {
    const [es] = byKind(manifests, "ExternalSecret");
    const bad = structuredClone(es);
    (bad.spec as any).secretStoreRef.kind = "Vault";
    bad.metadata = { ...bad.metadata, name: "e2e-bad-kind" };
    assert.throws(() => apply([bad], true), /Unsupported value: "Vault"|secretStoreRef\.kind/);
  });
});

// --- stage 2: the real engine -------------------------------------------------------------------

const engine = process.env.APE_E2E_ENGINE === "1";
const PROJECT_DIR = path.join(__dirname, "engine");
const work = path.join(os.tmpdir(), `ape-e2e-secrets-${process.pid}`);
const pulumi = (...args: string[]) => pulumiIn(PROJECT_DIR, "dev", args, pulumiEnv(work));

(engine ? describe : describe.skip)("e2e secrets: pulumi up and destroy with an ExternalSecret and an external Neo4j", function () {
  this.timeout(900_000);
  const stackFile = path.join(PROJECT_DIR, "Pulumi.dev.yaml");

  before(function () {
    if (!crd.file) {
      console.log(`      SKIPPED: ${crd.reason}`);
      this.skip();
    }
    fs.mkdirSync(path.join(work, "state"), { recursive: true });
    kubectl(["apply", "--server-side", "--field-manager=ape-e2e", "-o", "json", "-f", crd.file!]);
    kubectl(["wait", "--for=condition=Established", `crd/${CRD_NAME}`, "--timeout=60s"]);
    fs.copyFileSync(path.join(REPO, "Pulumi.dev.yaml"), stackFile);
    ok(pulumi("stack", "init"), "stack init");
    for (const [key, value] of Object.entries(SECRETS_E2E)) {
      // Objects are set leaf by leaf, as a user would with --path.
      const leaves: Array<[string, unknown]> = [];
      const walk = (at: string, v: unknown) =>
        v !== null && typeof v === "object" ? Object.entries(v).forEach(([k, c]) => walk(`${at}.${k}`, c)) : leaves.push([at, v]);
      walk(key, value);
      // --plaintext: remote key names look like secrets to the CLI, but they are only references.
      for (const [k, v] of leaves) ok(pulumi("config", "set", "--plaintext", "--path", k, String(v)), `config set ${k}`);
    }
  });

  after(function () {
    if (!crd.file) return;
    fs.rmSync(stackFile, { force: true });
    fs.rmSync(work, { recursive: true, force: true });
    kubectl(["delete", "--ignore-not-found", "--wait=true", "--timeout=120s", "crd", CRD_NAME]);
  });

  it("pulumi up creates the ExternalSecret next to the API, which reads its Secret and the external Neo4j", () => {
    ok(pulumi("up", "--yes", "--skip-preview"), "pulumi up");
    const [es] = kubectl(["get", "externalsecrets.external-secrets.io", "api-external-secrets", "-n", "ape-2026", "-o", "json"]).items;
    assert.strictEqual(es.spec.secretStoreRef.name, "e2e-store");
    const [deployment] = kubectl(["get", "deployment", "api", "-n", "ape-2026", "-o", "json"]).items;
    const envFrom = deployment.spec.template.spec.containers[0].envFrom;
    assert.ok(envFrom.some((e: any) => e.secretRef?.name === "api-external-secrets"));
    const out = pulumi("stack", "output", "neo4j", "--json");
    ok(out, "stack output neo4j");
    assert.strictEqual(JSON.parse(out.out.slice(out.out.indexOf("{"))).uri, "bolt://graph.e2e.internal:7687");
  });

  it("a second preview shows no changes", () => ok(pulumi("preview", "--expect-no-changes"), "pulumi preview --expect-no-changes"));

  it("pulumi destroy removes the ExternalSecret with everything else", () => {
    ok(pulumi("destroy", "--yes", "--skip-preview"), "pulumi destroy");
    const left = kubectl(["get", "namespaces", "-o", "json"]).items.map((n: { metadata: { name: string } }) => n.metadata.name);
    assert.ok(!left.includes("ape-2026"), "namespace ape-2026 is still there");
  });
});
