// What every container the stack runs requests, from the objects the program defines itself and
// from the chart values (which container each chart renders, and how many replicas, per the
// pinned charts' templates: see README "Resource budget").
import { GRAFANA } from "../../services/grafana";
import { PROMETHEUS, prometheusServerService } from "../../services/prometheus";
import { POSTGRESQL } from "../../services/postgresql";
import { REDIS } from "../../services/redis";
import { parseQuantity } from "../../stack";
import { ProgramRun } from "./program";
import { T } from "./types";

export interface ContainerRequests {
  readonly workload: string;
  readonly container: string;
  readonly replicas: number;
  readonly requests?: { cpu?: string | number; memory?: string | number };
}

type Res = { requests?: { cpu?: string; memory?: string } } | undefined;
const c = (workload: string, container: string, replicas: number, resources: Res): ContainerRequests => ({
  workload,
  container,
  replicas,
  requests: resources?.requests,
});

// Workload names derive from the release name (the charts' fullname); container names are the charts' own.
function chartContainers(release: string, v: any): ContainerRequests[] {
  switch (release) {
    case POSTGRESQL.release: {
      const [primary, read] = [`${release}-primary`, `${release}-read`];
      const out = [c(primary, "postgresql", 1, v.primary?.resources)];
      if (v.metrics?.enabled) out.push(c(primary, "metrics", 1, v.metrics.resources));
      if (v.architecture === "replication") {
        const n = v.readReplicas?.replicaCount ?? 1;
        out.push(c(read, "postgresql", n, v.readReplicas?.resources));
        if (v.metrics?.enabled) out.push(c(read, "metrics", n, v.metrics.resources));
      }
      return out;
    }
    case REDIS.release: {
      const n = v.replica?.replicaCount ?? 3;
      const [master, replicas, node] = [`${release}-master`, `${release}-replicas`, `${release}-node`];
      const pods: Array<[string, number, Res]> =
        v.architecture === "standalone"
          ? [[master, 1, v.master?.resources]]
          : v.sentinel?.enabled
            ? [[node, n, v.replica?.resources]]
            : [
                [master, 1, v.master?.resources],
                [replicas, n, v.replica?.resources],
              ];
      const out = pods.map(([w, r, res]) => c(w, "redis", r, res));
      if (v.sentinel?.enabled) out.push(c(node, "sentinel", n, v.sentinel.resources));
      if (v.metrics?.enabled) for (const [w, r] of pods) out.push(c(w, "metrics", r, v.metrics.resources));
      return out;
    }
    case PROMETHEUS.release: {
      const n = v.server?.replicaCount ?? 1;
      const server = prometheusServerService(release); // the server Deployment shares the Service's name
      const out = [
        c(server, "prometheus-server", n, v.server?.resources),
        c(server, "configmap-reload", n, v.configmapReload?.prometheus?.resources),
      ];
      if (v.alertmanager?.enabled !== false)
        out.push(c(`${release}-alertmanager`, "alertmanager", v.alertmanager?.replicaCount ?? 1, v.alertmanager?.resources));
      if (v["kube-state-metrics"]?.enabled !== false)
        out.push(c(`${release}-kube-state-metrics`, "kube-state-metrics", 1, v["kube-state-metrics"]?.resources));
      if (v["prometheus-pushgateway"]?.enabled)
        out.push(c(`${release}-pushgateway`, "pushgateway", 1, v["prometheus-pushgateway"]?.resources));
      return out;
    }
    case GRAFANA.release: {
      const n = v.replicas ?? 1;
      return [c(release, "grafana", n, v.resources), c(release, "grafana-sc-dashboard", n, v.sidecar?.resources)];
    }
    case "neo4j":
    case "neo4j-1":
    case "neo4j-2":
    case "neo4j-3":
      // One StatefulSet of one pod per release (a standalone server, or one cluster member).
      return [c(release, "neo4j", 1, v.neo4j?.resources)];
    default:
      throw new Error(`no container table for release ${release}: add it to testbed/harness/requests.ts`);
  }
}

/** Every container of the stack with its replica count and requests. */
export function stackContainers(run: ProgramRun): ContainerRequests[] {
  const out: ContainerRequests[] = [];
  const hpas = run.ofType(T.HorizontalPodAutoscaler).map((h) => h.inputs.spec);
  for (const type of [T.Deployment, T.StatefulSet]) {
    for (const w of run.ofType(type)) {
      const name = w.inputs.metadata?.name ?? w.state.metadata?.name;
      const hpa = hpas.find((h) => h.scaleTargetRef?.name === name);
      const replicas = w.inputs.spec.replicas ?? hpa?.minReplicas ?? 1;
      for (const container of w.inputs.spec.template.spec.containers) out.push(c(name, container.name, replicas, container.resources));
    }
  }
  for (const release of run.ofType(T.Release)) out.push(...chartContainers(release.inputs.name, release.inputs.values ?? {}));
  return out;
}

/** Total requests in cores and bytes (replicas included; the HPA's minimum for autoscaled workloads). */
export function totalRequests(containers: ContainerRequests[]): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const x of containers) {
    cpu += x.replicas * (x.requests?.cpu === undefined ? 0 : (parseQuantity(x.requests.cpu) ?? 0));
    memory += x.replicas * (x.requests?.memory === undefined ? 0 : (parseQuantity(x.requests.memory) ?? 0));
  }
  return { cpu, memory };
}
