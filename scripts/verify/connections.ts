// Whether the NetworkPolicies live in the cluster let the API reach what the stack's outputs say it
// uses: PostgreSQL, Redis (each sentinel and the Redis nodes behind them where Sentinel is on),
// Neo4j, and the cluster DNS. Pure: the objects come from scripts/verify/cluster.ts, host names
// resolve through the Services and pods of the snapshot (in-cluster names) or the addresses looked
// up for them (external hosts), and network-policy.ts evaluates each connection.
// The API's contract file itself rather than services/api (its public surface): verify reads the
// cluster through kubectl, and the surface would load the Pulumi SDK and the component with it.
import { apiSelectorLabels } from "../../services/api/api.contract";
import { Check, K8s, ofKind, selects } from "./checks";
import { connectionVerdict, DirectionVerdict, Endpoint, NetworkPolicy } from "./network-policy";

/** The stack outputs verify reads (index.ts); secret outputs arrive as "[secret]" and are not used. */
export interface StackOutputs {
  readonly namespace?: string;
  readonly url?: string;
  readonly caCertificate?: string;
  readonly database?: { readonly host: string; readonly port: number };
  readonly redis?: {
    readonly mode: "standalone" | "sentinel";
    readonly host: string;
    readonly port: number;
    readonly sentinel?: { readonly hosts: string[]; readonly port: number; readonly masterSet: string };
  };
  readonly neo4j?: { readonly host: string; readonly port: number };
}

/** A connection the API opens: which service, to which host and port. */
export interface Target {
  readonly service: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: "TCP" | "UDP";
}

/** The cluster DNS Service most distributions run (CoreDNS under the kube-dns name). */
export const CLUSTER_DNS = { namespace: "kube-system", service: "kube-dns", port: 53 } as const;

/** The connections the API needs, from the stack outputs. */
export function connectionTargets(outputs: StackOutputs): Target[] {
  const tcp = (service: string, host: string, port: number): Target => ({ service, host, port, protocol: "TCP" });
  const out: Target[] = [];
  if (outputs.database) out.push(tcp("PostgreSQL", outputs.database.host, outputs.database.port));
  const r = outputs.redis;
  if (r?.mode === "sentinel" && r.sentinel) {
    // The sentinels name the master by its node's address: the API reaches every node's Redis port.
    for (const host of r.sentinel.hosts) out.push(tcp(`Redis Sentinel (${r.sentinel.masterSet})`, host, r.sentinel.port));
    for (const host of r.sentinel.hosts) out.push(tcp("Redis (master through Sentinel)", host, r.port));
  } else if (r) out.push(tcp("Redis", r.host, r.port));
  if (outputs.neo4j) out.push(tcp("Neo4j", outputs.neo4j.host, outputs.neo4j.port));
  return out;
}

/** An in-cluster DNS name: a Service, or a pod by hostname under a (headless) Service. */
interface ClusterName {
  readonly namespace: string;
  readonly service: string;
  readonly hostname?: string;
  /** A two-label name (service.namespace) that is only in-cluster when such a Service exists. */
  readonly maybe?: boolean;
}

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

/** Parses <svc>, <svc>.<ns>, <svc>.<ns>.svc[.<cluster domain>] and <host>.<svc>.<ns>.svc[.<cluster domain>]. */
export function clusterName(host: string, namespace: string): ClusterName | undefined {
  const h = host.toLowerCase().replace(/\.$/, "");
  let m = h.match(new RegExp(`^(${LABEL})\\.(${LABEL})\\.(${LABEL})\\.svc(\\..+)?$`));
  if (m) return { hostname: m[1], service: m[3], namespace: m[5] };
  m = h.match(new RegExp(`^(${LABEL})\\.(${LABEL})\\.svc(\\..+)?$`));
  if (m) return { service: m[1], namespace: m[3] };
  if (new RegExp(`^${LABEL}$`).test(h)) return { service: h, namespace };
  m = h.match(new RegExp(`^(${LABEL})\\.(${LABEL})$`));
  if (m) return { service: m[1], namespace: m[3], maybe: true };
  return undefined;
}

/** Namespaces other than the stack's that the outputs' host names point into (their objects are read too). */
export function referencedNamespaces(outputs: StackOutputs, namespace: string): string[] {
  const names = connectionTargets(outputs).map((t) => clusterName(t.host, namespace));
  return [...new Set(names.filter((n) => n && !n.maybe && n.namespace !== namespace).map((n) => n!.namespace))];
}

/** Host names outside the cluster, whose addresses the caller looks up for the ipBlock rules. */
export function externalHosts(outputs: StackOutputs, objects: K8s[], namespace: string): string[] {
  return [
    ...new Set(
      connectionTargets(outputs)
        .filter((t) => resolve(t, objects, namespace, {}, {}).kind === "external")
        .map((t) => t.host),
    ),
  ];
}

type Resolved =
  | { readonly kind: "pods"; readonly via: string; readonly pods: { readonly endpoint: Endpoint; readonly port: number }[] }
  | { readonly kind: "external"; readonly host: string; readonly addresses: string[] }
  | { readonly kind: "unresolved"; readonly reason: string };

/** A live pod as the policy evaluator sees it. */
function podEndpoint(pod: K8s, namespaceLabels: Record<string, Record<string, string>>): Endpoint {
  const ns: string = pod.metadata.namespace;
  return {
    name: `pod/${pod.metadata.name}`,
    ip: pod.status?.podIP ?? "",
    namespace: ns,
    namespaceLabels: namespaceLabels[ns] ?? { "kubernetes.io/metadata.name": ns },
    labels: pod.metadata.labels ?? {},
    ports: (pod.spec?.containers ?? []).flatMap((c: K8s) => c.ports ?? []),
  };
}

/** The pod port a Service port leads to on `pod` (a named targetPort is looked up in its containers). */
function targetPortOn(pod: K8s, servicePort: K8s): number | undefined {
  const t = servicePort.targetPort ?? servicePort.port;
  if (typeof t === "number") return t;
  if (/^\d+$/.test(String(t))) return Number(t);
  const named = (pod.spec?.containers ?? []).flatMap((c: K8s) => c.ports ?? []).find((p: K8s) => p.name === t);
  return named?.containerPort;
}

function resolve(
  target: Target,
  objects: K8s[],
  namespace: string,
  namespaceLabels: Record<string, Record<string, string>>,
  addresses: Record<string, string[]>,
): Resolved {
  const external = (host: string): Resolved => ({ kind: "external", host, addresses: addresses[host] ?? [] });
  const name = clusterName(target.host, namespace);
  if (!name) return external(target.host);
  const svc = ofKind(objects, "Service", name.namespace).find((s) => s.metadata.name === name.service);
  if (!svc)
    return name.maybe ? external(target.host) : { kind: "unresolved", reason: `no Service ${name.service} in namespace ${name.namespace}` };
  const live = ofKind(objects, "Pod", name.namespace).filter((p) => !p.metadata.deletionTimestamp);
  if (name.hostname) {
    // A pod's own DNS name: no Service port in between, the port is the pod's.
    const pod = live.find((p) => (p.spec?.hostname ?? p.metadata.name) === name.hostname && p.spec?.subdomain === name.service);
    if (!pod) return { kind: "unresolved", reason: `no pod with hostname ${name.hostname} under Service ${name.service}` };
    return { kind: "pods", via: `pod/${pod.metadata.name}`, pods: [{ endpoint: podEndpoint(pod, namespaceLabels), port: target.port }] };
  }
  if (svc.spec?.type === "ExternalName") return external(svc.spec.externalName);
  const servicePort = (svc.spec?.ports ?? []).find((p: K8s) => p.port === target.port && (p.protocol ?? "TCP") === target.protocol);
  if (!servicePort) return { kind: "unresolved", reason: `Service ${name.service} has no ${target.protocol} port ${target.port}` };
  if (!svc.spec?.selector)
    return { kind: "unresolved", reason: `Service ${name.service} has no selector: its endpoints are not pods of a workload` };
  const pods = live.filter((p) => selects(svc.spec.selector, p.metadata.labels));
  if (pods.length === 0) return { kind: "unresolved", reason: `Service ${name.service} selects no pod` };
  return {
    kind: "pods",
    via: `service/${name.service}`,
    pods: pods.map((p) => ({ endpoint: podEndpoint(p, namespaceLabels), port: targetPortOn(p, servicePort) ?? target.port })),
  };
}

/** The API pods the connections are evaluated from: one per distinct label set (usually one). */
function apiSources(objects: K8s[], namespace: string, namespaceLabels: Record<string, Record<string, string>>): Endpoint[] {
  const pods = ofKind(objects, "Pod", namespace).filter(
    (p) => !p.metadata.deletionTimestamp && selects({ matchLabels: apiSelectorLabels() }, p.metadata.labels),
  );
  const seen = new Set<string>();
  return pods
    .filter((p) => {
      const key = JSON.stringify(Object.entries(p.metadata.labels ?? {}).sort());
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .map((p) => podEndpoint(p, namespaceLabels));
}

/** NetworkPolicy objects as the evaluator takes them. */
function livePolicies(objects: K8s[]): NetworkPolicy[] {
  return ofKind(objects, "NetworkPolicy").map((p) => ({ namespace: p.metadata.namespace, name: p.metadata.name, spec: p.spec }));
}

const refusal = (side: string, v: DirectionVerdict) => `${side} refused (selected by ${v.selecting.join(", ")}; none allows it)`;

/** One check per target: allowed from every API pod to every pod (or address) behind it, or why not. */
export function connectionChecks(
  outputs: StackOutputs,
  objects: K8s[],
  namespace: string,
  namespaceLabels: Record<string, Record<string, string>>,
  addresses: Record<string, string[]>,
): Check[] {
  const targets = connectionTargets(outputs);
  const dnsService = ofKind(objects, "Service", CLUSTER_DNS.namespace).find((s) => s.metadata.name === CLUSTER_DNS.service);
  if (dnsService) {
    const host = `${CLUSTER_DNS.service}.${CLUSTER_DNS.namespace}.svc`;
    targets.push(
      { service: "DNS", host, port: CLUSTER_DNS.port, protocol: "UDP" },
      { service: "DNS", host, port: CLUSTER_DNS.port, protocol: "TCP" },
    );
  }
  const policies = livePolicies(objects);
  const sources = apiSources(objects, namespace, namespaceLabels);
  return targets.map((t): Check => {
    const object = `${t.service} ${t.host}:${t.port}${t.protocol === "UDP" ? "/UDP" : ""}`;
    const base = { section: "connections" as const, object };
    if (sources.length === 0) return { ...base, status: "fail", summary: "no running API pod to evaluate the connection from" };
    const r = resolve(t, objects, namespace, namespaceLabels, addresses);
    if (r.kind === "unresolved") return { ...base, status: "fail", summary: `cannot be reached: ${r.reason}` };
    const destinations =
      r.kind === "pods"
        ? r.pods
        : (r.addresses.length > 0 ? r.addresses : [""]).map((ip) => ({ endpoint: { name: r.host, ip } as Endpoint, port: t.port }));
    const refused: string[] = [];
    const allowedBy = new Set<string>();
    for (const src of sources)
      for (const d of destinations) {
        const v = connectionVerdict(policies, src, d.endpoint, d.port, t.protocol);
        if (!v.egress.allowed) refused.push(`${refusal(`${src.name} egress to ${d.endpoint.name || t.host}:${d.port}`, v.egress)}`);
        if (!v.ingress.allowed) refused.push(`${refusal(`${d.endpoint.name}:${d.port} ingress from ${src.name}`, v.ingress)}`);
        [...v.egress.allowing, ...v.ingress.allowing].forEach((n) => allowedBy.add(n));
      }
    const via =
      r.kind === "pods"
        ? `${r.via} -> ${r.pods.map((p) => `${p.endpoint.name}:${p.port}`).join(", ")}`
        : `${r.host} (${r.addresses.join(", ") || "not resolved here"})`;
    const facts = { via, allowedBy: [...allowedBy].sort(), refused };
    if (refused.length > 0) {
      // An external name that did not resolve here: its ipBlock rules cannot be judged.
      if (r.kind === "external" && r.addresses.length === 0)
        return {
          ...base,
          facts,
          status: "warn",
          summary: `${t.host} does not resolve here: cannot tell whether an ipBlock of the API's egress covers it`,
        };
      return { ...base, facts, status: "fail", summary: refused.join("; ") };
    }
    const by = allowedBy.size > 0 ? `allowed by ${[...allowedBy].sort().join(", ")}` : "allowed (no policy isolates either side)";
    return { ...base, facts, status: "ok", summary: `${by}; ${via}` };
  });
}
