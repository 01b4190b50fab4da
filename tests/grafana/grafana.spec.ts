import * as assert from "assert";
import { POSTGRESQL, postgresqlServiceName } from "../../services/postgresql";
import { GRAFANA } from "../../services/grafana";
import { PROMETHEUS, prometheusServerService } from "../../services/prometheus";
import { ProgramRun, runProgram } from "../../testbed/harness/program";
import { TEST_SECRET_PREFIX } from "../../testbed/harness/stackFile";
import { MOCK_PASSWORD_PREFIX } from "../../testbed/harness/mocks";
import { T } from "../../testbed/harness/types";
import { MIRROR, MIRROR_REGISTRY, MONITORING_VARIANT } from "../../testbed/harness/variants";

const ADMIN_KEYS = GRAFANA.adminSecretKeys;
const grafana = (run: ProgramRun) => run.get(T.Release, "grafana");

describe("grafana release", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async () => {
    dev = await runProgram("dev");
    prod = await runProgram("production");
  });

  it("is the pinned grafana-community OCI chart under its fixed release name", () => {
    const r = grafana(prod).inputs;
    assert.strictEqual(r.chart, "oci://ghcr.io/grafana-community/helm-charts/grafana");
    assert.strictEqual(r.version, "12.11.1");
    assert.strictEqual(r.name, GRAFANA.release);
    assert.ok(r.timeout >= 300 && r.maxHistory > 0);
  });

  it("admin credentials: user from config, generated password, chart reads them by Secret name", async () => {
    const custom = await runProgram("dev", MONITORING_VARIANT);
    for (const [run, user] of [
      [prod, "admin"],
      [custom, "ops-admin"],
    ] as const) {
      const secret = run.get(T.Secret, "grafana-admin");
      assert.strictEqual(secret.inputs.stringData[ADMIN_KEYS.user], user);
      assert.strictEqual(secret.inputs.stringData[ADMIN_KEYS.password], `${MOCK_PASSWORD_PREFIX}grafana-admin-admin-password`);
      assert.ok(
        secret.secretPaths.some((p) => p === "stringData" || p === `stringData.${ADMIN_KEYS.password}`),
        "password is a Pulumi secret",
      );
      const admin = grafana(run).inputs.values.admin;
      assert.match(admin.existingSecret, /^grafana-admin-/);
      assert.deepStrictEqual([admin.userKey, admin.passwordKey], [ADMIN_KEYS.user, ADMIN_KEYS.password]);
      assert.strictEqual(run.outputs.grafanaAdminUser, user);
    }
  });

  it("persistence 10Gi (1Gi in dev) with Recreate and no root chown init container", () => {
    assert.strictEqual(grafana(prod).inputs.values.persistence.size, "10Gi");
    assert.strictEqual(grafana(prod).inputs.values.persistence.enabled, true);
    assert.strictEqual(grafana(dev).inputs.values.persistence.size, "1Gi");
    for (const run of [dev, prod]) {
      const v = grafana(run).inputs.values;
      assert.strictEqual(v.initChownData.enabled, false);
      assert.strictEqual(v.deploymentStrategy.type, "Recreate");
      assert.strictEqual(v.securityContext.runAsNonRoot, true);
      assert.deepStrictEqual(v.containerSecurityContext.capabilities, { drop: ["ALL"] });
    }
  });

  it("data sources: Prometheus server Service port 80; TimescaleDB as its own read-only role, password from the environment", () => {
    const v = grafana(prod).inputs.values;
    const sources = v.datasources["datasources.yaml"].datasources;
    const prom = sources.find((s: any) => s.type === "prometheus");
    assert.strictEqual(prom.url, `http://${prometheusServerService()}.ape-2026.svc.cluster.local:${PROMETHEUS.servicePort}`);
    assert.strictEqual(prom.isDefault, true);
    const pg = sources.find((s: any) => s.type === "grafana-postgresql-datasource");
    assert.strictEqual(pg.url, `${postgresqlServiceName("standalone")}.ape-2026.svc.cluster.local:${POSTGRESQL.ports.postgresql}`);
    // Not the database owner the API logs in as (any Grafana editor could run DROP TABLE as it).
    assert.strictEqual(pg.user, GRAFANA.databaseRole);
    assert.notStrictEqual(pg.user, "ape");
    assert.strictEqual(pg.jsonData.database, "ape_timeseries");
    assert.strictEqual(pg.secureJsonData.password, "$TIMESCALEDB_PASSWORD");
    const reader = prod.get(T.Secret, "postgresql-role-grafana-auth");
    assert.deepStrictEqual(v.envValueFrom, {
      TIMESCALEDB_PASSWORD: {
        secretKeyRef: { name: reader.inputs.metadata.name ?? v.envValueFrom.TIMESCALEDB_PASSWORD.secretKeyRef.name, key: "password" },
      },
    });
    assert.notStrictEqual(v.envValueFrom.TIMESCALEDB_PASSWORD.secretKeyRef.name, POSTGRESQL.secret.name, "not the API's Secret");
    assert.strictEqual(reader.inputs.stringData.username, GRAFANA.databaseRole);
  });

  it("the dashboard sidecar is on and the dashboard ConfigMaps carry its label", () => {
    const v = grafana(dev).inputs.values;
    assert.strictEqual(v.sidecar.dashboards.enabled, true);
    const maps = dev
      .ofType(T.ConfigMap)
      .filter((c) => c.inputs.metadata.labels?.[v.sidecar.dashboards.label] === v.sidecar.dashboards.labelValue);
    assert.deepStrictEqual(maps.map((m) => Object.keys(m.inputs.data)[0]).sort(), ["api-overview.json", "data-services.json"]);
    for (const m of maps) assert.strictEqual(m.inputs.metadata.namespace, "ape-2026");
  });

  it("the dashboard sidecar has liveness and readiness probes on /healthz at the port its health server listens on", () => {
    // k8s-sidecar 2.10.1 serves /healthz on HEALTH_PORT, 8080 when unset; the chart's ordinary
    // sidecar container passes only sidecar.dashboards.env (it sets HEALTH_PORT for the init form only).
    const K8S_SIDECAR_DEFAULT_HEALTH_PORT = 8080;
    for (const run of [dev, prod]) {
      const sidecar = grafana(run).inputs.values.sidecar;
      const listening = Number(sidecar.dashboards.env?.HEALTH_PORT ?? K8S_SIDECAR_DEFAULT_HEALTH_PORT);
      for (const probe of ["livenessProbe", "readinessProbe"]) {
        assert.deepStrictEqual(sidecar[probe]?.httpGet, { path: "/healthz", port: listening }, `${run.stack}: ${probe}`);
      }
      // /healthz answers 503 until the first listing: liveness leaves it time before a restart.
      const live = sidecar.livenessProbe;
      assert.ok(live.initialDelaySeconds + live.periodSeconds * live.failureThreshold >= 60, "a minute and more before a restart");
      // The chart renders no startupProbe for the ordinary container: none is set where it would be ignored.
      assert.strictEqual(sidecar.dashboards.startupProbe, undefined);
      assert.strictEqual(sidecar.dashboards.restartPolicy, undefined, "the ordinary container, not the native-sidecar form");
    }
  });

  it("Grafana is ready on /api/health (its database) and live on /healthz (its web server)", () => {
    for (const run of [dev, prod]) assert.strictEqual(grafana(run).inputs.values.livenessProbe.httpGet.path, "/healthz");
  });

  it("no password or test secret in any non-Secret resource", () => {
    for (const run of [dev, prod]) {
      for (const r of run.resources.filter((r) => r.type !== T.Secret && !r.type.startsWith("random:"))) {
        assert.doesNotMatch(
          JSON.stringify(r.plainInputs),
          new RegExp(`${MOCK_PASSWORD_PREFIX}|${TEST_SECRET_PREFIX}`),
          `${r.type} ${r.name}`,
        );
      }
    }
  });

  it("outputs: port-forward commands, admin user, and the password only as a secret output", () => {
    assert.strictEqual(
      prod.outputs.grafanaPortForward,
      `kubectl -n ape-2026 port-forward svc/${GRAFANA.release} ${GRAFANA.ports.grafana}:${GRAFANA.servicePort}`,
    );
    assert.strictEqual(
      prod.outputs.prometheusPortForward,
      `kubectl -n ape-2026 port-forward svc/${prometheusServerService()} ${PROMETHEUS.ports.server}:${PROMETHEUS.servicePort}`,
    );
    assert.strictEqual(prod.outputs.grafanaAdminPasswordCommand, "pulumi stack output --show-secrets grafanaAdminPassword -s production");
    assert.ok(prod.secretOutputs.has("grafanaAdminPassword"));
    for (const [name, value] of Object.entries(prod.outputs)) {
      if (!prod.secretOutputs.has(name)) assert.doesNotMatch(JSON.stringify(value ?? null), new RegExp(MOCK_PASSWORD_PREFIX), name);
    }
  });

  it("production protects the admin password, its Secret and the release", () => {
    for (const [type, name] of [
      [T.RandomPassword, "grafana-admin-admin-password"],
      [T.Secret, "grafana-admin"],
      [T.Release, "grafana"],
    ]) {
      assert.strictEqual(prod.get(type, name).protect, true, name);
      assert.strictEqual(dev.get(type, name).protect, false, name);
    }
  });

  it("the admin password and Secret keep the identity they had directly under Grafana (aliases), so they are adopted, not rotated", () => {
    const grafanaUrn = prod.get(T.Grafana, "grafana").urn;
    const password = prod.get(T.RandomPassword, "grafana-admin-admin-password");
    assert.ok(
      password.aliases.includes(`random:index/randomPassword:RandomPassword::grafana-admin-password under ${grafanaUrn}`),
      password.aliases.join("; "),
    );
    assert.deepStrictEqual(
      password.inputs,
      { length: 32, special: false },
      "the inputs it was generated with: any other input would replace it",
    );
    const secret = prod.get(T.Secret, "grafana-admin");
    assert.ok(secret.aliases.includes(`kubernetes:core/v1:Secret::grafana-admin under ${grafanaUrn}`), secret.aliases.join("; "));
  });

  it("a mirror registry and pull secrets reach the chart's globals", async () => {
    const run = await runProgram("dev", MIRROR);
    assert.deepStrictEqual(grafana(run).inputs.values.global, { imageRegistry: MIRROR_REGISTRY, imagePullSecrets: ["regcred"] });
  });
});
