// A small NetworkPolicy evaluator: decides whether a connection is allowed by a set of
// networking.k8s.io/v1 NetworkPolicies, following the Kubernetes semantics. The unit tests evaluate
// the policies the program emits with it; `npm run verify` the policies live in a namespace.
// - a pod is isolated for a direction when some policy of its namespace selects it and has that
//   policy type (policyTypes defaults to Ingress, plus Egress when the policy has egress rules);
// - an isolated pod allows what the union of the rules of its selecting policies allows;
// - a connection needs the source's egress AND the destination's ingress to allow it;
// - a peer is an ipBlock (cidr minus except), or pod/namespace selectors: namespaceSelector alone =
//   every pod of matching namespaces, podSelector alone = matching pods of the policy's namespace,
//   both = matching pods in matching namespaces; an empty/missing from/to or ports list = all.
// - a named port in a rule is the destination pod's container port of that name (and protocol);
//   an address outside the cluster never matches one, a pod that does not list its ports cannot
//   be matched against one.
// Endpoints outside the cluster (no namespace) have no policies of their own. ipBlocks are also
// matched against pod IPs, as several CNIs do (the stricter reading for deny checks).

type Labels = Record<string, string>;
interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
export interface NetworkPolicy {
  namespace: string;
  name?: string;
  spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: { from?: Peer[]; ports?: PolicyPort[] }[];
    egress?: { to?: Peer[]; ports?: PolicyPort[] }[];
  };
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

/** A pod (with namespace) or an address outside the cluster (without). */
export interface Endpoint {
  readonly name: string;
  readonly ip: string;
  readonly namespace?: string;
  readonly namespaceLabels?: Labels;
  readonly labels?: Labels;
  /** The pod's container ports, for rules that name a port. */
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number; readonly protocol?: string }[];
}

function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case "In":
        if (!has || !(e.values ?? []).includes(labels[e.key])) return false;
        break;
      case "NotIn":
        if (has && (e.values ?? []).includes(labels[e.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  }
  return true;
}

function ipv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((a, p) => a * 256 + Number(p), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split("/");
  const [a, n, bits] = [ipv4(ip), ipv4(net), Number(bitsText)];
  if (a === undefined || n === undefined) return false; // IPv6 blocks never match IPv4 endpoints
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(n / size);
}

function peerMatches(peer: Peer, ep: Endpoint, policyNamespace: string): boolean {
  if (peer.ipBlock) return inCidr(ep.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => inCidr(ep.ip, e));
  if (!peer.podSelector && !peer.namespaceSelector) throw new Error("a peer needs ipBlock, podSelector or namespaceSelector");
  if (ep.namespace === undefined) return false; // selectors only pick pods
  const nsOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, ep.namespaceLabels ?? {})
    : ep.namespace === policyNamespace;
  return nsOk && selectorMatches(peer.podSelector, ep.labels ?? {});
}

function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: string, dst: Endpoint): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "string") {
      if (dst.namespace === undefined) return false; // only pods have named ports
      if (!dst.ports) throw new Error(`named port ${p.port}: ${dst.name} does not list its container ports`);
      return dst.ports.some((c) => c.name === p.port && c.containerPort === port && (c.protocol ?? "TCP") === protocol);
    }
    return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
  });
}

function policyTypes(p: NetworkPolicy): string[] {
  return p.spec.policyTypes && p.spec.policyTypes.length ? p.spec.policyTypes : p.spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

function selecting(policies: NetworkPolicy[], pod: Endpoint, type: "Ingress" | "Egress"): NetworkPolicy[] {
  return policies.filter(
    (p) => p.namespace === pod.namespace && policyTypes(p).includes(type) && selectorMatches(p.spec.podSelector, pod.labels ?? {}),
  );
}

/** One direction of a connection: whether the endpoint is isolated for it and, if so, which of its policies allow it. */
export interface DirectionVerdict {
  readonly allowed: boolean;
  /** Names of the policies that select the endpoint for this direction (empty: not isolated, everything allowed). */
  readonly selecting: string[];
  /** Names of the selecting policies with a rule that allows the connection. */
  readonly allowing: string[];
}

function direction(
  policies: NetworkPolicy[],
  self: Endpoint,
  other: Endpoint,
  port: number,
  protocol: string,
  type: "Ingress" | "Egress",
): DirectionVerdict {
  if (self.namespace === undefined) return { allowed: true, selecting: [], allowing: [] };
  const mine = selecting(policies, self, type);
  const dst = type === "Ingress" ? self : other;
  const allowing = mine.filter((p) =>
    (type === "Ingress" ? (p.spec.ingress ?? []) : (p.spec.egress ?? [])).some((rule) => {
      const peers = "from" in rule ? rule.from : (rule as { to?: Peer[] }).to;
      return (
        portMatches(rule.ports, port, protocol, dst) &&
        (!peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, other, p.namespace)))
      );
    }),
  );
  const names = (ps: NetworkPolicy[]) => ps.map((p) => p.name ?? "(unnamed)").sort();
  return { allowed: mine.length === 0 || allowing.length > 0, selecting: names(mine), allowing: names(allowing) };
}

/** Both directions of `src` opening a connection to `dst` on `port`/`protocol`: the source's egress and the destination's ingress. */
export function connectionVerdict(
  policies: NetworkPolicy[],
  src: Endpoint,
  dst: Endpoint,
  port: number,
  protocol = "TCP",
): { readonly egress: DirectionVerdict; readonly ingress: DirectionVerdict } {
  return {
    egress: direction(policies, src, dst, port, protocol, "Egress"),
    ingress: direction(policies, dst, src, port, protocol, "Ingress"),
  };
}

/** Whether `src` may open a connection to `dst` on `port`/`protocol` under `policies`. */
export function allows(policies: NetworkPolicy[], src: Endpoint, dst: Endpoint, port: number, protocol = "TCP"): boolean {
  const v = connectionVerdict(policies, src, dst, port, protocol);
  return v.egress.allowed && v.ingress.allowed;
}
