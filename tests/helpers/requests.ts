// What every container the stack runs requests, from the objects the program defines itself and
// from the chart values (which container each chart renders, and how many replicas, per the
// pinned charts' templates: see README "Resource budget").
import { parseQuantity } from "../../config";
import { ProgramRun } from "./program";

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

function chartContainers(release: string, v: any): ContainerRequests[] {
  switch (release) {
    case "postgresql": {
      const out = [c("postgresql-primary", "postgresql", 1, v.primary?.resources)];
      if (v.metrics?.enabled) out.push(c("postgresql-primary", "metrics", 1, v.metrics.resources));
      if (v.architecture === "replication") {
        const n = v.readReplicas?.replicaCount ?? 1;
        out.push(c("postgresql-read", "postgresql", n, v.readReplicas?.resources));
        if (v.metrics?.enabled) out.push(c("postgresql-read", "metrics", n, v.metrics.resources));
      }
      return out;
    }
    case "redis": {
      const n = v.replica?.replicaCount ?? 3;
      const pods: Array<[string, number, Res]> =
        v.architecture === "standalone"
          ? [["redis-master", 1, v.master?.resources]]
          : v.sentinel?.enabled
            ? [["redis-node", n, v.replica?.resources]]
            : [
                ["redis-master", 1, v.master?.resources],
                ["redis-replicas", n, v.replica?.resources],
              ];
      const out = pods.map(([w, r, res]) => c(w, "redis", r, res));
      if (v.sentinel?.enabled) out.push(c("redis-node", "sentinel", n, v.sentinel.resources));
      if (v.metrics?.enabled) for (const [w, r] of pods) out.push(c(w, "metrics", r, v.metrics.resources));
      return out;
    }
    case "prometheus": {
      const n = v.server?.replicaCount ?? 1;
      const out = [
        c("prometheus-server", "prometheus-server", n, v.server?.resources),
        c("prometheus-server", "configmap-reload", n, v.configmapReload?.prometheus?.resources),
      ];
      if (v.alertmanager?.enabled !== false)
        out.push(c("prometheus-alertmanager", "alertmanager", v.alertmanager?.replicaCount ?? 1, v.alertmanager?.resources));
      if (v["kube-state-metrics"]?.enabled !== false)
        out.push(c("prometheus-kube-state-metrics", "kube-state-metrics", 1, v["kube-state-metrics"]?.resources));
      if (v["prometheus-pushgateway"]?.enabled)
        out.push(c("prometheus-pushgateway", "pushgateway", 1, v["prometheus-pushgateway"]?.resources));
      return out;
    }
    case "grafana": {
      const n = v.replicas ?? 1;
      return [c("grafana", "grafana", n, v.resources), c("grafana", "grafana-sc-dashboard", n, v.sidecar?.resources)];
    }
    case "neo4j":
    case "neo4j-1":
    case "neo4j-2":
    case "neo4j-3":
      // One StatefulSet of one pod per release (a standalone server, or one cluster member).
      return [c(release, "neo4j", 1, v.neo4j?.resources)];
    default:
      throw new Error(`no container table for release ${release}: add it to tests/helpers/requests.ts`);
  }
}

/** Every container of the stack with its replica count and requests. */
export function stackContainers(run: ProgramRun): ContainerRequests[] {
  const out: ContainerRequests[] = [];
  const hpas = run.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((h) => h.inputs.spec);
  for (const type of ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"]) {
    for (const w of run.ofType(type)) {
      const name = w.inputs.metadata?.name ?? w.state.metadata?.name;
      const hpa = hpas.find((h) => h.scaleTargetRef?.name === name);
      const replicas = w.inputs.spec.replicas ?? hpa?.minReplicas ?? 1;
      for (const container of w.inputs.spec.template.spec.containers) out.push(c(name, container.name, replicas, container.resources));
    }
  }
  for (const release of run.ofType("kubernetes:helm.sh/v3:Release"))
    out.push(...chartContainers(release.inputs.name, release.inputs.values ?? {}));
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
