// Prometheus Operator mode (prometheus.operator.enabled): ServiceMonitors for the API and the
// PostgreSQL and Redis exporters, with the labels the operator's selectors need and the pod label
// the alert rules select on; and the NetworkPolicies that admit the operator's Prometheus from its
// own namespace to the metrics ports, and nothing else of it. Both stacks from their real files.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { POSTGRESQL, postgresqlMetricsService } from "../../services/postgresql";
import { REDIS, redisMetricsService } from "../../services/redis";
import { API_NAME } from "../../services/api";
import { alertExpressions } from "../../services/prometheus";
import { operatorObjectLabels, POD_TARGET_LABELS } from "../../services/prometheus/operator.build";
import { standardLabels } from "../../platform/labels";
import { stackNetworkPolicies } from "../../stack/stack";
import { StackConfig } from "../../stack";
import { configProblems, loadConfig } from "../../testbed/helpers/config";
import { allows, Endpoint, NetworkPolicy } from "../../scripts/verify/network-policy";
import { cachedChart } from "../../testbed/helpers/charts";
import { findTool, inBackground, startEarly } from "../../testbed/helpers/tools";
import { ProgramRun, runProgram } from "../../testbed/harness/program";
import { MONITORING_VARIANT, OPERATOR_NO_ALERTMANAGER_NO_EXPORTERS } from "../../testbed/harness/variants";

const NS = "ape-2026";
const SM = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const STACKS = ["dev", "production"];

const serviceMonitors = (run: ProgramRun) => Object.fromEntries(run.ofType(SM).map((r) => [r.name.replace(/^operator-/, ""), r.inputs]));
/** A Prometheus label name made from a Kubernetes label key, as the operator writes podTargetLabels. */
const labelName = (key: string) => key.replace(/[^a-zA-Z0-9_]/g, "_");

describe("operator mode: ServiceMonitors and PrometheusRule", () => {
  it("none of these objects without prometheus.operator.enabled", async () => {
    for (const stack of STACKS) {
      const run = await runProgram(stack);
      assert.strictEqual(run.ofType(SM).length + run.ofType(RULE).length, 0, stack);
    }
  });

  for (const stack of STACKS) {
    it(`${stack}: a ServiceMonitor each for the API and the PostgreSQL and Redis exporters, selecting their Services`, async () => {
      const run = await runProgram(stack, MONITORING_VARIANT);
      const sms = serviceMonitors(run);
      assert.deepStrictEqual(Object.keys(sms).sort(), ["api", "postgresql", "redis"]);
      const api = run.get("kubernetes:core/v1:Service", "api").inputs;
      for (const [key, value] of Object.entries<string>(sms.api.spec.selector.matchLabels))
        assert.strictEqual(api.metadata.labels[key], value, `the API Service carries ${key}=${value}`);
      const metricsPort = api.spec.ports.find((p: { name: string }) => p.name === sms.api.spec.endpoints[0].port);
      assert.ok(metricsPort, `the API Service has the port ${sms.api.spec.endpoints[0].port}`);
      assert.strictEqual(metricsPort.targetPort, "metrics");
      assert.strictEqual(sms.api.spec.endpoints[0].path, loadConfig(stack).api.metrics.path);
      for (const [name, service] of [
        ["postgresql", postgresqlMetricsService()],
        ["redis", redisMetricsService()],
      ] as const) {
        assert.deepStrictEqual(sms[name].spec.selector.matchLabels, service.labels, name);
        assert.deepStrictEqual(sms[name].spec.endpoints, [{ port: "http-metrics", path: "/metrics", interval: "30s" }], name);
      }
      assert.strictEqual(run.ofType(RULE).length, 1);
    });
  }

  it("every ServiceMonitor copies the pod label the alert rules select the API by", async () => {
    const run = await runProgram("production", MONITORING_VARIANT);
    const sms = serviceMonitors(run);
    for (const [name, sm] of Object.entries(sms)) assert.deepStrictEqual(sm.spec.podTargetLabels, ["app.kubernetes.io/name"], name);
    // The API pods carry the label, and the rules select on its Prometheus form.
    const pod = run.get("kubernetes:apps/v1:Deployment", "api").inputs.spec.template.metadata.labels;
    assert.strictEqual(pod["app.kubernetes.io/name"], "api");
    const rules = alertExpressions({ prometheus: loadConfig("production").prometheus, namespace: NS });
    for (const alert of ["HighErrorRate", "HighLatencyP95"] as const)
      assert.match(rules[alert], new RegExp(`${labelName(POD_TARGET_LABELS[0])}="api"`), alert);
  });

  it("the objects carry the labels the operator selects on (kube-prometheus-stack's by default, or from config)", async () => {
    const byDefault = await runProgram("production", MONITORING_VARIANT);
    for (const r of [...byDefault.ofType(SM), ...byDefault.ofType(RULE)]) {
      assert.strictEqual(r.inputs.metadata.labels.release, "kube-prometheus-stack", r.name);
      assert.strictEqual(r.inputs.metadata.labels["app.kubernetes.io/part-of"], "ape-2026", r.name);
    }
    // The registered labels are operatorObjectLabels' output: the builder stands for them below.
    const prodConfig = loadConfig("production").prometheus;
    for (const [name, sm] of Object.entries(serviceMonitors(byDefault)))
      assert.deepStrictEqual(sm.metadata.labels, operatorObjectLabels(standardLabels(name, "monitoring"), prodConfig), name);
    const [rule] = byDefault.ofType(RULE);
    assert.deepStrictEqual(rule.inputs.metadata.labels, operatorObjectLabels(standardLabels(API_NAME, "monitoring"), prodConfig));
    // Labels from config, for each ServiceMonitor (api, postgresql, redis) and the PrometheusRule (named after the API).
    const custom = loadConfig("dev", {
      "prometheus.operator.enabled": true,
      "prometheus.operator.labels": { release: "monitoring", team: "ape" },
    }).prometheus;
    for (const name of ["api", "postgresql", "redis", API_NAME]) {
      const labels = operatorObjectLabels(standardLabels(name, "monitoring"), custom);
      assert.strictEqual(labels.release, "monitoring", name);
      assert.strictEqual(labels.team, "ape", name);
    }
  });

  it("an exporter that does not run gets no ServiceMonitor", async () => {
    const run = await runProgram("production", OPERATOR_NO_ALERTMANAGER_NO_EXPORTERS);
    assert.deepStrictEqual(Object.keys(serviceMonitors(run)), ["api"]);
  });

  it("labels and selectors that are not Kubernetes labels are refused with the key named", () => {
    const found = configProblems("dev", {
      "prometheus.operator.labels": { "bad key!": "x" },
      "prometheus.operator.podSelector": { "app.kubernetes.io/name": "not a value" },
    });
    assert.match([...found.entries()].map(([k, v]) => `${k}: ${v}`).join("\n"), /prometheus\.operator\.labels.*label key/);
    assert.match(found.get('prometheus.operator.podSelector["app.kubernetes.io/name"]') ?? "", /label value/);
  });
});

// --- The chart's metrics Services are what the contracts say -------------------------------------

const helm = findTool("helm");

describe("operator mode: the charts render the metrics Services the ServiceMonitors select", function () {
  const chartDir = (chart: "postgresql" | "redis") => cachedChart(chart, loadConfig("dev").charts[chart].version);
  const missing = [...(helm ? [] : ["helm"]), ...(["postgresql", "redis"] as const).map(chartDir).filter((d) => !fs.existsSync(d))];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-operator-"));
  before(function () {
    if (missing.length > 0) {
      console.log(`      ${missing.join(", ")} not found: metrics Services not rendered`);
      this.skip();
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Each stack's run in operator mode and the helm renders of its two data releases, queued while mocha loads this file. */
  const renders = STACKS.map((stack) =>
    missing.length > 0
      ? undefined
      : startEarly(async () => {
          const run = await runProgram(stack, MONITORING_VARIANT);
          const rendered = (["postgresql", "redis"] as const).map((chart) => {
            const release = run.get("kubernetes:helm.sh/v3:Release", chart).inputs;
            const values = path.join(dir, `${stack}-${chart}.json`);
            fs.writeFileSync(values, JSON.stringify(release.values));
            return inBackground(helm!, ["template", release.name, chartDir(chart), "-n", release.namespace, "-f", values]);
          });
          return { run, postgresql: await rendered[0], redis: await rendered[1] };
        }),
  );

  STACKS.forEach((stack, i) => {
    it(`${stack}: postgresql-metrics and redis-metrics carry the selected labels and the named port on the exporter port`, async () => {
      const rendered = await renders[i]!;
      const sms = serviceMonitors(rendered.run);
      for (const [chart, service, port] of [
        ["postgresql", postgresqlMetricsService(), POSTGRESQL.ports.exporter],
        ["redis", redisMetricsService(), REDIS.ports.exporter],
      ] as const) {
        const r = rendered[chart];
        assert.strictEqual(r.status, 0, r.output);
        const services = parseAllDocuments(r.stdout)
          .map((d) => d.toJS())
          .filter((o) => o?.kind === "Service");
        const selected = services.filter((s) =>
          Object.entries(sms[chart].spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v),
        );
        assert.deepStrictEqual(
          selected.map((s) => s.metadata.name),
          [service.name],
          `${chart}: the ServiceMonitor selects exactly the metrics Service`,
        );
        const named = selected[0].spec.ports.find((p: { name: string }) => p.name === sms[chart].spec.endpoints[0].port);
        assert.ok(named, `${service.name} has a port named ${sms[chart].spec.endpoints[0].port}`);
        assert.strictEqual(named.port, port, `${service.name} serves the exporter port`);
      }
    });
  });
});

// --- NetworkPolicies: the operator's Prometheus in another namespace ------------------------------

let nextIp = 10;
const pod = (name: string, labels: Record<string, string>, namespace = NS): Endpoint => ({
  name,
  namespace,
  namespaceLabels: { "kubernetes.io/metadata.name": namespace },
  labels,
  ip: `10.245.0.${nextIp++}`,
});
// Pod labels as the workloads carry them: the charts' rendered pods, and the labels the Prometheus
// Operator puts on the pods of a Prometheus named kube-prometheus-stack-prometheus.
const OPERATOR_POD_LABELS = {
  "app.kubernetes.io/name": "prometheus",
  "app.kubernetes.io/instance": "kube-prometheus-stack-prometheus",
  "app.kubernetes.io/managed-by": "prometheus-operator",
  "operator.prometheus.io/name": "kube-prometheus-stack-prometheus",
  "operator.prometheus.io/shard": "0",
  prometheus: "kube-prometheus-stack-prometheus",
};
const P = {
  api: pod("api", {}),
  pgPrimary: pod("postgresql primary", {
    "app.kubernetes.io/name": "postgresql",
    "app.kubernetes.io/instance": "postgresql",
    "app.kubernetes.io/component": "primary",
  }),
  redis: pod("redis", { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "redis", "app.kubernetes.io/component": "node" }),
  prometheus: pod("this namespace's prometheus server", {
    "app.kubernetes.io/name": "prometheus",
    "app.kubernetes.io/instance": "prometheus",
    "app.kubernetes.io/component": "server",
  }),
  alertmanager: pod("alertmanager", { "app.kubernetes.io/name": "alertmanager", "app.kubernetes.io/instance": "prometheus" }),
  ksm: pod("kube-state-metrics", { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": "prometheus" }),
  grafana: pod("grafana", { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "grafana" }),
  operatorPrometheus: pod("the operator's Prometheus in monitoring", OPERATOR_POD_LABELS, "monitoring"),
  monitoringOther: pod("another pod in monitoring", { "app.kubernetes.io/name": "grafana" }, "monitoring"),
  lookAlike: pod("a Prometheus-looking pod in another namespace", OPERATOR_POD_LABELS, "default"),
  observability: pod("a Prometheus in observability", { "app.kubernetes.io/name": "prometheus", prometheus: "k8s" }, "observability"),
};
type Name = keyof typeof P;
type Flow = [Name, Name, number | "http" | "metrics"];

describe("operator mode: NetworkPolicies admit the operator's Prometheus to the metrics ports only", () => {
  const docs = (c: StackConfig): NetworkPolicy[] =>
    stackNetworkPolicies(c).map((d) => ({
      namespace: NS,
      name: d.name,
      spec: d.spec as NetworkPolicy["spec"],
    }));
  function check(stack: string, policies: NetworkPolicy[], flows: Flow[], expected: boolean): void {
    const c = loadConfig(stack);
    const port = (p: Flow[2]) => (p === "http" ? c.api.ports.http : p === "metrics" ? c.api.ports.metrics : p);
    const wrong = flows.filter(([s, d, p]) => allows(policies, P[s], P[d], port(p)) !== expected);
    assert.deepStrictEqual(
      wrong.map(([s, d, p]) => `${P[s].name} -> ${P[d].name}:${port(p)}`),
      [],
      `${stack}: expected ${expected ? "allowed" : "denied"}`,
    );
  }
  const SCRAPES: Flow[] = [
    ["operatorPrometheus", "api", "metrics"],
    ["operatorPrometheus", "pgPrimary", POSTGRESQL.ports.exporter],
    ["operatorPrometheus", "redis", REDIS.ports.exporter],
  ];
  const NOTHING_ELSE: Flow[] = [
    ["operatorPrometheus", "api", "http"],
    ["operatorPrometheus", "pgPrimary", POSTGRESQL.ports.postgresql],
    ["operatorPrometheus", "redis", REDIS.ports.redis],
    ["operatorPrometheus", "redis", REDIS.ports.sentinel],
    ["operatorPrometheus", "prometheus", 9090],
    ["operatorPrometheus", "alertmanager", 9093],
    ["operatorPrometheus", "ksm", 8080],
    ["operatorPrometheus", "grafana", 3000],
    ...(["monitoringOther", "lookAlike", "observability"] as Name[]).flatMap((s): Flow[] => [
      [s, "api", "metrics"],
      [s, "pgPrimary", POSTGRESQL.ports.exporter],
      [s, "redis", REDIS.ports.exporter],
    ]),
  ];

  for (const stack of STACKS) {
    describe(`${stack} stack`, () => {
      let policies: NetworkPolicy[];
      before(async () => {
        const run = await runProgram(stack, MONITORING_VARIANT);
        policies = run
          .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
          .map((r) => ({ namespace: r.inputs.metadata.namespace, name: r.inputs.metadata.name, spec: r.inputs.spec }));
        // The API pod as the program really labels it.
        const deployment = run.get("kubernetes:apps/v1:Deployment", "api");
        P.api = { ...P.api, labels: deployment.inputs.spec.template.metadata.labels };
      });

      it("the operator's Prometheus reaches the API's metrics port and both exporters", () => check(stack, policies, SCRAPES, true));
      it("nothing else of it reaches the namespace; other pods of its namespace and look-alikes elsewhere are refused", () =>
        check(stack, policies, NOTHING_ELSE, false));
      it("this namespace's own Prometheus still scrapes them", () =>
        check(
          stack,
          policies,
          SCRAPES.map(([, d, p]): Flow => ["prometheus", d, p]),
          true,
        ));
      it("without operator mode the operator's Prometheus is refused", () => {
        check(stack, docs(loadConfig(stack)), SCRAPES, false);
      });
    });
  }

  it("the namespace and pod selectors come from config", () => {
    const c = loadConfig("production", {
      "prometheus.operator.enabled": true,
      "prometheus.operator.namespaceSelector": { "kubernetes.io/metadata.name": "observability" },
      "prometheus.operator.podSelector": { "app.kubernetes.io/name": "prometheus", prometheus: "k8s" },
    });
    const policies = docs(c);
    check("production", policies, [["observability", "pgPrimary", POSTGRESQL.ports.exporter]], true);
    check(
      "production",
      policies,
      [
        ["operatorPrometheus", "pgPrimary", POSTGRESQL.ports.exporter],
        ["lookAlike", "pgPrimary", POSTGRESQL.ports.exporter],
      ],
      false,
    );
  });

  it("works without a Prometheus of the stack's own (prometheus.enabled false)", () => {
    const c = loadConfig("production", { "prometheus.operator.enabled": true, "prometheus.enabled": false, "grafana.enabled": false });
    const policies = docs(c);
    check("production", policies, [["operatorPrometheus", "redis", REDIS.ports.exporter]], true);
    check("production", policies, [["prometheus", "redis", REDIS.ports.exporter]], false);
  });
});
