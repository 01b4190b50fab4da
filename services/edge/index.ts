// The edge (`ape:edge`): the stack's Namespace under Pod Security admission, the API's Ingress
// with TLS, and the NetworkPolicies assembled from the services' flows.
export { edgeFlows } from "./edge.flows";
export { ingressAnnotations, publicUrl } from "./ingress.build";
export { ingressSchema } from "./ingress.settings";
export { ApiIngress } from "./ingress";
export { namespaceSchema } from "./namespace.settings";
export { StackNamespace } from "./namespace";
export { PolicyDoc, buildNetworkPolicies } from "./network-policies.build";
export { NetworkPolicies } from "./network-policies";
export { networkPolicySchema } from "./network-policy.settings";
