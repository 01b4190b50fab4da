// The assembly of the namespace's NetworkPolicies. Every service declares the policies of its own
// pods in its `<service>.flows.ts`, in the vocabulary of platform/network.ts; the stack gathers
// those declarations and buildNetworkPolicies turns them into NetworkPolicies: default deny, DNS
// for every pod, then each declaration in the order given. The edge owns only the namespace-wide
// rules and the `networkPolicy` section the vocabulary resolves against.
//
// Selectors use the labels the charts really put on their pods (each chart's contract module),
// only their stable keys (name, instance, component), never version or chart labels. The charts'
// own NetworkPolicies are switched off by the data services (Bitnami postgresql and redis render an
// allow-all-sources policy by default, which would widen these through the union semantics of
// NetworkPolicies); prometheus and grafana render none by default.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { NetworkPolicyConfig } from "./network-policy.settings";
import type { Peer, Rule, WorkloadFlows } from "../../platform/network";
import type { IngressConfig } from "./ingress.settings";
import { controllerFacts } from "./controllers";

type Labels = Record<string, string>;
type Selector = pulumi.Unwrap<k8s.types.input.meta.v1.LabelSelector>;
/** A NetworkPolicy spec as plain data (the SDK's input type with every Input resolved). */
type PolicySpec = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicySpec>;
type PolicyPeer = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicyPeer>;
type PolicyPort = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicyPort>;

/** Where the controller of the public entry point runs: labels of its namespace and of its pods. */
export interface ControllerSelectors {
  readonly namespaceSelector: Labels;
  readonly podSelector: Labels;
}

/**
 * The controller's selectors: networkPolicy.ingressController's, each unset one from the facts of
 * ingress.controller (its usual namespace and pod labels).
 */
export function controllerSelectors(
  ingress: Pick<IngressConfig, "controller">,
  np: Pick<NetworkPolicyConfig, "ingressController">,
): ControllerSelectors {
  const facts = controllerFacts(ingress.controller);
  return {
    namespaceSelector:
      np.ingressController.namespaceSelector ?? (facts.namespace ? { "kubernetes.io/metadata.name": facts.namespace } : {}),
    podSelector: np.ingressController.podSelector ?? { ...facts.podLabels },
  };
}

/** A NetworkPolicy as plain data: metadata.name and spec. */
export interface PolicyDoc {
  name: string;
  spec: PolicySpec;
}

const tcp = (ports: readonly number[]): PolicyPort[] => ports.map((port) => ({ protocol: "TCP", port }));
const nonEmpty = (labels: Labels): Selector => (Object.keys(labels).length ? { matchLabels: labels } : {});
const inNamespace = (namespaceLabels: Labels, podLabels: Labels): PolicyPeer => ({
  namespaceSelector: nonEmpty(namespaceLabels),
  podSelector: nonEmpty(podLabels),
});

/** Is IPv4 `inner` inside `outer`? (IPv6 only compares equal prefixes textually.) */
function cidrContains(outer: string, inner: string): boolean {
  const parse = (c: string) => {
    const [ip, bits] = c.split("/");
    const parts = ip.split(".").map(Number);
    return parts.length === 4 ? { addr: parts.reduce((a, p) => a * 256 + p, 0), bits: Number(bits) } : undefined;
  };
  const [o, i] = [parse(outer), parse(inner)];
  if (!o || !i) return outer === inner;
  if (i.bits < o.bits) return false;
  const block = 2 ** (32 - o.bits);
  return Math.floor(o.addr / block) === Math.floor(i.addr / block);
}

/** ipBlock peers; each keeps only the exceptions inside its CIDR (Kubernetes rejects others). */
function ipBlocks(ranges: readonly string[], except: readonly string[] = []): PolicyPeer[] {
  return ranges.map((cidr) => {
    const inside = except.filter((e) => e !== cidr && cidrContains(cidr, e));
    return { ipBlock: inside.length ? { cidr, except: inside } : { cidr } };
  });
}

/**
 * Every NetworkPolicy of the namespace: default deny, DNS for every pod, then the workloads'
 * policies in the order given; empty when `networkPolicy.enabled` is false.
 */
export function buildNetworkPolicies(
  np: NetworkPolicyConfig,
  workloads: readonly WorkloadFlows[],
  controller: ControllerSelectors,
): PolicyDoc[] {
  if (!np.enabled) return [];
  const labels = new Map<string, Labels>();
  for (const w of workloads) {
    if (labels.has(w.name)) throw new Error(`NetworkPolicies: two workloads declare the name ${w.name}`);
    labels.set(w.name, w.pods);
  }
  const peer = (p: Peer): PolicyPeer[] => {
    switch (p.kind) {
      case "pods": {
        const matchLabels = labels.get(p.name);
        if (!matchLabels) throw new Error(`NetworkPolicies: a rule names pods ${p.name}, which no workload declares`);
        return [{ podSelector: { matchLabels } }];
      }
      case "namespace":
        return [inNamespace(p.namespaceSelector, p.podSelector)];
      case "ingress-controller":
        return [inNamespace(controller.namespaceSelector, controller.podSelector)];
      case "cidrs":
        return ipBlocks(p.cidrs, p.except);
      case "external-data":
        return ipBlocks(np.externalData.cidrs);
    }
  };
  const rule = (r: Rule): { peers: PolicyPeer[]; ports: PolicyPort[] } => {
    if ("cluster" in r) {
      const { cidrs: ranges, ports } = r.cluster === "kubernetes-api" ? np.kubernetesApi : np.kubelets;
      return { peers: ipBlocks(ranges), ports: tcp(ports) };
    }
    return { peers: r.peers.flatMap(peer), ports: tcp(r.ports) };
  };
  const policy = (w: WorkloadFlows): PolicyDoc => ({
    name: w.name,
    spec: {
      podSelector: { matchLabels: w.pods },
      policyTypes: [...(w.ingress ? ["Ingress"] : []), ...(w.egress ? ["Egress"] : [])],
      ...(w.ingress ? { ingress: w.ingress.map(rule).map(({ peers, ports }) => ({ from: peers, ports })) } : {}),
      ...(w.egress ? { egress: w.egress.map(rule).map(({ peers, ports }) => ({ to: peers, ports })) } : {}),
    },
  });

  const docs: PolicyDoc[] = [
    { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    {
      name: "allow-dns",
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [inNamespace(np.dns.namespaceSelector, np.dns.podSelector)],
            ports: [
              { protocol: "UDP", port: np.dns.port },
              { protocol: "TCP", port: np.dns.port },
            ],
          },
        ],
      },
    },
    ...workloads.map(policy),
  ];
  return docs.map(({ name, spec }) => ({ name, spec: withoutEmptyRules(spec) }));
}

/**
 * Drops empty rule lists: the API server stores `egress: []` as absent, so emitting it would make
 * every apply a change. The policy type alone already denies that direction.
 */
function withoutEmptyRules(spec: PolicySpec): PolicySpec {
  const out: PolicySpec = { ...spec };
  if (out.ingress?.length === 0) delete out.ingress;
  if (out.egress?.length === 0) delete out.egress;
  return out;
}
