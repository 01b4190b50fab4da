// Stage 2 of the real-engine test: the real program under a real Pulumi CLI, language host and
// Kubernetes provider, against the throw-away control plane (testbed/e2e.sh). Skipped, saying
// why, when the engine binaries are not built.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { runProgram } from "../harness/program";
import { T } from "../harness/types";
import { apply, kubectl, remove } from "./kubectl";
import { stackManifests } from "./manifests";
import { E2E_OVERRIDES, ENGINE_ENABLED, flatten, initStack as initProjectStack, pulumi as pulumiIn, REPO, WORK } from "./pulumi";
import { ok, since } from "./run";

export { E2E_OVERRIDES } from "./pulumi";

const PROJECT_DIR = path.join(__dirname, "engine");
const pulumi = (stack: string, ...args: string[]) => pulumiIn(PROJECT_DIR, stack, args);
const initStack = (stack: string) => initProjectStack(PROJECT_DIR, stack);

function steps(previewJson: string): Array<{ op: string; urn: string }> {
  return JSON.parse(previewJson.slice(previewJson.indexOf("{"))).steps ?? [];
}

const figures: string[] = [];

/** dev's `tls.mode: self-signed`: the Ingress Secret holds a server certificate signed by the generated CA, for every Ingress host. */
function assertSelfSignedChain(): void {
  const secrets = kubectl(["get", "secrets", "-n", "ape-2026", "--field-selector", "type=kubernetes.io/tls", "-o", "json"]).items;
  assert.strictEqual(
    secrets.length,
    1,
    `kubernetes.io/tls Secrets: ${secrets.map((s: { metadata: { name: string } }) => s.metadata.name).join(", ")}`,
  );
  const data = (k: string) => Buffer.from(secrets[0].data[k], "base64").toString("utf8");
  const ca = new crypto.X509Certificate(data("ca.crt"));
  const server = new crypto.X509Certificate(data("tls.crt")); // the first certificate of the chain
  assert.ok(ca.ca && !server.ca, "CA flags");
  assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey), "the server certificate is not signed by the CA");
  assert.ok(server.checkPrivateKey(crypto.createPrivateKey(data("tls.key"))), "tls.key does not match tls.crt");
  const hosts = (yaml: string) => [...yaml.matchAll(/^\s*- host: (\S+)$/gm)].map((m) => m[1]);
  const devHosts = hosts(fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8"));
  assert.ok(devHosts.length > 0, "no ingress host found in Pulumi.dev.yaml");
  for (const host of devHosts) assert.strictEqual(server.checkHost(host), host, `no SAN for ${host}`);
}

(ENGINE_ENABLED ? describe : describe.skip)("e2e engine: pulumi preview, up and destroy against a real API server", function () {
  this.timeout(900_000);

  before(() => fs.mkdirSync(path.join(WORK, "state"), { recursive: true }));

  after(() => {
    for (const stack of ["dev", "production"]) fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), { force: true });
    fs.rmSync(WORK, { recursive: true, force: true });
    if (figures.length) console.log(`\n    figures:\n${figures.map((f) => `      ${f}`).join("\n")}`);
  });

  describe("dev stack", () => {
    before(() => initStack("dev"));

    it("previews, then creates everything with pulumi up", () => {
      ok(pulumi("dev", "preview"), "pulumi preview");
      const up = ok(pulumi("dev", "up", "--yes", "--skip-preview"), "pulumi up");
      figures.push(`pulumi up (dev, create): ${up.seconds.toFixed(1)} s`);
      const ns = kubectl(["get", "namespace", "ape-2026", "-o", "json"]).items[0];
      assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
      assert.strictEqual(
        kubectl(["get", "deployment", "api", "-n", "ape-2026", "-o", "json"]).items[0].spec.template.spec.securityContext.runAsNonRoot,
        true,
      );
      assertSelfSignedChain();
    });

    it("a second preview shows no changes", () => {
      const preview = ok(pulumi("dev", "preview", "--expect-no-changes"), "pulumi preview --expect-no-changes");
      figures.push(`pulumi preview (no-op, dev): ${preview.seconds.toFixed(1)} s`);
    });

    it("a settings change rolls the API as an update, not a replace", () => {
      ok(pulumi("dev", "config", "set", "--path", "api.env.E2E_MARKER", "changed"), "config set");
      const planned = steps(ok(pulumi("dev", "preview", "--json"), "pulumi preview --json").out);
      const deployment = planned.find((s) => s.urn.endsWith(`${T.Deployment}::api`));
      assert.strictEqual(deployment?.op, "update", `Deployment step: ${JSON.stringify(deployment)}`);
      ok(pulumi("dev", "up", "--yes", "--skip-preview"), "pulumi up after the change");
      const env = kubectl(["get", "deployment", "api", "-n", "ape-2026", "-o", "json"]).items[0].spec.template.spec.containers[0].envFrom;
      const configMap = env.find((e: { configMapRef?: { name: string } }) => e.configMapRef)?.configMapRef.name;
      assert.strictEqual(kubectl(["get", "configmap", configMap, "-n", "ape-2026", "-o", "json"]).items[0].data.E2E_MARKER, "changed");
    });

    it("pulumi destroy removes everything", () => {
      ok(pulumi("dev", "destroy", "--yes", "--skip-preview"), "pulumi destroy");
      const left = kubectl(["get", "namespaces", "-o", "json"]).items.map((n: { metadata: { name: string } }) => n.metadata.name);
      assert.ok(!left.includes("ape-2026"), "namespace ape-2026 is still there");
    });

    it("for comparison: kubectl apply --server-side of the same objects", async () => {
      const manifests = stackManifests(await runProgram("dev", { set: { ...flatten(E2E_OVERRIDES), "api.env.E2E_MARKER": "changed" } }));
      const start = process.hrtime.bigint();
      apply(manifests.filter((m) => m.kind === "Namespace"));
      apply(manifests.filter((m) => m.kind !== "Namespace"));
      const seconds = since(start);
      figures.push(`kubectl apply --server-side (same ${manifests.length} dev objects): ${seconds.toFixed(1)} s`);
      remove(manifests.filter((m) => m.kind !== "Namespace"));
      remove(manifests.filter((m) => m.kind === "Namespace"));
    });
  });

  describe("production stack", () => {
    before(() => initStack("production"));

    it("pulumi up creates the stack", () => {
      const up = ok(pulumi("production", "up", "--yes", "--skip-preview"), "pulumi up");
      figures.push(`pulumi up (production, create): ${up.seconds.toFixed(1)} s`);
    });

    it("pulumi destroy is refused: the namespace and its data are protected", () => {
      const destroy = pulumi("production", "destroy", "--yes", "--skip-preview");
      assert.notStrictEqual(destroy.code, 0, "destroy of production succeeded");
      assert.match(destroy.out, /protect/i);
      assert.strictEqual(kubectl(["get", "namespace", "ape-2026", "-o", "json"]).items[0].metadata.name, "ape-2026");
    });

    it("the documented decommission path (unprotect, then destroy) works", () => {
      ok(pulumi("production", "state", "unprotect", "--all", "--yes"), "pulumi state unprotect --all");
      ok(pulumi("production", "destroy", "--yes", "--skip-preview"), "pulumi destroy after unprotect");
    });
  });
});
