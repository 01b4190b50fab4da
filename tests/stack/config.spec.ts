import * as assert from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { parseStackConfig } from "../../stack";
import { deepMerge } from "../../config/merge";
import { runProgram, runProgramError } from "../../testbed/harness/program";
import { REPO_ROOT } from "../../testbed/harness/stackFile";
import { configProblems as problems, loadConfig as load } from "../../testbed/helpers/config";
import { T } from "../../testbed/harness/types";
import { CODE_DEFAULTS } from "../../testbed/harness/variants";

describe("config: the code defaults", () => {
  const c = load("no-such-stack");

  it("API figures", () => {
    assert.strictEqual(c.environment, "development");
    assert.strictEqual(c.api.replicaCount, 3);
    assert.deepStrictEqual(c.api.image, { repository: "ghcr.io/yourorg/ape-2026/api", tag: "latest", pullPolicy: "IfNotPresent" });
    assert.deepStrictEqual(c.api.resources, {
      requests: { memory: "1Gi", cpu: "500m", "ephemeral-storage": "256Mi" },
      limits: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "2Gi" },
    });
    const { enabled, minReplicas, maxReplicas, targetCPUUtilizationPercentage, targetMemoryUtilizationPercentage } = c.api.autoscaling;
    assert.deepStrictEqual(
      [enabled, minReplicas, maxReplicas, targetCPUUtilizationPercentage, targetMemoryUtilizationPercentage],
      [true, 2, 10, 70, 80],
    );
  });

  it("data and monitoring figures", () => {
    assert.deepStrictEqual(c.postgresql.auth, { database: "ape_timeseries", username: "ape" });
    assert.strictEqual(c.postgresql.primary.persistence.size, "50Gi");
    assert.strictEqual(c.postgresql.primary.persistence.storageClass, "fast-ssd");
    assert.deepStrictEqual(c.postgresql.primary.resources.requests, { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "256Mi" });
    assert.strictEqual(c.redis.master.persistence.size, "10Gi");
    assert.strictEqual(c.redis.replica.replicaCount, 2);
    assert.strictEqual(c.prometheus.server.retention, "30d");
    assert.strictEqual(c.prometheus.server.persistentVolume.size, "50Gi");
    assert.strictEqual(c.grafana.adminUser, "admin");
    assert.strictEqual(c.grafana.persistence.size, "10Gi");
  });
});

describe("config: Pulumi.production.yaml carries values-production.yaml", () => {
  const c = load("production");

  it("is production with the production API figures", () => {
    assert.strictEqual(c.environment, "production");
    assert.strictEqual(c.api.replicaCount, 5);
    assert.deepStrictEqual(c.api.resources, {
      requests: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "256Mi" },
      limits: { memory: "4Gi", cpu: "2000m", "ephemeral-storage": "2Gi" },
    });
    assert.deepStrictEqual(
      [c.api.autoscaling.minReplicas, c.api.autoscaling.maxReplicas, c.api.autoscaling.targetCPUUtilizationPercentage],
      [3, 20, 60],
    );
    assert.strictEqual(c.api.autoscaling.targetMemoryUtilizationPercentage, 80, "memory target keeps the default");
  });

  it("has the production data and monitoring figures", () => {
    assert.strictEqual(c.postgresql.primary.persistence.size, "200Gi");
    assert.deepStrictEqual(c.postgresql.primary.resources.requests, { memory: "8Gi", cpu: "4000m", "ephemeral-storage": "256Mi" });
    assert.deepStrictEqual(c.postgresql.primary.configuration, {
      shared_buffers: "4GB",
      effective_cache_size: "12GB",
      work_mem: "128MB",
      max_connections: 200,
    });
    assert.strictEqual(c.redis.auth.enabled, true);
    assert.strictEqual(c.redis.replica.replicaCount, 3);
    assert.deepStrictEqual([c.redis.sentinel.enabled, c.redis.sentinel.quorum], [true, 2]);
    assert.deepStrictEqual([c.redis.master.persistence.size, c.redis.replica.persistence.size], ["20Gi", "20Gi"]);
    assert.strictEqual(c.prometheus.server.retention, "90d");
  });
});

describe("config: merging", () => {
  it("a stack file overrides a subset and keeps the sibling defaults (deep merge)", () => {
    const c = load("production");
    assert.strictEqual(c.api.image.pullPolicy, "IfNotPresent");
    assert.strictEqual(c.postgresql.auth.database, "ape_timeseries", "untouched default survives a deep override");
    assert.strictEqual(c.postgresql.primary.persistence.storageClass, "fast-ssd");
  });

  it("--path style overrides reach the same keys as helm --set did", () => {
    const c = load("dev", { "api.replicaCount": 2, "api.resources.limits.memory": "512Mi", "redis.sentinel.quorum": "1" });
    assert.strictEqual(c.api.replicaCount, 2);
    assert.strictEqual(c.api.resources.limits?.memory, "512Mi");
    assert.strictEqual(c.api.resources.requests?.memory, "64Mi", "sibling from Pulumi.dev.yaml kept");
    assert.strictEqual(c.redis.sentinel.quorum, 1, "a numeric string from --path becomes a number");
  });

  it("null removes a default (the dev stack uses the cluster's default storage class)", () => {
    assert.strictEqual(load("dev").postgresql.primary.persistence.storageClass, undefined);
    assert.deepStrictEqual(deepMerge({ a: { b: 1, c: 2 }, d: [1, 2] }, { a: { b: null }, d: [3] }), { a: { c: 2 }, d: [3] });
  });
});

describe("config: validation names the key, the value and what is allowed", () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["types", { "api.replicaCount": "three" }, "api.replicaCount", /integer.*"three"/],
    ["replicas >= 1", { "api.replicaCount": 0 }, "api.replicaCount", /from 1 to 100.*0/],
    ["replicas bounded", { "api.replicaCount": 2_000_000 }, "api.replicaCount", /at most 100 \(every API pod holds its own database/],
    ["minReplicas >= 1", { "api.autoscaling.minReplicas": 0 }, "api.autoscaling.minReplicas", /from 1 to 100/],
    [
      "minReplicas <= maxReplicas",
      { "api.autoscaling.minReplicas": 5, "api.autoscaling.maxReplicas": 4 },
      "api.autoscaling.minReplicas",
      /<= maxReplicas \(4\).*5/,
    ],
    [
      "utilisation 1..100",
      { "api.autoscaling.targetCPUUtilizationPercentage": 120 },
      "api.autoscaling.targetCPUUtilizationPercentage",
      /1 to 100.*120/,
    ],
    ["cpu quantity", { "api.resources.requests.cpu": "lots" }, "api.resources.requests.cpu", /CPU quantity.*"lots"/],
    ["memory quantity", { "api.resources.limits.memory": "2GB!" }, "api.resources.limits.memory", /memory quantity/],
    ["memory in milli-bytes", { "api.resources.limits.memory": "512m" }, "api.resources.limits.memory", /milli-bytes/],
    ["storage quantity", { "postgresql.primary.persistence.size": "-5Gi" }, "postgresql.primary.persistence.size", /storage size.*"-5Gi"/],
    ["requests <= limits", { "api.resources.requests.memory": "1Gi" }, "api.resources.requests.memory", /limits.memory \(256Mi\).*"1Gi"/],
    ["durations", { "prometheus.server.retention": "30 days" }, "prometheus.server.retention", /duration.*"30 days"/],
    ["DNS host names", { "ingress.hosts.0.host": "API_host" }, "ingress.hosts[0].host", /DNS host name.*"API_host"/],
    [
      "a quorum equal to the Redis nodes (no failover once the master's node is lost)",
      { "redis.architecture": "replication", "redis.sentinel.enabled": true, "redis.replica.replicaCount": 3, "redis.sentinel.quorum": 3 },
      "redis.sentinel.quorum",
      /must be 2 with 3 Redis nodes: a failover needs a majority .*at most replicaCount - 1\) 3$/,
    ],
    [
      "a quorum below a majority",
      { "redis.architecture": "replication", "redis.sentinel.enabled": true, "redis.replica.replicaCount": 5, "redis.sentinel.quorum": 2 },
      "redis.sentinel.quorum",
      /must be 3 to 4 with 5 Redis nodes/,
    ],
    [
      "Sentinel on two nodes",
      { "redis.architecture": "replication", "redis.sentinel.enabled": true, "redis.sentinel.quorum": 1 },
      "redis.replica.replicaCount",
      /must be at least 3 with Sentinel/,
    ],
    ["Redis nodes bounded", { "redis.replica.replicaCount": 1_000_000 }, "redis.replica.replicaCount", /at most 9 \(/],
    [
      "a TSDB retention size beyond its volume",
      { "prometheus.server.retentionSize": "60Gi", "prometheus.server.persistentVolume.size": "50Gi" },
      "prometheus.server.retentionSize",
      /at most 90% of prometheus\.server\.persistentVolume\.size \(50Gi\)/,
    ],
    [
      "a StorageClass name with capitals",
      { "prometheus.server.persistentVolume.storageClass": "Fast" },
      "prometheus.server.persistentVolume.storageClass",
      /StorageClass: lower-case/,
    ],
    ["a Secret name with capitals", { "images.pullSecrets": ["Registry_Creds"] }, "images.pullSecrets[0]", /name of a Secret/],
    ["non-empty image repository", { "api.image.repository": " " }, "api.image.repository", /non-empty image repository/],
    ["unknown keys", { "api.replicas": 3 }, "api.replicas", /not a known key.*did you mean api.replicaCount/],
    ["unknown top-level keys", { apii: {} }, "apii", /not a known key.*did you mean api/],
    ["enums", { "api.image.pullPolicy": "Sometimes" }, "api.image.pullPolicy", /Always, IfNotPresent, Never/],
    ["Grafana without Prometheus", { "prometheus.enabled": false }, "grafana.enabled", /prometheus.enabled is false/],
  ];
  for (const [what, set, path, pattern] of cases) {
    it(`refuses bad ${what} at ${path}`, () => {
      const found = problems("dev", set);
      assert.ok(found.has(path), `no problem at ${path}; got ${[...found.keys()].join(", ")}`);
      assert.match(found.get(path)!, pattern);
    });
  }

  it("refuses an unpinned image tag in production only", () => {
    assert.match(problems("production", { "api.image.tag": "latest" }).get("api.image.tag")!, /pinned image tag/);
    assert.doesNotThrow(() => load("dev", { "api.image.tag": "latest" }));
  });

  it("reports every problem at once", () => {
    const found = problems("dev", {
      "api.replicaCount": 0,
      "api.replicas": 2,
      "prometheus.server.retention": "soon",
      "ingress.hosts.0.host": "x_y",
    });
    assert.deepStrictEqual([...found.keys()].sort(), [
      "api.replicaCount",
      "api.replicas",
      "ingress.hosts[0].host",
      "prometheus.server.retention",
    ]);
  });

  it("never echoes a secret value, and refuses one stored in plain text", () => {
    let message = "";
    try {
      parseStackConfig({ api: { secrets: { CLAUDE_API_KEY: "sk-plain-text-key" } } }, { stack: "dev" });
    } catch (e) {
      message = (e as Error).message;
    }
    assert.match(message, /api\.secrets\.CLAUDE_API_KEY: is stored in plain text.*--secret/);
    assert.doesNotMatch(message, /sk-plain-text-key/);
  });
});

describe("config: through the program", () => {
  it("a stack with no stack file loads and deploys with the code defaults", async () => {
    const run = await runProgram(CODE_DEFAULTS.stack, CODE_DEFAULTS.options);
    assert.strictEqual(run.outputs.environment, "development");
    assert.ok(run.resources.length > 0);
  });

  it("a bad setting fails before any resource is registered", async () => {
    const { error, resources } = await runProgramError("production", { set: { "api.replicaCount": 0, "api.autoscaling.maxReplicas": 1 } });
    assert.ok(error instanceof Error && error.name === "ConfigValidationError", String(error));
    assert.match(error.message, /api\.replicaCount/);
    assert.match(error.message, /api\.autoscaling\.minReplicas: must be <= maxReplicas \(1\)/);
    assert.deepStrictEqual(
      resources.map((r) => r.type),
      [],
    );
  });

  it('Pulumi.yaml\'s declared default for environment ("") means: decide by the stack name', async () => {
    assert.strictEqual(parseStackConfig({ environment: "" }, { stack: "dev" }).environment, "development");
    assert.strictEqual(
      parseStackConfig({ environment: "", api: { image: { tag: "1.0.0" } } }, { stack: "production-eu" }).environment,
      "production",
    );
  });

  for (const stack of ["dev", "production"]) {
    it(`${stack}: every Kubernetes object goes through the explicit provider (default providers are disabled)`, async () => {
      const run = await runProgram(stack);
      const provider = run.get(T.KubernetesProvider, "kubernetes");
      const objects = run.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
      assert.ok(objects.length > 10);
      assert.deepStrictEqual(
        objects.filter((r) => !r.provider.startsWith(`${provider.urn}::`)).map((r) => `${r.type} ${r.name}`),
        [],
      );
      assert.match(readFileSync(join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8"), /pulumi:disable-default-providers: \["kubernetes"\]/);
    });

    it(`${stack}: the provider takes back fields changed behind its back (server-side apply with force)`, async () => {
      const provider = (await runProgram(stack)).get("pulumi:providers:kubernetes", "kubernetes");
      assert.strictEqual(String(provider.inputs.enablePatchForce), "true");
    });
  }

  it("stacks named prod* default to production", async () => {
    const run = await runProgram("prod-eu", { withoutStackFile: true, set: { "api.image.tag": "1.2.3" } });
    assert.strictEqual(run.outputs.environment, "production");
  });
});
