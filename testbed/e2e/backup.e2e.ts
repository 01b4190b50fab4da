// The backup job's script and the documented restore, run against real PostgreSQL servers on this
// machine (Debian's PostgreSQL binaries; skipped with a reason when they are missing): the script
// the chart's CronJob runs writes a complete compressed dump and prunes old ones; the restore pod
// of docs/examples/postgresql-restore.yaml brings the data back into an empty server.
import * as assert from "assert";
import { execFileSync, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { backupScript } from "../../services/postgresql/postgresql.build";
import { POSTGRESQL } from "../../services/postgresql/postgresql.contract";
import { localPostgresMissing, PG_BIN, resumeServer, Server, startServer, stopServer } from "./local-postgres";

const RESTORE_MANIFEST = path.join(__dirname, "..", "..", "docs", "examples", "postgresql-restore.yaml");

describe("PostgreSQL backup and restore (real servers)", function () {
  this.timeout(120_000);
  let root = "";
  let password = "";
  let passwordFile = "";
  let source: Server | undefined;
  let target: Server | undefined;
  const env = (server: Server, extra: Record<string, string> = {}) => ({
    ...process.env,
    PATH: `${PG_BIN}:${process.env.PATH}`,
    PGHOST: "127.0.0.1",
    PGPORT: String(server.port),
    PGUSER: "postgres",
    ...extra,
  });
  const psql = (server: Server, db: string, sql: string) =>
    execFileSync(path.join(PG_BIN!, "psql"), ["--no-psqlrc", "-Atq", "-d", db, "-c", sql], {
      env: env(server, { PGPASSWORD: password }),
      encoding: "utf8",
    }).trim();

  /** The restore pod's script, with this machine's directories standing in for its volumes. */
  const restoreScript = (): string => {
    const container = parse(fs.readFileSync(RESTORE_MANIFEST, "utf8")).spec.containers[0];
    const mount = container.volumeMounts.find((m: any) => m.name === "backups").mountPath;
    assert.strictEqual(mount, POSTGRESQL.backup.mountPath);
    return container.args[0].replaceAll(mount, path.join(root, "pgdump")).replaceAll("/tmp/restore.log", `${root}/restore.log`);
  };
  /** The dump the CronJob's script wrote in the first test. */
  const backupDump = () => fs.readdirSync(path.join(root, "pgdump")).find((f) => f.startsWith(POSTGRESQL.backup.filePrefix))!;

  before(function () {
    const missing = localPostgresMissing();
    if (missing) {
      console.log(`      ${missing}: skipped`);
      this.skip();
    }
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ape-backup-"));
    fs.chmodSync(root, 0o755);
    password = crypto.randomBytes(18).toString("base64url");
    passwordFile = path.join(root, "postgres-password");
    fs.writeFileSync(passwordFile, password, { mode: 0o644 });
    source = startServer(root, "source", passwordFile);
    psql(source, "postgres", "create role ape login password 'app-user-password'");
    psql(source, "postgres", "create database ape_timeseries owner ape");
    psql(
      source,
      "ape_timeseries",
      "create table readings (at timestamptz primary key, value double precision); insert into readings select now() - n * interval '1 minute', n from generate_series(1, 5000) n",
    );
  });

  after(() => {
    stopServer(source);
    stopServer(target);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("the CronJob's script writes one complete gzip dump and deletes dumps older than retentionDays", () => {
    const dumps = path.join(root, "pgdump");
    fs.mkdirSync(dumps);
    const old = path.join(dumps, `${POSTGRESQL.backup.filePrefix}2020-01-01T030000Z.sql.gz`);
    fs.writeFileSync(old, "old");
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
    fs.utimesSync(old, threeDaysAgo, threeDaysAgo);
    fs.writeFileSync(path.join(dumps, `${POSTGRESQL.backup.filePrefix}leftover.sql.gz.partial`), "interrupted run");

    const run = spawnSync("bash", ["-c", backupScript(1)], {
      env: env(source!, { PGDUMP_DIR: dumps, PGPASSWORD_FILE: passwordFile }),
      encoding: "utf8",
    });
    assert.strictEqual(run.status, 0, run.stderr);
    const files = fs.readdirSync(dumps);
    assert.strictEqual(files.length, 1, `one dump left: ${files.join(", ")}`);
    assert.match(files[0], /^pg_dumpall-\d{4}-\d\d-\d\dT\d{6}Z\.sql\.gz$/);
    const sql = execFileSync("gunzip", ["-c", path.join(dumps, files[0])], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
    assert.match(sql, /CREATE DATABASE "ape_timeseries"/);
    assert.match(sql, /PostgreSQL database cluster dump complete/);
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(password), "the password never reaches the log");
  });

  it("a failing dump leaves no complete-looking file behind and fails the job", () => {
    const dumps = path.join(root, "pgdump-fail");
    fs.mkdirSync(dumps);
    const wrong = path.join(root, "wrong-password");
    fs.writeFileSync(wrong, "not-the-password");
    const run = spawnSync("bash", ["-c", backupScript(7)], {
      env: env(source!, { PGDUMP_DIR: dumps, PGPASSWORD_FILE: wrong }),
      encoding: "utf8",
    });
    assert.notStrictEqual(run.status, 0);
    assert.deepStrictEqual(
      fs.readdirSync(dumps).filter((f) => f.endsWith(".sql.gz")),
      [],
    );
  });

  it("the documented restore pod's script brings every database back into an empty server", () => {
    target = startServer(root, "target", passwordFile);
    const script = restoreScript();
    const dump = backupDump();
    const run = spawnSync("bash", ["-c", script], { env: env(target, { DUMP: dump, PGPASSWORD: password }), encoding: "utf8" });
    assert.strictEqual(run.status, 0, `${run.stdout}${run.stderr}`);
    assert.match(run.stdout, new RegExp(`restored ${dump}; databases: .*ape_timeseries`));
    assert.strictEqual(psql(target, "ape_timeseries", "select count(*), sum(value) from readings"), "5000|12502500");
    assert.strictEqual(psql(target, "postgres", "select rolcanlogin from pg_roles where rolname = 'ape'"), "t", "roles come back too");
  });

  it("restored over a live server whose maintenance database is held open (as the metrics exporter does), the dump's rows come back", async () => {
    const script = restoreScript();
    const dump = backupDump();
    psql(source!, "ape_timeseries", "delete from readings where value > 100");
    // The exporter's session: connected to "postgres" for the whole restore.
    const holder = spawn(path.join(PG_BIN!, "psql"), ["--no-psqlrc", "-Atq", "-d", "postgres", "-c", "select pg_sleep(120)"], {
      env: env(source!, { PGPASSWORD: password }),
    });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      assert.strictEqual(
        psql(source!, "postgres", "select count(*) from pg_stat_activity where datname = 'postgres' and pid <> pg_backend_pid()"),
        "1",
      );
      const run = spawnSync("bash", ["-c", script], { env: env(source!, { DUMP: dump, PGPASSWORD: password }), encoding: "utf8" });
      assert.strictEqual(run.status, 0, `${run.stdout}${run.stderr}`);
      assert.match(run.stdout, /database postgres was in use \(the metrics exporter\): restored onto it, not recreated/);
      assert.match(run.stdout, new RegExp(`restored ${dump}; databases: .*ape_timeseries`));
    } finally {
      holder.kill();
    }
    assert.strictEqual(psql(source!, "ape_timeseries", "select count(*), sum(value) from readings"), "5000|12502500");
  });

  it("the restore fails loudly on a damaged dump, on a dump that is not there and on a server it cannot log in to; it waits for a server that does not answer yet", async () => {
    const damaged = path.join(root, "pgdump", "damaged.sql.gz");
    fs.writeFileSync(damaged, execFileSync("gzip", ["-c"], { input: "CREATE TABLE broken (;\n" }));
    const script = restoreScript();
    const run = spawnSync("bash", ["-c", script], {
      env: env(target!, { DUMP: "damaged.sql.gz", PGPASSWORD: password }),
      encoding: "utf8",
    });
    assert.notStrictEqual(run.status, 0);
    assert.match(run.stderr, /reported the errors above/);
    const missing = spawnSync("bash", ["-c", script], {
      env: env(target!, { DUMP: "no-such-dump.sql.gz", PGPASSWORD: password }),
      encoding: "utf8",
    });
    assert.notStrictEqual(missing.status, 0);
    assert.match(missing.stderr, /cannot read no-such-dump\.sql\.gz/);
    // A server it cannot log in to: psql stops at once, and the pod must not report a restore.
    const dump = backupDump();
    const refused = spawnSync("bash", ["-c", script], {
      env: env(target!, { DUMP: dump, PGPASSWORD: "not-the-password" }),
      encoding: "utf8",
    });
    assert.notStrictEqual(refused.status, 0);
    assert.match(refused.stderr, /password authentication failed/);
    assert.match(refused.stderr, /cannot log in to the server; nothing is restored/);
    assert.doesNotMatch(refused.stdout, /restored/);
    // A server that does not answer yet (NetworkPolicies that admit a new pod a few seconds late
    // look the same): it waits, then restores once the server answers.
    stopServer(target);
    const late = spawn("bash", ["-c", script], { env: env(target!, { DUMP: dump, PGPASSWORD: password }) });
    let out = "";
    late.stdout.on("data", (d) => (out += d));
    late.stderr.on("data", (d) => (out += d));
    await new Promise((r) => setTimeout(r, 5000));
    resumeServer(target!);
    const code = await new Promise((r) => late.on("close", r));
    assert.strictEqual(code, 0, out);
    assert.match(out, /server reachable after [1-9]\d* retries/);
    assert.match(out, new RegExp(`restored ${dump}; databases: .*ape_timeseries`));
  });
});
