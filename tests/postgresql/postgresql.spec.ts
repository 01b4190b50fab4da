import * as assert from "assert";
import { extendedConfiguration, POSTGRESQL, postgresqlServiceName } from "../../services/postgresql";
import { postgresqlValues } from "../../services/postgresql/postgresql.build";
import { DATA_RELEASE, pinnedChart, releaseArgs } from "../../platform/release";
import { ProgramRun, runProgram, runProgramError } from "../../testbed/harness/program";
import { T } from "../../testbed/harness/types";
import { CODE_DEFAULTS, EXTERNAL_DATA, PG_REPLICATION } from "../../testbed/harness/variants";
import { loadConfig } from "../../testbed/helpers/config";

const values = (run: ProgramRun) => run.get(T.Release, "postgresql").inputs.values;

/** The chart values the builder gives for `stack` with `set` applied, without running the program. */
const builtValues = (stack: string, set: Record<string, unknown>): any => {
  const cfg = loadConfig(stack, set);
  return postgresqlValues(cfg.postgresql, cfg.images, POSTGRESQL.secret.name);
};

describe("postgresql: the default and stack figures reach the chart values", () => {
  let defaults: ProgramRun;
  let prod: ProgramRun;
  let dev: ProgramRun;
  before(async () => {
    defaults = await runProgram(CODE_DEFAULTS.stack, CODE_DEFAULTS.options);
    prod = await runProgram("production");
    dev = await runProgram("dev");
  });

  it("defaults (values.yaml): database, user, 50Gi fast-ssd, 2Gi/1000m, TimescaleDB on its own image, metrics", () => {
    const v = values(defaults);
    assert.deepStrictEqual([v.auth.database, v.auth.username, v.auth.enablePostgresUser], ["ape_timeseries", "ape", true]);
    assert.deepStrictEqual(v.primary.persistence, { enabled: true, size: "50Gi", storageClass: "fast-ssd" });
    assert.deepStrictEqual(v.primary.resources, {
      requests: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "256Mi" },
      limits: { memory: "4Gi", "ephemeral-storage": "4Gi" },
    });
    assert.deepStrictEqual(v.image, {
      registry: "ghcr.io",
      repository: "yourorg/ape-2026/postgresql-timescaledb",
      tag: "17.12-ts2.19.3-debian-13-r1",
    });
    assert.strictEqual(v.postgresqlSharedPreloadLibraries, "pgaudit,timescaledb");
    const scripts = Object.entries<string>(v.primary.initdb.scripts);
    assert.strictEqual(scripts.length, 1);
    assert.match(scripts[0][1], /CREATE EXTENSION IF NOT EXISTS timescaledb;/);
    assert.match(scripts[0][1], /postgresql_execute "\$POSTGRESQL_DATABASE" "postgres"/, "as the superuser, in the app database");
    assert.strictEqual(v.metrics.enabled, true);
    assert.strictEqual(v.global.security.allowInsecureImages, true, "the charts refuse a custom image without it");
  });

  it("production: 200Gi, 8Gi/4000m and the tuning as postgresql.conf lines in primary.extendedConfiguration", () => {
    const v = values(prod);
    assert.deepStrictEqual(v.primary.persistence, { enabled: true, size: "200Gi", storageClass: "fast-ssd" });
    assert.deepStrictEqual(v.primary.resources.requests, { memory: "8Gi", cpu: "4000m", "ephemeral-storage": "256Mi" });
    assert.strictEqual(
      v.primary.extendedConfiguration,
      "shared_buffers = 4GB\neffective_cache_size = 12GB\nwork_mem = 128MB\nmax_connections = 200\n",
    );
    assert.strictEqual(v.primary.configuration, undefined, "primary.configuration would replace the whole postgresql.conf");
    assert.strictEqual(v.architecture, "standalone");
  });

  it("dev: stock bitnamilegacy image, no TimescaleDB preload or init script, cluster default storage class", () => {
    const v = values(dev);
    assert.deepStrictEqual(v.image, { registry: "docker.io", repository: POSTGRESQL.images.server, tag: "17.6.0-debian-12-r4" });
    assert.strictEqual(v.postgresqlSharedPreloadLibraries, "pgaudit");
    assert.strictEqual(v.primary.initdb, undefined);
    assert.deepStrictEqual(v.primary.persistence, { enabled: true, size: "2Gi" });
    assert.deepStrictEqual(v.primary.resources, {
      requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "256Mi" },
      limits: { cpu: "1000m", memory: "1Gi", "ephemeral-storage": "4Gi" },
    });
  });

  it("release: pinned chart, fixed name, long timeout, bounded history, not atomic", () => {
    for (const run of [dev, prod]) {
      const r = run.get(T.Release, "postgresql").inputs;
      assert.deepStrictEqual(
        [r.name, r.chart, r.version, r.namespace],
        [POSTGRESQL.release, "oci://registry-1.docker.io/bitnamicharts/postgresql", "16.7.27", "ape-2026"],
      );
      assert.ok(r.timeout >= 600, `timeout ${r.timeout}`);
      assert.ok(r.maxHistory > 0 && r.maxHistory <= 20, `maxHistory ${r.maxHistory}`);
      assert.notStrictEqual(r.atomic, true);
    }
  });

  it("the chart's own (open) NetworkPolicies and root init container stay off", () => {
    const v = values(prod);
    assert.strictEqual(v.primary.networkPolicy.enabled, false);
    assert.strictEqual(v.readReplicas.networkPolicy.enabled, false);
    assert.strictEqual(v.volumePermissions.enabled, false);
  });

  it("a chart location override per stack reaches the release arguments", () => {
    // The component passes pinnedChart(charts, "postgresql", ...) to releaseArgs; the release test
    // above shows the configured chart arriving in the registered release.
    const charts = loadConfig("dev", {
      "charts.postgresql.chart": "oci://registry.example.com/charts/postgresql",
      "charts.postgresql.version": "16.7.26",
    }).charts;
    const r = releaseArgs(pinnedChart(charts, "postgresql", POSTGRESQL.release), DATA_RELEASE, "ape-2026", {});
    assert.deepStrictEqual([r.chart, r.version, r.name], ["oci://registry.example.com/charts/postgresql", "16.7.26", POSTGRESQL.release]);
  });

  it("endpoint for the API and Grafana: the Service of the writer, the app user and its Secret key", async () => {
    assert.deepStrictEqual(dev.outputs.database, {
      host: `${postgresqlServiceName("standalone")}.ape-2026.svc.cluster.local`,
      port: POSTGRESQL.ports.postgresql,
      database: "ape_timeseries",
      username: "ape",
      passwordSecret: { name: POSTGRESQL.secret.name, key: POSTGRESQL.secret.keys.user },
    });
    const repl = await runProgram("production", PG_REPLICATION);
    assert.strictEqual((repl.outputs.database as any).host, `${postgresqlServiceName("replication")}.ape-2026.svc.cluster.local`);
  });
});

describe("postgresql: switches", () => {
  it("enabled false without an external endpoint is a config error naming postgresql.external", async () => {
    const { error, resources } = await runProgramError("dev", { set: { "postgresql.enabled": false } });
    assert.match(error.message, /postgresql\.external/);
    assert.strictEqual(resources.filter((r) => r.custom).length, 0, "nothing registered");
  });

  it("enabled false with an external endpoint: no release, no generated credentials, the API gets the external one", async () => {
    const run = await runProgram("production", EXTERNAL_DATA);
    assert.strictEqual(run.ofType(T.Release).filter((r) => r.name === "postgresql").length, 0);
    assert.strictEqual(run.ofType(T.Secret).filter((s) => s.inputs.metadata?.name === POSTGRESQL.secret.name).length, 0);
    assert.deepStrictEqual(run.outputs.database, {
      host: "pg.example.com",
      port: 5433,
      database: "ape",
      username: "app",
      passwordSecret: { name: "pg-external", key: "pw" },
    });
  });

  it("timescaledb on with the stock image is refused (it has no TimescaleDB)", async () => {
    const { error } = await runProgramError("production", {
      set: { "postgresql.timescaledbImage.registry": "docker.io", "postgresql.timescaledbImage.repository": POSTGRESQL.images.server },
    });
    assert.match(error.message, /postgresql\.timescaledbImage\.repository/);
    assert.match(error.message, /no TimescaleDB/);
  });

  it("timescaledb off uses the stock image even in production", () => {
    // The default-stack tests above show the builder's image and preload libraries reaching the release.
    const v = builtValues("production", { "postgresql.timescaledb": false });
    assert.strictEqual(v.image.repository, POSTGRESQL.images.server);
    assert.strictEqual(v.postgresqlSharedPreloadLibraries, "pgaudit");
  });
});

describe("postgresql: extendedConfiguration", () => {
  it("writes one parameter per line; numbers and booleans bare, odd strings quoted", () => {
    assert.strictEqual(
      extendedConfiguration({
        max_connections: 200,
        jit: false,
        shared_buffers: "4GB",
        "timescaledb.telemetry_level": "off",
        log_line_prefix: "%m [%p] it's",
      }),
      "max_connections = 200\njit = off\nshared_buffers = 4GB\ntimescaledb.telemetry_level = off\nlog_line_prefix = '%m [%p] it''s'\n",
    );
    assert.strictEqual(extendedConfiguration({}), "");
  });
});
