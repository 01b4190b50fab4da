// Neo4j: the config section, the chart release(s) and their values, the generated credentials, the
// API's wiring and the policy pack's view, for both stacks from their real stack files.
import * as assert from "assert";
import { NEO4J, neo4jPodLabels, neo4jSettings } from "../../services/neo4j";
import { DATA_RELEASE, pinnedChart, releaseArgs } from "../../platform/release";
import { neo4jMemory } from "../../services/neo4j/neo4j.settings";
import * as rules from "../../policy/policies";
import { configProblems as problems, loadConfig } from "../../testbed/helpers/config";
import { MOCK_PASSWORD_PREFIX } from "../../testbed/harness/mocks";
import { checkPack, checkResource, checkStack, fakeResources } from "../../testbed/helpers/policyArgs";
import { ProgramRun, RecordedResource, runProgram, runProgramError } from "../../testbed/harness/program";
import { DEV_VARIANTS, EXTERNAL_DATA, MIRROR, MIRROR_REGISTRY, PROD_VARIANTS_A } from "../../testbed/harness/variants";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const MiB = 2 ** 20;
const GiB = 2 ** 30;

const ENTERPRISE = { "neo4j.edition": "enterprise", "neo4j.acceptLicenseAgreement": true };

const releases = (run: ProgramRun) => run.ofType(RELEASE).filter((r) => /^neo4j(-\d)?$/.test(r.inputs.name));
const values = (run: ProgramRun, name = "neo4j") => run.get(RELEASE, name).inputs.values;
const authSecret = (run: ProgramRun) => run.ofType(SECRET).find((s) => s.inputs.metadata?.name === NEO4J.secret.name);
const apiData = (run: ProgramRun) => {
  const api = run.resources.find((r) => r.type === "ape:app:Api")!;
  return run.resources.find((r) => r.parent === api.urn && r.type === "kubernetes:core/v1:ConfigMap")!.inputs.data;
};
const apiContainer = (run: ProgramRun) => run.get("kubernetes:apps/v1:Deployment", "api").inputs.spec.template.spec.containers[0];
const neo4jEnv = (run: ProgramRun) => (apiContainer(run).env ?? []).filter((e: any) => e.name.startsWith("NEO4J_"));

describe("neo4j: config", () => {
  it("defaults: off, Community, requests 2Gi memory / 500m CPU, 50Gi on the default storage class", () => {
    const c = loadConfig("no-such-stack").neo4j;
    assert.deepStrictEqual([c.enabled, c.edition, c.acceptLicenseAgreement], [false, "community", false]);
    assert.deepStrictEqual(c.resources, {
      requests: { memory: "2Gi", cpu: "500m", "ephemeral-storage": "256Mi" },
      limits: { memory: "2Gi", "ephemeral-storage": "2Gi" },
    });
    assert.deepStrictEqual(c.persistence, { size: "50Gi" });
    assert.strictEqual(c.external, undefined);
  });

  it("production runs Community with a 16Gi memory limit and 200Gi on fast-ssd; dev leaves it off", () => {
    const prod = loadConfig("production").neo4j;
    assert.deepStrictEqual([prod.enabled, prod.edition], [true, "community"]);
    assert.strictEqual(prod.resources.limits?.memory, "16Gi");
    assert.deepStrictEqual(prod.persistence, { size: "200Gi", storageClass: "fast-ssd" });
    assert.strictEqual(loadConfig("dev").neo4j.enabled, false);
  });

  it("Enterprise is refused without the license key, naming neo4j.acceptLicenseAgreement", () => {
    const p = problems("production", { "neo4j.edition": "enterprise" });
    assert.match(p.get("neo4j.acceptLicenseAgreement")!, /must be true to run neo4j\.edition enterprise.*false$/);
    assert.match(p.get("neo4j.acceptLicenseAgreement")!, /neo4j\.edition community/);
    assert.doesNotThrow(() => loadConfig("production", ENTERPRISE));
    // Off, the edition does not matter yet.
    assert.doesNotThrow(() => loadConfig("dev", { "neo4j.edition": "enterprise" }));
  });

  it("below the chart's minimum, without a memory limit, or heap + page cache too large: refused with the key named", () => {
    const p = problems("dev", {
      "neo4j.enabled": true,
      "neo4j.resources": { requests: { memory: "1Gi", cpu: "250m" }, limits: null },
    });
    assert.match(p.get("neo4j.resources.requests.memory")!, /at least 2Gi .*"1Gi"/);
    assert.match(p.get("neo4j.resources.requests.cpu")!, /at least 500m .*"250m"/);
    assert.match(p.get("neo4j.resources.limits.memory")!, /must be set: Neo4j's heap and page cache are sized from it/);
    const big = problems("production", { "neo4j.memory.heap": "10Gi", "neo4j.memory.pagecache": "6Gi" });
    assert.match(big.get("neo4j.memory.heap")!, /heap 10240Mi \+ page cache 6144Mi against neo4j\.resources\.limits\.memory 16Gi/);
    assert.match(problems("dev", { "neo4j.edtion": "enterprise" }).get("neo4j.edtion")!, /did you mean neo4j\.edition/);
  });

  it("an external endpoint needs host, port, username and the Secret; it cannot sit beside an in-cluster Neo4j", () => {
    const missing = problems("dev", { "neo4j.external": { host: "graph.example.net" } });
    for (const key of ["port", "username", "existingSecret", "passwordKey"]) assert.ok(missing.has(`neo4j.external.${key}`), key);
    const both = problems("production", {
      "neo4j.external": { host: "g", port: 7687, username: "u", existingSecret: "s", passwordKey: "p" },
    });
    assert.match(both.get("neo4j.external")!, /only used when neo4j\.enabled is false/);
  });

  it("heap and page cache: max(768Mi, 25%) reserve, the rest split evenly, unless set", () => {
    assert.deepStrictEqual(neo4jMemory(2 * GiB), { heap: 640 * MiB, pagecache: 640 * MiB });
    assert.deepStrictEqual(neo4jMemory(16 * GiB), { heap: 6 * GiB, pagecache: 6 * GiB });
    assert.deepStrictEqual(neo4jMemory(16 * GiB, { heap: "4Gi" }), { heap: 4 * GiB, pagecache: 8 * GiB });
    assert.deepStrictEqual(neo4jMemory(16 * GiB, { pagecache: "10Gi" }), { heap: 2 * GiB, pagecache: 10 * GiB });
    const settings = neo4jSettings(loadConfig("production").neo4j);
    assert.deepStrictEqual(settings, {
      "server.memory.heap.initial_size": "6144m",
      "server.memory.heap.max_size": "6144m",
      "server.memory.pagecache.size": "6144m",
    });
  });
});

describe("neo4j: off by default", () => {
  it("dev registers no Neo4j release, Secret or password; the API has no NEO4J_* settings; no output", async () => {
    const run = await runProgram("dev");
    assert.deepStrictEqual(releases(run), []);
    assert.strictEqual(authSecret(run), undefined);
    assert.ok(!run.ofType(PASSWORD).some((p) => p.name.startsWith("neo4j")));
    assert.deepStrictEqual(
      Object.keys(apiData(run)).filter((k) => k.startsWith("NEO4J_")),
      [],
    );
    assert.deepStrictEqual(neo4jEnv(run), []);
    assert.strictEqual(run.outputs.neo4j, undefined);
  });
});

describe("neo4j: Community (dev switched on, production)", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async () => {
    dev = await runProgram("dev", DEV_VARIANTS);
    prod = await runProgram("production");
  });

  it("one release of the pinned chart from Neo4j's Helm repository, not atomic, with a long timeout", () => {
    for (const run of [dev, prod]) {
      const [r] = releases(run);
      assert.strictEqual(releases(run).length, 1);
      assert.deepStrictEqual(
        [r.inputs.name, r.inputs.chart, r.inputs.version, r.inputs.repositoryOpts, r.inputs.namespace],
        ["neo4j", "neo4j", "5.26.30", { repo: "https://helm.neo4j.com/neo4j" }, "ape-2026"],
      );
      assert.ok(r.inputs.timeout >= 600 && r.inputs.atomic !== true);
    }
  });

  it("values: standalone Community, the program's Secret by name, no load balancer, no lookups, restricted contexts", () => {
    const v = values(dev);
    assert.deepStrictEqual(
      [v.neo4j.name, v.neo4j.edition, v.neo4j.minimumClusterSize, v.neo4j.passwordFromSecret, v.neo4j.password],
      ["neo4j", "community", undefined, "neo4j-auth", undefined],
    );
    assert.strictEqual(v.disableLookups, true);
    assert.strictEqual(v.services.neo4j.enabled, false);
    assert.strictEqual(v.logInitialPassword, false);
    assert.deepStrictEqual(v.securityContext.seccompProfile, { type: "RuntimeDefault" });
    assert.strictEqual(v.securityContext.runAsNonRoot, true);
    assert.deepStrictEqual(
      [
        v.containerSecurityContext.allowPrivilegeEscalation,
        v.containerSecurityContext.capabilities,
        v.containerSecurityContext.runAsNonRoot,
      ],
      [false, { drop: ["ALL"] }, true],
    );
    assert.deepStrictEqual(v.containerSecurityContext.seccompProfile, { type: "RuntimeDefault" });
    assert.deepStrictEqual(v.podSpec.annotations, {}, "Community has no metrics endpoint to scrape");
    assert.ok(!Object.keys(v.config).some((k) => k.startsWith("server.metrics")));
  });

  it("figures: dev 2Gi and 50Gi on the default class; production 16Gi and 200Gi fast-ssd, heap and page cache derived", () => {
    const d = values(dev);
    assert.deepStrictEqual(d.neo4j.resources, {
      requests: { memory: "2Gi", cpu: "500m", "ephemeral-storage": "256Mi" },
      limits: { memory: "2Gi", "ephemeral-storage": "2Gi" },
    });
    assert.deepStrictEqual(d.volumes.data, {
      mode: "defaultStorageClass",
      defaultStorageClass: { accessModes: ["ReadWriteOnce"], requests: { storage: "50Gi" } },
    });
    assert.strictEqual(d.config["server.memory.heap.max_size"], "640m");
    const p = values(prod);
    assert.strictEqual(p.neo4j.resources.limits.memory, "16Gi");
    assert.deepStrictEqual(p.volumes.data, {
      mode: "dynamic",
      dynamic: { storageClassName: "fast-ssd", accessModes: ["ReadWriteOnce"], requests: { storage: "200Gi" } },
    });
    assert.deepStrictEqual(
      [p.config["server.memory.heap.initial_size"], p.config["server.memory.heap.max_size"], p.config["server.memory.pagecache.size"]],
      ["6144m", "6144m", "6144m"],
    );
    // Every neo4j.conf value is a string (the chart refuses others).
    assert.ok(Object.values<unknown>(p.config).every((x) => typeof x === "string"));
  });

  it('the Secret holds NEO4J_AUTH = "neo4j/<password>" and the password alone, as secrets; the release waits for it', () => {
    const secret = authSecret(dev)!;
    const password = secret.inputs.stringData.password;
    assert.ok(password.startsWith(MOCK_PASSWORD_PREFIX));
    assert.strictEqual(secret.inputs.stringData.NEO4J_AUTH, `neo4j/${password}`);
    assert.ok(secret.secretPaths.includes("stringData"), "stringData is a Pulumi secret");
    assert.ok(!JSON.stringify(secret.plainInputs).includes(password));
    assert.ok(releases(dev)[0].dependencies.includes(secret.urn), "the release depends on the Secret");
  });

  it("no password in the release, the API's ConfigMap or Deployment, or any output", () => {
    for (const run of [dev, prod]) {
      const password = authSecret(run)!.inputs.stringData.password;
      const exposed: RecordedResource[] = [
        ...releases(run),
        ...run.ofType("kubernetes:core/v1:ConfigMap"),
        ...run.ofType("kubernetes:apps/v1:Deployment"),
      ];
      for (const r of exposed) {
        const text = JSON.stringify(r.plainInputs);
        assert.ok(!text.includes(password) && !text.includes(MOCK_PASSWORD_PREFIX), `${r.type} ${r.name}`);
      }
      assert.ok(!JSON.stringify(run.outputs).includes(password));
    }
  });

  it("the API: NEO4J_URI (bolt, bolt+s with TLS inside the cluster) and NEO4J_USERNAME in its ConfigMap, NEO4J_PASSWORD by secretKeyRef", () => {
    for (const [run, scheme] of [
      [dev, "bolt"],
      [prod, "bolt+s"],
    ] as const) {
      const data = apiData(run);
      assert.strictEqual(data.NEO4J_URI, `${scheme}://neo4j.ape-2026.svc.cluster.local:7687`);
      assert.strictEqual(data.NEO4J_CA_FILE, scheme === "bolt+s" ? "/etc/ape-2026/ca/neo4j/ca.crt" : undefined);
      assert.strictEqual(data.NEO4J_USERNAME, "neo4j");
      assert.deepStrictEqual(neo4jEnv(run), [
        { name: "NEO4J_PASSWORD", valueFrom: { secretKeyRef: { name: "neo4j-auth", key: "password" } } },
      ]);
    }
  });

  it("stack output: the bolt URI, the user and the Secret's name and key, no password", () => {
    assert.deepStrictEqual(prod.outputs.neo4j, {
      uri: "bolt+s://neo4j.ape-2026.svc.cluster.local:7687",
      host: "neo4j.ape-2026.svc.cluster.local",
      port: 7687,
      username: "neo4j",
      passwordSecret: { name: "neo4j-auth", key: "password" },
      tls: { configMap: "internal-ca", key: "ca.crt" },
    });
    assert.ok(!prod.secretOutputs.has("neo4j"));
  });

  it("production protects the release, the Secret and the password like PostgreSQL's; dev does not", () => {
    for (const [run, expected] of [
      [prod, true],
      [dev, false],
    ] as const) {
      const stateful = [...releases(run), authSecret(run)!, ...run.ofType(PASSWORD).filter((p) => p.name.startsWith("neo4j"))];
      assert.strictEqual(stateful.length, 3);
      for (const r of stateful) assert.strictEqual(r.protect, expected, `${r.type} ${r.name}`);
    }
  });

  it("a mirror registry and pull secrets reach the image (same repository and tag below the mirror)", async () => {
    const run = await runProgram("production", MIRROR);
    assert.deepStrictEqual(values(run).image, {
      imagePullPolicy: "IfNotPresent",
      customImage: `${MIRROR_REGISTRY}/neo4j:5.26.30`,
      imagePullSecrets: ["regcred"],
    });
    assert.strictEqual(values(prod).image.customImage, undefined, "without a mirror the chart picks neo4j:<appVersion>");
  });
});

describe("neo4j: Enterprise cluster", () => {
  let run: ProgramRun;
  before(async () => (run = await runProgram("production", PROD_VARIANTS_A)));

  it("three releases neo4j-1..3 with identical values: cluster of 3, license accepted, metrics on 0.0.0.0:2004", () => {
    const rs = releases(run);
    assert.deepStrictEqual(
      rs.map((r) => r.inputs.name),
      ["neo4j-1", "neo4j-2", "neo4j-3"],
    );
    for (const r of rs) assert.deepStrictEqual(r.inputs.values, rs[0].inputs.values);
    const v = rs[0].inputs.values;
    assert.deepStrictEqual(
      [v.neo4j.name, v.neo4j.edition, v.neo4j.acceptLicenseAgreement, v.neo4j.minimumClusterSize],
      ["neo4j", "enterprise", "yes", 3],
    );
    assert.deepStrictEqual(
      [v.config["server.metrics.prometheus.enabled"], v.config["server.metrics.prometheus.endpoint"]],
      ["true", "0.0.0.0:2004"],
    );
    const { "ape-2026.io/tls-certificate": certificate, ...scrape } = v.podSpec.annotations;
    assert.deepStrictEqual(scrape, {
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "2004",
      "prometheus.io/path": "/metrics",
    });
    assert.match(certificate, /^[0-9a-f]{64}$/, "the certificate's digest rolls the members on renewal");
  });

  it("members are created side by side (none waits for another), all after the Secret", () => {
    const rs = releases(run);
    const urns = new Set(rs.map((r) => r.urn));
    for (const r of rs) {
      assert.deepStrictEqual(
        r.dependencies.filter((d) => urns.has(d)),
        [],
        r.name,
      );
      assert.ok(r.dependencies.includes(authSecret(run)!.urn));
    }
  });

  it("one client Service `neo4j` in front of every member (bolt and http), so the API's URI is the same", () => {
    const svc = run.get("kubernetes:core/v1:Service", "neo4j").inputs;
    assert.strictEqual(svc.metadata.name, "neo4j");
    assert.strictEqual(svc.spec.type, "ClusterIP");
    assert.deepStrictEqual(svc.spec.selector, neo4jPodLabels());
    assert.deepStrictEqual(
      svc.spec.ports.map((p: any) => p.port),
      [7687, 7474],
    );
    assert.strictEqual(apiData(run).NEO4J_URI, "bolt+s://neo4j.ape-2026.svc.cluster.local:7687");
  });

  it("refused before anything is registered when the license key is missing", async () => {
    const { error, resources } = await runProgramError("production", { set: { "neo4j.edition": "enterprise" } });
    assert.match(error.message, /neo4j\.acceptLicenseAgreement: must be true/);
    assert.strictEqual(resources.filter((r) => r.custom).length, 0);
  });
});

describe("neo4j: external endpoint", () => {
  it("no release or Secret; the API gets the external URI and user, and the password from the named Secret", async () => {
    const run = await runProgram("production", EXTERNAL_DATA);
    assert.deepStrictEqual(releases(run), []);
    assert.strictEqual(authSecret(run), undefined);
    assert.deepStrictEqual([apiData(run).NEO4J_URI, apiData(run).NEO4J_USERNAME], ["neo4j+s://graph.example.net:7687", "ape"]);
    assert.deepStrictEqual(neo4jEnv(run), [
      { name: "NEO4J_PASSWORD", valueFrom: { secretKeyRef: { name: "graph-credentials", key: "pw" } } },
    ]);
    assert.deepStrictEqual((run.outputs.neo4j as any).passwordSecret, { name: "graph-credentials", key: "pw" });
  });
});

describe("neo4j: charts.neo4j", () => {
  it("a mirror's chart URL replaces the repository; a bare name without repo is refused", () => {
    // The component passes pinnedChart(charts, "neo4j", ...) to releaseArgs; the Community release
    // test shows the configured chart, version and repository arriving in the registered releases.
    const charts = loadConfig("production", {
      "charts.neo4j": { repo: "", chart: "oci://registry.example.com/charts/neo4j", version: "5.26.29" },
    }).charts;
    const r = releaseArgs(pinnedChart(charts, "neo4j", NEO4J.release), DATA_RELEASE, "ape-2026", {});
    assert.deepStrictEqual([r.chart, r.version, r.repositoryOpts], ["oci://registry.example.com/charts/neo4j", "5.26.29", undefined]);
    const p = problems("production", { "charts.neo4j.repo": "" });
    assert.match(p.get("charts.neo4j.chart")!, /chart URL .* or a chart name together with repo/);
    const url = problems("production", { "charts.neo4j.chart": "oci://registry.example.com/charts/neo4j" });
    assert.match(url.get("charts.neo4j.chart")!, /chart's name in the repository given by repo .*set repo beside it to ""/);
    assert.match(problems("production", { "charts.neo4j.version": "5.26" }).get("charts.neo4j.version")!, /exact chart version/);
  });
});

describe("neo4j: policy pack", () => {
  it("accepts the program's Neo4j values: memory limits, the documented writable root, protected in production", async () => {
    const run = await runProgram("production", PROD_VARIANTS_A);
    for (const r of releases(run)) {
      const resource = { type: RELEASE, name: r.name, props: r.inputs };
      assert.deepStrictEqual(await checkResource(rules.chartMemoryLimits, resource), []);
      assert.deepStrictEqual(await checkResource(rules.chartReadOnlyRoot, resource), []);
      assert.deepStrictEqual(await checkResource(rules.noExposedServices, resource), []);
    }
    const violations = await checkPack(rules, await runProgram("production"), { "images-pinned-in-production": { production: true } });
    assert.deepStrictEqual(
      violations.filter((v) => /neo4j/.test(v.resource)),
      [],
    );
  });

  it("refuses a writable root anywhere else in Neo4j's values, and an unprotected Neo4j release in production", async () => {
    const bad = {
      type: RELEASE,
      name: "neo4j",
      props: {
        chart: "neo4j",
        version: "5.26.30",
        values: { podSpec: { containers: [{ securityContext: { readOnlyRootFilesystem: false } }] } },
      },
    };
    assert.match((await checkResource(rules.chartReadOnlyRoot, bad)).join("\n"), /podSpec\.containers\[0\]\.securityContext/);
    const resources = fakeResources(await runProgram("production")).map((r) =>
      r.type === RELEASE && r.name === "neo4j" ? { ...r, protect: false } : r,
    );
    const found = await checkStack(rules.statefulProtectedInProduction, resources, { stack: "production" });
    assert.ok(
      found.some((f) => /neo4j/.test(f.message)),
      JSON.stringify(found),
    );
  });
});
