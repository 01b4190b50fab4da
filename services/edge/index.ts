// The edge domain (`ape:edge`): the stack's Namespace under Pod Security admission, the API's
// Ingress with TLS, and the NetworkPolicies that fence the namespace.
export { StackNamespace } from "./namespace";
export { ApiIngress } from "./ingress";
export { NetworkPolicies } from "./network-policies";
export { buildNetworkPolicies, PolicyDoc, WorkloadFlows } from "./network-policies.build";
export { ingressAnnotations, publicUrl } from "./ingress.build";
