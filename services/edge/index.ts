// The edge (`ape:edge`): the stack's Namespace under Pod Security admission, the API's public
// entry point (Gateway API or Ingress) with TLS, and the NetworkPolicies assembled from the services' flows.
export { CONTROLLER_NAMES, CONTROLLERS, controllerFacts } from "./controllers";
export { edgeFlows } from "./edge.flows";
export { checkControllerSelectors, edgeWarnings } from "./edge.checks";
export { ingressAnnotations, publicUrl } from "./ingress.build";
export { ApiGateway } from "./gateway";
export { ingressSchema } from "./ingress.settings";
export { ApiIngress } from "./ingress";
export { namespaceSchema } from "./namespace.settings";
export { StackNamespace } from "./namespace";
export { PolicyDoc, buildNetworkPolicies, controllerSelectors } from "./network-policies.build";
export { NetworkPolicies } from "./network-policies";
export { networkPolicySchema } from "./network-policy.settings";
