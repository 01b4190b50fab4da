// The alert rules evaluated by Prometheus itself: `promtool check rules` on the generated rule file
// and `promtool test rules` with synthetic series for each alert — it fires just above its
// threshold once its `for` has passed, stays silent just below, and resolves when the cause goes.
// Thresholds and windows come from the stacks' config, so a changed threshold changes the series.
// promtool is built by testbed/tools/install.sh; without it these tests are skipped with a reason.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { buildAlertRules } from "../../services/prometheus";
import { parseDuration, StackConfig } from "../../stack";
import { loadConfig } from "../../testbed/helpers/config";
import { findTool, inBackground, startEarly, ToolRun } from "../../testbed/helpers/tools";

const NS = "ape-2026";
const STEP_MINUTES = 1;

const minutes = (d: string): number => Math.ceil(parseDuration(d)! / 60);
/** A promtool series: `start+step` per minute for `count` minutes, then flat for `flat` minutes. */
const rising = (step: number, count: number, flat = 0): string =>
  `0+${step}x${count}` + (flat > 0 ? ` ${+(step * count).toFixed(6)}+0x${flat}` : "");

type Prometheus = StackConfig["prometheus"];
interface Scenario {
  readonly alert: string;
  readonly series: { series: string; values: string }[];
  /** Labels the alert carries besides alertname, severity and namespace. */
  readonly labels: Record<string, string>;
}

/**
 * Synthetic series for each alert in three cases: above the threshold, below it, and above it
 * until `stopAt`, then healthy.
 */
function scenarios(p: Prometheus, length: number, stopAt: number): Record<"above" | "below" | "resolves", Scenario[]> {
  const { alerts, apiMetrics } = p;
  const api = `namespace="${NS}", app_kubernetes_io_name="api"`;
  const requests = (status: string) => `${apiMetrics.requestsTotal}{${api}, ${apiMetrics.statusLabel}="${status}"}`;
  const errorRate = (ratio: number, flatAfter?: number): Scenario => ({
    alert: "HighErrorRate",
    labels: {},
    series: [
      { series: requests("500"), values: flatAfter ? rising(1000 * ratio, flatAfter, length - flatAfter) : rising(1000 * ratio, length) },
      { series: requests("200"), values: rising(1000 * (1 - ratio), length) },
    ],
  });
  // Every observation falls in one bucket: (lo, hi]; p95 interpolates to lo + 0.95 * (hi - lo).
  const L = alerts.latencyP95Seconds;
  const bounds = [0.5 * L, L, 1.2 * L];
  const latency = (slow: boolean, flatAfter?: number): Scenario => ({
    alert: "HighLatencyP95",
    labels: {},
    series: [...bounds.map(String), "+Inf"].map((le, i) => {
      const filled = slow ? i >= 2 : i >= 1;
      const values = !filled ? rising(0, length) : flatAfter ? rising(100, flatAfter, length - flatAfter) : rising(100, length);
      return { series: `${apiMetrics.durationHistogram}_bucket{${api}, le="${le}"}`, values };
    }),
  });
  const pvc = { persistentvolumeclaim: "data-postgresql-0" };
  const volume = `namespace="${NS}", persistentvolumeclaim="${pvc.persistentvolumeclaim}"`;
  const disk = (free: number, recoverAt?: number): Scenario => ({
    alert: "LowDiskSpace",
    labels: pvc,
    series: [
      { series: `kubelet_volume_stats_capacity_bytes{${volume}}`, values: `1000+0x${length}` },
      {
        series: `kubelet_volume_stats_available_bytes{${volume}}`,
        values: recoverAt ? `${1000 * free}+0x${recoverAt} 900+0x${length - recoverAt}` : `${1000 * free}+0x${length}`,
      },
    ],
  });
  const container = { pod: "api-7c9d8-x2x4z", container: "api" };
  const restartsPerMinute = (n: number) => n / minutes(alerts.crashLoopWindow);
  const restarts = (perMinute: number, flatAfter?: number): Scenario => ({
    alert: "PodCrashLooping",
    labels: container,
    series: [
      {
        series: `kube_pod_container_status_restarts_total{namespace="${NS}", pod="${container.pod}", container="${container.container}"}`,
        values: flatAfter ? rising(perMinute, flatAfter, length - flatAfter) : rising(perMinute, length),
      },
    ],
  });
  const t = alerts.errorRateThreshold;
  const D = alerts.diskFreeRatio;
  const R = alerts.crashLoopRestarts;
  return {
    above: [errorRate(Math.min(t * 1.2, (1 + t) / 2)), latency(true), disk(D * 0.8), restarts(restartsPerMinute(R * 1.5))],
    below: [errorRate(t * 0.8), latency(false), disk(Math.min(1, D * 1.2)), restarts(restartsPerMinute(R * 0.6))],
    resolves: [
      errorRate(Math.min(t * 1.2, (1 + t) / 2), stopAt),
      latency(true, stopAt),
      disk(D * 0.8, stopAt),
      restarts(restartsPerMinute(R * 1.5), stopAt),
    ],
  };
}

/** promtool's test file for one config: each scenario in its own test group. */
function testFile(p: Prometheus, ruleFile: string, severity: Record<string, string>): string {
  const longest = Math.max(...[p.alerts.rateWindow, p.alerts.crashLoopWindow, p.alerts.for].map(minutes));
  // Firing is certain once the longest window is full of bad samples and `for` has passed; the
  // resolve check waits two windows after the cause stopped.
  const fireAt = longest + minutes(p.alerts.for) + 3;
  const stopAt = fireAt + 2;
  const resolvedAt = stopAt + 2 * longest + 2;
  const length = resolvedAt + 5;
  const cases = scenarios(p, length, stopAt);
  const expect = (s: Scenario, firing: boolean, at: number) => ({
    eval_time: `${at}m`,
    alertname: s.alert,
    exp_alerts: firing ? [{ exp_labels: { severity: severity[s.alert], namespace: NS, ...s.labels } }] : [],
  });
  const group = (s: Scenario, checks: ReturnType<typeof expect>[]) => ({
    name: `${s.alert}`,
    interval: `${STEP_MINUTES}m`,
    input_series: s.series,
    alert_rule_test: checks,
  });
  return stringify({
    rule_files: [ruleFile],
    evaluation_interval: `${STEP_MINUTES}m`,
    tests: [
      // One minute before `for` has passed since the first bad sample, the alert is pending, not firing.
      ...cases.above.map((s) => group(s, [expect(s, false, minutes(p.alerts.for) - 1), expect(s, true, fireAt)])),
      ...cases.below.map((s) => group(s, [expect(s, false, fireAt), expect(s, false, length - 1)])),
      ...cases.resolves.map((s) => group(s, [expect(s, true, fireAt), expect(s, false, resolvedAt)])),
    ],
  });
}

/** The generated rules without annotations: promtool compares those too, and their text is checked elsewhere. */
function bareRules(rules: ReturnType<typeof buildAlertRules>) {
  return { groups: rules.groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }) => r) })) };
}

const severities = (rules: ReturnType<typeof buildAlertRules>) =>
  Object.fromEntries(rules.groups.flatMap((g) => g.rules.map((r) => [r.alert, r.labels.severity])));

/**
 * promtool's verdicts for the rules built from `rulesFor` and the series written for `seriesFor`,
 * queued on the background lane: `check rules` on the full rule file, `test rules` on the series.
 */
async function evaluate(promtool: string, rulesFor: Prometheus, seriesFor: Prometheus): Promise<{ check: ToolRun; test: ToolRun }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-promtool-"));
  try {
    const rules = buildAlertRules({ prometheus: rulesFor, namespace: NS });
    fs.writeFileSync(path.join(dir, "alerting_rules.yml"), stringify(rules));
    fs.writeFileSync(path.join(dir, "rules-under-test.yml"), stringify(bareRules(rules)));
    fs.writeFileSync(path.join(dir, "alerts.test.yml"), testFile(seriesFor, "rules-under-test.yml", severities(rules)));
    const check = inBackground(promtool, ["check", "rules", "alerting_rules.yml"], dir);
    const test = inBackground(promtool, ["test", "rules", "alerts.test.yml"], dir);
    return { check: await check, test: await test };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("alert rules evaluated by promtool", function () {
  const promtool = findTool("promtool");
  before(function () {
    if (!promtool) {
      console.log("      promtool not installed (testbed/tools/install.sh promtool): alert evaluation skipped");
      this.skip();
    }
  });

  const configs: [string, () => Prometheus][] = [
    ["dev", () => loadConfig("dev").prometheus],
    ["production", () => loadConfig("production").prometheus],
    [
      "production with other thresholds and windows",
      () =>
        loadConfig("production", {
          "prometheus.alerts.errorRateThreshold": 0.2,
          "prometheus.alerts.latencyP95Seconds": 0.3,
          "prometheus.alerts.diskFreeRatio": 0.25,
          "prometheus.alerts.crashLoopRestarts": 5,
          "prometheus.alerts.crashLoopWindow": "30m",
          "prometheus.alerts.rateWindow": "10m",
          "prometheus.alerts.for": "10m",
        }).prometheus,
    ],
  ];
  // Queued while mocha loads this file (see testbed/helpers/tools.ts); each test awaits its own.
  const verdicts = promtool ? configs.map(([, config]) => startEarly(() => evaluate(promtool, config(), config()))) : [];

  configs.forEach(([label], i) => {
    it(`${label}: promtool checks the rules; each alert fires, stays silent and resolves as its thresholds say`, async function () {
      const { check, test } = await verdicts[i];
      assert.strictEqual(check.status, 0, check.output);
      assert.match(check.output, /SUCCESS: 4 rules found/);
      assert.strictEqual(test.status, 0, test.output);
    });
  });

  const drifted = promtool
    ? startEarly(() => {
        const p = loadConfig("production").prometheus;
        return evaluate(promtool, { ...p, alerts: { ...p.alerts, errorRateThreshold: p.alerts.errorRateThreshold * 2 } }, p);
      })
    : undefined;

  it("the test itself fails when a threshold in the rules drifts from the config it was written for", async function () {
    const { test } = await drifted!;
    assert.notStrictEqual(test.status, 0, "series written for the configured threshold must not satisfy a doubled one");
    assert.match(test.output, /HighErrorRate/);
  });
});
