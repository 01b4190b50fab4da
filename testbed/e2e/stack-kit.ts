// What the whole-stack specs on the node share (stack.e2e.ts for dev, production.e2e.ts for the
// production-shaped stack): a pod's state in a few words, the diagnosis of what is not Ready, and
// client pods that stand where the API stands (its labels, its env) or anywhere else.
import { spawnSync } from "child_process";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CACHED_CHARTS, cachedChart } from "../helpers/charts";
import { apply, kubectl } from "./kubectl";
import { ENGINE_ENABLED } from "./pulumi";
import { Background, Run, since, sleep } from "./run";

/** Why a whole stack cannot run on the node here (no node, no engine, charts or images), or undefined. */
export function wholeStackSkipReason(): string | undefined {
  const missingCharts = CACHED_CHARTS.map((c) => cachedChart(c)).filter((d) => !fs.existsSync(path.join(d, "Chart.yaml")));
  if (process.env.APE_E2E_NODE !== "1") return process.env.APE_E2E_NODE_SKIP ?? "the node was not started";
  if (!ENGINE_ENABLED) return "the Pulumi engine stage is off";
  if (missingCharts.length) return `chart cache incomplete, missing ${missingCharts.join(", ")}`;
  if (process.env.APE_NODE_CHART_IMAGES !== "ok")
    return `chart images not on the node: ${process.env.APE_NODE_CHART_IMAGES ?? "unknown (node start did not say)"}`;
  return undefined;
}

type Obj = Record<string, any>;

export const ready = (p: Obj) => (p.status.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
const restarts = (p: Obj) => (p.status.containerStatuses ?? []).reduce((n: number, c: Obj) => n + (c.restartCount ?? 0), 0);

/** A pod's state in a few words: Ready, or why not (scheduling, waiting reasons, last termination). */
export function podState(p: Obj): string {
  if (p.status.phase === "Running" && ready(p)) return `Ready (restarts ${restarts(p)})`;
  const unscheduled = (p.status.conditions ?? []).find((c: Obj) => c.type === "PodScheduled" && c.status !== "True");
  const containers = [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])];
  const why = containers
    .filter((c: Obj) => !c.ready)
    .map((c: Obj) => {
      const w = c.state?.waiting ?? c.state?.terminated;
      const last = c.lastState?.terminated;
      return `${c.name}: ${w?.reason ?? (c.state?.running ? "running, not ready" : "?")}${w?.message ? ` ${w.message.slice(0, 160)}` : ""}${last ? ` (last exit ${last.exitCode} ${last.reason ?? ""})` : ""}`;
    });
  return [p.status.phase, unscheduled?.message, ...why].filter(Boolean).join("; ");
}

/** Recent warning events and log tails of the pods of `namespace` that are not Ready, for a failure message. */
export function diagnose(namespace: string): string {
  const pods = kubectl(["get", "pods", "-n", namespace, "-o", "json"]).items.filter((p) => !ready(p) && p.status.phase !== "Succeeded");
  const events = kubectl(["get", "events", "-n", namespace, "--field-selector", "type=Warning", "-o", "json"]).items.slice(-15);
  const out = events.map((e) => `event ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.reason} ${String(e.message).slice(0, 200)}`);
  for (const p of pods) {
    out.push(`pod ${p.metadata.name}: ${podState(p)}`);
    for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) {
      const log = spawnSync("kubectl", ["logs", "-n", namespace, p.metadata.name, "-c", c.name, "--tail=8"], {
        encoding: "utf8",
      }).stdout?.trim();
      if (log) out.push(`  ${c.name} log:\n    ${log.split("\n").join("\n    ")}`);
    }
  }
  return out.join("\n");
}

/** The image of one container of a workload (a chart's), so a client pod carries the same tools. */
export function imageOf(namespace: string, kind: string, name: string, container: string): string {
  return kubectl(["get", kind, name, "-n", namespace, "-o", "json"]).items[0].spec.template.spec.containers.find(
    (c: Obj) => c.name === container,
  ).image;
}

/**
 * A client pod under the restricted Pod Security level: `image` sleeping, with `labels`; given the
 * API's pod spec, with the env of its container (its credentials exactly as the API gets them) and,
 * with TLS inside the cluster, the CA volumes it mounts (ca-<service>), so DATABASE_URL's
 * sslrootcert and REDIS_CA_FILE resolve in the client as in the API.
 */
export function clientPod(namespace: string, name: string, image: string, labels: Record<string, string>, apiPod?: Obj) {
  const api = apiPod?.containers?.[0] ?? {};
  const caVolumes = (apiPod?.volumes ?? []).filter((v: Obj) => String(v.name).startsWith("ca-"));
  const caMounts = (api.volumeMounts ?? []).filter((m: Obj) => String(m.name).startsWith("ca-"));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1001, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "client",
          image,
          imagePullPolicy: "IfNotPresent",
          command: ["/bin/sleep", "3600"],
          env: [...(api.env ?? []), { name: "PGCONNECT_TIMEOUT", value: "5" }],
          envFrom: api.envFrom ?? [],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          resources: {
            requests: { cpu: "10m", memory: "32Mi" },
            limits: { cpu: "200m", memory: "128Mi", "ephemeral-storage": "16Mi" },
          },
          ...(caMounts.length > 0 ? { volumeMounts: caMounts } : {}),
        },
      ],
      ...(caVolumes.length > 0 ? { volumes: caVolumes } : {}),
    },
  };
}

/**
 * The data check's four client pods, Ready: e2e-api-pg and e2e-api-redis carry the API's labels,
 * e2e-stranger-pg and e2e-stranger-redis do not; all take the API's env (and CA mounts).
 */
export function dataClients(
  namespace: string,
  apiPod: Obj,
  apiLabels: Record<string, string>,
  images: { pg: string; redis: string },
): void {
  const stranger = { app: "e2e-stranger" };
  const clients = [
    clientPod(namespace, "e2e-api-pg", images.pg, apiLabels, apiPod),
    clientPod(namespace, "e2e-api-redis", images.redis, apiLabels, apiPod),
    clientPod(namespace, "e2e-stranger-pg", images.pg, stranger, apiPod),
    clientPod(namespace, "e2e-stranger-redis", images.redis, stranger, apiPod),
  ];
  apply(clients as never);
  for (const c of clients) kubectl(["wait", "-n", namespace, "--for=condition=Ready", `pod/${c.metadata.name}`, "--timeout=180s"]);
}

/** Whether the API's pod mounts the data services' CAs (TLS inside the cluster). */
export const mountsCas = (apiPod: Obj) => (apiPod.volumes ?? []).some((v: Obj) => String(v.name).startsWith("ca-"));

/** redis-cli as the API runs it: TLS with the CA when the API's ConfigMap sets REDIS_TLS (shell text). */
export const REDIS_CLI = 'redis-cli ${REDIS_TLS:+--tls --cacert "$REDIS_CA_FILE"}';

/**
 * Waits for a `pulumi up` of a whole stack, bounded: what the operator adds beside the stack
 * (`beside`) goes in as soon as the namespace exists, `tick` runs every 2 s after that (e.g. to time
 * the acceptance check while the update runs), the pods' states are printed every minute, and past
 * `minutes` the update is killed and each pod says why it is not Ready. Fails on a failed update.
 */
export async function watchUp(
  up: Background,
  namespace: string,
  opts: { minutes: number; started: bigint; beside: () => object[]; tick?: () => void },
): Promise<Run> {
  let done = false;
  void up.done.then(() => (done = true));
  let besidePlaced = false;
  let lastReport = 0;
  const deadline = Date.now() + opts.minutes * 60_000;
  while (!done && Date.now() < deadline) {
    try {
      if (!besidePlaced && kubectl(["get", "namespaces", "-o", "json"]).items.some((n) => n.metadata.name === namespace)) {
        apply(opts.beside() as never);
        besidePlaced = true;
      }
      if (besidePlaced) opts.tick?.();
      if (Date.now() - lastReport > 60_000) {
        lastReport = Date.now();
        const pods = kubectl(["get", "pods", "-n", namespace, "-o", "json"]).items;
        console.log(`      [${since(opts.started).toFixed(0)} s] ${pods.map((p) => `${p.metadata.name}: ${podState(p)}`).join(" | ")}`);
      }
    } catch {
      // the namespace is not there yet
    }
    await sleep(2000);
  }
  if (!done) {
    const why = diagnose(namespace);
    await up.kill();
    assert.fail(`pulumi up did not complete in ${opts.minutes} min:\n${why}\n${up.out.slice(-3000)}`);
  }
  const run = await up.done;
  if (run.code !== 0) assert.fail(`pulumi up failed (${run.seconds.toFixed(0)} s):\n${run.out.slice(-4000)}\n${diagnose(namespace)}`);
  return run;
}
