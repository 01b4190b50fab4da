import * as assert from "assert";
import { API_NAME } from "../../services/api";
import { buildDashboards, GRAFANA } from "../../services/grafana";
import { interpolateGrafana, promqlErrors } from "../../testbed/helpers/promql";
import { runProgram } from "../../testbed/harness/program";
import { loadConfig } from "../../testbed/helpers/config";
import { T } from "../../testbed/harness/types";

const config = loadConfig("production");
const dashboards = buildDashboards({
  namespace: "ape-2026",
  apiDeploymentName: API_NAME,
  database: "ape_timeseries",
  prometheus: config.prometheus,
});
const panelsOf = (file: keyof typeof dashboards): any[] => JSON.parse(JSON.stringify(dashboards[file])).panels;
const exprsOf = (file: keyof typeof dashboards): string[] => panelsOf(file).flatMap((p) => p.targets.map((t: any) => t.expr));

describe("dashboards as code", () => {
  it("the ConfigMaps hold valid dashboard JSON with unique uids", async () => {
    const run = await runProgram("dev");
    const { key, value } = GRAFANA.dashboardLabel;
    const maps = run.ofType(T.ConfigMap).filter((c) => c.inputs.metadata.labels?.[key] === value);
    const uids = new Set<string>();
    for (const m of maps) {
      for (const [file, text] of Object.entries<string>(m.inputs.data)) {
        const model = JSON.parse(text);
        assert.ok(model.title && model.uid, file);
        assert.ok(Array.isArray(model.panels) && model.panels.length >= 6, file);
        uids.add(model.uid);
      }
    }
    assert.strictEqual(uids.size, 2);
  });

  it("API overview: request rate, error rate, p95 latency, replicas, CPU and memory against requests", () => {
    const titles = panelsOf("api-overview.json").map((p) => p.title);
    for (const t of [
      "Request rate by status",
      "Error rate (5xx share)",
      "Latency",
      "Replicas",
      "CPU usage vs requests",
      "Memory working set vs requests",
    ])
      assert.ok(titles.includes(t), t);
    const all = exprsOf("api-overview.json").join("\n");
    for (const m of [
      "http_requests_total",
      "http_request_duration_seconds_bucket",
      "kube_deployment_status_replicas_available",
      "container_cpu_usage_seconds_total",
      "container_memory_working_set_bytes",
      'resource="cpu"',
      'resource="memory"',
    ]) {
      assert.ok(all.includes(m), m);
    }
  });

  it("data services: PostgreSQL and Redis exporter metrics", () => {
    const all = exprsOf("data-services.json").join("\n");
    for (const m of [
      "pg_up",
      "pg_stat_database_numbackends",
      'datname="ape_timeseries"',
      "redis_up",
      "redis_connected_clients",
      "redis_memory_used_bytes",
    ])
      assert.ok(all.includes(m), m);
  });

  it("every panel query parses as PromQL (after Grafana's macro interpolation) and uses the provisioned data source", () => {
    for (const file of Object.keys(dashboards) as (keyof typeof dashboards)[]) {
      for (const panel of panelsOf(file)) {
        assert.deepStrictEqual(panel.datasource, { type: "prometheus", uid: "prometheus" }, panel.title);
        assert.ok(panel.targets.length > 0, panel.title);
        for (const t of panel.targets) {
          assert.ok(t.refId, `${panel.title} refId`);
          assert.deepStrictEqual(promqlErrors(interpolateGrafana(t.expr)), [], `${file} / ${panel.title}: ${t.expr}`);
        }
      }
    }
  });

  it("threshold lines follow the alert config", () => {
    const errorPanel = panelsOf("api-overview.json").find((p) => p.title === "Error rate (5xx share)");
    assert.strictEqual(errorPanel.fieldConfig.defaults.thresholds.steps[1].value, 0.05);
    const other = buildDashboards({
      namespace: "x",
      apiDeploymentName: API_NAME,
      database: "d",
      prometheus: { ...config.prometheus, alerts: { ...config.prometheus.alerts, latencyP95Seconds: 0.4 } },
    });
    const latency = JSON.parse(JSON.stringify(other["api-overview.json"])).panels.find((p: any) => p.title === "Latency");
    assert.strictEqual(latency.fieldConfig.defaults.thresholds.steps[1].value, 0.4);
  });
});
