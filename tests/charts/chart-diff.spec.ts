// The rendered chart diff (scripts/chart-diff.ts): a change of values gives exactly the expected
// object diff (from two hand-written renders, and from the cached charts with the program's values
// when the chart cache and the provider's Helm version are installed), Secret data and checksums
// never appear in any output, the pull-request comment stays under GitHub's limit with the whole
// diff kept for the artifact, and no generated password or secure setting reaches chart values.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { diffObjects, lineDiff, ObjectChange } from "../../scripts/charts/diff";
import { parseManifest } from "../../scripts/charts/helm";
import { commentMarkdown, fullMarkdown, GITHUB_COMMENT_LIMIT, ReleaseDiff, Report } from "../../scripts/charts/report";
import { assertNoSecrets } from "../../scripts/charts/values";
import { runProgram } from "../../testbed/harness/program";
import { MOCK_PASSWORD_PREFIX } from "../../testbed/harness/mocks";
import { TEST_SECRET_PREFIX } from "../../testbed/harness/stackFile";
import { T } from "../../testbed/harness/types";
import { cachedChartRenderer } from "../../testbed/helpers/charts";

const fixture = (name: string) => parseManifest(fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8"));
const report = (diffs: ReleaseDiff[]): Report => ({ context: "Base `main` → head.", diffs });

describe("chart-diff: the object diff of two renders (hand-written fixtures)", () => {
  const changes = diffObjects(fixture("before.yaml"), fixture("after.yaml"));

  it("names every added, removed and changed object and exactly the changed fields", () => {
    const expected: ObjectChange[] = [
      {
        id: "ConfigMap shop/shop-db-config",
        kind: "ConfigMap",
        op: "changed",
        labelsOnly: false,
        fields: [
          {
            path: 'data["db.conf"]',
            op: "changed",
            lines: ["  listen_addresses = '*'", "- max_connections = 100", "+ max_connections = 200", "  shared_buffers = 128MB", "…"],
          },
        ],
      },
      { id: "PodDisruptionBudget shop/shop-db", kind: "PodDisruptionBudget", op: "added", fields: [], labelsOnly: false },
      {
        id: "Secret shop/shop-db-auth",
        kind: "Secret",
        op: "changed",
        labelsOnly: false,
        fields: [
          { path: "data.password", op: "changed", redacted: true },
          { path: 'data["replication-password"]', op: "added", redacted: true },
          { path: "stringData.username", op: "changed", redacted: true },
        ],
      },
      {
        id: "Service shop/shop-db",
        kind: "Service",
        op: "changed",
        labelsOnly: true,
        fields: [{ path: 'metadata.labels["app.kubernetes.io/version"]', op: "changed", before: '"16.1"', after: '"16.2"' }],
      },
      { id: "Service shop/shop-db-metrics", kind: "Service", op: "removed", fields: [], labelsOnly: false },
      {
        id: "StatefulSet shop/shop-db",
        kind: "StatefulSet",
        op: "changed",
        labelsOnly: false,
        fields: [
          { path: 'spec.template.metadata.annotations["checksum/secret"]', op: "changed", redacted: true },
          { path: "spec.template.spec.containers[name=db].env[name=DB_EXTRA]", op: "added", after: '{"name":"DB_EXTRA","value":"on"}' },
          { path: "spec.template.spec.containers[name=db].resources.limits.memory", op: "changed", before: '"2Gi"', after: '"4Gi"' },
        ],
      },
    ];
    assert.deepStrictEqual(changes, expected);
  });

  it("never shows Secret data (in either encoding) or checksums, in the changes, the whole diff or the comment", () => {
    const texts = [
      JSON.stringify(changes),
      fullMarkdown(report([{ stack: "dev", release: "shop", chart: "shop 1.0.0", valuesChanged: ["auth"], objects: changes }])),
      commentMarkdown(
        report([{ stack: "dev", release: "shop", chart: "shop 1.0.0", valuesChanged: ["auth"], objects: changes }]),
        "the artifact",
      ),
    ];
    const secrets = ["fixture-old-password", "fixture-new-password", "fixture-replication", "fixture-user-old", "fixture-user-new"];
    const encoded = secrets.map((s) => Buffer.from(s).toString("base64"));
    for (const text of texts) {
      for (const s of [...secrets, ...encoded, "1111111111", "2222222222"]) assert.ok(!text.includes(s), `${s} shown`);
      assert.match(text, /data\.password|data\\?\.password/);
    }
    assert.match(texts[1], /data\.password: changed \(value not shown\)/);
    assert.match(texts[1], /data\["replication-password"\]: added \(value not shown\)/);
  });

  it("prints a summary per release and the fields in a diff block", () => {
    const md = fullMarkdown(
      report([{ stack: "dev", release: "shop", chart: "shop 1.0.0", valuesChanged: ["auth", "primary"], objects: changes }]),
    );
    assert.match(
      md,
      /\| dev \| shop \| shop 1\.0\.0 \| auth, primary \| 1 added, 1 removed, 3 changed, 1 relabelled only \(chart\/app version\) \|/,
    );
    assert.match(md, /^\+ PodDisruptionBudget shop\/shop-db$/m);
    assert.match(md, /^- Service shop\/shop-db-metrics$/m);
    assert.match(md, /^ {4}spec\.template\.spec\.containers\[name=db\]\.resources\.limits\.memory: "2Gi" → "4Gi"$/m);
    assert.match(md, /^~ version labels only: Service shop\/shop-db$/m);
  });

  it("diffs multi-line text by line, with context", () => {
    assert.deepStrictEqual(lineDiff("a\nb\nc\nd\ne", "a\nb\nC\nd\ne"), ["…", "  b", "- c", "+ C", "  d", "…"]);
    assert.deepStrictEqual(lineDiff("a", "a\nb"), ["  a", "+ b"]);
  });
});

describe("chart-diff: the pull-request comment", () => {
  const many = (release: string, n: number): ReleaseDiff => ({
    stack: "production",
    release,
    chart: `${release} 1.0.0 → ${release} 2.0.0`,
    valuesChanged: [],
    objects: Array.from({ length: n }, (_, i) => ({
      id: `ConfigMap ape-2026/${release}-${i}`,
      kind: "ConfigMap",
      op: "changed" as const,
      labelsOnly: false,
      fields: [{ path: 'data["rules.yml"]', op: "changed" as const, before: `"${"x".repeat(100)}"`, after: `"${"y".repeat(100)}"` }],
    })),
  });
  const big = report([many("prometheus", 2000), many("grafana", 2000), many("redis", 3)]);

  it("stays under GitHub's 65,536 characters, summary first, every release in it, and says where the rest is", () => {
    const comment = commentMarkdown(big, "the artifact chart-diff");
    assert.ok(comment.length <= GITHUB_COMMENT_LIMIT, `${comment.length} characters`);
    assert.ok(comment.indexOf("| production | prometheus |") < comment.indexOf("<details>"));
    for (const r of ["prometheus", "grafana", "redis"]) assert.match(comment, new RegExp(`\\| production \\| ${r} \\|`));
    assert.match(comment, /… \d+ more lines: see the whole diff\./);
    assert.match(comment, /The whole diff: the artifact chart-diff\.$/m);
    assert.equal((comment.match(/```diff/g) ?? []).length, (comment.match(/^```$/gm) ?? []).length, "every fence is closed");
    assert.equal((comment.match(/<details>/g) ?? []).length, (comment.match(/<\/details>/g) ?? []).length);
  });

  it("keeps everything in the whole diff (the artifact)", () => {
    const full = fullMarkdown(big);
    assert.ok(full.length > GITHUB_COMMENT_LIMIT);
    assert.equal((full.match(/^~ ConfigMap /gm) ?? []).length, 4003);
  });

  it("is the whole diff when that fits", () => {
    const small = report([many("redis", 3)]);
    assert.ok(!commentMarkdown(small, "x").includes("more line"));
    assert.equal((commentMarkdown(small, "x").match(/^~ ConfigMap /gm) ?? []).length, 3);
  });
});

describe("chart-diff: no generated password or secure setting reaches chart values", () => {
  const secure = {
    "prometheus.alertmanager.receivers.slack.webhookUrl": `https://hooks.slack.test/${TEST_SECRET_PREFIX}slack`,
    "prometheus.alertmanager.receivers.pagerduty.routingKey": `${TEST_SECRET_PREFIX}pagerduty`,
  };
  for (const [stack, options] of [
    ["dev", {}],
    ["production", {}],
    ["production", { setSecret: secure }],
  ] as const) {
    it(`${stack}${"setSecret" in options ? " with secret Alertmanager receivers" : ""}: values hold no secret and no generated password`, async () => {
      const run = await runProgram(stack, options);
      const releases = run.ofType(T.Release);
      assert.ok(releases.length >= 4);
      for (const r of releases) {
        assert.deepStrictEqual(
          r.secretPaths.filter((p) => p === "" || p.startsWith("values")),
          [],
          `${r.name}: secret values`,
        );
        const text = JSON.stringify(r.inputs.values);
        for (const marker of [MOCK_PASSWORD_PREFIX, TEST_SECRET_PREFIX])
          assert.ok(!text.includes(marker), `${r.name} values contain ${marker}`);
      }
    });
  }

  it("would stop the run, without printing the value, if one did", () => {
    const values = { auth: { password: `${MOCK_PASSWORD_PREFIX}postgresql-auth-password` } };
    assert.throws(
      () => assertNoSecrets("production postgresql (head)", values, [MOCK_PASSWORD_PREFIX]),
      (e: Error) => /production postgresql \(head\) contains a generated password/.test(e.message) && !e.message.includes("auth-password"),
    );
    assert.throws(
      () => assertNoSecrets("dev redis (base)", {}, [], ["values.auth.password"]),
      /values carry Pulumi secrets at values\.auth\.password/,
    );
    assert.doesNotThrow(() => assertNoSecrets("dev redis (base)", { auth: { existingSecret: "redis-auth" } }, [MOCK_PASSWORD_PREFIX]));
  });
});

describe("chart-diff: the cached postgresql chart with the program's values", function () {
  this.timeout(60_000);
  const chart = cachedChartRenderer("postgresql");

  it("a memory limit change is exactly the fields that carry it: the server's, and the TLS copy-certs init container's (the chart gives it primary.resources)", async function () {
    if (chart.skip) {
      console.log(`      skipped: ${chart.skip}`);
      this.skip();
    }
    const side = async (memory?: string) => {
      const run = await runProgram("production", memory ? { set: { "postgresql.primary.resources.limits.memory": memory } } : {});
      return chart.render(run.get(T.Release, "postgresql").inputs);
    };
    const [before, after] = [await side(), await side("24Gi")];
    assert.ok(before.length > 5);
    assert.deepStrictEqual(diffObjects(before, after, "ape-2026"), [
      {
        id: "StatefulSet ape-2026/postgresql",
        kind: "StatefulSet",
        op: "changed",
        labelsOnly: false,
        fields: [
          {
            path: "spec.template.spec.initContainers[name=copy-certs].resources.limits.memory",
            op: "changed",
            before: '"16Gi"',
            after: '"24Gi"',
          },
          {
            path: "spec.template.spec.containers[name=postgresql].resources.limits.memory",
            op: "changed",
            before: '"16Gi"',
            after: '"24Gi"',
          },
        ],
      },
    ]);
  });
});
