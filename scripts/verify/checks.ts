// The acceptance checks of a deployed stack, as pure functions of what kubectl returned: every pod
// Running and Ready (restarts counted), every workload at its replica count, every Service with
// ready endpoints, each HPA ScalingActive with a current metric, each PDB's allowed disruptions,
// every PVC Bound; and, for whatever fails, its recent events and which container logs to read.
// scripts/verify/cluster.ts reads the objects; scripts/verify.ts puts the pieces together.

/** An object as `kubectl get -o json` returns it (items of a List carry their kind). */
export type K8s = Record<string, any>;

/** ok and warn pass; fail makes verify exit non-zero; skip is a check that does not apply. */
export type Status = "ok" | "warn" | "fail" | "skip";

export const SECTIONS = {
  pods: "Pods",
  workloads: "Workloads",
  services: "Services",
  autoscaling: "Autoscaling",
  disruption: "Disruption budgets",
  volumes: "Volumes",
  entry: "Entry point",
  connections: "Connections allowed by the NetworkPolicies",
} as const;
export type Section = keyof typeof SECTIONS;

export interface EventLine {
  /** kind/name of the object the event is about (a Deployment's failures are on its ReplicaSets). */
  readonly object: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  /** When it last happened (ISO 8601), if the event says. */
  readonly last?: string;
}

export interface LogTail {
  readonly pod: string;
  readonly container: string;
  /** The log of the container's previous run (the one that crashed). */
  readonly previous: boolean;
  /** The last lines, or what kubectl said instead (e.g. the container is waiting to start). */
  readonly lines: string[];
}

export interface Check {
  readonly section: Section;
  /** kind/name as kubectl names it (pod/api-7c9…), or what the check is about (the URL, a connection). */
  readonly object: string;
  readonly status: Status;
  /** One line: the state, and for a failure the reason. */
  readonly summary: string;
  /** Figures for --json (ready counts, restarts, metrics, certificate fields…). */
  readonly facts?: Record<string, unknown>;
  /** Failing objects: their recent events, most recent last. */
  readonly events?: EventLine[];
  /** Failing pods: the tail of their containers' logs. */
  readonly logs?: LogTail[];
}

const conditionOf = (o: K8s, type: string): K8s | undefined => (o.status?.conditions ?? []).find((c: K8s) => c.type === type);
const nameOf = (o: K8s) => `${String(o.kind).toLowerCase()}/${o.metadata.name}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The objects of `kind` in `namespace` (every namespace when unset). */
export function ofKind(objects: K8s[], kind: string, namespace?: string): K8s[] {
  return objects.filter((o) => o.kind === kind && (namespace === undefined || o.metadata?.namespace === namespace));
}

/** Whether `labels` satisfy a label selector (matchLabels and matchExpressions, or a Service's plain map). */
export function selects(selector: K8s | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  const plain = selector.matchLabels === undefined && selector.matchExpressions === undefined;
  const matchLabels: Record<string, string> = plain ? selector : (selector.matchLabels ?? {});
  if (Object.entries(matchLabels).some(([k, v]) => labels[k] !== v)) return false;
  return (plain ? [] : (selector.matchExpressions ?? [])).every((e: K8s) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const within = has && (e.values ?? []).includes(labels[e.key]);
    return e.operator === "In" ? within : e.operator === "NotIn" ? !within : e.operator === "Exists" ? has : !has;
  });
}

// ---- pods -------------------------------------------------------------------------------------

const containerStatuses = (pod: K8s): K8s[] => [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];

/** Restarts of all of a pod's containers (init containers included). */
const restartsOf = (pod: K8s): number => containerStatuses(pod).reduce((n, c) => n + (c.restartCount ?? 0), 0);

/** Why a container is not serving: waiting (ErrImagePull, CrashLoopBackOff…), terminated, or running but not ready. */
function containerProblem(c: K8s, init: boolean): string | undefined {
  const w = c.state?.waiting;
  if (w) return `${c.name}: ${w.reason ?? "waiting"}${w.message ? ` (${oneLine(w.message)})` : ""}`;
  const t = c.state?.terminated;
  if (t) return init && t.exitCode === 0 ? undefined : `${c.name}: terminated ${t.reason ?? ""} exit ${t.exitCode}`.replace("  ", " ");
  if (!init && c.ready === false) return `${c.name}: running, not ready${c.started === false ? " (startup probe not passed)" : ""}`;
  return undefined;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/** The last restart's cause, e.g. "OOMKilled exit 137", from the container that restarted most recently. */
function lastRestart(pod: K8s): string | undefined {
  const restarted = containerStatuses(pod)
    .filter((c) => c.lastState?.terminated)
    .sort((a, b) => String(a.lastState.terminated.finishedAt).localeCompare(String(b.lastState.terminated.finishedAt)));
  const t = restarted.at(-1)?.lastState.terminated;
  return t ? `${restarted.at(-1)!.name} ${t.reason ?? "exited"} exit ${t.exitCode}${t.finishedAt ? ` at ${t.finishedAt}` : ""}` : undefined;
}

export function podCheck(pod: K8s): Check {
  const object = nameOf(pod);
  const phase: string = pod.status?.phase ?? "Unknown";
  const restarts = restartsOf(pod);
  const ready = conditionOf(pod, "Ready")?.status === "True";
  const facts = { phase, ready, restarts, node: pod.spec?.nodeName, lastRestart: lastRestart(pod) };
  const base = { section: "pods" as const, object, facts };
  const restartText = `${plural(restarts, "restart")}${restarts > 0 ? ` (last: ${lastRestart(pod)})` : ""}`;
  if (pod.metadata.deletionTimestamp) return { ...base, status: "warn", summary: `terminating since ${pod.metadata.deletionTimestamp}` };
  if (phase === "Succeeded") return { ...base, status: "ok", summary: "Completed (a finished Job's pod)" };
  if (phase === "Running" && ready) return { ...base, status: "ok", summary: `Running, Ready, ${restartText}` };

  const problems = [
    ...(pod.status?.initContainerStatuses ?? []).map((c: K8s) => containerProblem(c, true)),
    ...(pod.status?.containerStatuses ?? []).map((c: K8s) => containerProblem(c, false)),
  ].filter((p): p is string => p !== undefined);
  const scheduled = conditionOf(pod, "PodScheduled");
  if (phase === "Pending" && scheduled?.status === "False")
    problems.unshift(`not scheduled: ${scheduled.reason ?? ""}${scheduled.message ? ` (${oneLine(scheduled.message)})` : ""}`);
  else if (phase === "Pending" && !pod.spec?.nodeName && problems.length === 0) problems.push("not scheduled to a node yet");
  if (phase === "Failed" && pod.status?.reason)
    problems.unshift(`${pod.status.reason}${pod.status.message ? `: ${oneLine(pod.status.message)}` : ""}`);
  if (problems.length === 0 && !ready) problems.push(oneLine(conditionOf(pod, "Ready")?.message ?? "not Ready"));
  return { ...base, status: "fail", summary: `${phase}, not Ready: ${problems.join("; ")}; ${restartText}` };
}

// ---- workloads --------------------------------------------------------------------------------

export function workloadCheck(w: K8s): Check {
  const object = nameOf(w);
  const s = w.status ?? {};
  let want: number;
  let ready: number;
  let updated: number;
  if (w.kind === "DaemonSet") {
    want = s.desiredNumberScheduled ?? 0;
    ready = s.numberReady ?? 0;
    updated = s.updatedNumberScheduled ?? 0;
  } else {
    want = w.spec?.replicas ?? w.status?.replicas ?? 1;
    ready = s.readyReplicas ?? 0;
    updated = s.updatedReplicas ?? (w.kind === "StatefulSet" && s.currentRevision === s.updateRevision ? (s.currentReplicas ?? 0) : 0);
  }
  const facts = { desired: want, ready, updated };
  const base = { section: "workloads" as const, object, facts };
  const failure = conditionOf(w, "ReplicaFailure");
  if (failure?.status === "True") return { ...base, status: "fail", summary: `${failure.reason}: ${oneLine(failure.message ?? "")}` };
  const progressing = conditionOf(w, "Progressing");
  if (progressing?.status === "False")
    return { ...base, status: "fail", summary: `${progressing.reason}: ${oneLine(progressing.message ?? "")}; ${ready}/${want} ready` };
  if (ready < want) return { ...base, status: "fail", summary: `${ready}/${want} ready` };
  if (updated < want)
    return { ...base, status: "warn", summary: `${ready}/${want} ready, ${updated} on the current template (rollout under way)` };
  return { ...base, status: "ok", summary: want === 0 ? "scaled to 0" : `${ready}/${want} ready` };
}

// ---- services ---------------------------------------------------------------------------------

export function serviceCheck(svc: K8s, objects: K8s[]): Check {
  const object = nameOf(svc);
  const ns = svc.metadata.namespace;
  const base = { section: "services" as const, object };
  if (svc.spec?.type === "ExternalName")
    return { ...base, status: "skip", summary: `ExternalName ${svc.spec.externalName}: no endpoints of its own` };
  const slices = ofKind(objects, "EndpointSlice", ns).filter(
    (s) => s.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name,
  );
  const endpoints: K8s[] = slices.flatMap((s) => s.endpoints ?? []);
  // A missing `ready` condition means ready (EndpointSlice API).
  const ready = endpoints.filter((e) => e.conditions?.ready !== false);
  const addresses = (es: K8s[]) => es.map((e) => e.targetRef?.name ?? e.addresses?.[0]);
  const facts = {
    ready: ready.length,
    total: endpoints.length,
    endpoints: addresses(ready),
    notReady: addresses(endpoints.filter((e) => !ready.includes(e))),
  };
  if (!svc.spec?.selector && endpoints.length === 0)
    return { ...base, facts, status: "skip", summary: "no selector and no endpoints: its endpoints are managed elsewhere" };
  if (ready.length === 0) {
    const selected = ofKind(objects, "Pod", ns).filter((p) => selects(svc.spec?.selector, p.metadata.labels));
    const why =
      selected.length === 0
        ? "its selector matches no pod"
        : `${plural(selected.length, "pod")} selected, none Ready: ${selected.map((p) => p.metadata.name).join(", ")}`;
    return { ...base, facts, status: "fail", summary: `no ready endpoint (${why})` };
  }
  const missing = endpoints.length - ready.length;
  return {
    ...base,
    facts,
    status: missing > 0 ? "warn" : "ok",
    summary: `${ready.length}/${endpoints.length} endpoints ready${missing > 0 ? ` (not ready: ${facts.notReady.join(", ")})` : ""}`,
  };
}

// ---- HPA, PDB, PVC ----------------------------------------------------------------------------

/** A metric of an HPA's status as "cpu 12% (target 70%)", matched to its target in the spec. */
function describeMetric(current: K8s, spec: K8s[]): { text: string; hasValue: boolean } {
  const type: string = current.type;
  const key = type.charAt(0).toLowerCase() + type.slice(1); // Resource -> resource, ContainerResource -> containerResource
  const c = current[key] ?? {};
  const name = c.name ?? c.metric?.name ?? c.describedObject?.name ?? type;
  const value = c.current?.averageUtilization ?? c.current?.averageValue ?? c.current?.value;
  const unit = c.current?.averageUtilization !== undefined ? "%" : "";
  const target = spec.find((m) => m.type === type && (m[key]?.name ?? m[key]?.metric?.name) === (c.name ?? c.metric?.name))?.[key]?.target;
  const targetValue = target?.averageUtilization ?? target?.averageValue ?? target?.value;
  const targetText = targetValue === undefined ? "" : ` (target ${targetValue}${target?.averageUtilization !== undefined ? "%" : ""})`;
  return { text: `${name} ${value ?? "unknown"}${value === undefined ? "" : unit}${targetText}`, hasValue: value !== undefined };
}

export function hpaCheck(hpa: K8s): Check {
  const object = nameOf(hpa);
  const s = hpa.status ?? {};
  const specMetrics: K8s[] = hpa.spec?.metrics ?? [];
  const metrics = (s.currentMetrics ?? []).map((m: K8s) => describeMetric(m, specMetrics));
  const facts = {
    currentReplicas: s.currentReplicas,
    desiredReplicas: s.desiredReplicas,
    minReplicas: hpa.spec?.minReplicas ?? 1,
    maxReplicas: hpa.spec?.maxReplicas,
    metrics: metrics.map((m: { text: string }) => m.text),
  };
  const base = { section: "autoscaling" as const, object, facts };
  const active = conditionOf(hpa, "ScalingActive");
  const able = conditionOf(hpa, "AbleToScale");
  const cond = (c: K8s) => `${c.type} ${c.status}: ${c.reason}${c.message ? ` (${oneLine(c.message)})` : ""}`;
  if (!active) return { ...base, status: "fail", summary: "no ScalingActive condition yet: the HPA controller has not evaluated it" };
  if (active.status !== "True") return { ...base, status: "fail", summary: cond(active) };
  if (able?.status === "False") return { ...base, status: "fail", summary: cond(able) };
  const withValue = metrics.filter((m: { hasValue: boolean }) => m.hasValue).length;
  if (withValue < Math.max(specMetrics.length, 1))
    return {
      ...base,
      status: "fail",
      summary: `ScalingActive, but ${withValue} of ${Math.max(specMetrics.length, 1)} metrics have a current value`,
    };
  const range = `${facts.minReplicas}..${facts.maxReplicas}`;
  return { ...base, status: "ok", summary: `ScalingActive, ${s.currentReplicas} replicas (${range}); ${facts.metrics.join(", ")}` };
}

export function pdbCheck(pdb: K8s): Check {
  const object = nameOf(pdb);
  const s = pdb.status ?? {};
  const facts = {
    disruptionsAllowed: s.disruptionsAllowed ?? 0,
    currentHealthy: s.currentHealthy ?? 0,
    desiredHealthy: s.desiredHealthy ?? 0,
    expectedPods: s.expectedPods ?? 0,
  };
  const base = { section: "disruption" as const, object, facts };
  const counts = `${facts.currentHealthy} healthy, ${facts.desiredHealthy} required, ${facts.expectedPods} expected`;
  const allowed = `${plural(facts.disruptionsAllowed, "disruption")} allowed`;
  if (facts.expectedPods === 0) return { ...base, status: "warn", summary: `selects no pod (${counts})` };
  if (facts.currentHealthy < facts.desiredHealthy) return { ...base, status: "fail", summary: `below its budget: ${counts}` };
  if (facts.disruptionsAllowed === 0)
    return { ...base, status: "warn", summary: `${allowed} (${counts}): a node drain would wait for more pods` };
  return { ...base, status: "ok", summary: `${allowed} (${counts})` };
}

/**
 * A claim is Bound, or waits by design: Pending on a class that binds when a pod first uses it
 * (WaitForFirstConsumer: the claim's last event says so) while no pod of the namespace uses it yet,
 * such as the backup CronJob's volume between runs. Pending with a pod waiting for it fails.
 */
export function pvcCheck(pvc: K8s, objects: K8s[] = []): Check {
  const object = nameOf(pvc);
  const phase: string = pvc.status?.phase ?? "Unknown";
  const facts = {
    phase,
    volume: pvc.spec?.volumeName,
    capacity: pvc.status?.capacity?.storage,
    storageClass: pvc.spec?.storageClassName,
    accessModes: pvc.status?.accessModes ?? pvc.spec?.accessModes,
  };
  const base = { section: "volumes" as const, object, facts };
  if (phase === "Pending") {
    const namespace = pvc.metadata?.namespace ?? "";
    const waiting = eventsAbout(objects, namespace, "PersistentVolumeClaim", pvc.metadata?.name).at(-1)?.reason === "WaitForFirstConsumer";
    const users = ofKind(objects, "Pod", namespace).filter((p) =>
      (p.spec?.volumes ?? []).some((v: K8s) => v.persistentVolumeClaim?.claimName === pvc.metadata?.name),
    );
    if (waiting && users.length === 0)
      return {
        ...base,
        status: "ok",
        summary: `not bound yet, by design: class ${facts.storageClass ?? "default"} binds on first use, and no pod uses it now`,
      };
  }
  if (phase !== "Bound") return { ...base, status: "fail", summary: `${phase} (class ${facts.storageClass ?? "default"})` };
  return {
    ...base,
    status: "ok",
    summary: `Bound to ${facts.volume}, ${facts.capacity}, ${(facts.accessModes ?? []).join(",")}, class ${facts.storageClass}`,
  };
}

/** Every check of the objects of `namespace`, in section order. */
export function objectChecks(objects: K8s[], namespace: string): Check[] {
  const of = (kind: string) => ofKind(objects, kind, namespace).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return [
    ...of("Pod").map(podCheck),
    ...["Deployment", "StatefulSet", "DaemonSet"].flatMap((k) => of(k).map(workloadCheck)),
    ...of("Service").map((s) => serviceCheck(s, objects)),
    ...of("HorizontalPodAutoscaler").map(hpaCheck),
    ...of("PodDisruptionBudget").map(pdbCheck),
    ...of("PersistentVolumeClaim").map((c) => pvcCheck(c, objects)),
  ];
}

// ---- diagnostics ------------------------------------------------------------------------------

const eventTime = (e: K8s): string | undefined =>
  e.series?.lastObservedTime ??
  e.lastTimestamp ??
  e.deprecatedLastTimestamp ??
  e.eventTime ??
  e.firstTimestamp ??
  e.metadata?.creationTimestamp;

/** Core v1 Events (involvedObject) and events.k8s.io Events (regarding) about `kind`/`name`, oldest first. */
function eventsAbout(objects: K8s[], namespace: string, kind: string, name: string): EventLine[] {
  return ofKind(objects, "Event", namespace)
    .filter((e) => {
      const about = e.involvedObject ?? e.regarding ?? {};
      return about.kind === kind && about.name === name;
    })
    .map((e) => ({
      object: `${kind.toLowerCase()}/${name}`,
      type: e.type ?? "Normal",
      reason: e.reason ?? "",
      message: oneLine(e.message ?? e.note ?? ""),
      count: e.series?.count ?? e.count ?? e.deprecatedCount ?? 1,
      last: eventTime(e),
    }))
    .sort(byTime);
}

const byTime = (a: EventLine, b: EventLine) => String(a.last ?? "").localeCompare(String(b.last ?? ""));

/**
 * The most recent events (at most `limit`) of a failing object, oldest first: a Deployment's own and
 * its ReplicaSets' (where "FailedCreate … forbidden" lands), any other object's own.
 */
export function recentEvents(objects: K8s[], check: Check, namespace: string, limit = 6): EventLine[] {
  const [kindLower, name] = check.object.split("/");
  const owner = objects.find(
    (o) => String(o.kind).toLowerCase() === kindLower && o.metadata?.name === name && o.metadata?.namespace === namespace,
  );
  if (!owner) return [];
  const related =
    owner.kind === "Deployment"
      ? ofKind(objects, "ReplicaSet", namespace).filter((rs) =>
          (rs.metadata.ownerReferences ?? []).some((r: K8s) => r.uid === owner.metadata.uid),
        )
      : [];
  const events = [owner, ...related].flatMap((o) => eventsAbout(objects, namespace, o.kind, o.metadata.name));
  return events.sort(byTime).slice(-limit);
}

export interface LogRequest {
  readonly pod: string;
  readonly container: string;
  readonly previous: boolean;
}

/**
 * The container logs worth reading for a failing pod: each container that is not ready (init
 * containers that did not finish included); the previous run's when it restarted and is not running now.
 * None for a pod that was never scheduled.
 */
export function logRequests(pod: K8s, limit = 3): LogRequest[] {
  if (!pod.spec?.nodeName) return []; // never scheduled: no container has run
  const notServing = [
    ...(pod.status?.initContainerStatuses ?? []).filter((c: K8s) => c.state?.terminated?.exitCode !== 0),
    ...(pod.status?.containerStatuses ?? []).filter((c: K8s) => c.ready !== true),
  ];
  const named = notServing.length > 0 ? notServing : (pod.spec?.containers ?? []).map((c: K8s) => ({ name: c.name }));
  return named.slice(0, limit).map((c: K8s) => ({
    pod: pod.metadata.name,
    container: c.name,
    previous: (c.restartCount ?? 0) > 0 && !c.state?.running && c.lastState?.terminated !== undefined,
  }));
}
