// Facts about chart values the policy pack reads. The pack sees a helm.v3.Release's values, not
// the pods the chart will render, so these rules look for the value patterns that are known to
// render a defect: cluster-wide Secret access, containers without a memory limit, and containers
// with a writable root filesystem.

/** The chart's name: the last path segment of its reference (oci://host/path/grafana -> grafana). */
export function chartName(chart: unknown): string {
  return typeof chart === "string" ? (chart.split("/").pop() ?? chart).replace(/\.tgz$/, "").replace(/-\d+\.\d+\.\d+.*$/, "") : "";
}

const isObject = (v: unknown): v is Record<string, any> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every value under `key` anywhere in `values`, with its dotted path. */
function findKey(values: unknown, key: string, at = ""): { path: string; value: unknown }[] {
  if (Array.isArray(values)) return values.flatMap((v, i) => findKey(v, key, `${at}[${i}]`));
  if (!isObject(values)) return [];
  return Object.entries(values).flatMap(([k, v]) => {
    const path = at ? `${at}.${k}` : k;
    return [...(k === key ? [{ path, value: v }] : []), ...findKey(v, key, path)];
  });
}

/**
 * Where a chart's values grant a cluster-wide read of Secrets, with what to set instead.
 * - grafana: chart RBAC that is not namespaced renders a ClusterRole on configmaps and secrets;
 *   a namespaced Role of the chart still lists Secrets unless it binds to an existing Role; a
 *   sidecar that watches "both" or "secret" needs that access.
 * - prometheus: the kube-state-metrics subchart lists and watches every Secret unless the
 *   secrets collector is excluded.
 */
export function clusterSecretAccess(chart: string, values: Record<string, any>): string[] {
  const found: string[] = [];
  if (chart === "grafana") {
    const rbac = values.rbac ?? {};
    if (rbac.create !== false) {
      if (rbac.namespaced !== true)
        found.push("rbac.namespaced is not true: the chart creates a ClusterRole that reads every Secret and ConfigMap");
      else if (!rbac.useExistingRole) found.push("rbac.useExistingRole is unset: the chart's namespaced Role still reads Secrets");
    }
    for (const kind of ["dashboards", "datasources", "notifiers", "alerts", "plugins"]) {
      const sidecar = values.sidecar?.[kind];
      if (sidecar?.enabled === true && ["both", "secret"].includes(sidecar.resource ?? "both"))
        found.push(`sidecar.${kind}.resource is "${sidecar.resource ?? "both"} (default)": set "configmap"`);
    }
  }
  if (chart === "prometheus") {
    const ksm = values["kube-state-metrics"] ?? {};
    const excluded: unknown[] = ksm.collectorsExclude ?? [];
    const collectors: unknown[] | undefined = ksm.collectors;
    const collectsSecrets = collectors ? collectors.includes("secrets") : true;
    if (ksm.enabled !== false && collectsSecrets && !excluded.includes("secrets"))
      found.push('kube-state-metrics collects Secrets cluster-wide: add "secrets" to kube-state-metrics.collectorsExclude');
  }
  return found;
}

/** `resources` blocks that request resources but set no memory limit. */
export function missingMemoryLimits(values: unknown): string[] {
  return findKey(values, "resources")
    .filter(({ value }) => isObject(value) && isObject(value.requests) && !(isObject(value.limits) && value.limits.memory !== undefined))
    .map(({ path }) => path);
}

/**
 * Writable roots accepted for a chart at exactly one values path, each with the reason. neo4j: the
 * official image's entrypoint writes the effective neo4j.conf into /var/lib/neo4j/conf and removes
 * a pid file under /var/lib/neo4j/run at every start, so its container cannot run read-only.
 */
const WRITABLE_ROOT_EXCEPTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  neo4j: {
    "containerSecurityContext.readOnlyRootFilesystem": "the image's entrypoint rewrites neo4j.conf under /var/lib/neo4j at every start",
  },
};

/**
 * Container security contexts that leave the root filesystem writable: any explicit
 * `readOnlyRootFilesystem: false` (except a documented WRITABLE_ROOT_EXCEPTIONS entry), and the
 * container contexts of charts whose own default is writable (grafana and its sidecar) when they
 * do not set it to true.
 */
export function writableRootFilesystems(chart: string, values: Record<string, any>): string[] {
  const excepted = WRITABLE_ROOT_EXCEPTIONS[chart] ?? {};
  const explicit = findKey(values, "readOnlyRootFilesystem")
    .filter(({ value, path }) => value === false && !(path in excepted))
    .map(({ path }) => path);
  const required: Record<string, string[]> = {
    grafana: ["containerSecurityContext", "sidecar.securityContext"],
  };
  const unset = (required[chart] ?? []).filter(
    (path) => path.split(".").reduce<any>((node, key) => (isObject(node) ? node[key] : undefined), values)?.readOnlyRootFilesystem !== true,
  );
  return [...explicit, ...unset.map((p) => `${p}.readOnlyRootFilesystem`)];
}

/**
 * Why the prometheus chart's Alertmanager would notify no one, or undefined: it is enabled (the
 * chart's default) and no receiver of `alertmanager.config.receivers` has a notifier
 * (`slack_configs`, `pagerduty_configs`, `email_configs`, `webhook_configs`, ...). The chart's
 * own default receiver has none.
 */
export function alertmanagerWithoutReceiver(chart: string, values: Record<string, any>): string | undefined {
  if (chart !== "prometheus") return undefined;
  const am = values.alertmanager ?? {};
  if (am.enabled === false) return undefined;
  const receivers: unknown[] = Array.isArray(am.config?.receivers) ? am.config.receivers : [];
  const notifies = receivers.some(
    (r) => isObject(r) && Object.entries(r).some(([key, value]) => key.endsWith("_configs") && Array.isArray(value) && value.length > 0),
  );
  return notifies
    ? undefined
    : `Alertmanager has no receiver with a notifier (${receivers.length} in alertmanager.config.receivers), so alerts reach no one`;
}
