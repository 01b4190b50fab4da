// Alertmanager receivers: Slack, PagerDuty, e-mail and a generic webhook under
// prometheus.alertmanager.receivers, their secrets in a mounted Secret (never in values or the
// ConfigMap), routing by severity, the warning and the advisory policy for a production stack
// whose alerts reach no one, and the rendered configuration checked by Alertmanager's own amtool.
// amtool, helm and the chart cache live outside the repository; without them those tests are
// skipped with a reason.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { ConfigValidationError, parseStackConfig, StackConfig } from "../../stack";
import { alertsReachNoOne } from "../../services/prometheus/receivers.settings";
import { PROMETHEUS } from "../../services/prometheus";
import { prometheusValues, receiverSecrets } from "../../services/prometheus/prometheus.build";
import { withExtraValues } from "../../platform/release";
import { stackNetworkPolicies } from "../../stack/stack";
import * as rules from "../../policy/policies";
import { checkResource, FakeResource } from "../../testbed/helpers/policyArgs";
import { ProgramRun, runProgram, runProgramError, RunOptions } from "../../testbed/harness/program";
import { OPERATOR_NO_ALERTMANAGER_NO_EXPORTERS, REAL_IMAGES } from "../../testbed/harness/variants";
import { configOf, configProblems, loadConfig } from "../../testbed/helpers/config";
import { allows, NetworkPolicy } from "../../scripts/verify/network-policy";
import { readStackFile, setPath } from "../../testbed/harness/stackFile";
import { cachedChart } from "../../testbed/helpers/charts";
import { findTool, inBackground, startEarly, ToolRun } from "../../testbed/helpers/tools";

const R = "prometheus.alertmanager.receivers";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";

/** Recognisable secret values: none of them may appear in plain text anywhere. */
const SECRETS = {
  [`${R}.slack.webhookUrl`]: "https://hooks.slack.test/T0/B0/slack-very-secret",
  [`${R}.pagerduty.routingKey`]: "pagerduty-very-secret-0123456789",
  [`${R}.email.authPassword`]: "smtp-very-secret",
  [`${R}.webhook.url`]: "https://alerts.test/hook?token=webhook-very-secret",
};
const EMAIL = {
  [`${R}.email.smarthost`]: "smtp.example.com:587",
  [`${R}.email.from`]: "alertmanager@example.com",
  [`${R}.email.to`]: ["oncall@example.com", "team@example.com"],
  [`${R}.email.authUsername`]: "alertmanager",
};
const ALL: RunOptions = { setSecret: SECRETS, set: { ...EMAIL, [`${R}.slack.channel`]: "#ape-alerts" } };
/** One receiver: e-mail without SMTP authentication (so no Secret) and without TLS required. */
const { [`${R}.email.authUsername`]: _user, ...EMAIL_NO_AUTH } = EMAIL;
const EMAIL_ONLY: RunOptions = { set: { ...EMAIL_NO_AUTH, [`${R}.email.requireTls`]: false } };
/** Slack for critical alerts only, PagerDuty for warnings too. */
const SEVERITIES: RunOptions = {
  setSecret: { [`${R}.slack.webhookUrl`]: "https://hooks.slack.test/x", [`${R}.pagerduty.routingKey`]: "pd-key" },
  set: { [`${R}.slack.severities`]: ["critical"], [`${R}.pagerduty.severities`]: ["critical", "warning"] },
};

const alertmanagerValues = (run: ProgramRun) => run.get(RELEASE, "prometheus").inputs.values.alertmanager;
const receiver = (run: ProgramRun, name: string) => alertmanagerValues(run).config.receivers.find((r: { name: string }) => r.name === name);
/** The routes of Alertmanager values as [receiver, ...matchers]. */
const routesOf = (alertmanager: any) =>
  (alertmanager.config.route.routes ?? []).map((r: { receiver: string; matchers: string[] }) => [r.receiver, ...r.matchers]);
const routes = (run: ProgramRun) => routesOf(alertmanagerValues(run));

/** The prometheus Release's name, chart version, namespace and values. */
interface ReleaseInputs {
  readonly name: string;
  readonly version: string;
  readonly namespace: string;
  readonly values: Record<string, any>;
}

/**
 * The prometheus Release as the Prometheus component builds it for `c`, from the pure values
 * builder. The receivers Secret is auto-named by the engine; `receiversSecretName` stands in for
 * that name (it only appears in the Secret mount, never in alertmanager.yml).
 */
function builtRelease(c: StackConfig, receiversSecretName = "prometheus-alertmanager-receivers-0000000"): ReleaseInputs {
  const mountsSecret = Object.keys(receiverSecrets(c.prometheus)).length > 0;
  const values = prometheusValues({
    prometheus: c.prometheus,
    images: c.images,
    namespace: c.namespace.name,
    receiversSecretName: mountsSecret ? receiversSecretName : undefined,
  });
  return {
    name: PROMETHEUS.release,
    version: c.charts.prometheus.version,
    namespace: c.namespace.name,
    values: withExtraValues(values, c.prometheus.extraValues),
  };
}

/** Problems of the production stack with `set` applied, the prometheus key stored encrypted (as --secret does). */
function problems(set: Record<string, unknown>): Map<string, string> {
  const { settings, secretKeys } = readStackFile("production");
  for (const [key, value] of Object.entries(set)) setPath(settings, key, value);
  try {
    parseStackConfig(settings, { stack: "production", secretKeys: new Set([...secretKeys, "prometheus"]) });
  } catch (e) {
    assert.ok(e instanceof ConfigValidationError, String(e));
    return new Map(e.problems.map((p) => [p.path, `${p.message} ${JSON.stringify(p.value)}`]));
  }
  assert.fail(`expected ${JSON.stringify(set)} to be refused`);
}

describe("Alertmanager receivers", () => {
  let all: ProgramRun;
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async () => {
    all = await runProgram("production", ALL);
    dev = await runProgram("dev");
    prod = await runProgram("production");
  });

  it("every receiver secret goes into one Secret as a Pulumi secret, and nowhere in plain text", () => {
    const secrets = all.ofType(SECRET).filter((s) => s.name.includes("alertmanager-receivers"));
    assert.strictEqual(secrets.length, 1);
    const [secret] = secrets;
    assert.deepStrictEqual(Object.keys(secret.inputs.stringData).sort(), [
      "email-auth-password",
      "pagerduty-routing-key",
      "slack-api-url",
      "webhook-url",
    ]);
    assert.deepStrictEqual(
      Object.values(secret.inputs.stringData).sort(),
      Object.values(SECRETS).sort(),
      "each value is the configured one",
    );
    assert.ok(
      secret.secretPaths.some((p) => p === "" || p.startsWith("stringData")),
      "stringData is a Pulumi secret",
    );
    for (const r of all.resources) assert.doesNotMatch(JSON.stringify(r.plainInputs), /very-secret/, `${r.type} ${r.name}`);
    assert.doesNotMatch(JSON.stringify(all.outputs), /very-secret/);
    const am = alertmanagerValues(all);
    assert.match(am.extraSecretMounts[0].secretName, new RegExp(`^${secret.name}-[0-9a-f]+$`));
  });

  it("each integration reads its secret from the mounted file", () => {
    assert.deepStrictEqual(receiver(all, "slack").slack_configs, [
      { api_url_file: "/etc/alertmanager-secrets/slack-api-url", channel: "#ape-alerts", send_resolved: true },
    ]);
    assert.deepStrictEqual(receiver(all, "pagerduty").pagerduty_configs, [
      { routing_key_file: "/etc/alertmanager-secrets/pagerduty-routing-key", send_resolved: true },
    ]);
    assert.deepStrictEqual(receiver(all, "email").email_configs, [
      {
        to: "oncall@example.com, team@example.com",
        from: "alertmanager@example.com",
        smarthost: "smtp.example.com:587",
        auth_username: "alertmanager",
        auth_password_file: "/etc/alertmanager-secrets/email-auth-password",
        require_tls: true,
        send_resolved: true,
      },
    ]);
    assert.deepStrictEqual(receiver(all, "webhook").webhook_configs, [
      { url_file: "/etc/alertmanager-secrets/webhook-url", send_resolved: true },
    ]);
  });

  it("by default every receiver gets critical alerts, and all but PagerDuty get warnings", () => {
    assert.deepStrictEqual(routes(all), [
      ["slack", 'severity=~"critical|warning"'],
      ["pagerduty", 'severity="critical"'],
      ["email", 'severity=~"critical|warning"'],
      ["webhook", 'severity=~"critical|warning"'],
    ]);
    const route = alertmanagerValues(all).config.route;
    assert.strictEqual(route.receiver, "default-receiver");
    assert.ok(
      route.routes.every((r: { continue: boolean }) => r.continue === true),
      "an alert reaches every receiver that takes it",
    );
  });

  it("the Release gets the values builder's output, on both stacks and with all four receivers", () => {
    // What lets the tests that judge a config variant through the builder (routes by severity,
    // the amtool cases) stand for the registered Release.
    for (const [stack, options, run] of [
      ["dev", {}, dev],
      ["production", {}, prod],
      ["production", ALL, all],
    ] as const) {
      const registered = run.get(RELEASE, "prometheus").inputs;
      const secretName = registered.values.alertmanager.extraSecretMounts[0]?.secretName;
      const built = builtRelease(configOf(stack, options), secretName);
      assert.deepStrictEqual(
        { name: registered.name, version: registered.version, namespace: registered.namespace, values: registered.values },
        JSON.parse(JSON.stringify(built)),
        `${stack} ${JSON.stringify(options).slice(0, 40)}`,
      );
    }
  });

  it("the severities of each receiver come from config", () => {
    const { values } = builtRelease(configOf("production", SEVERITIES));
    assert.deepStrictEqual(routesOf(values.alertmanager), [
      ["slack", 'severity="critical"'],
      ["pagerduty", 'severity=~"critical|warning"'],
    ]);
  });

  it("e-mail without SMTP authentication needs no Secret; requireTls can be turned off", async () => {
    const run = await runProgram("production", EMAIL_ONLY);
    assert.deepStrictEqual(
      run.ofType(SECRET).filter((s) => s.name.includes("alertmanager-receivers")),
      [],
    );
    assert.deepStrictEqual(alertmanagerValues(run).extraSecretMounts, []);
    assert.deepStrictEqual(receiver(run, "email").email_configs, [
      {
        to: "oncall@example.com, team@example.com",
        from: "alertmanager@example.com",
        smarthost: "smtp.example.com:587",
        require_tls: false,
        send_resolved: true,
      },
    ]);
  });

  it("no receiver configured: only the default receiver, no routes, no Secret (both stacks)", async () => {
    for (const stack of ["dev", "production"]) {
      const run = await runProgram(stack);
      assert.deepStrictEqual(alertmanagerValues(run).config.receivers, [{ name: "default-receiver" }], stack);
      assert.strictEqual(alertmanagerValues(run).config.route.routes, undefined, stack);
      assert.deepStrictEqual(
        run.ofType(SECRET).filter((s) => s.name.includes("alertmanager-receivers")),
        [],
        stack,
      );
    }
  });
});

describe("Alertmanager receivers: NetworkPolicy", () => {
  const alertmanager = {
    name: "alertmanager",
    namespace: "ape-2026",
    namespaceLabels: { "kubernetes.io/metadata.name": "ape-2026" },
    labels: { "app.kubernetes.io/name": "alertmanager", "app.kubernetes.io/instance": "prometheus" },
    ip: "10.244.1.10",
  };
  const smtp = { name: "SMTP server", ip: "198.51.100.25" };
  const policies = (set: Record<string, unknown>): NetworkPolicy[] => {
    const c = loadConfig("production", set);
    return stackNetworkPolicies(c).map((d) => ({
      namespace: c.namespace.name,
      name: d.name,
      spec: d.spec as NetworkPolicy["spec"],
    }));
  };

  it("an e-mail receiver opens its smarthost's port to Alertmanager; without one only 443", () => {
    const { [`${R}.email.authUsername`]: _user, ...noAuth } = EMAIL;
    const withEmail = policies({ ...noAuth, [`${R}.email.smarthost`]: "smtp.example.com:2525" });
    assert.ok(allows(withEmail, alertmanager, smtp, 2525));
    assert.ok(allows(withEmail, alertmanager, smtp, 443));
    assert.ok(!allows(withEmail, alertmanager, smtp, 25));
    const without = policies({});
    assert.ok(allows(without, alertmanager, smtp, 443));
    assert.ok(!allows(without, alertmanager, smtp, 2525));
  });
});

describe("Alertmanager receivers: bad input is refused with the key named, secrets never echoed", () => {
  it("secrets stored in plain text", () => {
    for (const [key, value] of Object.entries(SECRETS)) {
      const found = configProblems("production", { ...EMAIL, [key]: value });
      assert.match(found.get(key) ?? "", /stored in plain text.*pulumi config set --secret --path/, key);
      assert.doesNotMatch([...found.values()].join("\n"), /very-secret/, key);
    }
  });

  it("malformed URLs, smarthost, addresses and severities; authentication needs user and password", () => {
    const found = problems({
      [`${R}.slack.webhookUrl`]: "hooks.slack.test/very-secret",
      [`${R}.webhook.url`]: "ftp://very-secret",
      [`${R}.pagerduty.routingKey`]: "   ",
      [`${R}.pagerduty.severities`]: ["info"],
      [`${R}.email.smarthost`]: "smtp.example.com",
      [`${R}.email.from`]: "alertmanager",
      [`${R}.email.to`]: ["oncall@example.com", "team"],
      [`${R}.email.authPassword`]: "very-secret",
      [`${R}.email.severities`]: [],
    });
    const expect: [string, RegExp][] = [
      [`${R}.slack.webhookUrl`, /must be an http\(s\) URL "<secret>"/],
      [`${R}.webhook.url`, /must be an http\(s\) URL "<secret>"/],
      [`${R}.pagerduty.routingKey`, /PagerDuty integration key "<secret>"/],
      [`${R}.pagerduty.severities[0]`, /must be one of critical, warning "info"/],
      [`${R}.email.smarthost`, /host:port/],
      [`${R}.email.from`, /e-mail address/],
      [`${R}.email.to[1]`, /e-mail address.*"team"/],
      [`${R}.email.authUsername`, /together with authUsername and authPassword/],
      [`${R}.email.severities`, /at least one of critical, warning/],
    ];
    for (const [key, message] of expect) assert.match(found.get(key) ?? `(no problem for ${key})`, message, key);
    assert.doesNotMatch([...found.values()].join("\n"), /very-secret/);
  });

  it("a receiver without its required settings", () => {
    const found = problems({ [`${R}.slack.channel`]: "#alerts", [`${R}.email.to`]: ["oncall@example.com"] });
    assert.match(found.get(`${R}.slack.webhookUrl`) ?? "", /http\(s\) URL/);
    assert.match(found.get(`${R}.email.smarthost`) ?? "", /host:port/);
    assert.match(found.get(`${R}.email.from`) ?? "", /e-mail address/);
  });

  it("the retired keys name their replacements, before anything is registered", async () => {
    const found = problems({
      [`${R}.slackWebhookUrl`]: "https://hooks.slack.test/very-secret",
      [`${R}.slackChannel`]: "#alerts",
      [`${R}.webhookUrl`]: "https://alerts.test/very-secret",
    });
    assert.match(found.get(`${R}.slackWebhookUrl`) ?? "", /replaced by prometheus\.alertmanager\.receivers\.slack\.webhookUrl.*--secret/);
    assert.match(found.get(`${R}.slackChannel`) ?? "", /replaced by prometheus\.alertmanager\.receivers\.slack\.channel.*"#alerts"/);
    assert.match(found.get(`${R}.webhookUrl`) ?? "", /replaced by prometheus\.alertmanager\.receivers\.webhook\.url/);
    assert.doesNotMatch([...found.values()].join("\n"), /very-secret/);
    const { error, resources } = await runProgramError("production", {
      setSecret: { [`${R}.slackWebhookUrl`]: "https://hooks.slack.test/very-secret" },
    });
    assert.match(error.message, /slackWebhookUrl: is replaced by/);
    assert.strictEqual(resources.filter((r) => r.custom).length, 0, "nothing registered");
  });
});

describe("a production stack whose alerts reach no one", () => {
  /** The warnings a run logged about alerts that reach no one. */
  const warnings = async (stack: string, options: RunOptions = {}): Promise<string[]> =>
    (await runProgram(stack, options)).warnings.filter((w) => /notify no one/.test(w));
  const KEYS = [`${R}.slack.webhookUrl`, `${R}.pagerduty.routingKey`, `${R}.email.smarthost`, `${R}.webhook.url`];

  it("warns on preview and on up, naming the keys to set", async () => {
    // `pulumi up` needs real images (placeholders.spec.ts); preview only warns about them.
    for (const [found, label] of [
      [await warnings("production"), "preview"],
      [await warnings("production", { preview: false, set: REAL_IMAGES }), "up"],
    ] as const) {
      assert.strictEqual(found.length, 1, `${label}: ${found.join("\n")}`);
      for (const key of KEYS) assert.ok(found[0].includes(key), `${label}: ${key} named in: ${found[0]}`);
    }
  });

  it("warns when Alertmanager is off in production", async () => {
    const found = await warnings("production", OPERATOR_NO_ALERTMANAGER_NO_EXPORTERS);
    assert.strictEqual(found.length, 1);
    assert.match(found[0], /prometheus\.alertmanager\.enabled is false/);
  });

  it("is quiet once any receiver is set, and in development", async () => {
    // Whole runs: a single receiver (e-mail, no secret), the four secret-carrying ones, development.
    assert.deepStrictEqual(await warnings("production", EMAIL_ONLY), []);
    assert.deepStrictEqual(await warnings("production", ALL), []);
    assert.deepStrictEqual(await warnings("dev"), []);
    // Each receiver on its own (the webhook alone among them), through alertsReachNoOne: the check
    // whose message the program logs as this warning (stack/load.ts).
    const alone: Record<string, RunOptions> = {
      webhook: { setSecret: { [`${R}.webhook.url`]: "https://alerts.test/x" } },
      slack: { setSecret: { [`${R}.slack.webhookUrl`]: "https://hooks.slack.test/x" } },
      pagerduty: { setSecret: { [`${R}.pagerduty.routingKey`]: "pd-key" } },
      email: EMAIL_ONLY,
    };
    assert.ok(alertsReachNoOne(configOf("production").prometheus), "the check fires without a receiver");
    for (const [kind, options] of Object.entries(alone))
      assert.strictEqual(alertsReachNoOne(configOf("production", options).prometheus), undefined, kind);
  });
});

describe("policy: alertmanager-receivers-in-production (advisory)", () => {
  const check = (values: Record<string, unknown>, stack = "production") =>
    checkResource(
      rules.alertmanagerReceiversInProduction,
      {
        type: RELEASE,
        name: "prometheus",
        props: { name: "prometheus", chart: "oci://ghcr.io/prometheus-community/charts/prometheus", version: "29.27.0", values },
      } satisfies FakeResource,
      { stack },
    );

  it("is advisory", () => assert.strictEqual(rules.alertmanagerReceiversInProduction.enforcementLevel, "advisory"));

  it("flags a production Alertmanager with the chart's default receiver or receivers without notifiers", async () => {
    assert.match((await check({})).join("\n"), /no receiver with a notifier.*prometheus\.alertmanager\.receivers/);
    assert.strictEqual((await check({ alertmanager: { config: { receivers: [{ name: "default-receiver" }] } } })).length, 1);
    assert.strictEqual((await check({ alertmanager: { config: { receivers: [{ name: "x", slack_configs: [] }] } } })).length, 1);
  });

  it("accepts a receiver with a notifier, an Alertmanager that is off, and development stacks", async () => {
    const good = { alertmanager: { config: { receivers: [{ name: "default-receiver" }, { name: "pd", pagerduty_configs: [{}] }] } } };
    assert.deepStrictEqual(await check(good), []);
    assert.deepStrictEqual(await check({ alertmanager: { enabled: false } }), []);
    assert.deepStrictEqual(await check({}, "dev"), []);
  });

  it("flags the production template stack and accepts it once a receiver is set; dev is not production", async () => {
    const values = async (stack: string, options: RunOptions = {}) =>
      (await runProgram(stack, options)).get(RELEASE, "prometheus").inputs.values;
    assert.strictEqual((await check(await values("production"))).length, 1);
    assert.deepStrictEqual(await check(await values("production", ALL)), []);
    assert.deepStrictEqual(await check(await values("dev"), "dev"), []);
  });
});

// --- amtool on the configuration the chart renders --------------------------------------------

/** What amtool made of the configuration the chart rendered for one run. */
interface Verdict {
  /** helm template of the release values. */
  readonly render: ToolRun;
  /** The chart's alertmanager.yml, when the render succeeded. */
  readonly config?: string;
  /** amtool check-config on it. */
  readonly check?: ToolRun;
  /** The receivers `amtool config routes test` picks per severity. */
  readonly routes: Record<string, ToolRun>;
}

/**
 * Renders the prometheus release `release` with the chart (helm template), writes its
 * alertmanager.yml under `dir` and has amtool check it and route each of `severities`; the
 * processes run on the background lane (testbed/helpers/tools.ts).
 */
async function judge(
  tools: { helm: string; amtool: string },
  release: ReleaseInputs,
  dir: string,
  name: string,
  severities: string[],
): Promise<Verdict> {
  const values = path.join(dir, `${name}.values.json`);
  fs.writeFileSync(values, JSON.stringify(release.values));
  const chartDir = cachedChart("prometheus", release.version);
  const render = await inBackground(tools.helm, ["template", release.name, chartDir, "-n", release.namespace, "-f", values]);
  if (render.status !== 0) return { render, routes: {} };
  const configMap = parseAllDocuments(render.stdout)
    .map((d) => d.toJS())
    .find((o) => o?.kind === "ConfigMap" && o.metadata?.name === "prometheus-alertmanager");
  const config: string | undefined = configMap?.data?.["alertmanager.yml"];
  if (!config) return { render, routes: {} };
  const file = path.join(dir, `${name}.yml`);
  fs.writeFileSync(file, config);
  const check = inBackground(tools.amtool, ["check-config", file]);
  const routes = severities.map((severity) =>
    inBackground(tools.amtool, ["config", "routes", "test", `--config.file=${file}`, `severity=${severity}`, "alertname=HighErrorRate"]),
  );
  const routed = await Promise.all(routes);
  return { render, config, check: await check, routes: Object.fromEntries(severities.map((severity, i) => [severity, routed[i]])) };
}

describe("the rendered Alertmanager configuration, checked by amtool", function () {
  const amtool = findTool("amtool");
  const helm = findTool("helm");
  const chart = cachedChart("prometheus", loadConfig("dev").charts.prometheus.version);
  const missing = [
    !amtool && "amtool (testbed/tools/install.sh amtool)",
    !helm && "helm",
    !fs.existsSync(chart) && `the prometheus chart unpacked at ${chart} (APE_CHART_CACHE)`,
  ].filter(Boolean);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ape-amtool-"));
  before(function () {
    if (missing.length > 0) {
      console.log(`      ${missing.join(", ")} not found: rendered Alertmanager configuration not checked`);
      this.skip();
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Where each case's Release comes from: the registered one of a run the suite evaluates anyway,
  // or, for a variant only this check needs, the values builder (alertmanager.yml depends on the
  // receivers settings alone, and "the Release gets the values builder's output" above shows the
  // builder's output is what the Release gets).
  const registered = (stack: string, options: RunOptions) => async (): Promise<ReleaseInputs> =>
    (await runProgram(stack, options)).get(RELEASE, "prometheus").inputs as ReleaseInputs;
  const built = (stack: string, options: RunOptions) => async () => builtRelease(configOf(stack, options));
  const cases: [string, () => Promise<ReleaseInputs>, Record<string, string>][] = [
    ["dev", registered("dev", {}), { critical: "default-receiver", warning: "default-receiver" }],
    ["production template", registered("production", {}), { critical: "default-receiver", warning: "default-receiver" }],
    [
      "production with all four receivers",
      registered("production", ALL),
      { critical: "slack,pagerduty,email,webhook", warning: "slack,email,webhook", info: "default-receiver" },
    ],
    [
      "production with PagerDuty for warnings too and Slack for critical only",
      built("production", SEVERITIES),
      { critical: "slack,pagerduty", warning: "pagerduty", info: "default-receiver" },
    ],
    [
      "dev with a webhook",
      built("dev", { setSecret: { [`${R}.webhook.url`]: "https://alerts.test/x" } }),
      { critical: "webhook", warning: "webhook" },
    ],
  ];
  // Queued while mocha loads this file (see testbed/helpers/tools.ts); each test awaits its own.
  const tools = missing.length === 0 ? { helm: helm!, amtool: amtool! } : undefined;
  const verdicts = cases.map(([label, release, expected]) =>
    tools ? startEarly(async () => judge(tools, await release(), dir, label.replace(/\W+/g, "-"), Object.keys(expected))) : undefined,
  );

  cases.forEach(([label, , expected], i) => {
    it(`${label}: amtool accepts it and routes ${Object.entries(expected)
      .map(([s, r]) => `${s} to ${r}`)
      .join(", ")}`, async () => {
      const { render, config, check, routes } = await verdicts[i]!;
      assert.strictEqual(render.status, 0, render.output);
      assert.ok(config, "the chart renders ConfigMap prometheus-alertmanager");
      assert.doesNotMatch(render.stdout, /very-secret|hooks\.slack\.test|pd-key|alerts\.test/, "no secret in the rendered chart");
      assert.strictEqual(check!.status, 0, check!.output);
      assert.match(check!.output, /SUCCESS/);
      for (const [severity, receivers] of Object.entries(expected)) {
        assert.strictEqual(routes[severity].status, 0, routes[severity].output);
        assert.strictEqual(routes[severity].stdout.trim(), receivers, severity);
      }
    });
  });

  // The control: the same check on the all-receivers configuration with one route broken.
  const broken = tools
    ? startEarly(async () => {
        const { config } = await verdicts[2]!;
        const file = path.join(dir, "broken.yml");
        const edited = (config ?? "").replace("receiver: pagerduty", "receiver: pagerduty-missing");
        fs.writeFileSync(file, edited);
        return { edited, original: config, check: await inBackground(tools.amtool, ["check-config", file]) };
      })
    : undefined;

  it("the check itself fails on a configuration that routes to an undefined receiver", async () => {
    const { edited, original, check } = await broken!;
    assert.notStrictEqual(edited, original);
    assert.notStrictEqual(check.status, 0, check.output);
    assert.match(check.output, /pagerduty-missing/);
  });
});
