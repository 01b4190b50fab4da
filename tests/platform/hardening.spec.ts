// Hardening of the chart releases: each case fails on a defect an audit of the rendered charts
// found (cluster-wide Secret access, tokens where none is needed, writable root filesystems,
// volume re-owning, unbounded TSDB, blocked certificate challenges).
import * as assert from "assert";
import { allows, Endpoint, NetworkPolicy } from "../../scripts/verify/network-policy";
import { postgresqlValues } from "../../services/postgresql/postgresql.build";
import { redisValues } from "../../services/redis/redis.build";
import { POSTGRESQL } from "../../services/postgresql";
import { REDIS } from "../../services/redis";
import { prometheusValues } from "../../services/prometheus/prometheus.build";
import { ProgramRun, runProgram, runProgramError } from "../../testbed/harness/program";
import { PROD_VARIANTS_B } from "../../testbed/harness/variants";
import { builtContainer } from "../../testbed/helpers/api";
import { T } from "../../testbed/harness/types";
import { loadConfig } from "../../testbed/helpers/config";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const values = (run: ProgramRun, release: string): any => run.get(RELEASE, release).inputs.values;
const stacks = async (): Promise<ProgramRun[]> => [await runProgram("dev"), await runProgram("production")];

/** The prometheus release values the builder gives for `stack` with `set` applied, without running the program. */
const builtPrometheusValues = (stack: string, set: Record<string, unknown>): any => {
  const cfg = loadConfig(stack, set);
  return prometheusValues({ prometheus: cfg.prometheus, images: cfg.images, namespace: "ape-2026", receiversSecretName: "receivers" });
};

/** The API container's image as the Deployment builder gives it. */
const builtApiImage = (stack: string, set: Record<string, unknown> = {}): string => builtContainer(stack, set).image;

describe("hardening: Grafana's Kubernetes API access", () => {
  it("the chart creates no ClusterRole and binds to a Role that reads ConfigMaps of the namespace only", async () => {
    for (const run of await stacks()) {
      const rbac = values(run, "grafana").rbac;
      assert.strictEqual(rbac.namespaced, true, `${run.stack}: a ClusterRole would reach every namespace`);
      const role = run.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").find((r) => r.inputs.metadata.name === rbac.useExistingRole);
      assert.ok(role, `${run.stack}: the Role the chart binds to (${rbac.useExistingRole}) is created by the program`);
      assert.deepStrictEqual(role.inputs.rules, [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }]);
      assert.ok(run.get(RELEASE, "grafana").dependencies.includes(role.urn), "the release waits for its Role");
    }
  });

  it("the dashboard sidecar watches ConfigMaps only, and only the sidecar holds a token", async () => {
    for (const run of await stacks()) {
      const v = values(run, "grafana");
      assert.strictEqual(v.sidecar.dashboards.resource, "configmap");
      assert.strictEqual(v.automountServiceAccountToken, false, "the Grafana server container gets no token");
      const tokenMount = v.sidecar.dashboards.extraMounts.find((m: any) => m.mountPath === "/var/run/secrets/kubernetes.io/serviceaccount");
      const volume = v.extraContainerVolumes.find((x: any) => x.name === tokenMount?.name);
      const files = volume.projected.sources.flatMap((s: any) =>
        s.serviceAccountToken ? ["token"] : (s.configMap ?? s.downwardAPI).items.map((i: any) => i.path),
      );
      assert.deepStrictEqual(files.sort(), ["ca.crt", "namespace", "token"], "what the sidecar's Kubernetes client reads");
      assert.strictEqual(tokenMount.readOnly, true);
    }
  });

  it("Grafana and its sidecar run with read-only root filesystems and a bounded writable /tmp each", async () => {
    for (const run of await stacks()) {
      const v = values(run, "grafana");
      assert.strictEqual(v.containerSecurityContext.readOnlyRootFilesystem, true);
      assert.strictEqual(v.sidecar.securityContext.readOnlyRootFilesystem, true);
      const tmp = v.extraVolumeMounts.find((m: any) => m.mountPath === "/tmp");
      assert.ok(v.extraVolumes.find((x: any) => x.name === tmp.name).emptyDir.sizeLimit, "Grafana's /tmp is bounded");
      const sidecarTmp = v.sidecar.dashboards.extraMounts.find((m: any) => m.mountPath === "/tmp");
      assert.ok(v.extraContainerVolumes.find((x: any) => x.name === sidecarTmp.name).emptyDir.sizeLimit, "the sidecar's /tmp is bounded");
    }
  });
});

describe("hardening: no pod mounts a ServiceAccount token it does not use", () => {
  it("the namespace's default ServiceAccount (the backup CronJob runs as it) mounts no token", async () => {
    for (const run of await stacks()) {
      const patch = run.ofType(T.ServiceAccountPatch);
      assert.deepStrictEqual(
        patch.map((p) => [p.inputs.metadata.name, p.inputs.metadata.namespace, p.inputs.automountServiceAccountToken]),
        [["default", run.get(T.Namespace, "namespace").inputs.metadata.name, false]],
        run.stack,
      );
    }
  });

  it("the API mounts none, at pod and at ServiceAccount level", async () => {
    for (const run of await stacks()) {
      const sa = run.ofType(T.ServiceAccount).find((s) => s.inputs.metadata.name === "api");
      assert.strictEqual(sa?.inputs.automountServiceAccountToken, false);
      assert.strictEqual(run.get(T.Deployment, "api").inputs.spec.template.spec.automountServiceAccountToken, false);
    }
  });
});

describe("hardening: the prometheus release", () => {
  it("kube-state-metrics collects no Secrets or ConfigMaps (its ClusterRole then lists neither)", async () => {
    for (const run of await stacks()) {
      const ksm = values(run, "prometheus")["kube-state-metrics"];
      assert.ok(ksm.collectorsExclude.includes("secrets") && ksm.collectorsExclude.includes("configmaps"), run.stack);
    }
  });

  it("Alertmanager mounts no ServiceAccount token", async () => {
    for (const run of await stacks()) assert.strictEqual(values(run, "prometheus").alertmanager.automountServiceAccountToken, false);
  });

  it("the TSDB is bounded by size as well as time: 80% of its volume unless retentionSize is set", async () => {
    const prod = await runProgram("production");
    assert.strictEqual(values(prod, "prometheus").server.retentionSize, `${Math.floor(50 * 1024 * 0.8)}MB`, "50Gi volume");
    const dev = await runProgram("dev");
    const devVolume = dev.get(RELEASE, "prometheus").inputs.values.server.persistentVolume.size;
    assert.match(devVolume, /^\d+Gi$/);
    assert.strictEqual(values(dev, "prometheus").server.retentionSize, `${Math.floor(parseInt(devVolume, 10) * 1024 * 0.8)}MB`);
    // The runs above show the builder's retentionSize in the registered release; the settings below need its output only.
    const explicit = builtPrometheusValues("production", { "prometheus.server.retentionSize": "30Gi" });
    assert.strictEqual(explicit.server.retentionSize, "30720MB", "Kubernetes quantities become Prometheus' units");
    const noVolume = builtPrometheusValues("dev", { "prometheus.server.persistentVolume.enabled": false });
    assert.strictEqual(noVolume.server.retentionSize, undefined, "no volume: time retention only");
  });
});

describe("hardening: data volumes are not re-owned at every start", () => {
  it("PostgreSQL and Redis pods use fsGroupChangePolicy OnRootMismatch", async () => {
    for (const run of await stacks()) {
      const pg = values(run, "postgresql");
      const redis = values(run, "redis");
      for (const [name, ctx] of [
        ["postgresql primary", pg.primary.podSecurityContext],
        ["postgresql read replicas", pg.readReplicas.podSecurityContext],
        ["redis master", redis.master.podSecurityContext],
        ["redis replicas / sentinel nodes", redis.replica.podSecurityContext],
      ]) {
        assert.strictEqual(ctx?.fsGroupChangePolicy, "OnRootMismatch", `${run.stack}: ${name}`);
      }
    }
  });
});

describe("hardening: certificates can be issued through ACME HTTP-01 under default deny", () => {
  const ns = "ape-2026";
  const pod = (name: string, namespace: string, labels: Record<string, string>, ip: string): Endpoint => ({
    name,
    namespace,
    namespaceLabels: { "kubernetes.io/metadata.name": namespace },
    labels,
    ip,
  });
  const solver = pod("cm-acme-http-solver", ns, { "acme.cert-manager.io/http01-solver": "true" }, "10.244.1.10");
  // The controller of production's entry point (ingress.controller traefik), as Traefik's chart labels it.
  const controller = pod("traefik controller", "traefik", { "app.kubernetes.io/name": "traefik" }, "10.244.1.11");
  const stray = pod("other pod", "default", { app: "x" }, "10.244.1.12");
  const policiesOf = (run: ProgramRun): NetworkPolicy[] =>
    run
      .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((r) => ({ namespace: ns, name: r.inputs.metadata.name, spec: r.inputs.spec }));

  it("production (cert-manager): the controller (Traefik) reaches the solver on 8089; nothing else does", async () => {
    const policies = policiesOf(await runProgram("production"));
    assert.strictEqual(allows(policies, controller, solver, 8089, "TCP"), true);
    assert.strictEqual(allows(policies, stray, solver, 8089, "TCP"), false);
    assert.strictEqual(allows(policies, controller, solver, 8080, "TCP"), false);
  });

  it("a self-signed stack has no solver policy", async () => {
    const dev = await runProgram("dev");
    assert.ok(!dev.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").some((r) => r.inputs.metadata.name === "acme-http01-solver"));
  });
});

describe("hardening: ephemeral storage is bounded", () => {
  const resourceBlocks = (values: unknown, at = ""): { path: string; value: any }[] => {
    if (values === null || typeof values !== "object") return [];
    return Object.entries(values as Record<string, unknown>).flatMap(([k, v]) => [
      ...(k === "resources" && v && typeof v === "object" ? [{ path: `${at}${k}`, value: v }] : []),
      ...resourceBlocks(v, `${at}${k}.`),
    ]);
  };

  it("every container the stack runs requests and limits ephemeral-storage (the API and every chart container)", async () => {
    for (const run of await stacks()) {
      const api = run.get("kubernetes:apps/v1:Deployment", "api").inputs.spec.template.spec.containers[0].resources;
      const blocks = [
        { path: "api", value: api },
        ...run.ofType(RELEASE).flatMap((r) => resourceBlocks(r.inputs.values, `${r.inputs.name}: `)),
      ];
      assert.ok(blocks.length >= 10, `${run.stack}: ${blocks.length} resources blocks`);
      const missing = blocks.filter(({ value }) => !value.requests?.["ephemeral-storage"] || !value.limits?.["ephemeral-storage"]);
      assert.deepStrictEqual(
        missing.map((b) => b.path),
        [],
        `${run.stack}: resources without ephemeral-storage requests and limits`,
      );
    }
  });

  it("every emptyDir of the API pod has a size limit", async () => {
    for (const run of await stacks()) {
      const volumes = run.get("kubernetes:apps/v1:Deployment", "api").inputs.spec.template.spec.volumes;
      const unbounded = volumes.filter((v: any) => v.emptyDir && !v.emptyDir.sizeLimit).map((v: any) => v.name);
      assert.deepStrictEqual(unbounded, [], run.stack);
      assert.ok(
        volumes.some((v: any) => v.name === "tmp" && v.emptyDir.sizeLimit),
        "/tmp too",
      );
    }
  });

  it("a request above its limit is refused for ephemeral storage as for memory", async () => {
    const { error } = await runProgramError("dev", {
      set: { "api.resources.requests.ephemeral-storage": "4Gi", "api.resources.limits.ephemeral-storage": "1Gi" },
    });
    assert.match(error.message, /api\.resources\.requests\.ephemeral-storage: must not exceed limits\.ephemeral-storage \(1Gi\)/);
  });
});

describe("hardening: production Redis survives a node failure", () => {
  it("production Redis nodes require distinct Kubernetes nodes (hard anti-affinity); dev keeps a preference", async () => {
    assert.strictEqual(values(await runProgram("production"), "redis").replica.podAntiAffinityPreset, "hard");
    assert.strictEqual(values(await runProgram("dev"), "redis").replica.podAntiAffinityPreset, "soft");
  });

  it("the choice is refused when it is neither soft nor hard", async () => {
    const { error } = await runProgramError("production", { set: { "redis.replica.podAntiAffinity": "strict" } });
    assert.match(error.message, /redis\.replica\.podAntiAffinity: must be soft or hard/);
  });
});

describe("hardening: the Kubernetes API is reachable on minikube's port as well", () => {
  const kubeApi: Endpoint = { name: "kube-apiserver", ip: "192.168.49.2" };
  const nsPod = (name: string, labels: Record<string, string>): Endpoint => ({
    name,
    namespace: "ape-2026",
    namespaceLabels: { "kubernetes.io/metadata.name": "ape-2026" },
    labels,
    ip: "10.244.2.10",
  });
  it("Prometheus, kube-state-metrics and Grafana's sidecar reach 443, 6443 and 8443; the API does not", async () => {
    for (const run of await stacks()) {
      const policies: NetworkPolicy[] = run
        .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        .map((r) => ({ namespace: "ape-2026", name: r.inputs.metadata.name, spec: r.inputs.spec }));
      const prometheus = nsPod("prometheus", {
        "app.kubernetes.io/name": "prometheus",
        "app.kubernetes.io/instance": "prometheus",
        "app.kubernetes.io/component": "server",
      });
      const ksm = nsPod("ksm", { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": "prometheus" });
      const grafana = nsPod("grafana", { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "grafana" });
      const api = nsPod("api", { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "ape-2026" });
      for (const port of [443, 6443, 8443]) {
        for (const pod of [prometheus, ksm, grafana])
          assert.strictEqual(allows(policies, pod, kubeApi, port, "TCP"), true, `${run.stack}: ${pod.name} -> ${port}`);
      }
      assert.strictEqual(
        allows(policies, api, kubeApi, 8443, "TCP"),
        false,
        `${run.stack}: the API has no business with the Kubernetes API`,
      );
    }
  });
});

describe("escape hatch: API scheduling", () => {
  it("nodeSelector, tolerations, affinity and priorityClassName reach the pod spec; unset, none of them is there", async () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "In", values: ["api"] }] }],
        },
      },
    };
    // nodeSelector node-pool=api, the toleration and the affinity below, priorityClassName ape-critical.
    const run = await runProgram("production", PROD_VARIANTS_B);
    const pod = run.get("kubernetes:apps/v1:Deployment", "api").inputs.spec.template.spec;
    assert.deepStrictEqual(pod.nodeSelector, { "node-pool": "api" });
    assert.deepStrictEqual(pod.tolerations, [{ key: "dedicated", operator: "Equal", value: "api", effect: "NoSchedule" }]);
    assert.deepStrictEqual(pod.affinity, affinity);
    assert.strictEqual(pod.priorityClassName, "ape-critical");
    const plain = (await runProgram("production")).get("kubernetes:apps/v1:Deployment", "api").inputs.spec.template.spec;
    for (const key of ["nodeSelector", "tolerations", "affinity", "priorityClassName"]) assert.strictEqual(plain[key], undefined, key);
  });

  it("a malformed toleration or priority class is refused with its key path", async () => {
    const { error } = await runProgramError("dev", {
      set: {
        "api.tolerations": [{ key: "a", operator: "Exists", value: "x" }, { effect: "Sometimes" }],
        "api.priorityClassName": "Not_A_Name",
      },
    });
    assert.match(error.message, /api\.tolerations\[0\]: operator Exists takes no value/);
    assert.match(error.message, /api\.tolerations\[1\]\.effect: must be NoSchedule, PreferNoSchedule or NoExecute/);
    assert.match(error.message, /api\.priorityClassName: must be the name of a PriorityClass/);
  });
});

describe("images: digests pin what runs", () => {
  const digest = `sha256:${"ab12".repeat(16)}`;
  it("an image digest as the tag reaches the API as repository@digest and the Bitnami charts as their digest key", async () => {
    // The builders' output for the digests; the production run shows the same builders' images reaching the resources.
    const set = { "api.image.tag": digest, "redis.image.tag": digest, "postgresql.timescaledbImage.tag": digest };
    const cfg = loadConfig("production", set);
    assert.strictEqual(builtApiImage("production", set), `ghcr.io/yourorg/ape-2026/api@${digest}`);
    const redis: any = redisValues(cfg.redis, cfg.images, REDIS.secret.name);
    assert.deepStrictEqual(redis.image, { registry: "ghcr.io", repository: "yourorg/ape-2026/redis", digest });
    const postgresql: any = postgresqlValues(cfg.postgresql, cfg.images, POSTGRESQL.secret.name);
    assert.strictEqual(postgresql.image.digest, digest);
    assert.strictEqual(postgresql.image.tag, undefined, "a digest replaces the tag");

    const run = await runProgram("production");
    const plain = loadConfig("production");
    assert.strictEqual(
      run.get("kubernetes:apps/v1:Deployment", "api").inputs.spec.template.spec.containers[0].image,
      builtApiImage("production"),
    );
    assert.deepStrictEqual(values(run, "redis").image, (redisValues(plain.redis, plain.images, REDIS.secret.name) as any).image);
    assert.deepStrictEqual(
      values(run, "postgresql").image,
      (postgresqlValues(plain.postgresql, plain.images, POSTGRESQL.secret.name) as any).image,
    );
  });
});
