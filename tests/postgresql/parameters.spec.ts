// postgresql.primary.configuration is checked the way PostgreSQL reads postgresql.conf: a value the
// server would refuse at start (and so fail inside a protected release, after Helm's wait) is
// refused at preview with the key, the value and what is allowed. Unknown names go through the
// documented escape key; the TimescaleDB preload is kept whatever the configuration says.
import * as assert from "assert";
import { postgresqlValues } from "../../services/postgresql/postgresql.build";
import { parameterProblem, PARAMETERS } from "../../services/postgresql/postgresql.parameters";
import { POSTGRESQL } from "../../services/postgresql";
import { configProblems, loadConfig } from "../../testbed/helpers/config";

const CONF = "postgresql.primary.configuration";
const values = (stack: string, set: Record<string, unknown>): any => {
  const cfg = loadConfig(stack, set);
  return postgresqlValues(cfg.postgresql, cfg.images, POSTGRESQL.secret.name);
};

describe("postgresql: configuration parameters by their real types, units and ranges", () => {
  it("refuses what PostgreSQL would refuse at start, naming the type, the units and the range", () => {
    const found = configProblems("dev", {
      [`${CONF}.shared_buffers`]: "lots",
      [`${CONF}.max_connections`]: -5,
      [`${CONF}.work_mem`]: "4gb",
      [`${CONF}.checkpoint_timeout`]: "10s",
      [`${CONF}.synchronous_commit`]: "sometimes",
      [`${CONF}.jit`]: "maybe",
      [`${CONF}.random_page_cost`]: "cheap",
      [`${CONF}.effective_io_concurrency`]: 1.5,
    });
    const expect: [string, RegExp][] = [
      ["shared_buffers", /size such as 512MB or 4GB \(units B, kB, MB, GB, TB; a bare number counts 8kB\) from 128kB to 8TB "lots"/],
      ["max_connections", /integer from 1 to 262143 -5/],
      ["work_mem", /size .* from 64kB to/],
      ["checkpoint_timeout", /duration such as 30s or 5min .* from 30s to 1d "10s"/],
      ["synchronous_commit", /one of local, remote_write, remote_apply, on, off/],
      ["jit", /on or off/],
      ["random_page_cost", /a number from 0/],
      ["effective_io_concurrency", /integer from 0 to 1000 1.5/],
    ];
    for (const [name, message] of expect) assert.match(found.get(`${CONF}.${name}`) ?? `(nothing for ${name})`, message, name);
  });

  it("accepts PostgreSQL's own spellings: units, bare numbers in the base unit, on/off words, booleans", () => {
    for (const [name, value] of [
      ["shared_buffers", "2GB"],
      ["shared_buffers", 16384],
      ["work_mem", "1.5MB"],
      ["checkpoint_timeout", "15min"],
      ["statement_timeout", 0],
      ["autovacuum_vacuum_cost_delay", "2ms"],
      ["jit", false],
      ["log_connections", "on"],
      ["wal_compression", "zstd"],
      ["autovacuum_work_mem", -1],
      ["random_page_cost", 1.1],
      ["timescaledb.max_background_workers", 16],
      ["pgaudit.log", "ddl, role, -misc"],
    ] as const)
      assert.strictEqual(parameterProblem(name, value), undefined, `${name} = ${value}`);
    assert.doesNotThrow(() => loadConfig("production", { [`${CONF}.max_connections`]: 300, [`${CONF}.work_mem`]: "64MB" }));
  });

  it("a name it does not know is refused with the closest known one and the escape key; a dotted name is printed as --path reads it", () => {
    const found = configProblems("dev", {
      [CONF]: { shared_bufers: "1GB", "timescaledb.max_background_worker": 8 },
    });
    assert.match(found.get(`${CONF}.shared_bufers`) ?? "", /did you mean shared_buffers\?.*postgresql\.primary\.extraConfiguration/);
    assert.ok(found.has(`${CONF}["timescaledb.max_background_worker"]`), [...found.keys()].join(", "));
  });

  it("postgresql.primary.extraConfiguration passes unknown parameters through unchecked, after the checked ones", () => {
    const v = values("dev", { "postgresql.primary.extraConfiguration": { "auto_explain.log_min_duration": "250ms" } });
    assert.match(v.primary.extendedConfiguration, /^auto_explain\.log_min_duration = 250ms$/m);
    const found = configProblems("dev", { "postgresql.primary.extraConfiguration": { work_mem: "bogus" } });
    assert.match(found.get("postgresql.primary.extraConfiguration.work_mem") ?? "", /set it in postgresql\.primary\.configuration/);
  });

  it("parameters the chart owns are refused in both maps", () => {
    const found = configProblems("dev", {
      [`${CONF}.port`]: 5433,
      "postgresql.primary.extraConfiguration": { listen_addresses: "localhost" },
    });
    assert.match(found.get(`${CONF}.port`) ?? "", /set by the chart/);
    assert.match(found.get("postgresql.primary.extraConfiguration.listen_addresses") ?? "", /set by the chart/);
  });

  it("shared_preload_libraries adds libraries: TimescaleDB (and pgaudit) stay preloaded whatever it says", () => {
    const on = values("production", { [`${CONF}.shared_preload_libraries`]: "pg_stat_statements" });
    assert.strictEqual(on.postgresqlSharedPreloadLibraries, "pgaudit,timescaledb,pg_stat_statements");
    assert.doesNotMatch(on.primary.extendedConfiguration, /shared_preload_libraries/, "no line that would replace the chart's list");
    const again = values("production", { [`${CONF}.shared_preload_libraries`]: "timescaledb,pg_stat_statements" });
    assert.strictEqual(again.postgresqlSharedPreloadLibraries, "pgaudit,timescaledb,pg_stat_statements");
    const stock = values("dev", { [`${CONF}.shared_preload_libraries`]: "pg_stat_statements" });
    assert.strictEqual(stock.postgresqlSharedPreloadLibraries, "pgaudit,pg_stat_statements");
    assert.match(
      configProblems("dev", { [`${CONF}.shared_preload_libraries`]: "timescaledb;drop" }).get(`${CONF}.shared_preload_libraries`)!,
      /library names/,
    );
  });

  it("sizes are consistent: shared_buffers below the memory limit of every server that runs it", () => {
    const found = configProblems("dev", { [`${CONF}.shared_buffers`]: "2GB", "postgresql.primary.resources.limits.memory": "2Gi" });
    assert.match(found.get(`${CONF}.shared_buffers`) ?? "", /below postgresql\.primary\.resources\.limits\.memory \(2Gi\)/);
    const replicas = configProblems("production", { "postgresql.architecture": "replication" });
    assert.match(replicas.get(`${CONF}.shared_buffers`) ?? "", /below postgresql\.readReplicas\.resources\.limits\.memory \(4Gi\)/);
  });

  it("production keeps fsync and full_page_writes on; dev may turn them off", () => {
    const found = configProblems("production", { [`${CONF}.fsync`]: "off", [`${CONF}.full_page_writes`]: false });
    assert.match(found.get(`${CONF}.fsync`) ?? "", /must stay on in production/);
    assert.match(found.get(`${CONF}.full_page_writes`) ?? "", /must stay on in production/);
    assert.doesNotThrow(() => loadConfig("dev", { [`${CONF}.fsync`]: "off" }));
  });

  it("every parameter of the catalogue has a type the checker knows, and the production tuning passes", () => {
    for (const [name, p] of Object.entries(PARAMETERS))
      assert.ok(["bool", "integer", "real", "enum", "string", "list"].includes(p.type), name);
    assert.doesNotThrow(() => loadConfig("production"));
  });
});

describe("postgresql: Kubernetes names and counts", () => {
  it("a StorageClass name that Kubernetes would refuse is refused at preview", () => {
    const found = configProblems("dev", {
      "postgresql.primary.persistence.storageClass": "Fast_SSD",
      "postgresql.backup.persistence.storageClass": "-hdd",
    });
    assert.match(found.get("postgresql.primary.persistence.storageClass") ?? "", /name of a StorageClass: lower-case letters/);
    assert.ok(found.has("postgresql.backup.persistence.storageClass"));
  });

  it("a count in the millions is refused, naming the limit", () => {
    const found = configProblems("dev", { "postgresql.readReplicas.replicaCount": 1_000_000 });
    assert.match(found.get("postgresql.readReplicas.replicaCount") ?? "", /at most 15 \(read replicas each stream the whole WAL/);
  });
});
