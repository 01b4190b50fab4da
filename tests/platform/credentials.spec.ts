import * as assert from "assert";
import { POSTGRESQL } from "../../services/postgresql";
import { REDIS } from "../../services/redis";
import { passwordArgs } from "../../platform";
import { MOCK_PASSWORD_PREFIX } from "../../testbed/harness/mocks";
import { ProgramRun, RecordedResource, runProgram } from "../../testbed/harness/program";
import { T } from "../../testbed/harness/types";
import { DEV_VARIANTS, PG_REPLICATION } from "../../testbed/harness/variants";

const PG_SECRET = POSTGRESQL.secret.name;
const PG_KEYS = POSTGRESQL.secret.keys;

const secretNamed = (run: ProgramRun, name: string): RecordedResource | undefined =>
  run.ofType(T.Secret).find((s) => s.inputs.metadata?.name === name);

describe("credentials: generated passwords reach the charts by Secret name only", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async () => {
    dev = await runProgram("dev");
    prod = await runProgram("production", PG_REPLICATION);
  });

  it("each Secret holds exactly the keys its chart reads, as Pulumi secrets", () => {
    const pg = secretNamed(dev, PG_SECRET)!;
    assert.deepStrictEqual(
      Object.keys(pg.inputs.stringData).sort(),
      [PG_KEYS.user, PG_KEYS.admin].sort(),
      "no replication key in standalone",
    );
    const redis = secretNamed(dev, REDIS.secret.name)!;
    assert.deepStrictEqual(Object.keys(redis.inputs.stringData), [REDIS.secret.key]);
    for (const s of [pg, redis]) {
      for (const key of Object.keys(s.inputs.stringData)) {
        assert.ok(
          s.secretPaths.includes(`stringData.${key}`) || s.secretPaths.includes("stringData"),
          `${s.inputs.metadata.name} ${key} must arrive as a secret`,
        );
        assert.ok(String(s.inputs.stringData[key]).startsWith(MOCK_PASSWORD_PREFIX), "filled from a RandomPassword");
      }
    }
    const replicated = secretNamed(prod, PG_SECRET)!;
    assert.deepStrictEqual(Object.keys(replicated.inputs.stringData).sort(), Object.values(PG_KEYS).sort());
  });

  it("one distinct RandomPassword per key, with no keepers that would rotate it", () => {
    const names = dev
      .ofType(T.RandomPassword)
      .map((p) => p.name)
      .sort();
    assert.deepStrictEqual(names, [
      "grafana-admin-admin-password",
      "postgresql-auth-password",
      "postgresql-auth-postgres-password",
      "postgresql-role-grafana-password",
      "redis-auth-redis-password",
    ]);
    for (const p of [...dev.ofType(T.RandomPassword), ...prod.ofType(T.RandomPassword)]) {
      assert.strictEqual(p.inputs.keepers, undefined, `${p.name} has keepers`);
      assert.ok(p.inputs.length >= 24, `${p.name} length ${p.inputs.length}`);
    }
    const values = new Set(Object.values(secretNamed(dev, PG_SECRET)!.inputs.stringData));
    assert.strictEqual(values.size, 2, "admin and app user get different passwords");
  });

  it("no generated password in any other resource's inputs, in plain outputs or in the release values", () => {
    for (const run of [dev, prod]) {
      for (const r of run.resources) {
        if (r.type === T.RandomPassword || (r.type === T.Secret && /-auth$|^grafana-admin$/.test(r.inputs.metadata?.name ?? r.name)))
          continue;
        // The API's own Secret carries DATABASE_URL/REDIS_PASSWORD built from them (as a Pulumi secret).
        if (r.type === T.Secret && r.name === "api-secrets" && r.secretPaths.includes("stringData")) continue;
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
      const pg = run.get(T.Release, "postgresql");
      const pgSecret = secretNamed(run, PG_SECRET)!;
      assert.strictEqual(pg.inputs.values.auth.existingSecret, pgSecret.inputs.metadata.name);
      assert.ok(pg.dependencies.includes(pgSecret.urn), "postgresql release depends on its Secret");
      const redis = run.get(T.Release, "redis");
      const redisSecret = secretNamed(run, REDIS.secret.name)!;
      assert.strictEqual(redis.inputs.values.auth.existingSecret, redisSecret.inputs.metadata.name);
      assert.strictEqual(redis.inputs.values.auth.existingSecretPasswordKey, REDIS.secret.key);
      assert.ok(redis.dependencies.includes(redisSecret.urn), "redis release depends on its Secret");
    }
  });

  it("Redis without auth gets no password and no Secret", async () => {
    const run = await runProgram("dev", DEV_VARIANTS);
    assert.strictEqual(secretNamed(run, REDIS.secret.name), undefined);
    assert.deepStrictEqual(
      run
        .ofType(T.RandomPassword)
        .map((p) => p.name)
        .filter((n) => n.startsWith("redis")),
      [],
    );
    assert.strictEqual(run.get(T.Release, "redis").inputs.values.auth.enabled, false);
    assert.strictEqual((run.outputs.redis as any).passwordSecret, undefined);
  });

  it("password settings: alphanumeric, long, no keepers", () => {
    const args = passwordArgs();
    assert.strictEqual(args.special, false);
    assert.strictEqual(args.length, 32);
    assert.strictEqual(args.keepers, undefined);
  });
});

/** Resources of a read-only database role (services/postgresql/roles.ts), rotated by replacement. */
const rotated = (r: RecordedResource): boolean => r.urn.includes("ape:data:ReadOnlyRole$");

describe("credentials: production data safety", () => {
  it("protects the passwords, the credential Secrets, the releases and the Namespace in production only", async () => {
    const prod = await runProgram("production");
    const dev = await runProgram("dev");
    const stateful = (run: ProgramRun) => [
      ...run.ofType(T.RandomPassword).filter((p) => !rotated(p)),
      secretNamed(run, PG_SECRET)!,
      secretNamed(run, REDIS.secret.name)!,
      ...[secretNamed(run, "neo4j-auth")].filter((s) => s !== undefined),
      run.get(T.Release, "postgresql"),
      run.get(T.Release, "redis"),
      ...run.ofType(T.Release).filter((r) => r.name === "neo4j"),
      ...run.ofType(T.Namespace),
    ];
    assert.strictEqual(
      stateful(prod).length,
      12,
      "5 passwords (3 data, 1 Neo4j, 1 Grafana admin), 3 Secrets, 3 releases (with Neo4j), 1 Namespace",
    );
    for (const r of stateful(prod)) assert.strictEqual(r.protect, true, `${r.type} ${r.name} must be protected in production`);
    for (const r of stateful(dev)) assert.strictEqual(r.protect, false, `${r.type} ${r.name} must stay disposable in dev`);
  });

  it("Grafana's read-only database password is not protected, even in production: replacing it rotates it", async () => {
    const prod = await runProgram("production");
    const reader = prod.resources.filter(rotated).filter((r) => r.custom);
    assert.deepStrictEqual(reader.map((r) => r.type).sort(), [T.Job, T.Secret, T.RandomPassword].sort());
    for (const r of reader) assert.strictEqual(r.protect, false, `${r.type} ${r.name}`);
  });
});
