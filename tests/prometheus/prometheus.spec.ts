import * as assert from "assert";
import { apiSelectorLabels } from "../../services/api";
import { PROMETHEUS } from "../../services/prometheus";
import { prometheusValues } from "../../services/prometheus/prometheus.build";
import { mirrorRepository } from "../../platform";
import { withExtraValues } from "../../platform/release";
import { ProgramRun, runProgram, runProgramError } from "../../testbed/harness/program";
import { configProblems as refusal, loadConfig } from "../../testbed/helpers/config";
import { TEST_SECRET_PREFIX } from "../../testbed/harness/stackFile";
import { T } from "../../testbed/harness/types";
import { CODE_DEFAULTS, MIRROR, MIRROR_REGISTRY, MONITORING_VARIANT } from "../../testbed/harness/variants";

const promRelease = (run: ProgramRun) => run.get(T.Release, "prometheus");

describe("prometheus release", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async () => {
    dev = await runProgram("dev");
    prod = await runProgram("production");
  });

  it("is the pinned OCI chart under its fixed release name, with timeout and bounded history", () => {
    const r = promRelease(prod).inputs;
    assert.strictEqual(r.chart, "oci://ghcr.io/prometheus-community/charts/prometheus");
    assert.strictEqual(r.version, "29.27.0");
    assert.strictEqual(r.name, PROMETHEUS.release);
    assert.strictEqual(r.namespace, "ape-2026");
    assert.ok(r.timeout >= 600);
    assert.ok(r.maxHistory > 0 && r.maxHistory <= 10);
  });

  it("figures: 30d retention by default, 90d in production, 50Gi volume", async () => {
    const defaults = await runProgram(CODE_DEFAULTS.stack, CODE_DEFAULTS.options);
    assert.strictEqual(promRelease(defaults).inputs.values.server.retention, "30d");
    assert.strictEqual(promRelease(defaults).inputs.values.server.persistentVolume.size, "50Gi");
    assert.strictEqual(promRelease(prod).inputs.values.server.retention, "90d");
    assert.strictEqual(promRelease(prod).inputs.values.server.persistentVolume.size, "50Gi");
    assert.deepStrictEqual(promRelease(prod).inputs.values.server.resources, {
      requests: { memory: "1Gi", cpu: "250m", "ephemeral-storage": "64Mi" },
      limits: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "1Gi" },
    });
    assert.strictEqual(promRelease(dev).inputs.values.server.retention, "3d");
    assert.strictEqual(promRelease(dev).inputs.values.server.persistentVolume.size, "2Gi");
  });

  it("Alertmanager on with persistence, kube-state-metrics on, node-exporter and pushgateway off", () => {
    const v = promRelease(prod).inputs.values;
    assert.strictEqual(v.alertmanager.enabled, true);
    assert.deepStrictEqual(v.alertmanager.persistence, { enabled: true, size: "2Gi" });
    assert.strictEqual(v["kube-state-metrics"].enabled, true);
    assert.strictEqual(v["prometheus-node-exporter"].enabled, false);
    assert.strictEqual(v["prometheus-pushgateway"].enabled, false);
    assert.deepStrictEqual(v.alertmanager.config.receivers, [{ name: "default-receiver" }], "no receiver integrations by default");
    assert.deepStrictEqual(v.alertmanager.extraSecretMounts, []);
  });

  it("the four alert rules go to alerting_rules.yml", () => {
    const groups = promRelease(prod).inputs.values.serverFiles["alerting_rules.yml"].groups;
    assert.deepStrictEqual(groups.flatMap((g: any) => g.rules.map((r: any) => r.alert)).sort(), [
      "HighErrorRate",
      "HighLatencyP95",
      "LowDiskSpace",
      "PodCrashLooping",
    ]);
  });

  it("sets restricted Pod Security contexts on every pod it runs", () => {
    const v = promRelease(dev).inputs.values;
    for (const [where, pod] of [
      ["server", v.server.securityContext],
      ["alertmanager", v.alertmanager.podSecurityContext],
    ] as const) {
      assert.strictEqual(pod.runAsNonRoot, true, where);
      assert.deepStrictEqual(pod.seccompProfile, { type: "RuntimeDefault" }, where);
    }
    for (const [where, c] of [
      ["server", v.server.containerSecurityContext],
      ["configmap-reload", v.configmapReload.prometheus.containerSecurityContext],
      ["alertmanager", v.alertmanager.securityContext],
      ["alertmanager reload", v.alertmanager.configmapReload.securityContext],
    ] as const) {
      assert.strictEqual(c.allowPrivilegeEscalation, false, where);
      assert.deepStrictEqual(c.capabilities, { drop: ["ALL"] }, where);
    }
  });

  it("receiver URLs go to a Secret mounted as files, never into values", async () => {
    const run = await runProgram("production", MONITORING_VARIANT);
    const release = promRelease(run);
    assert.doesNotMatch(JSON.stringify(release.plainInputs), /very-secret/);
    const secret = run.ofType(T.Secret).find((s) => s.name.includes("alertmanager-receivers"))!;
    assert.ok(secret, "a receivers Secret");
    assert.deepStrictEqual(Object.keys(secret.inputs.stringData).sort(), ["slack-api-url", "webhook-url"]);
    assert.ok(
      secret.secretPaths.some((p) => p.startsWith("stringData")),
      "stringData is a Pulumi secret",
    );
    const am = release.inputs.values.alertmanager;
    // The Secret is auto-named (a changed URL makes a new Secret, which rolls Alertmanager).
    assert.strictEqual(am.extraSecretMounts.length, 1);
    const { secretName, ...mount } = am.extraSecretMounts[0];
    assert.match(secretName, new RegExp(`^${secret.name}-[0-9a-f]+$`));
    assert.deepStrictEqual(mount, { name: "alertmanager-receivers", mountPath: "/etc/alertmanager-secrets", subPath: "", readOnly: true });
    const receiver = (name: string) => am.config.receivers.find((r: { name: string }) => r.name === name);
    assert.deepStrictEqual(receiver("slack").slack_configs, [
      { api_url_file: "/etc/alertmanager-secrets/slack-api-url", channel: "#alerts", send_resolved: true },
    ]);
    assert.deepStrictEqual(receiver("webhook").webhook_configs, [
      { url_file: "/etc/alertmanager-secrets/webhook-url", send_resolved: true },
    ]);
  });

  it("no test secret or generated password anywhere in the release values", () => {
    for (const run of [dev, prod]) {
      for (const r of run.ofType(T.Release))
        assert.doesNotMatch(JSON.stringify(r.plainInputs), new RegExp(`${TEST_SECRET_PREFIX}|mock-password-`), r.name);
    }
  });

  it("is protected in production only", () => {
    assert.strictEqual(promRelease(prod).protect, true);
    assert.strictEqual(promRelease(dev).protect, false);
  });

  it("a mirror registry and pull secrets reach every image", async () => {
    const run = await runProgram("dev", MIRROR);
    const v = promRelease(run).inputs.values;
    assert.strictEqual(v.server.image.repository, `${MIRROR_REGISTRY}/prometheus/prometheus`);
    assert.strictEqual(v.configmapReload.prometheus.image.repository, `${MIRROR_REGISTRY}/prometheus-operator/prometheus-config-reloader`);
    assert.strictEqual(v.alertmanager.image.repository, `${MIRROR_REGISTRY}/prometheus/alertmanager`);
    assert.strictEqual(v["kube-state-metrics"].image.registry, MIRROR_REGISTRY);
    assert.deepStrictEqual(v.imagePullSecrets, [{ name: "regcred" }]);
    assert.deepStrictEqual(v.alertmanager.imagePullSecrets, [{ name: "regcred" }]);
    assert.deepStrictEqual(v["kube-state-metrics"].imagePullSecrets, [{ name: "regcred" }]);
    assert.strictEqual(mirrorRepository("m.example.com", "busybox"), "m.example.com/busybox");
  });

  it("operator objects only when prometheus.operator.enabled", async () => {
    assert.strictEqual(dev.ofType(T.ServiceMonitor).length + dev.ofType(T.PrometheusRule).length, 0);
    const run = await runProgram("dev", MONITORING_VARIANT);
    const [sm] = run.ofType(T.ServiceMonitor);
    const [rule] = run.ofType(T.PrometheusRule);
    assert.deepStrictEqual(sm.inputs.spec.selector.matchLabels, apiSelectorLabels());
    assert.strictEqual(sm.inputs.spec.endpoints[0].path, "/metrics");
    assert.strictEqual(rule.inputs.spec.groups.flatMap((g: any) => g.rules).length, 4);
  });
});

describe("prometheus config: bad input is refused with the key named", () => {
  it("a retention that is not a Prometheus duration", () => {
    for (const bad of ["30 days", "1m30h", "90", "d30"])
      assert.match(refusal("dev", { "prometheus.server.retention": bad }).get("prometheus.server.retention") ?? "", /duration/, bad);
  });

  it("ratio thresholds outside 0..1", () => {
    assert.match(
      refusal("dev", { "prometheus.alerts.errorRateThreshold": 5 }).get("prometheus.alerts.errorRateThreshold") ?? "",
      /between 0 and 1/,
    );
    assert.match(
      refusal("dev", { "prometheus.alerts.diskFreeRatio": -0.1 }).get("prometheus.alerts.diskFreeRatio") ?? "",
      /between 0 and 1/,
    );
    assert.match(refusal("dev", { "prometheus.alerts.diskFreeRatio": 0 }).get("prometheus.alerts.diskFreeRatio") ?? "", /between 0 and 1/);
  });

  it("node-exporter while the namespace enforces restricted Pod Security", async () => {
    assert.match(
      refusal("dev", { "prometheus.nodeExporter.enabled": true }).get("prometheus.nodeExporter.enabled") ?? "",
      /hostNetwork.*privileged/,
    );
    const { error, resources } = await runProgramError("dev", { set: { "prometheus.nodeExporter.enabled": true } });
    assert.match(error.message, /prometheus\.nodeExporter\.enabled/);
    assert.strictEqual(resources.filter((r) => r.custom).length, 0, "nothing registered");
    // Accepted once the namespace allows privileged pods, and the chart then runs node-exporter: the
    // values builder decides that (receivers.spec.ts checks that the Release gets its output).
    const ok = loadConfig("dev", { "prometheus.nodeExporter.enabled": true, "namespace.podSecurity.enforce": "privileged" });
    const values: any = withExtraValues(
      prometheusValues({ prometheus: ok.prometheus, images: ok.images, namespace: ok.namespace.name }),
      ok.prometheus.extraValues,
    );
    assert.strictEqual(values["prometheus-node-exporter"].enabled, true);
  });
});
