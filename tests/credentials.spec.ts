import * as assert from "assert";
import { passwordArgs } from "../components/shared";
import { MOCK_PASSWORD_PREFIX } from "./helpers/mocks";
import { ProgramRun, RecordedResource, runProgram } from "./helpers/program";

const SECRET = "kubernetes:core/v1:Secret";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const RELEASE = "kubernetes:helm.sh/v3:Release";

const secretNamed = (run: ProgramRun, name: string): RecordedResource | undefined =>
  run.ofType(SECRET).find((s) => s.inputs.metadata?.name === name);

describe("credentials: generated passwords reach the charts by Secret name only", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async () => {
    dev = await runProgram("dev");
    prod = await runProgram("production", { set: { "postgresql.architecture": "replication" } });
  });

  it("each Secret holds exactly the keys its chart reads, as Pulumi secrets", () => {
    const pg = secretNamed(dev, "postgresql-auth")!;
    assert.deepStrictEqual(Object.keys(pg.inputs.stringData).sort(), ["password", "postgres-password"], "no replication key in standalone");
    const redis = secretNamed(dev, "redis-auth")!;
    assert.deepStrictEqual(Object.keys(redis.inputs.stringData), ["redis-password"]);
    for (const s of [pg, redis]) {
      for (const key of Object.keys(s.inputs.stringData)) {
        assert.ok(
          s.secretPaths.includes(`stringData.${key}`) || s.secretPaths.includes("stringData"),
          `${s.inputs.metadata.name} ${key} must arrive as a secret`,
        );
        assert.ok(String(s.inputs.stringData[key]).startsWith(MOCK_PASSWORD_PREFIX), "filled from a RandomPassword");
      }
    }
    const replicated = secretNamed(prod, "postgresql-auth")!;
    assert.deepStrictEqual(Object.keys(replicated.inputs.stringData).sort(), ["password", "postgres-password", "replication-password"]);
  });

  it("one distinct RandomPassword per key, with no keepers that would rotate it", () => {
    const names = dev
      .ofType(PASSWORD)
      .map((p) => p.name)
      .sort();
    assert.deepStrictEqual(names, [
      "grafana-admin-admin-password",
      "postgresql-auth-password",
      "postgresql-auth-postgres-password",
      "redis-auth-redis-password",
    ]);
    for (const p of [...dev.ofType(PASSWORD), ...prod.ofType(PASSWORD)]) {
      assert.strictEqual(p.inputs.keepers, undefined, `${p.name} has keepers`);
      assert.ok(p.inputs.length >= 24, `${p.name} length ${p.inputs.length}`);
    }
    const values = new Set(Object.values(secretNamed(dev, "postgresql-auth")!.inputs.stringData));
    assert.strictEqual(values.size, 2, "admin and app user get different passwords");
  });

  it("no generated password in any other resource's inputs, in plain outputs or in the release values", () => {
    for (const run of [dev, prod]) {
      for (const r of run.resources) {
        if (r.type === PASSWORD || (r.type === SECRET && /-auth$|^grafana-admin$/.test(r.inputs.metadata?.name ?? r.name))) continue;
        // The API's own Secret carries DATABASE_URL/REDIS_PASSWORD built from them (as a Pulumi secret).
        if (r.type === SECRET && r.name === "api-secrets" && r.secretPaths.includes("stringData")) continue;
        assert.ok(!JSON.stringify(r.inputs).includes(MOCK_PASSWORD_PREFIX), `${r.type} ${r.name} carries a generated password`);
      }
      for (const [name, value] of Object.entries(run.outputs)) {
        if (run.secretOutputs.has(name)) continue;
        assert.ok(!JSON.stringify(value ?? null).includes(MOCK_PASSWORD_PREFIX), `stack output ${name} shows a password`);
      }
    }
  });

  it("the releases name the Secret this program creates and wait for it", () => {
    for (const run of [dev, prod]) {
      const pg = run.get(RELEASE, "postgresql");
      const pgSecret = secretNamed(run, "postgresql-auth")!;
      assert.strictEqual(pg.inputs.values.auth.existingSecret, pgSecret.inputs.metadata.name);
      assert.ok(pg.dependencies.includes(pgSecret.urn), "postgresql release depends on its Secret");
      const redis = run.get(RELEASE, "redis");
      const redisSecret = secretNamed(run, "redis-auth")!;
      assert.strictEqual(redis.inputs.values.auth.existingSecret, redisSecret.inputs.metadata.name);
      assert.strictEqual(redis.inputs.values.auth.existingSecretPasswordKey, "redis-password");
      assert.ok(redis.dependencies.includes(redisSecret.urn), "redis release depends on its Secret");
    }
  });

  it("Redis without auth gets no password and no Secret", async () => {
    const run = await runProgram("dev", { set: { "redis.auth.enabled": false } });
    assert.strictEqual(secretNamed(run, "redis-auth"), undefined);
    assert.deepStrictEqual(
      run
        .ofType(PASSWORD)
        .map((p) => p.name)
        .filter((n) => n.startsWith("redis")),
      [],
    );
    assert.strictEqual(run.get(RELEASE, "redis").inputs.values.auth.enabled, false);
    assert.strictEqual((run.outputs.redis as any).passwordSecret, undefined);
  });

  it("password settings: alphanumeric, long, no keepers", () => {
    const args = passwordArgs();
    assert.strictEqual(args.special, false);
    assert.strictEqual(args.length, 32);
    assert.strictEqual(args.keepers, undefined);
  });
});

describe("credentials: production data safety", () => {
  it("protects the passwords, the credential Secrets, the releases and the Namespace in production only", async () => {
    const prod = await runProgram("production");
    const dev = await runProgram("dev");
    const stateful = (run: ProgramRun) => [
      ...run.ofType(PASSWORD),
      secretNamed(run, "postgresql-auth")!,
      secretNamed(run, "redis-auth")!,
      ...[secretNamed(run, "neo4j-auth")].filter((s) => s !== undefined),
      run.get(RELEASE, "postgresql"),
      run.get(RELEASE, "redis"),
      ...run.ofType(RELEASE).filter((r) => r.name === "neo4j"),
      ...run.ofType("kubernetes:core/v1:Namespace"),
    ];
    assert.strictEqual(
      stateful(prod).length,
      12,
      "5 passwords (3 data, 1 Neo4j, 1 Grafana admin), 3 Secrets, 3 releases (with Neo4j), 1 Namespace",
    );
    for (const r of stateful(prod)) assert.strictEqual(r.protect, true, `${r.type} ${r.name} must be protected in production`);
    for (const r of stateful(dev)) assert.strictEqual(r.protect, false, `${r.type} ${r.name} must stay disposable in dev`);
  });
});
