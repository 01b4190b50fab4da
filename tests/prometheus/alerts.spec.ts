import * as assert from "assert";
import { alertExpressions, buildAlertRules, promNumber } from "../../services/prometheus";
import { promqlErrors } from "../../testbed/helpers/promql";
import { loadConfig } from "../../testbed/helpers/config";

const prometheusConfig = loadConfig;

const rulesOf = (set: Record<string, unknown> = {}) => {
  const c = prometheusConfig("production", set);
  return buildAlertRules({ prometheus: c.prometheus, namespace: c.namespace.name });
};
const byName = (groups: ReturnType<typeof rulesOf>) => new Map(groups.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));

describe("alert rules", () => {
  it("are the stack's four alerts, each with severity, summary and description", () => {
    const rules = byName(rulesOf());
    assert.deepStrictEqual([...rules.keys()].sort(), ["HighErrorRate", "HighLatencyP95", "LowDiskSpace", "PodCrashLooping"]);
    for (const r of rules.values()) {
      assert.match(r.labels.severity, /^(warning|critical)$/, r.alert);
      assert.ok(r.annotations.summary.length > 10 && r.annotations.description.length > 20, r.alert);
      assert.strictEqual(r.for, "5m");
    }
  });

  it("the parser check catches broken PromQL", () => {
    assert.notDeepStrictEqual(promqlErrors("sum(rate(http_requests_total[5m])"), []);
    assert.notDeepStrictEqual(promqlErrors("rate(x[5m]) > > 1"), []);
  });

  it("every expression parses with the PromQL grammar (defaults and odd thresholds)", () => {
    for (const set of [
      {},
      {
        "prometheus.alerts.errorRateThreshold": 0.0000001,
        "prometheus.alerts.latencyP95Seconds": 0.25,
        "prometheus.alerts.rateWindow": "1h30m",
      },
    ]) {
      for (const r of byName(rulesOf(set)).values()) assert.deepStrictEqual(promqlErrors(r.expr), [], `${r.alert}: ${r.expr}`);
    }
  });

  it("default thresholds: 5xx share > 0.05 over 5m, p95 > 1s, free < 0.1, 3 restarts", () => {
    const rules = byName(rulesOf());
    assert.match(
      rules.get("HighErrorRate")!.expr,
      /status=~"5\.\."\}\[5m\]\)\)[\s\S]*\/ sum\(rate\(http_requests_total\{[^}]*\}\[5m\]\)\)\s*> 0\.05$/,
    );
    assert.match(
      rules.get("HighLatencyP95")!.expr,
      /^histogram_quantile\(0\.95, sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{[^}]*\}\[5m\]\)\)\)\s*> 1$/,
    );
    assert.match(
      rules.get("LowDiskSpace")!.expr,
      new RegExp(
        String.raw`kubelet_volume_stats_available_bytes\{namespace="ape-2026"\}\s*\/ ` +
          String.raw`kubelet_volume_stats_capacity_bytes\{namespace="ape-2026"\}\s*< 0\.1$`,
      ),
    );
    assert.match(
      rules.get("PodCrashLooping")!.expr,
      /increase\(kube_pod_container_status_restarts_total\{namespace="ape-2026"\}\[15m\]\) >= 3/,
    );
    assert.match(rules.get("PodCrashLooping")!.expr, /kube_pod_container_status_waiting_reason\{[^}]*reason="CrashLoopBackOff"\}/);
  });

  it("thresholds and metric names follow config", () => {
    const rules = byName(
      rulesOf({
        "prometheus.alerts.errorRateThreshold": 0.02,
        "prometheus.alerts.latencyP95Seconds": 0.3,
        "prometheus.alerts.diskFreeRatio": 0.25,
        "prometheus.alerts.crashLoopRestarts": 7,
        "prometheus.apiMetrics.requestsTotal": "api_requests_total",
        "prometheus.apiMetrics.statusLabel": "code",
        "prometheus.apiMetrics.durationHistogram": "api_latency_seconds",
        "namespace.name": "other-ns",
      }),
    );
    assert.match(rules.get("HighErrorRate")!.expr, /> 0\.02$/);
    assert.match(
      rules.get("HighErrorRate")!.expr,
      /api_requests_total\{namespace="other-ns", app_kubernetes_io_name="api", code=~"5\.\."\}/,
    );
    assert.match(rules.get("HighLatencyP95")!.expr, /api_latency_seconds_bucket\{namespace="other-ns"[^}]*\}[\s\S]*> 0\.3$/);
    assert.match(rules.get("LowDiskSpace")!.expr, /< 0\.25$/);
    assert.match(rules.get("PodCrashLooping")!.expr, />= 7/);
    assert.match(rules.get("HighErrorRate")!.annotations.summary, /2%/);
  });

  it("writes tiny thresholds without exponent notation", () => {
    assert.strictEqual(promNumber(1e-7), "0.0000001");
    assert.strictEqual(promNumber(0.05), "0.05");
    const { HighErrorRate } = alertExpressions({
      prometheus: prometheusConfig("dev", { "prometheus.alerts.errorRateThreshold": 1e-7 }).prometheus,
      namespace: "x",
    });
    assert.match(HighErrorRate, /> 0\.0000001$/);
  });
});
