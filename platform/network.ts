// The NetworkPolicy vocabulary every service declares its flows in (its `<service>.flows.ts`):
// whom its pods accept on which port and whom they reach, with peers named in these terms. The edge
// (services/edge/network-policies.build.ts) resolves them against the `networkPolicy` section and
// assembles the namespace's NetworkPolicies; which flows exist is each service's business.

type Labels = Record<string, string>;

/** The other end of a flow. */
export type Peer =
  /** The pods of a workload of the stack, by the name its service declared them under. */
  | { readonly kind: "pods"; readonly name: string }
  /** Pods of another namespace, by the labels of that namespace and of the pods ({} = any). */
  | { readonly kind: "namespace"; readonly namespaceSelector: Labels; readonly podSelector: Labels }
  /** The ingress controller (networkPolicy.ingressController). */
  | { readonly kind: "ingress-controller" }
  /** Address ranges; each CIDR keeps only the exceptions inside it. */
  | { readonly kind: "cidrs"; readonly cidrs: readonly string[]; readonly except: readonly string[] }
  /** Where the external data services are (networkPolicy.externalData). */
  | { readonly kind: "external-data" };

/** Peers on TCP ports: one rule of a policy, or how a service is reached (which its peers' rules use). */
export interface PortRule {
  readonly peers: readonly Peer[];
  readonly ports: readonly number[];
}

/**
 * One rule of a policy: peers on ports, or the Kubernetes API server or the kubelets, each on the
 * addresses and ports of its part of the `networkPolicy` section.
 */
export type Rule = PortRule | { readonly cluster: "kubernetes-api" | "kubelets" };

/** Destinations outside the cluster by address, on TCP ports (networkPolicy.apiEgress, .alertmanagerEgress). */
export interface OutsideDestinations {
  readonly cidrs: readonly string[];
  /** Ranges cut out of `cidrs`. */
  readonly except: readonly string[];
  readonly ports: readonly number[];
}

/**
 * The policy of one workload's pods as its service declares it. `ingress` or `egress` undefined:
 * the policy leaves that direction alone (other policies, default deny first, still apply);
 * an empty list: nothing is allowed in that direction beyond what other policies allow.
 */
export interface WorkloadFlows {
  /** The policy's name, and the name other services' rules reach these pods by. */
  readonly name: string;
  /** Labels that select the pods. */
  readonly pods: Labels;
  /** Who may connect to the pods. */
  readonly ingress?: readonly Rule[];
  /** Whom the pods may connect to. */
  readonly egress?: readonly Rule[];
}

/** The pods a service declared under `name`. */
export const pods = (name: string): Peer => ({ kind: "pods", name });
/** Pods of another namespace, by the labels of that namespace and of the pods ({} = any). */
export const podsInNamespace = (namespaceSelector: Labels, podSelector: Labels): Peer => ({
  kind: "namespace",
  namespaceSelector,
  podSelector,
});
/** Address ranges minus `except` (exceptions outside a range are left out of it). */
export const cidrs = (ranges: readonly string[], except: readonly string[] = []): Peer => ({ kind: "cidrs", cidrs: ranges, except });
export const INGRESS_CONTROLLER: Peer = { kind: "ingress-controller" };
export const EXTERNAL_DATA: Peer = { kind: "external-data" };
/** The Kubernetes API server (service discovery, the chart sidecars that watch objects). */
export const KUBERNETES_API: Rule = { cluster: "kubernetes-api" };
/** The kubelets on the nodes. */
export const KUBELETS: Rule = { cluster: "kubelets" };
