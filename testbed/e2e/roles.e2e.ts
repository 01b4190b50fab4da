// The read-only role script (services/postgresql/roles.build.ts) against a real PostgreSQL on this
// machine (skipped, saying why, without Debian's server binaries): the role it creates logs in
// with its password, reads the owner's tables (those created later too) and can change nothing;
// a second run with a new password rotates it; the password never reaches the server log.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readOnlyRoleScript } from "../../services/postgresql/roles.build";
import { localPostgresMissing, PG_BIN, Server, startServer, stopServer } from "./local-postgres";

const ROLE = "grafana_reader";

describe("the read-only database role (real server)", function () {
  this.timeout(120_000);
  let root = "";
  let admin = "";
  let server: Server | undefined;
  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    PATH: `${PG_BIN}:${process.env.PATH}`,
    PGHOST: "127.0.0.1",
    PGPORT: String(server!.port),
    PGDATABASE: "ape_timeseries",
    ...extra,
  });
  /** psql as `user`, each statement in its own transaction; status and output (errors included). */
  const psql = (user: string, password: string, ...sql: string[]) => {
    const r = spawnSync(path.join(PG_BIN!, "psql"), ["--no-psqlrc", "-Atq", "-v", "ON_ERROR_STOP=1", ...sql.flatMap((q) => ["-c", q])], {
      env: env({ PGUSER: user, PGPASSWORD: password }),
      encoding: "utf8",
    });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
  };
  const applyRole = (password: string) =>
    spawnSync("bash", ["-c", readOnlyRoleScript()], {
      env: env({ PGUSER: "postgres", PGPASSWORD: admin, ROLE, OWNER: "ape", ROLE_PASSWORD: password }),
      encoding: "utf8",
    });

  before(function () {
    const missing = localPostgresMissing();
    if (missing) {
      console.log(`      ${missing}: skipped`);
      this.skip();
    }
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ape-roles-"));
    fs.chmodSync(root, 0o755);
    admin = crypto.randomBytes(18).toString("base64url");
    const passwordFile = path.join(root, "postgres-password");
    fs.writeFileSync(passwordFile, admin, { mode: 0o644 });
    server = startServer(root, "server", passwordFile);
    const su = (db: string, sql: string) =>
      execFileSync(path.join(PG_BIN!, "psql"), ["--no-psqlrc", "-Atq", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql], {
        env: env({ PGUSER: "postgres", PGPASSWORD: admin }),
      });
    su("postgres", "create role ape login password 'app-password'");
    su("postgres", "create database ape_timeseries owner ape");
    for (const sql of [
      "create table readings (at timestamptz, value double precision)",
      "insert into readings values (now(), 1), (now(), 2)",
      "create view recent as select * from readings",
      "create schema app",
      "create table app.events (id int)",
    ])
      assert.ok(psql("ape", "app-password", sql).ok, sql);
  });

  after(() => {
    stopServer(server);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("creates a login role that reads every table, view and schema of the owner", () => {
    // Quotes and a backslash: the password reaches SQL as a psql variable, never as spliced text.
    const password = `r'e"a\\d-${crypto.randomBytes(6).toString("hex")}`;
    const run = applyRole(password);
    assert.strictEqual(run.status, 0, run.stderr);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(password), "the password is not printed");
    assert.deepStrictEqual(psql(ROLE, password, "select count(*) from readings").out, "2");
    assert.deepStrictEqual(psql(ROLE, password, "select count(*) from recent").out, "2");
    assert.deepStrictEqual(psql(ROLE, password, "select count(*) from app.events").out, "0");
    const attrs = psql(
      "postgres",
      admin,
      `select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls from pg_roles where rolname = '${ROLE}'`,
    );
    assert.strictEqual(attrs.out, "f|f|f|f|f");
  });

  it("can change nothing, even after switching its read-only default off", () => {
    const password = `again-${crypto.randomBytes(6).toString("hex")}`;
    assert.strictEqual(applyRole(password).status, 0);
    for (const sql of [
      "insert into readings values (now(), 3)",
      "update readings set value = 0",
      "delete from readings",
      "truncate readings",
      "drop table readings",
      "create table public.x (i int)",
      "create schema y",
      "alter table readings add column z int",
    ]) {
      // Its own session setting off, so that the privileges alone decide.
      const r = psql(ROLE, password, "set default_transaction_read_only = off", sql);
      assert.ok(!r.ok, `${sql} was allowed`);
      assert.match(r.out, /permission denied|must be owner/, sql);
    }
    assert.strictEqual(psql("ape", "app-password", "select count(*) from readings").out, "2", "the data is untouched");
  });

  it("reads the tables and schemas the owner creates later (default privileges)", () => {
    const password = `later-${crypto.randomBytes(6).toString("hex")}`;
    assert.strictEqual(applyRole(password).status, 0);
    assert.ok(psql("ape", "app-password", "create table later (i int); insert into later values (7)").ok);
    assert.ok(psql("ape", "app-password", "create schema later_s; create table later_s.t (i int)").ok);
    assert.strictEqual(psql(ROLE, password, "select sum(i) from later").out, "7");
    assert.strictEqual(psql(ROLE, password, "select count(*) from later_s.t").out, "0");
  });

  it("a run with a new password rotates it: the old one is refused, the new one works", () => {
    const before = `before-${crypto.randomBytes(6).toString("hex")}`;
    const after = `after-${crypto.randomBytes(6).toString("hex")}`;
    assert.strictEqual(applyRole(before).status, 0);
    assert.ok(psql(ROLE, before, "select 1").ok);
    assert.strictEqual(applyRole(after).status, 0, "the script is idempotent: the role exists already");
    assert.match(psql(ROLE, before, "select 1").out, /password authentication failed/);
    assert.ok(psql(ROLE, after, "select 1").ok);
  });

  it("the passwords never reach the server log, even with every statement logged", () => {
    assert.ok(psql("postgres", admin, "alter system set log_statement = 'all'").ok);
    assert.ok(psql("postgres", admin, "select pg_reload_conf()").ok);
    const password = `logged-${crypto.randomBytes(6).toString("hex")}`;
    assert.strictEqual(applyRole(password).status, 0);
    assert.ok(psql(ROLE, password, "select 1").ok);
    const log = fs.readFileSync(path.join(server!.dir, "server.log"), "utf8");
    assert.match(log, /statement: /, "the server logs statements");
    assert.ok(!log.includes(password), "the role's password is in the server log");
  });
});
