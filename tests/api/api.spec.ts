import * as assert from "assert";
import { API_NAME, API_PORT_NAMES, API_UID, apiSelectorLabels, checksum, configData, credentialEnv, secretData } from "../../services/api";
import { deploymentSpec, hpaSpec, ResolvedEndpoints } from "../../services/api/api.build";
import { DatabaseEndpoint, POSTGRESQL } from "../../services/postgresql";
import { REDIS, RedisEndpoint } from "../../services/redis";
import { MOCK_PASSWORD_PREFIX } from "../../testbed/harness/mocks";
import { ProgramRun, promiseOf, RecordedResource, runProgram, runProgramError, RunOptions } from "../../testbed/harness/program";
import { builtContainer, builtDeployment, PLACEHOLDER_REFS } from "../../testbed/helpers/api";
import { configProblems as problems, loadConfig } from "../../testbed/helpers/config";
import { TEST_SECRET_PREFIX } from "../../testbed/harness/stackFile";
import * as pulumi from "@pulumi/pulumi";
import { T } from "../../testbed/harness/types";
import { CODE_DEFAULTS } from "../../testbed/harness/variants";

/** Every resource the Api component registered (its direct children). */
function apiChildren(run: ProgramRun): RecordedResource[] {
  const component = run.resources.find((r) => r.type === T.Api);
  assert.ok(component, "the program registers an Api component");
  return run.resources.filter((r) => r.parent === component.urn);
}
const deployment = (run: ProgramRun) => run.get(T.Deployment, API_NAME).inputs;
const podSpec = (run: ProgramRun) => deployment(run).spec.template.spec;
const container = (run: ProgramRun) => podSpec(run).containers[0];
const apiConfigMap = (run: ProgramRun) => apiChildren(run).find((r) => r.type === T.ConfigMap)!.inputs;

/** runProgram caches identical runs, so each stack is evaluated once for the suite. */
const program = (stack: string, options: RunOptions = {}): Promise<ProgramRun> => runProgram(stack, options);
const defaults = () => program(CODE_DEFAULTS.stack, CODE_DEFAULTS.options);

function accepted(stack: string, set: Record<string, unknown>): void {
  assert.doesNotThrow(() => loadConfig(stack, set));
}

/** In-cluster PostgreSQL and Redis endpoints, for the builders that take resolved endpoints. */
const IN_CLUSTER_ENDPOINTS: ResolvedEndpoints = {
  database: { host: "pg", port: 5432, database: "ape_timeseries", username: "ape", passwordSecret: { name: "pg-auth", key: "password" } },
  redis: { mode: "standalone", host: "redis-master", port: 6379 },
};

const KEY = `${TEST_SECRET_PREFIX}claude-key`;
/**
 * One production evaluation shared by the volumes test, "autoscaling off", the ConfigMap and
 * no-secret-in-plain-text tests and the schema check. The keys are independent: the volumes (a
 * ReadWriteMany PVC, so the replica count does not constrain it, and an emptyDir size), autoscaling
 * off (spec.replicas, no HPA), an image pull secret, the env variables (ConfigMap) and an API key
 * (the Secret) each reach their own fields, and no validation rule relates one to another.
 */
const PRODUCTION_VARIANT: RunOptions = {
  set: {
    "api.autoscaling.enabled": false,
    "api.volumes.data": { type: "pvc", size: "20Gi", storageClass: "shared", accessModes: ["ReadWriteMany"] },
    "api.volumes.logs.sizeLimit": "1Gi",
    "api.imagePullSecrets": ["ghcr"],
    "api.env.LOG_LEVEL": "info",
    "api.env.FEATURE_X": true,
  },
  setSecret: { "api.secrets.CLAUDE_API_KEY": KEY },
};

describe("api: the default and stack figures reach the objects", () => {
  it("code defaults (values.yaml): image, resources, HPA 2..10 at 70% CPU / 80% memory, PDB", async () => {
    const run = await defaults();
    assert.strictEqual(container(run).image, "ghcr.io/yourorg/ape-2026/api:latest");
    assert.strictEqual(container(run).imagePullPolicy, "IfNotPresent");
    assert.deepStrictEqual(container(run).resources, {
      requests: { memory: "1Gi", cpu: "500m", "ephemeral-storage": "256Mi" },
      limits: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "2Gi" },
    });
    const hpa = run.get(T.HorizontalPodAutoscaler, "api").inputs.spec;
    assert.deepStrictEqual([hpa.minReplicas, hpa.maxReplicas], [2, 10]);
    assert.deepStrictEqual(
      hpa.metrics.map((m: any) => [m.resource.name, m.resource.target.type, m.resource.target.averageUtilization]),
      [
        ["cpu", "Utilization", 70],
        ["memory", "Utilization", 80],
      ],
    );
    assert.strictEqual(run.get(T.PodDisruptionBudget, "api").inputs.spec.minAvailable, 1);
  });

  it("production (values-production.yaml): pinned image, 2Gi/1000m..4Gi/2000m, HPA 3..20 at 60% CPU, PDB 2", async () => {
    const run = await program("production");
    assert.strictEqual(container(run).image, "ghcr.io/yourorg/ape-2026/api:1.0.0");
    assert.deepStrictEqual(container(run).resources, {
      requests: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "256Mi" },
      limits: { memory: "4Gi", cpu: "2000m", "ephemeral-storage": "2Gi" },
    });
    const hpa = run.get(T.HorizontalPodAutoscaler, "api").inputs.spec;
    assert.deepStrictEqual(
      [
        hpa.minReplicas,
        hpa.maxReplicas,
        hpa.metrics[0].resource.target.averageUtilization,
        hpa.metrics[1].resource.target.averageUtilization,
      ],
      [3, 20, 60, 80],
    );
    assert.deepStrictEqual(hpa.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "api" });
    assert.strictEqual(run.get(T.PodDisruptionBudget, "api").inputs.spec.minAvailable, 2);
  });

  it("dev runs the public podinfo stand-in: metrics on their own port, the annotation names it", async () => {
    const run = await program("dev");
    const c = container(run);
    assert.match(c.image, /^ghcr\.io\/stefanprodan\/podinfo:\d+\.\d+\.\d+$/);
    assert.deepStrictEqual(c.ports, [
      { name: "http", containerPort: 9898, protocol: "TCP" },
      { name: "metrics", containerPort: 9797, protocol: "TCP" },
    ]);
    assert.deepStrictEqual(c.command, ["./podinfo"]);
    assert.ok(c.args.includes("--port=9898") && c.args.includes("--port-metrics=9797"), c.args.join(" "));
    const annotations = deployment(run).spec.template.metadata.annotations;
    assert.deepStrictEqual(
      [annotations["prometheus.io/scrape"], annotations["prometheus.io/port"], annotations["prometheus.io/path"]],
      ["true", "9797", "/metrics"],
    );
    assert.deepStrictEqual(
      [c.livenessProbe.httpGet, c.readinessProbe.httpGet],
      [
        { path: "/healthz", port: 9898 },
        { path: "/readyz", port: 9898 },
      ],
    );
  });

  it("the Service is ClusterIP `api` with named http and metrics ports, selecting the API pods", async () => {
    for (const run of [await defaults(), await program("production")]) {
      const svc = run.get(T.Service, API_NAME).inputs;
      assert.strictEqual(svc.metadata.name, API_NAME);
      assert.strictEqual(svc.spec.type, "ClusterIP");
      assert.deepStrictEqual(
        svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort]),
        [
          [API_PORT_NAMES.http, 8000, API_PORT_NAMES.http],
          [API_PORT_NAMES.metrics, 9090, API_PORT_NAMES.metrics],
        ],
      );
      assert.deepStrictEqual(svc.spec.selector, apiSelectorLabels());
    }
  });
});

describe("api: pod security and shape", () => {
  for (const stack of ["dev", "production"]) {
    it(`${stack}: non-root uid/gid ${API_UID}, RuntimeDefault seccomp, no escalation, read-only root, no caps, writable /tmp`, async () => {
      const run = await program(stack);
      const pod = podSpec(run);
      assert.deepStrictEqual(pod.securityContext, {
        runAsNonRoot: true,
        runAsUser: API_UID,
        runAsGroup: API_UID,
        fsGroup: API_UID,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
      });
      const c = container(run);
      assert.deepStrictEqual(c.securityContext, {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      assert.deepStrictEqual(
        c.volumeMounts.find((m: any) => m.mountPath === "/tmp"),
        { name: "tmp", mountPath: "/tmp" },
      );
      assert.deepStrictEqual(
        pod.volumes.find((v: any) => v.name === "tmp"),
        { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
      );
      assert.strictEqual(pod.automountServiceAccountToken, false);
      const sa = run.get(T.ServiceAccount, "api-sa").inputs;
      assert.strictEqual(sa.automountServiceAccountToken, false);
      assert.strictEqual(pod.serviceAccountName, sa.metadata.name);
    });
  }

  it("pods carry the app.kubernetes.io labels; the selector is apiSelectorLabels() (NetworkPolicies use it)", async () => {
    const d = deployment(await defaults());
    assert.deepStrictEqual(d.spec.selector.matchLabels, apiSelectorLabels());
    const labels = d.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(apiSelectorLabels())) assert.strictEqual(labels[k], v);
    for (const k of ["name", "instance", "component", "part-of", "managed-by"]) assert.ok(labels[`app.kubernetes.io/${k}`], k);
  });

  it("startup, liveness and readiness probes on the http port; paths and port configurable (pod spec builder)", async () => {
    const c = container(await defaults());
    assert.deepStrictEqual(
      [c.startupProbe, c.livenessProbe, c.readinessProbe].map((p) => [p.httpGet.path, p.httpGet.port, p.periodSeconds, p.failureThreshold]),
      [
        ["/healthz", 8000, 5, 30],
        ["/healthz", 8000, 10, 3],
        ["/readyz", 8000, 5, 3],
      ],
    );
    const changed = builtContainer("dev", { "api.probes.readiness.path": "/ready", "api.probes.port": "metrics" });
    assert.deepStrictEqual(changed.readinessProbe.httpGet, { path: "/ready", port: 9797 });
  });

  it("zero-downtime rollout: maxUnavailable 0 and a configurable surge (Deployment spec builder)", async () => {
    assert.deepStrictEqual(deployment(await defaults()).spec.strategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" },
    });
    const surge2 = builtDeployment("dev", { "api.rollingUpdate.maxSurge": 2 });
    assert.deepStrictEqual(surge2.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 2 });
  });

  it("graceful shutdown, topology spread over nodes and zones", async () => {
    const pod = podSpec(await program("production"));
    assert.strictEqual(pod.terminationGracePeriodSeconds, 30);
    assert.deepStrictEqual(pod.containers[0].lifecycle, { preStop: { sleep: { seconds: 5 } } });
    assert.deepStrictEqual(
      pod.topologySpreadConstraints.map((t: any) => t.topologyKey),
      ["kubernetes.io/hostname", "topology.kubernetes.io/zone"],
    );
    for (const t of pod.topologySpreadConstraints) assert.deepStrictEqual(t.labelSelector.matchLabels, apiSelectorLabels());
  });

  it("volumes data, logs and vee: emptyDir by default, a protected PVC in production when configured", async () => {
    const d = await defaults();
    assert.deepStrictEqual(
      podSpec(d)
        .volumes.filter((v: any) => v.name !== "tmp" && !v.name.startsWith("ca-"))
        .map((v: any) => [v.name, Object.keys(v).filter((k) => k !== "name")[0]]),
      [
        ["data", "emptyDir"],
        ["logs", "emptyDir"],
        ["vee", "emptyDir"],
      ],
    );
    const run = await program("production", PRODUCTION_VARIANT);
    const pvc = run.get(T.PersistentVolumeClaim, "api-data");
    assert.deepStrictEqual(pvc.inputs.spec, {
      accessModes: ["ReadWriteMany"],
      resources: { requests: { storage: "20Gi" } },
      storageClassName: "shared",
    });
    assert.strictEqual(pvc.protect, true, "production PVCs are protected");
    const vols = podSpec(run).volumes;
    assert.deepStrictEqual(
      vols.find((v: any) => v.name === "data"),
      { name: "data", persistentVolumeClaim: { claimName: pvc.inputs.metadata.name } },
    );
    assert.deepStrictEqual(
      vols.find((v: any) => v.name === "logs"),
      { name: "logs", emptyDir: { sizeLimit: "1Gi" } },
    );
    assert.deepStrictEqual(
      container(run).volumeMounts.map((m: any) => m.mountPath),
      // Then, read-only, the CA of each data service (TLS inside the cluster).
      ["/tmp", "/app/data", "/app/logs", "/app/vee", ...["postgresql", "redis", "neo4j"].map((s) => `/etc/ape-2026/ca/${s}`)],
    );
  });
});

describe("api: replicas and the HPA", () => {
  it("autoscaling on: the Deployment is created at max(replicaCount, minReplicas) and leaves the count to the HPA after that", async () => {
    // Production: replicaCount 5, HPA 3..20; code defaults: replicaCount 3, HPA 2..10.
    for (const [run, size] of [
      [await program("production"), 5],
      [await defaults(), 3],
    ] as const) {
      const d = run.get(T.Deployment, API_NAME);
      assert.strictEqual(d.inputs.spec.replicas, size, "the first rollout starts at full size, not at one pod");
      assert.deepStrictEqual(d.ignoreChanges, ["spec.replicas"], "no later update sets the count the HPA owns");
      assert.strictEqual(run.ofType(T.HorizontalPodAutoscaler).length, 1);
    }
  });

  it("autoscaling on: the first size is replicaCount brought into the HPA's range (builder)", () => {
    const size = (set: Record<string, unknown>) => builtDeployment("production", set).replicas;
    assert.strictEqual(size({ "api.replicaCount": 1 }), 3, "below minReplicas: minReplicas");
    assert.strictEqual(size({ "api.replicaCount": 12 }), 12, "inside the range: replicaCount");
    assert.strictEqual(size({ "api.replicaCount": 50 }), 20, "above maxReplicas: maxReplicas (the HPA would scale it down at once)");
  });

  it("autoscaling off: spec.replicas follows replicaCount on every update (no ignoreChanges)", async () => {
    const dev = (await program("dev")).get(T.Deployment, API_NAME);
    assert.deepStrictEqual(dev.ignoreChanges, []);
    const prod = (await program("production", PRODUCTION_VARIANT)).get(T.Deployment, API_NAME);
    assert.deepStrictEqual(prod.ignoreChanges, []);
  });

  it("autoscaling off: replicaCount and no HPA", async () => {
    const dev = await program("dev");
    assert.strictEqual(deployment(dev).spec.replicas, 1);
    assert.deepStrictEqual(dev.ofType(T.HorizontalPodAutoscaler), []);
    const prod = await program("production", PRODUCTION_VARIANT);
    assert.strictEqual(deployment(prod).spec.replicas, 5);
    assert.deepStrictEqual(prod.ofType(T.HorizontalPodAutoscaler), []);
  });

  it("default behaviour: up 100% and 2 pods per 30 s (Max), down 50% per 60 s after 300 s; configurable (HPA spec builder)", async () => {
    const behavior = (await program("production")).get(T.HorizontalPodAutoscaler, "api").inputs.spec.behavior;
    assert.deepStrictEqual(behavior, {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [
          { type: "Percent", value: 100, periodSeconds: 30 },
          { type: "Pods", value: 2, periodSeconds: 30 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] },
    });
    const tuned: any = hpaSpec(
      loadConfig("production", {
        "api.autoscaling.behavior.scaleUp.pods": 4,
        "api.autoscaling.behavior.scaleDown.stabilizationWindowSeconds": 600,
      }).api,
      API_NAME,
    ).behavior;
    assert.strictEqual(tuned.scaleUp.policies[1].value, 4);
    assert.strictEqual(tuned.scaleDown.stabilizationWindowSeconds, 600);
  });

  it("the PDB selects the API pods; none when disabled", async () => {
    const pdb = (await program("production")).get(T.PodDisruptionBudget, "api").inputs.spec;
    assert.deepStrictEqual(pdb.selector.matchLabels, apiSelectorLabels());
    assert.deepStrictEqual((await program("dev")).ofType(T.PodDisruptionBudget), []);
  });
});

describe("api: settings and secrets", () => {
  const withKey = () => program("production", PRODUCTION_VARIANT);

  it("the ConfigMap holds api.env and the endpoints (Sentinel hosts and master set in production)", async () => {
    const data = apiConfigMap(await withKey()).data;
    assert.strictEqual(data.LOG_LEVEL, "info");
    assert.strictEqual(data.DATABASE_NAME, "ape_timeseries");
    assert.strictEqual(data.DATABASE_PORT, String(POSTGRESQL.ports.postgresql));
    assert.strictEqual(data.REDIS_MODE, "sentinel");
    assert.deepStrictEqual(
      data.REDIS_SENTINEL_HOSTS.split(","),
      [0, 1, 2].map((i) => `${REDIS.release}-node-${i}.${REDIS.release}-headless.ape-2026.svc.cluster.local:${REDIS.ports.sentinel}`),
      "one sentinel per Redis node (redis.replica.replicaCount 3)",
    );
    assert.strictEqual(data.REDIS_SENTINEL_MASTER_SET, "mymaster");
    const dev = apiConfigMap(await program("dev")).data;
    assert.deepStrictEqual(
      [dev.REDIS_MODE, dev.REDIS_PORT, dev.REDIS_SENTINEL_HOSTS],
      ["standalone", String(REDIS.ports.redis), undefined],
    );
  });

  it("no secret value in any ConfigMap, the Deployment or an output; API keys only in the Secret, as a secret", async () => {
    const run = await withKey();
    const leaks = [KEY, TEST_SECRET_PREFIX, MOCK_PASSWORD_PREFIX];
    for (const r of run.ofType(T.ConfigMap).concat(run.ofType(T.Deployment))) {
      const text = JSON.stringify(r.plainInputs);
      for (const leak of leaks) assert.ok(!text.includes(leak), `${r.type} ${r.name} contains ${leak}`);
      assert.deepStrictEqual(r.secretPaths, [], `${r.name} has no secret inputs`);
    }
    assert.ok(!JSON.stringify(run.outputs).includes(KEY));
    const secret = apiChildren(run).find((r) => r.type === T.Secret)!;
    assert.strictEqual(secret.inputs.stringData.CLAUDE_API_KEY, KEY);
    assert.ok(secret.secretPaths.includes("stringData"), "stringData is a Pulumi secret");
    assert.strictEqual(secret.protect, false, "a derived copy, replaced on change (key rotation must not be blocked)");
    const c = container(run);
    const cm = apiChildren(run).find((r) => r.type === T.ConfigMap)!;
    assert.deepStrictEqual(c.envFrom, [
      { configMapRef: { name: cm.state.metadata.name } },
      { secretRef: { name: secret.state.metadata.name } },
    ]);
    assert.deepStrictEqual(Object.keys(secret.inputs.stringData).sort(), [
      "CLAUDE_API_KEY",
      "DATABASE_PASSWORD",
      "DATABASE_URL",
      "REDIS_PASSWORD",
    ]);
    assert.match(
      secret.inputs.stringData.DATABASE_URL,
      new RegExp(
        `^postgresql://ape:${MOCK_PASSWORD_PREFIX}[^@]+@${POSTGRESQL.release}(-primary)?\\.ape-2026\\.svc\\.cluster\\.local:` +
          // TLS inside the cluster (production): verify-full against the mounted CA.
          `${POSTGRESQL.ports.postgresql}/ape_timeseries\\?sslmode=verify-full&sslrootcert=%2Fetc%2Fape-2026%2Fca%2Fpostgresql%2Fca\\.crt$`,
      ),
    );
    // The generated database and Redis credentials come through the Secret, not env values; only
    // Neo4j's password is referenced from the Secret its chart reads (production runs Neo4j).
    assert.deepStrictEqual(
      c.env.map((e: any) => [e.name, e.value, e.valueFrom?.secretKeyRef]),
      [["NEO4J_PASSWORD", undefined, { name: "neo4j-auth", key: "password" }]],
    );
  });

  // PostgreSQL and Redis run elsewhere: no password generated by this program.
  const external = {
    "postgresql.enabled": false,
    "postgresql.external": {
      host: "pg.example.com",
      port: 5432,
      database: "ape",
      username: "ape",
      existingSecret: "ext-pg",
      passwordKey: "pw",
    },
    "redis.enabled": false,
    "redis.external": { host: "cache.example.com", port: 6380, existingSecret: "ext-redis", passwordKey: "pw" },
  };

  it("external databases: credentials by secretKeyRef, DATABASE_URL expanded by the kubelet", async () => {
    const run = await program("dev", { set: external });
    const c = container(run);
    assert.deepStrictEqual(
      c.env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]),
      [
        ["DATABASE_PASSWORD", "ext-pg", "pw"],
        ["REDIS_PASSWORD", "ext-redis", "pw"],
      ],
    );
    assert.strictEqual(
      c.env.find((e: any) => e.name === "DATABASE_URL").value,
      "postgresql://ape:$(DATABASE_PASSWORD)@pg.example.com:5432/ape",
    );
    const data = apiConfigMap(run).data;
    assert.deepStrictEqual([data.DATABASE_HOST, data.REDIS_HOST, data.REDIS_PORT], ["pg.example.com", "cache.example.com", "6380"]);
  });

  it("no empty Secret: with external databases and no API keys there is none (and no secretRef); an API key brings it back", async () => {
    const bare = await program("dev", { set: external });
    assert.deepStrictEqual(
      apiChildren(bare).filter((r) => r.type === T.Secret),
      [],
    );
    assert.ok(!container(bare).envFrom.some((e: any) => e.secretRef), "envFrom names no Secret");
    const withKey = await program("dev", { set: external, setSecret: { "api.secrets.CLAUDE_API_KEY": `${TEST_SECRET_PREFIX}key` } });
    const secret = apiChildren(withKey).find((r) => r.type === T.Secret);
    assert.ok(secret, "the API Secret exists when it has something to hold");
    assert.ok(container(withKey).envFrom.some((e: any) => e.secretRef?.name === secret.state.metadata.name));
  });

  it("generated passwords go into the Secret (DATABASE_URL, REDIS_PASSWORD), never into env or ConfigMap", async () => {
    const password = pulumi.secret(`${MOCK_PASSWORD_PREFIX}db/+x`);
    const database: DatabaseEndpoint = {
      host: "pg",
      port: 5432,
      database: "ape_timeseries",
      username: "ape",
      passwordSecret: { name: "pg", key: "password" },
      password,
    };
    const redis: RedisEndpoint = {
      mode: "standalone",
      host: "redis-master",
      port: 6379,
      passwordSecret: { name: "r", key: "redis-password" },
      password: pulumi.secret("redis-pw"),
    };
    assert.deepStrictEqual(credentialEnv(database, redis), [], "nothing to reference: the Secret carries them");
    const data = secretData({}, database, redis);
    assert.strictEqual(await pulumi.isSecret(data), true);
    assert.deepStrictEqual(await promiseOf(data), {
      DATABASE_PASSWORD: `${MOCK_PASSWORD_PREFIX}db/+x`,
      DATABASE_URL: `postgresql://ape:${encodeURIComponent(`${MOCK_PASSWORD_PREFIX}db/+x`)}@pg:5432/ape_timeseries`,
      REDIS_PASSWORD: "redis-pw",
    });
    const cm = configData({}, IN_CLUSTER_ENDPOINTS);
    assert.ok(!JSON.stringify(cm).includes(MOCK_PASSWORD_PREFIX) && !JSON.stringify(cm).includes("redis-pw"));
  });

  it("a ConfigMap change rolls the pods; an unchanged config leaves the pod template alone", async () => {
    // The registered pod template carries the checksum of the registered ConfigMap's data.
    const dev = await program("dev");
    assert.strictEqual(deployment(dev).spec.template.metadata.annotations["checksum/config"], checksum(apiConfigMap(dev).data));
    // The builders, from the config to the pod template: ConfigMap data, its checksum, the Deployment spec.
    const template = (level: string) => {
      const api = loadConfig("dev", { "api.env.LOG_LEVEL": level }).api;
      return deploymentSpec(api, { ...PLACEHOLDER_REFS, configChecksum: checksum(configData(api.env, IN_CLUSTER_ENDPOINTS)) })
        .template as any;
    };
    const [info, debug, infoAgain] = [template("info"), template("debug"), template("info")];
    assert.notDeepStrictEqual(info, debug);
    assert.notStrictEqual(info.metadata.annotations["checksum/config"], debug.metadata.annotations["checksum/config"]);
    assert.deepStrictEqual(info, infoAgain);
    assert.strictEqual(checksum({ A: "1", B: "2" }), checksum({ B: "2", A: "1" }), "key order does not matter");
  });
});

describe("api: bad input is refused with the key named", () => {
  it("PDB minAvailable >= the minimum replica count (it would block every node drain)", () => {
    assert.match(
      problems("production", { "api.podDisruptionBudget.minAvailable": 3 }).get("api.podDisruptionBudget.minAvailable")!,
      /api\.autoscaling\.minReplicas = 3.* 3$/,
    );
    assert.match(
      problems("defaults", { "api.podDisruptionBudget.minAvailable": 2 }).get("api.podDisruptionBudget.minAvailable")!,
      /below the minimum replica count \(api\.autoscaling\.minReplicas = 2\)/,
    );
    assert.match(
      problems("dev", { "api.podDisruptionBudget.enabled": true, "api.podDisruptionBudget.minAvailable": 1 }).get(
        "api.podDisruptionBudget.minAvailable",
      )!,
      /api\.replicaCount = 1/,
    );
    accepted("dev", { "api.podDisruptionBudget.minAvailable": 5 });
    accepted("production", { "api.podDisruptionBudget.minAvailable": 2 });
  });

  it("a ReadWriteOnce(Pod) PVC with more than one replica", () => {
    const rwo = { type: "pvc", size: "5Gi", accessModes: ["ReadWriteOnce"] };
    assert.match(
      problems("production", { "api.volumes.data": rwo }).get("api.volumes.data.accessModes")!,
      /ReadWriteOnce cannot be mounted by 20 replicas \(api\.autoscaling\.maxReplicas\)/,
    );
    assert.match(
      problems("dev", { "api.volumes.vee": { ...rwo, accessModes: ["ReadWriteOncePod"] }, "api.replicaCount": 2 }).get(
        "api.volumes.vee.accessModes",
      )!,
      /ReadWriteOncePod.*api\.replicaCount/,
    );
    accepted("dev", { "api.volumes.data": rwo });
    accepted("production", { "api.volumes.data": { ...rwo, accessModes: ["ReadWriteMany"] } });
  });

  it("probe and scrape ports that name no container port", () => {
    assert.match(
      problems("dev", { "api.probes.port": "grpc" }).get("api.probes.port")!,
      /must name a container port: http, metrics, 9898 or 9797.*"grpc"/,
    );
    assert.match(problems("dev", { "api.probes.port": 8080 }).get("api.probes.port")!, /container port/);
    assert.match(problems("production", { "api.metrics.port": "web" }).get("api.metrics.port")!, /container port/);
    accepted("dev", { "api.probes.port": 9797 });
    assert.match(problems("dev", { "api.ports.metrics": 9898 }).get("api.ports.metrics")!, /must differ from api\.ports\.http/);
  });

  it("requests above limits", () => {
    assert.match(
      problems("production", { "api.resources.requests.cpu": "3" }).get("api.resources.requests.cpu")!,
      /must not exceed limits\.cpu \(2000m\)/,
    );
  });

  it("other cross-key rules: preStop inside the grace period, reserved and duplicate env names", () => {
    assert.match(
      problems("dev", { "api.preStopSleepSeconds": 30 }).get("api.preStopSleepSeconds")!,
      /terminationGracePeriodSeconds \(30\)/,
    );
    assert.match(problems("dev", { "api.env.DATABASE_HOST": "x" }).get("api.env.DATABASE_HOST")!, /set by the stack/);
    assert.match(
      problems("dev", { "api.autoscaling.behavior.scaleUp": { percent: null, pods: null } }).get(
        "api.autoscaling.behavior.scaleUp.percent",
      )!,
      /must set percent or pods/,
    );
  });

  it("through the program: refused before any resource is registered", async () => {
    const { error, resources } = await runProgramError("production", { set: { "api.podDisruptionBudget.minAvailable": 3 } });
    assert.match(error.message, /api\.podDisruptionBudget\.minAvailable: must be below the minimum replica count/);
    assert.deepStrictEqual(resources, []);
  });
});

describe("api: every object validates against the Kubernetes schemas (kubernetes-models)", () => {
  type Model = new (data: any) => { validate(): void };
  let models: Record<string, Model>;
  before(async () => {
    const [core, apps, autoscaling, policy] = await Promise.all([
      import("kubernetes-models/v1"),
      import("kubernetes-models/apps/v1"),
      import("kubernetes-models/autoscaling/v2"),
      import("kubernetes-models/policy/v1"),
    ]);
    models = {
      "v1/ServiceAccount": core.ServiceAccount,
      "v1/ConfigMap": core.ConfigMap,
      "v1/Secret": core.Secret,
      "v1/Service": core.Service,
      "v1/PersistentVolumeClaim": core.PersistentVolumeClaim,
      "apps/v1/Deployment": apps.Deployment,
      "autoscaling/v2/HorizontalPodAutoscaler": autoscaling.HorizontalPodAutoscaler,
      "policy/v1/PodDisruptionBudget": policy.PodDisruptionBudget,
    } as unknown as Record<string, Model>;
  });

  const variants: [string, string, RunOptions][] = [
    ["defaults", CODE_DEFAULTS.stack, CODE_DEFAULTS.options],
    ["dev", "dev", {}],
    ["production", "production", {}],
    ["production with PVCs, secrets and autoscaling off", "production", PRODUCTION_VARIANT],
  ];
  for (const [label, stack, options] of variants) {
    it(label, async () => {
      const children = apiChildren(await program(stack, options));
      const kinds = new Set<string>();
      for (const r of children) {
        const obj = structuredClone(r.inputs);
        const kind = `${obj.apiVersion}/${obj.kind}`;
        const Model = models[kind];
        assert.ok(Model, `no schema model for ${kind} (${r.name})`);
        obj.metadata = { name: `${r.name}-generated`, ...obj.metadata };
        try {
          new Model(obj).validate();
        } catch (e) {
          assert.fail(`${kind} ${r.name}: ${(e as Error).message}`);
        }
        kinds.add(obj.kind);
      }
      assert.ok(
        ["Deployment", "Service", "ConfigMap", "Secret", "ServiceAccount"].every((k) => kinds.has(k)),
        [...kinds].join(","),
      );
    });
  }
});
