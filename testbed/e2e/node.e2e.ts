// Stage 3 of the real-engine test: the dev stack on a real node (kubelet + containerd, kube-proxy,
// kube-router enforcing NetworkPolicies, CoreDNS, metrics-server, local-path provisioner) started
// by testbed/e2e.sh with `cluster.sh node start`. Nothing is awaited away: pulumi up waits for the
// API's Deployment, Service and PVC as it would on any cluster (only the Ingress, which no
// controller serves here, skips its wait; see node.program.ts). Skipped, saying why, when the node
// or the Pulumi engine is not available.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { apiSelectorLabels } from "../../services/api/api.contract";
import { postgresqlPodLabels } from "../../services/postgresql/postgresql.contract";
import { redisPodLabels } from "../../services/redis/redis.contract";
import { grafanaPodLabels } from "../../services/grafana/grafana.contract";
import { prometheusPodLabels } from "../../services/prometheus/prometheus.contract";
import { stackNetworkPolicies } from "../../stack/stack";
import { loadConfig } from "../helpers/config";
import type { Endpoint } from "../../scripts/verify/network-policy";
import { forbidden, needed, NS, P } from "../helpers/flows";
import { runProgram } from "../harness/program";
import { apply, kubectl } from "./kubectl";
import { stackManifests } from "./manifests";
import {
  containerPid,
  exec,
  execAsync,
  jsonLines,
  NODE_SETTINGS,
  nodeDataSecrets,
  NodeProject,
  nettoolLoad,
  PodInfo,
  pods,
  processFacts,
  standIn,
  until,
  upWithDataSecrets,
} from "./node-kit";
import { ok, Run, since, sleep } from "./run";

const skipReason = process.env.APE_E2E_NODE === "1" ? undefined : (process.env.APE_E2E_NODE_SKIP ?? "the node was not started");
const CLIENT_IMAGE = process.env.APE_NODE_CLIENT_IMAGE ?? "";

const SETTINGS = NODE_SETTINGS;

/** SETTINGS for the tests' own config loading, which writes list items as `key.0` where pulumi takes `key[0]`. */
const MOCK_SETTINGS = Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [k.replace(/\[(\d+)\]/g, ".$1"), v]));

const dataSecrets = () => nodeDataSecrets(NS);

const API = apiSelectorLabels();
const INGRESS_NS = P.controller.namespace ?? "traefik";
const CLIENT = "e2e-client"; // in the controller's namespace with its labels: the one peer the API admits
const FLOWS_NS = "ape-2026-flows"; // the dev stack's full NetworkPolicies over stand-in pods
const figures: string[] = [];

(skipReason ? describe.skip : describe)(
  `e2e node: the dev stack runs, serves, scales and is fenced${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  function () {
    this.timeout(1_200_000);
    const started = process.hrtime.bigint();
    const dev = loadConfig("dev", MOCK_SETTINGS);
    const [http, metricsPort] = [dev.api.ports.http, dev.api.ports.metrics];
    const healthPath = dev.api.probes.liveness.path;
    let project: NodeProject;
    let upSeconds = 0;
    let minReadySeconds = 0;
    let serviceIp = "";

    const apiPods = () => pods(NS, API).filter((p) => !p.deleting);
    const deployment = () => kubectl(["get", "deployment", "api", "-n", NS, "-o", "json"]).items[0];
    const hpa = () => kubectl(["get", "hpa", "api", "-n", NS, "-o", "json"]).items[0];
    /** All pods of the current ReplicaSet Ready, none of an older one left, as many as the Deployment wants. */
    const settled = () => {
      const d = deployment();
      const all = pods(NS, API);
      return (
        d.status.observedGeneration === d.metadata.generation &&
        d.status.updatedReplicas === d.spec.replicas &&
        d.status.readyReplicas === d.spec.replicas &&
        all.length === d.spec.replicas &&
        all.every((p) => p.ready && !p.deleting)
      );
    };
    const client = (...args: string[]) => exec(INGRESS_NS, CLIENT, ["nettool", ...args]);

    before(() => {
      assert.ok(CLIENT_IMAGE, "APE_NODE_CLIENT_IMAGE is not set (testbed/e2e.sh sets it from the node's images)");
      const existing = kubectl(["get", "namespaces", "-o", "json"]).items.map((n) => n.metadata.name);
      assert.ok(!existing.includes(NS), `namespace ${NS} already exists: the node e2e needs a cluster without the stack`);
      project = new NodeProject("dev");
      project.init(SETTINGS);
      apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: INGRESS_NS } }]);
      const labels = P.controller.labels ?? {};
      apply([standIn(INGRESS_NS, CLIENT, labels, { tcp: [8080], udp: [] }, CLIENT_IMAGE) as never]);
      kubectl(["wait", "-n", INGRESS_NS, "--for=condition=Ready", `pod/${CLIENT}`, "--timeout=120s"]);
    });

    after(() => {
      project?.remove();
      kubectl(["delete", "namespace", INGRESS_NS, FLOWS_NS, "--ignore-not-found", "--wait=false"]);
      figures.push(`e2e wall time (node suite): ${since(started).toFixed(0)} s`);
      console.log(`\n    figures:\n${figures.map((f) => `      ${f}`).join("\n")}`);
    });

    it("(1) pulumi up: Deployment Available, every API pod Ready, the Service's EndpointSlice listing them", async () => {
      const start = process.hrtime.bigint();
      const run = ok(await upWithDataSecrets(project, NS), "pulumi up");
      upSeconds = run.seconds;
      serviceIp = kubectl(["get", "service", "api", "-n", NS, "-o", "json"]).items[0].spec.clusterIP;
      // pulumi up returned: the provider saw the Deployment Available with all its pods Ready.
      const d = deployment();
      const available = d.status.conditions.find((c: { type: string }) => c.type === "Available");
      assert.strictEqual(available?.status, "True", `Deployment Available: ${JSON.stringify(available)}`);
      assert.strictEqual(d.status.readyReplicas, d.spec.replicas, "ready replicas when pulumi up returned");
      // The first rollout is at full size: the Deployment is created with max(replicaCount,
      // minReplicas) pods (here the HPA's minimum), and pulumi up returns when all of them are Ready,
      // instead of one pod that the HPA raises on its first sync.
      const firstSize = Math.max(dev.api.replicaCount, dev.api.autoscaling.minReplicas);
      assert.strictEqual(d.spec.replicas, firstSize, "the Deployment is created with max(replicaCount, minReplicas)");
      assert.strictEqual(d.status.readyReplicas, firstSize, "that many pods Ready when pulumi up returned");
      minReadySeconds = await until(`${firstSize} API pods Ready`, 120, () =>
        settled() && apiPods().length === firstSize ? since(start) : undefined,
      );
      figures.push(
        `pulumi up (dev on the node, create): ${upSeconds.toFixed(1)} s (Deployment Available, ${d.spec.replicas} pods Ready); ` +
          `${firstSize} API pods (max(replicaCount, HPA minimum)) settled ${minReadySeconds.toFixed(1)} s after pulumi up started`,
      );
      const ready = apiPods();
      const slices = kubectl(["get", "endpointslices", "-n", NS, "-l", "kubernetes.io/service-name=api", "-o", "json"]).items;
      const listed = slices.flatMap((s) =>
        (s.endpoints ?? [])
          .filter((e: { conditions: { ready: boolean } }) => e.conditions.ready)
          .map((e: { addresses: string[] }) => e.addresses[0]),
      );
      assert.deepStrictEqual(listed.sort(), ready.map((p) => p.ip).sort(), "EndpointSlice addresses vs API pod IPs");
      const pvc = kubectl(["get", "pvc", "api-data", "-n", NS, "-o", "json"]).items[0];
      assert.strictEqual(pvc.status.phase, "Bound", "the API's data PVC is bound by the local-path provisioner");
    });

    it("(2) the API answers 200 on its health path through its Service; it runs as uid 1000 on a read-only root", () => {
      const url = `http://api.${NS}.svc.cluster.local:${http}${healthPath}`;
      const res = client("http", url);
      assert.strictEqual(res.code, 0, res.out);
      assert.strictEqual(jsonLines<{ status: number }>(res.out)[0].status, 200);
      for (const p of apiPods()) {
        const facts = processFacts(containerPid(p.containerId));
        assert.deepStrictEqual(facts.uids, [1000, 1000, 1000, 1000], `${p.name}: Uid (real, effective, saved, fs)`);
        assert.deepStrictEqual(facts.gids, [1000, 1000, 1000, 1000], `${p.name}: Gid`);
        assert.ok(facts.rootOptions.includes("ro"), `${p.name}: root filesystem mounted ${facts.rootOptions.join(",")}`);
        assert.strictEqual(facts.capEff, "0000000000000000", `${p.name}: effective capabilities`);
      }
    });

    it("(3) a settings change rolls the pods with zero failed requests while a client sends requests continuously", async () => {
      const before = new Set(apiPods().map((p) => p.name));
      const load = nettoolLoad(INGRESS_NS, CLIENT, "/tmp/rollout-stop", `http://${serviceIp}:${http}${healthPath}`, [
        "--concurrency",
        "2",
        "--interval",
        "20ms",
        "--duration",
        "600s",
      ]);
      await sleep(3000);
      project.set("api.env.E2E_MARKER", "rolled");
      const start = process.hrtime.bigint();
      ok(await project.start("up", "--yes", "--skip-preview").done, "pulumi up after the change");
      await until("the old pods to be gone", 120, settled);
      const rolloutSeconds = since(start);
      await sleep(2000);
      load.stop();
      const summary = await load.summary<{ requests: number; ok: number; failed: number; errors: string[] }>();
      figures.push(`rollout: ${rolloutSeconds.toFixed(1)} s, ${summary.requests} requests through the Service, ${summary.failed} failed`);
      assert.strictEqual(summary.failed, 0, `failed requests during the rollout: ${summary.errors.join("; ")}`);
      assert.ok(summary.requests > 50, `only ${summary.requests} requests were sent`);
      const after = apiPods();
      assert.deepStrictEqual(
        after.filter((p) => before.has(p.name)).map((p) => p.name),
        [],
        "pods of the old template are still there",
      );
    });

    it("(5) the PDB refuses an eviction beyond its budget (429) and allows one within it", async () => {
      await until("the Deployment to settle", 180, settled);
      await until("the PDB to allow one disruption", 60, () => {
        const pdb = kubectl(["get", "pdb", "api", "-n", NS, "-o", "json"]).items[0];
        return pdb.status.disruptionsAllowed === 1 && pdb.status.currentHealthy === 2;
      });
      const [first, second] = apiPods();
      const evict = (pod: PodInfo) =>
        kubectlRaw(`/api/v1/namespaces/${NS}/pods/${pod.name}/eviction`, {
          apiVersion: "policy/v1",
          kind: "Eviction",
          metadata: { name: pod.name, namespace: NS },
        });
      const allowed = evict(first);
      assert.strictEqual(allowed.code, 0, `first eviction refused: ${allowed.out}`);
      const refused = evict(second);
      assert.notStrictEqual(refused.code, 0, "second eviction was allowed");
      assert.match(refused.out, /TooManyRequests|429/, refused.out);
      assert.match(refused.out, /disruption budget/, refused.out);
      await until("the replacement pod to be Ready", 180, settled);
    });

    it("(6) NetworkPolicies: the unit tests' flow table, replayed with real packets between pods carrying the real labels", async () => {
      const run = await runProgram("dev");
      const template = run.ofType("kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.name === "api")!.inputs.spec.template;
      const endpoints: Record<string, Endpoint> = { ...P, api: { ...P.api, labels: template.metadata.labels } };
      // The stand-ins carry the labels the chart contracts say select each workload.
      const contract: Record<string, Record<string, string>> = {
        api: apiSelectorLabels(),
        pgPrimary: postgresqlPodLabels(),
        pgRead: postgresqlPodLabels(),
        redisA: redisPodLabels(),
        redisB: redisPodLabels(),
        prometheus: prometheusPodLabels("server"),
        alertmanager: prometheusPodLabels("alertmanager"),
        ksm: prometheusPodLabels("kubeStateMetrics"),
        grafana: grafanaPodLabels(),
      };
      for (const [name, labels] of Object.entries(contract))
        for (const [k, v] of Object.entries(labels)) assert.strictEqual(endpoints[name].labels?.[k], v, `${name}: label ${k}`);
      const flowsNeeded = needed(http, metricsPort);
      const flowsForbidden = forbidden(http, metricsPort);
      const all = [
        ...flowsNeeded.map(([s, d, port, proto]) => [s, d, port, proto ?? "TCP", true] as const),
        ...flowsForbidden.map(([s, d, port, proto]) => [s, d, port, proto ?? "TCP", false] as const),
      ];

      // The full dev stack's policies (charts included) in a namespace of their own.
      const policies = run.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: r.inputs.metadata.name, namespace: FLOWS_NS },
        spec: r.inputs.spec,
      }));
      assert.deepStrictEqual(
        policies.map((p) => p.metadata.name).sort(),
        stackNetworkPolicies(loadConfig("dev"))
          .map((d) => d.name)
          .sort(),
      );
      apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: FLOWS_NS } }, ...policies] as never);

      // One stand-in pod per in-cluster endpoint, listening on every port any flow aims at it.
      const nsOf = (e: { namespace?: string }) => (e.namespace === NS ? FLOWS_NS : e.namespace!);
      const podName = (name: string) => `flow-${name.toLowerCase()}`;
      const ports = new Map<string, { tcp: Set<number>; udp: Set<number> }>();
      for (const [, dst, port, proto] of all) {
        const p = ports.get(dst) ?? { tcp: new Set<number>(), udp: new Set<number>() };
        (proto === "UDP" ? p.udp : p.tcp).add(port);
        ports.set(dst, p);
      }
      const inCluster = Object.entries(endpoints).filter(([, e]) => e.namespace !== undefined);
      const outside = Object.entries(endpoints).filter(([, e]) => e.namespace === undefined);
      const namespaces = [...new Set(inCluster.map(([, e]) => nsOf(e)))].filter((n) => ![FLOWS_NS, "default", "kube-system"].includes(n));
      apply(namespaces.map((n) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: n } })) as never);
      const manifests = inCluster.map(([name, e]) => {
        const p = ports.get(name) ?? { tcp: new Set<number>(), udp: new Set<number>() };
        return standIn(nsOf(e), podName(name), e.labels ?? {}, { tcp: [...p.tcp], udp: [...p.udp] }, CLIENT_IMAGE);
      });
      apply(manifests as never);
      for (const [name, e] of inCluster)
        kubectl(["wait", "-n", nsOf(e), "--for=condition=Ready", `pod/${podName(name)}`, "--timeout=120s"]);
      const ipOf = new Map<string, string>(outside.map(([name, e]) => [name, e.ip]));
      for (const [name, e] of inCluster)
        ipOf.set(name, kubectl(["get", "pod", podName(name), "-n", nsOf(e), "-o", "json"]).items[0].status.podIP);

      // Addresses outside the cluster: a network namespace on this machine owns them (policy
      // routing sends only pod traffic there), answering on every port the flows use.
      const outsidePorts = [...new Set(outside.flatMap(([name]) => [...(ports.get(name)?.tcp ?? []), ...(ports.get(name)?.udp ?? [])]))];
      clusterScript(["node", "outside", "start", outside.map(([, e]) => e.ip).join(","), outsidePorts.join(",")]);
      try {
        // Let kube-router see the policies and pods (it syncs on changes; give it a moment).
        await sleep(5000);
        const bySource = new Map<string, (typeof all)[number][]>();
        for (const f of all) bySource.set(f[0], [...(bySource.get(f[0]) ?? []), f]);
        const wrong: string[] = [];
        const kinds = new Map<string, number>();
        await Promise.all(
          [...bySource.entries()].map(async ([src, flows]) => {
            const targets = flows.map(([, dst, port, proto]) => `${proto.toLowerCase()}:${ipOf.get(dst)}:${port}`);
            const res = await execAsync(nsOf(endpoints[src]), podName(src), ["nettool", "probe", "--timeout", "3s", ...targets]).done;
            const results = jsonLines<{ target: string; result: string }>(res.out);
            assert.strictEqual(results.length, flows.length, res.out);
            flows.forEach(([s, d, port, proto, expected], i) => {
              const open = results[i].result === "open";
              if (!expected) kinds.set(results[i].result, (kinds.get(results[i].result) ?? 0) + 1);
              if (open !== expected)
                wrong.push(
                  `${endpoints[s].name} -> ${endpoints[d].name}:${port}/${proto}: ${results[i].result}, ` +
                    `expected ${expected ? "open" : "closed"}`,
                );
            });
          }),
        );
        figures.push(
          `NetworkPolicy replay: ${flowsNeeded.length} open flows connected, ${flowsForbidden.length} closed flows blocked (${[
            ...kinds.entries(),
          ]
            .map(([k, n]) => `${n} ${k}`)
            .join(", ")})`,
        );
        assert.deepStrictEqual(wrong, [], "flows that behaved against the table");

        // Control: without the policies every closed flow connects (a listener was there all along).
        kubectl(["delete", "networkpolicies", "--all", "-n", FLOWS_NS, "--wait=true"]);
        await until(
          "every closed flow to connect without the policies",
          60,
          () => {
            const stillClosed = flowsForbidden.filter(([src, dst, port, proto]) => {
              const target = `${(proto ?? "TCP").toLowerCase()}:${ipOf.get(dst)}:${port}`;
              const res = exec(nsOf(endpoints[src]), podName(src), ["nettool", "probe", "--timeout", "2s", target]);
              return jsonLines<{ result: string }>(res.out)[0]?.result !== "open";
            });
            return stillClosed.length === 0;
          },
          3000,
        );

        // The stack under test itself: the real API pods admit the ingress controller only.
        const real = apiPods()[0];
        const stray = standIn(NS, "flow-stray", P.stray.labels ?? {}, { tcp: [], udp: [] }, CLIENT_IMAGE);
        apply([stray as never]);
        kubectl(["wait", "-n", NS, "--for=condition=Ready", "pod/flow-stray", "--timeout=120s"]);
        const fromClient = jsonLines<{ result: string }>(client("probe", "--timeout", "3s", `tcp:${real.ip}:${http}`).out)[0];
        const fromStray = jsonLines<{ result: string }>(
          exec(NS, "flow-stray", ["nettool", "probe", "--timeout", "3s", `tcp:${real.ip}:${http}`]).out,
        )[0];
        kubectl(["delete", "pod", "flow-stray", "-n", NS, "--wait=true"]);
        assert.strictEqual(fromClient.result, "open", "the ingress controller's stand-in reaches an API pod");
        assert.notStrictEqual(fromStray.result, "open", "a stray pod in the namespace reaches an API pod");
      } finally {
        clusterScript(["node", "outside", "stop"]);
        kubectl(["delete", "namespace", FLOWS_NS, "--wait=false"]);
        for (const [name, e] of inCluster)
          if (nsOf(e) !== FLOWS_NS) kubectl(["delete", "pod", podName(name), "-n", nsOf(e), "--ignore-not-found", "--wait=false"]);
      }
    });

    it("(4) the HPA reads CPU from metrics-server, scales up under load within its policy and back down after the window", async () => {
      const a = dev.api.autoscaling;
      await until("HPA ScalingActive with a CPU metric", 240, () => {
        const h = hpa();
        const active = (h.status.conditions ?? []).find((c: { type: string }) => c.type === "ScalingActive");
        const cpu = (h.status.currentMetrics ?? []).find((m: { resource?: { name: string } }) => m.resource?.name === "cpu");
        return active?.status === "True" && cpu?.resource.current.averageUtilization !== undefined;
      });
      await until("the Deployment to settle at the minimum", 300, () => settled() && deployment().spec.replicas === a.minReplicas);
      const load = nettoolLoad(INGRESS_NS, CLIENT, "/tmp/hpa-stop", `http://${serviceIp}:${http}/`, [
        "--concurrency",
        "16",
        "--reuse",
        "50",
        "--duration",
        "400s",
      ]);
      const start = process.hrtime.bigint();
      // The replica count the HPA sets, sampled every second: [seconds since the load started, replicas].
      const samples: Array<[number, number]> = [];
      const sample = () => {
        const replicas = deployment().spec.replicas as number;
        samples.push([since(start), replicas]);
        return replicas;
      };
      let stopped: bigint | undefined;
      try {
        const firstUp = await until("a scale-up", 240, () => (sample() > a.minReplicas ? since(start) : undefined));
        const atMax = await until(`${a.maxReplicas} replicas`, 240, () => (sample() === a.maxReplicas ? since(start) : undefined));
        const maxReady = await until("every pod Ready at the maximum", 180, () => (settled() ? since(start) : undefined));
        load.stop();
        stopped = process.hrtime.bigint();
        const summary = await load.summary<{ requests: number }>();
        const afterStop = () => since(stopped!);
        const firstDown = await until("the first scale-down", 300, () => (sample() < a.maxReplicas ? afterStop() : undefined));
        const atMin = await until("the minimum again", 420, () => (sample() === a.minReplicas ? afterStop() : undefined));
        const window = a.behavior.scaleDown.stabilizationWindowSeconds;
        figures.push(
          `HPA (${a.minReplicas}..${a.maxReplicas} pods, CPU target ${a.targetCPUUtilizationPercentage}%): ` +
            `first scale-up ${firstUp.toFixed(0)} s ` +
            `after the load started, ${a.maxReplicas} replicas at ${atMax.toFixed(0)} s, all Ready at ${maxReady.toFixed(0)} s ` +
            `(${summary.requests} requests); after the load stopped: first scale-down at ${firstDown.toFixed(0)} s ` +
            `(window ${window} s), back to ${a.minReplicas} at ${atMin.toFixed(0)} s`,
        );
        // Scale-up policy: within any period, at most max(+percent, +pods) over the count at its start
        // (sampled once a second: the count at the period's start is read with 2 s of slack).
        const up = a.behavior.scaleUp;
        for (const [t, replicas] of samples) {
          const base = [...samples].reverse().find(([u]) => u <= t - up.periodSeconds + 2)?.[1] ?? a.minReplicas;
          const limit = Math.max(Math.ceil(base * (1 + (up.percent ?? 0) / 100)), base + (up.pods ?? 0));
          assert.ok(replicas <= Math.min(limit, a.maxReplicas), `${replicas} replicas at ${t.toFixed(0)} s; ${base} one period before`);
        }
        assert.ok(firstDown >= window, `first scale-down ${firstDown.toFixed(0)} s after the load stopped, inside the ${window} s window`);
      } finally {
        if (!stopped) load.stop();
      }
    });

    it("(4b) once the HPA has set the count, a pulumi up that updates the Deployment never scales it down", async () => {
      const a = dev.api.autoscaling;
      // A higher HPA minimum: the HPA (not the program) raises the count, so its manager owns spec.replicas.
      const raised = a.minReplicas + 1;
      project.set("api.autoscaling.minReplicas", raised);
      ok(await project.start("up", "--yes", "--skip-preview").done, "pulumi up (HPA minimum raised)");
      await until(`the HPA to scale to ${raised}`, 180, () => settled() && deployment().spec.replicas === raised);
      // A change of the pod template: the Deployment is updated while the HPA owns the count. Sampled
      // throughout, spec.replicas never drops below what the HPA set (the creation value was lower).
      project.set("api.env.E2E_MARKER", "hpa-owned");
      const up = project.start("up", "--yes", "--skip-preview");
      let done = false;
      void up.done.then(() => (done = true));
      const seen = new Set<number>();
      while (!done) {
        seen.add(deployment().spec.replicas as number);
        await sleep(250);
      }
      ok(await up.done, "pulumi up (pod template changed)");
      seen.add(deployment().spec.replicas as number);
      figures.push(`pulumi up with the HPA owning the count: spec.replicas seen during the update: ${[...seen].join(", ")}`);
      assert.deepStrictEqual([...seen], [raised], "spec.replicas changed during pulumi up");
      const managers = (deployment().metadata.managedFields ?? []).filter(
        (f: { fieldsV1?: { "f:spec"?: Record<string, unknown> } }) => f.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined,
      );
      assert.ok(
        managers.every((f: { manager: string }) => !/pulumi/.test(f.manager)),
        `spec.replicas managed by ${managers.map((f: { manager: string }) => f.manager).join(", ")}`,
      );
      ok(await project.start("preview", "--expect-no-changes").done, "pulumi preview --expect-no-changes");
    });

    it("(7) pulumi destroy leaves no pod, PVC or namespace", async () => {
      const destroy = ok(await project.start("destroy", "--yes", "--skip-preview").done, "pulumi destroy");
      figures.push(`pulumi destroy (dev on the node): ${destroy.seconds.toFixed(1)} s`);
      const namespaces = kubectl(["get", "namespaces", "-o", "json"]).items.map((n) => n.metadata.name);
      assert.ok(!namespaces.includes(NS), `namespace ${NS} is still there`);
      assert.deepStrictEqual(
        kubectl([
          "get",
          "pods",
          "-A",
          "-l",
          Object.entries(API)
            .map(([k, v]) => `${k}=${v}`)
            .join(","),
          "-o",
          "json",
        ]).items.map((p) => p.metadata.name),
        [],
      );
      assert.deepStrictEqual(
        kubectl(["get", "pvc", "-A", "-o", "json"]).items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
        [],
      );
      // The provisioner deletes the volume (reclaim policy Delete) with a helper pod.
      await until("the API's volume to be deleted", 120, () => kubectl(["get", "pv", "-o", "json"]).items.length === 0);
    });

    it("for comparison: the same objects with kubectl apply --server-side and kubectl rollout status", async () => {
      const manifests = stackManifests(await runProgram("dev", { set: { ...MOCK_SETTINGS, "api.env.E2E_MARKER": "rolled" } }));
      const start = process.hrtime.bigint();
      apply(manifests.filter((m) => m.kind === "Namespace"));
      apply(dataSecrets() as never);
      apply(manifests.filter((m) => m.kind !== "Namespace"));
      kubectl(["rollout", "status", "deployment/api", "-n", NS, "--timeout=300s"]);
      const rollout = since(start);
      const minReady = await until(`${dev.api.autoscaling.minReplicas} API pods Ready`, 120, () =>
        settled() && apiPods().length === dev.api.autoscaling.minReplicas ? since(start) : undefined,
      );
      figures.push(
        `kubectl apply --server-side + rollout status (same ${manifests.length} objects): ${rollout.toFixed(1)} s; ` +
          `${dev.api.autoscaling.minReplicas} API pods Ready after ${minReady.toFixed(1)} s; ` +
          `pulumi / kubectl = ${(upSeconds / rollout).toFixed(2)} (up vs rollout status), ` +
          `${(minReadySeconds / minReady).toFixed(2)} (HPA minimum Ready)`,
      );
      kubectl(["delete", "namespace", NS, "--wait=true", "--timeout=180s"]);
    });
  },
);

/** POST to an API path with kubectl (e.g. an eviction); code 0 = created. */
function kubectlRaw(apiPath: string, body: object): Run {
  const res = spawnSync("kubectl", ["create", "--raw", apiPath, "-f", "-"], { input: JSON.stringify(body), encoding: "utf8" });
  return { code: res.status ?? -1, signal: res.signal, out: `${res.stdout}${res.stderr}`, seconds: 0 };
}

function clusterScript(args: string[]): void {
  const res = spawnSync(path.resolve(__dirname, "..", "engine", "cluster.sh"), args, { encoding: "utf8" });
  assert.strictEqual(res.status, 0, `cluster.sh ${args.join(" ")}:\n${res.stderr}`);
}
