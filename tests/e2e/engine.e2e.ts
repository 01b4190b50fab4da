// Stage 2 of the real-engine test: the real program under a real Pulumi CLI, language host and
// Kubernetes provider, against the throw-away control plane (scripts/e2e.sh). Skipped, saying
// why, when the engine binaries are not built.
import * as assert from "assert";
import * as crypto from "crypto";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runProgram } from "../helpers/program";
import { apply, kubectl, remove } from "./kubectl";
import { stackManifests } from "./manifests";

const PROJECT_DIR = path.join(__dirname, "engine");
const REPO = path.resolve(__dirname, "..", "..");

/**
 * What the e2e changes in the real stack files, and why: charts cannot be downloaded here, so the
 * five releases are off (the data services become external endpoints, which is also how a stack
 * without them runs). The Ingress keeps the dev stack's self-signed chain: the offline tls plugin
 * implements PrivateKey, SelfSignedCert, CertRequest and LocallySignedCert.
 */
export const E2E_OVERRIDES: Record<string, unknown> = {
  "postgresql.enabled": false,
  "postgresql.external": {
    host: "db.e2e.internal",
    port: 5432,
    database: "ape_timeseries",
    username: "ape",
    existingSecret: "e2e-database",
    passwordKey: "password",
  },
  "redis.enabled": false,
  "redis.external": { host: "cache.e2e.internal", port: 6379, existingSecret: "e2e-cache", passwordKey: "redis-password" },
  "prometheus.enabled": false,
  "grafana.enabled": false,
  "neo4j.enabled": false,
  "neo4j.external": { host: "graph.e2e.internal", port: 7687, username: "ape", existingSecret: "e2e-graph", passwordKey: "password" },
};

const enabled = process.env.APE_E2E_ENGINE === "1";
const work = path.join(os.tmpdir(), `ape-e2e-pulumi-${process.pid}`);
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: `file://${work}/state`,
  PULUMI_HOME: `${work}/home`,
  PULUMI_CONFIG_PASSPHRASE: "e2e-only",
  PULUMI_SKIP_UPDATE_CHECK: "true",
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
};

interface Run {
  readonly code: number;
  readonly out: string;
  readonly seconds: number;
}

function pulumi(stack: string, ...args: string[]): Run {
  const start = process.hrtime.bigint();
  const res = spawnSync("pulumi", [...args, "--stack", stack, "--non-interactive", "--cwd", PROJECT_DIR], {
    env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (res.error) throw res.error;
  return { code: res.status ?? -1, out: `${res.stdout}\n${res.stderr}`, seconds };
}

function ok(run: Run, what: string): Run {
  assert.strictEqual(run.code, 0, `${what} failed:\n${run.out.slice(-4000)}`);
  return run;
}

/** Creates `stack` from the real Pulumi.<stack>.yaml plus the e2e overrides. */
function initStack(stack: string): void {
  fs.copyFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
  ok(pulumi(stack, "stack", "init"), `stack init ${stack}`);
  for (const [key, value] of Object.entries(flatten(E2E_OVERRIDES)))
    ok(pulumi(stack, "config", "set", "--path", key, String(value)), `config set ${key}`);
}

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

(enabled ? describe : describe.skip)("e2e engine: pulumi preview, up and destroy against a real API server", function () {
  this.timeout(900_000);

  before(() => fs.mkdirSync(path.join(work, "state"), { recursive: true }));

  after(() => {
    for (const stack of ["dev", "production"]) fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), { force: true });
    fs.rmSync(work, { recursive: true, force: true });
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
      const deployment = planned.find((s) => s.urn.endsWith("kubernetes:apps/v1:Deployment::api"));
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
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
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

function flatten(overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) out[`${key}.${k}`] = v;
    else out[key] = value;
  }
  return out;
}
