// The API's secrets from outside the stack file: an ExternalSecret (External Secrets Operator), an
// existing Secret, and Pulumi ESC. For each: which objects exist, that no secret value reaches a
// non-secret input, and the error texts; for both stacks from their real stack files.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { checksum, envFrom, externalSecretSpec, reloaderAnnotations } from "../../services/api";
import { deploymentSpec, PodRefs } from "../../services/api/api.build";
import { parseStackConfig } from "../../stack";
import { configProblems as problems, loadConfig } from "../../testbed/helpers/config";
import { MOCK_PASSWORD_PREFIX } from "../../testbed/harness/mocks";
import { deepMerge } from "../../config/merge";
import { ProgramRun, RecordedResource, runProgram, runProgramError } from "../../testbed/harness/program";
import { readStackFile, REPO_ROOT, setPath, TEST_SECRET_PREFIX } from "../../testbed/harness/stackFile";

const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SECRET = "kubernetes:core/v1:Secret";

// A function: the harness stores set values by reference, and later --path settings would edit a shared object.
const external = () => ({
  "api.externalSecrets": {
    storeRef: { name: "aws-secrets-manager", kind: "ClusterSecretStore" },
    data: {
      CLAUDE_API_KEY: { key: "ape-2026/production/claude-api-key" },
      STRIPE_KEY: { key: "ape-2026/production/payments", property: "stripe" },
    },
  },
});

const apiChildren = (run: ProgramRun): RecordedResource[] => {
  const api = run.resources.find((r) => r.type === "ape:app:Api")!;
  return run.resources.filter((r) => r.parent === api.urn);
};
const deployment = (run: ProgramRun) => run.get(DEPLOYMENT, "api");
const container = (run: ProgramRun) => deployment(run).inputs.spec.template.spec.containers[0];
const ownSecret = (run: ProgramRun) => apiChildren(run).find((r) => r.type === SECRET);
const configMap = (run: ProgramRun) => apiChildren(run).find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
const configMapName = (run: ProgramRun) => configMap(run).state.metadata.name;

/** What the Api component hands the pod template builder, read back from a run's registered objects. */
function registeredRefs(run: ProgramRun): PodRefs {
  const es = apiChildren(run).find((r) => r.type === EXTERNAL_SECRET);
  return {
    serviceAccountName: apiChildren(run).find((r) => r.type === "kubernetes:core/v1:ServiceAccount")!.state.metadata.name,
    configMapName: configMapName(run),
    secretName: ownSecret(run)?.state.metadata.name,
    externalSecretName: es?.inputs.metadata.name,
    configChecksum: checksum(configMap(run).inputs.data),
    credentialEnv: container(run).env ?? [],
    // The data services' CA volumes (ca-<service>), as the component mounted them.
    trust: (deployment(run).inputs.spec.template.spec.volumes ?? [])
      .filter((v: any) => v.name.startsWith("ca-"))
      .map((v: any) => ({ service: v.name.slice(3), ca: { configMap: v.configMap.name, key: v.configMap.items[0].key } })),
  };
}

/**
 * The pod template the builder makes for `stack` with `set` (without evaluating the program), given
 * the refs of a run: as registered (plain JSON, no undefined fields).
 */
const builtTemplate = (stack: string, set: Record<string, unknown>, refs: PodRefs) =>
  JSON.parse(JSON.stringify(deploymentSpec(loadConfig(stack, set).api, refs).template));

for (const stack of ["dev", "production"]) {
  describe(`api secrets from an External Secrets Operator store: ${stack} stack`, () => {
    let run: ProgramRun;
    before(async () => (run = await runProgram(stack, { set: external() })));

    it("one ExternalSecret (external-secrets.io/v1) maps each variable to its remote key and property", () => {
      const [es] = run.ofType(EXTERNAL_SECRET);
      assert.strictEqual(run.ofType(EXTERNAL_SECRET).length, 1);
      assert.deepStrictEqual([es.inputs.apiVersion, es.inputs.kind], ["external-secrets.io/v1", "ExternalSecret"]);
      assert.deepStrictEqual([es.inputs.metadata.name, es.inputs.metadata.namespace], ["api-external-secrets", "ape-2026"]);
      assert.deepStrictEqual(es.inputs.spec, {
        secretStoreRef: { name: "aws-secrets-manager", kind: "ClusterSecretStore" },
        refreshInterval: "1h",
        target: { name: "api-external-secrets", creationPolicy: "Owner" },
        data: [
          { secretKey: "CLAUDE_API_KEY", remoteRef: { key: "ape-2026/production/claude-api-key" } },
          { secretKey: "STRIPE_KEY", remoteRef: { key: "ape-2026/production/payments", property: "stripe" } },
        ],
      });
      assert.strictEqual(es.parent, run.resources.find((r) => r.type === "ape:app:Api")!.urn);
    });

    it("the Deployment reads the operator's Secret through envFrom and is created after the ExternalSecret", () => {
      const [es] = run.ofType(EXTERNAL_SECRET);
      const sources = container(run).envFrom;
      assert.ok(sources.some((s: any) => s.secretRef?.name === "api-external-secrets"));
      assert.deepStrictEqual(sources[0], { configMapRef: { name: configMapName(run) } });
      assert.ok(deployment(run).dependencies.includes(es.urn));
    });

    it("the generated database and Redis credentials keep flowing through the program's own Secret, after the operator's", () => {
      const own = ownSecret(run)!;
      assert.ok(["DATABASE_PASSWORD", "DATABASE_URL", "REDIS_PASSWORD"].every((k) => k in own.inputs.stringData));
      assert.ok(!("CLAUDE_API_KEY" in own.inputs.stringData), "the external variables are not copied");
      assert.deepStrictEqual(
        container(run).envFrom.map((s: any) => s.configMapRef?.name ?? s.secretRef?.name),
        [configMapName(run), "api-external-secrets", own.state.metadata.name],
      );
    });

    it("no secret value in the ExternalSecret, the Deployment or any other non-secret input (it holds references only)", () => {
      for (const r of [...run.ofType(EXTERNAL_SECRET), deployment(run), ...run.ofType("kubernetes:core/v1:ConfigMap")]) {
        const text = JSON.stringify(r.plainInputs);
        for (const leak of [TEST_SECRET_PREFIX, MOCK_PASSWORD_PREFIX]) assert.ok(!text.includes(leak), `${r.type} ${r.name}: ${leak}`);
        assert.deepStrictEqual(r.secretPaths, [], `${r.name} has no secret inputs`);
      }
    });

    it("a refresh never rolls the pods: the pod template does not depend on the interval or the mapped values", () => {
      // The registered pod template is the builder's for this config, so the builder answers for the program.
      const refs = registeredRefs(run);
      assert.deepStrictEqual(deployment(run).inputs.spec.template, builtTemplate(stack, external(), refs));
      const other = builtTemplate(
        stack,
        { ...external(), "api.externalSecrets.refreshInterval": "15m", "api.externalSecrets.data.CLAUDE_API_KEY.key": "moved" },
        refs,
      );
      assert.deepStrictEqual(other, deployment(run).inputs.spec.template);
      assert.strictEqual(deployment(run).inputs.metadata.annotations, undefined, "no Reloader annotation unless asked");
    });
  });
}

describe("api secrets: rolling on a remote change (Stakater Reloader)", () => {
  it("reloadOnSecretChange annotates the Deployment (not the pod template) with the watched Secrets", async () => {
    const run = await runProgram("production", {
      set: { ...external(), "api.existingSecret": "api-vault-agent", "api.reloadOnSecretChange": true },
    });
    assert.deepStrictEqual(deployment(run).inputs.metadata.annotations, {
      "secret.reloader.stakater.com/reload": "api-external-secrets,api-vault-agent",
    });
    // The registered template (switched on) is the one the builder makes with it off.
    const plain = builtTemplate("production", { ...external(), "api.existingSecret": "api-vault-agent" }, registeredRefs(run));
    assert.deepStrictEqual(deployment(run).inputs.spec.template, plain, "switching it on rolls nothing");
  });

  it("pure builders: annotation only when asked and something is watched; envFrom order", () => {
    const base = { reloadOnSecretChange: true, externalSecrets: undefined, existingSecret: undefined };
    assert.deepStrictEqual(reloaderAnnotations(base), {});
    assert.deepStrictEqual(reloaderAnnotations({ ...base, existingSecret: "x" }), { "secret.reloader.stakater.com/reload": "x" });
    assert.deepStrictEqual(reloaderAnnotations({ ...base, reloadOnSecretChange: false, existingSecret: "x" }), {});
    assert.deepStrictEqual(envFrom({ existingSecret: "mine" }, { configMapName: "cm", externalSecretName: "ext", secretName: "own" }), [
      { secretRef: { name: "mine" } },
      { configMapRef: { name: "cm" } },
      { secretRef: { name: "ext" } },
      { secretRef: { name: "own" } },
    ]);
    const spec = externalSecretSpec({
      storeRef: { name: "vault", kind: "SecretStore" },
      refreshInterval: "0s",
      data: { B: { key: "b" }, A: { key: "a" } },
    });
    assert.deepStrictEqual(
      (spec.data as any[]).map((d) => d.secretKey),
      ["A", "B"],
      "sorted: the spec does not change with key order",
    );
  });
});

describe("api secrets: an existing Secret", () => {
  it("its keys become variables (envFrom, lowest precedence); the program creates no Secret for it and reads none of it", async () => {
    const run = await runProgram("dev", { set: { "api.existingSecret": "api-keys" } });
    const sources = container(run).envFrom;
    assert.deepStrictEqual(sources[0], { secretRef: { name: "api-keys" } });
    assert.deepStrictEqual(sources[1], { configMapRef: { name: configMapName(run) } });
    assert.ok(!run.ofType(SECRET).some((s) => s.inputs.metadata?.name === "api-keys"));
    assert.deepStrictEqual(run.ofType(EXTERNAL_SECRET), []);
    assert.deepStrictEqual(deployment(run).secretPaths, []);
  });

  it("combines with api.secrets and api.externalSecrets (different variables), each source in its place", async () => {
    const run = await runProgram("production", {
      set: { ...external(), "api.existingSecret": "api-keys" },
      setSecret: { "api.secrets.SENTRY_DSN": `${TEST_SECRET_PREFIX}dsn` },
    });
    const own = ownSecret(run)!;
    assert.strictEqual(own.inputs.stringData.SENTRY_DSN, `${TEST_SECRET_PREFIX}dsn`);
    assert.ok(own.secretPaths.includes("stringData"));
    assert.deepStrictEqual(
      container(run).envFrom.map((s: any) => s.configMapRef?.name ?? s.secretRef?.name),
      ["api-keys", configMapName(run), "api-external-secrets", own.state.metadata.name],
    );
  });
});

describe("api secrets: refused config, with the keys named", () => {
  it("the same variable from two sources names both", () => {
    const mixed = problems("production", {
      ...external(),
      "api.secrets.CLAUDE_API_KEY": "x",
      "api.env.STRIPE_KEY": "y",
    });
    assert.match(
      mixed.get("api.externalSecrets.data.CLAUDE_API_KEY")!,
      /also set in api\.secrets\.CLAUDE_API_KEY.*api\.externalSecrets\.data\.CLAUDE_API_KEY/,
    );
    assert.match(mixed.get("api.externalSecrets.data.STRIPE_KEY")!, /also set in api\.env\.STRIPE_KEY/);
    const reserved = problems("dev", { ...external(), "api.externalSecrets.data.NEO4J_PASSWORD": { key: "k" } });
    assert.match(reserved.get("api.externalSecrets.data.NEO4J_PASSWORD")!, /set by the stack from the database\/Redis\/Neo4j endpoints/);
  });

  it("an incomplete or malformed ExternalSecret config says what is missing", () => {
    const partial = problems("dev", { "api.externalSecrets.storeRef.name": "vault" });
    assert.match(partial.get("api.externalSecrets.storeRef.kind")!, /must be ClusterSecretStore or SecretStore/);
    assert.match(partial.get("api.externalSecrets.data")!, /api\.externalSecrets\.data\.<ENV_NAME>\.key/);
    const bad = problems("dev", {
      "api.externalSecrets": {
        storeRef: { name: "Vault_Store", kind: "Vault" },
        refreshInterval: "1 day",
        data: { "bad-name": { key: "k" }, GOOD: { property: "p" } },
      },
    });
    assert.match(bad.get("api.externalSecrets.storeRef.name")!, /lower-case letters/);
    assert.match(bad.get("api.externalSecrets.storeRef.kind")!, /ClusterSecretStore or SecretStore .*"Vault"/);
    assert.match(bad.get("api.externalSecrets.refreshInterval")!, /duration such as 1h/);
    assert.match(bad.get("api.externalSecrets.data.bad-name")!, /environment variable name/);
    assert.match(bad.get("api.externalSecrets.data.GOOD.key")!, /remote key/);
    assert.match(problems("dev", { "api.externalSecrets.data": {} }).get("api.externalSecrets.data")!, /at least one/);
  });

  it("reloadOnSecretChange without anything to watch, and a malformed existingSecret", () => {
    assert.match(problems("dev", { "api.reloadOnSecretChange": true }).get("api.reloadOnSecretChange")!, /neither is set/);
    assert.match(problems("dev", { "api.existingSecret": "API_KEYS" }).get("api.existingSecret")!, /must be a Secret name/);
  });

  it("through the program: refused before any resource is registered", async () => {
    const { error, resources } = await runProgramError("production", { set: { "api.externalSecrets.storeRef.name": "vault" } });
    assert.match(error.message, /api\.externalSecrets\.storeRef\.kind/);
    assert.strictEqual(resources.filter((r) => r.custom).length, 0);
  });
});

// --- Pulumi ESC ------------------------------------------------------------------------------
// The CLI evaluates the environment, merges `values.pulumiConfig` into the stack's config (the
// stack file wins on conflicts) and marks a top-level key secure when any value in it is secret;
// values opened from a secrets provider (fn::open::*-secrets) and fn::secret are secret. The
// program then receives exactly what `pulumi config set --secret --path` would have stored.

const ESC_FILE = path.join(REPO_ROOT, "docs", "examples", "esc-environment.yaml");

/** Dotted paths of the leaves under pulumiConfig, each with whether ESC delivers it as a secret. */
function escConfigLeaves(env: any): { path: string; secret: boolean }[] {
  const secretProviders = new Set(
    Object.entries<any>(env.values)
      .filter(([, v]) => Object.keys(v?.secrets ?? {}).some((k) => /^fn::open::[a-z-]+-secrets$/.test(k)))
      .map(([k]) => k),
  );
  const leaves: { path: string; secret: boolean }[] = [];
  const walk = (node: any, at: string[]) => {
    if (node && typeof node === "object" && !("fn::secret" in node)) {
      for (const [k, v] of Object.entries(node)) walk(v, [...at, k]);
      return;
    }
    const ref = typeof node === "string" ? /^\$\{([a-zA-Z]+)\.secrets\./.exec(node) : null;
    leaves.push({ path: at.join("."), secret: (node && typeof node === "object") || (ref !== null && secretProviders.has(ref[1])) });
  };
  walk(env.values.pulumiConfig, []);
  return leaves;
}

describe("api secrets: Pulumi ESC (docs/examples/esc-environment.yaml)", () => {
  const env = parse(fs.readFileSync(ESC_FILE, "utf8"));
  const leaves = escConfigLeaves(env);

  it("the example feeds config keys this program knows, all secret in ESC, from providers it defines", () => {
    assert.deepStrictEqual(
      leaves.map((l) => l.path),
      ["api.secrets.CLAUDE_API_KEY", "prometheus.alertmanager.receivers.slack.webhookUrl"],
    );
    assert.ok(
      leaves.every((l) => l.secret),
      JSON.stringify(leaves),
    );
    assert.ok(env.values.aws.secrets["fn::open::aws-secrets"].get.claudeApiKey.secretId);
    assert.ok(env.values.vault.secrets["fn::open::vault-secrets"].read.slack.path);
    // With stand-in values, delivered as secrets, the stack accepts them.
    const { settings, secretKeys } = readStackFile("production");
    for (const l of leaves) {
      setPath(settings, l.path, `https://esc.example/${l.path}`);
      secretKeys.add(l.path.split(".")[0]);
    }
    assert.doesNotThrow(() => parseStackConfig(settings, { stack: "production", secretKeys }));
  });

  it("merged into the production stack file it gives the settings `config set --secret --path` would (nothing shadows it)", () => {
    const { settings } = readStackFile("production");
    const escConfig: Record<string, unknown> = {};
    for (const l of leaves) setPath(escConfig, l.path, `${TEST_SECRET_PREFIX}${l.path}`);
    // The CLI's merge: per top-level key, the environment's value patched by the stack file's (the stack file wins).
    const merged: Record<string, unknown> = { ...settings };
    for (const [key, value] of Object.entries(escConfig)) merged[key] = key in settings ? deepMerge(value, settings[key]) : value;
    const byHand = structuredClone(settings);
    for (const l of leaves) setPath(byHand, l.path, `${TEST_SECRET_PREFIX}${l.path}`);
    assert.deepStrictEqual(merged, byHand);
  });

  it("config arriving from it is secret config: in the API and receiver Secrets only, never in plain text", async () => {
    const run = await runProgram("production", {
      setSecret: Object.fromEntries(leaves.map((l) => [l.path, `https://esc.example/${l.path}`])),
    });
    const own = ownSecret(run)!;
    assert.strictEqual(own.inputs.stringData.CLAUDE_API_KEY, "https://esc.example/api.secrets.CLAUDE_API_KEY");
    assert.ok(own.secretPaths.includes("stringData"));
    const holders = run.ofType(SECRET).filter((r) => JSON.stringify(r.inputs).includes("https://esc.example/"));
    assert.deepStrictEqual(holders.length, 2, "the API Secret and the Alertmanager receivers Secret");
    for (const r of holders) assert.ok(!JSON.stringify(r.plainInputs).includes("https://esc.example/"), `${r.name} holds it as a secret`);
    for (const r of run.resources) {
      assert.ok(!JSON.stringify(r.plainInputs).includes("https://esc.example/"), `${r.type} ${r.name} shows an ESC value in plain text`);
    }
    assert.ok(!JSON.stringify(run.outputs).includes("https://esc.example/"));
  });

  it("an ESC value that is not secret is refused like a plain `config set`: mark it fn::secret", async () => {
    const { error, resources } = await runProgramError("production", { set: { "api.secrets.CLAUDE_API_KEY": "plain-from-esc" } });
    assert.match(error.message, /api\.secrets\.CLAUDE_API_KEY: is stored in plain text/);
    assert.ok(!error.message.includes("plain-from-esc"), "the value is not echoed");
    assert.strictEqual(resources.filter((r) => r.custom).length, 0);
  });
});
