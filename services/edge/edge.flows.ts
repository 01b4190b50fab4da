// The edge's own pods: cert-manager's ACME HTTP-01 solver, which the ACME server reaches through
// the ingress controller while a certificate of the Ingress is issued.
import type { IngressConfig } from "./ingress.settings";
import { INGRESS_CONTROLLER, WorkloadFlows } from "../../platform/network";

/** The label cert-manager puts on its solver pods and the port its acmesolver listens on. */
const ACME_SOLVER = { labels: { "acme.cert-manager.io/http01-solver": "true" }, port: 8089 } as const;

/**
 * With the Ingress on cert-manager and its HTTP-01 solver, the issuer starts solver pods in this
 * namespace that the ingress controller must reach; DNS-01 starts none.
 */
export function edgeFlows(ingress: Pick<IngressConfig, "enabled" | "tls">): WorkloadFlows[] {
  if (!ingress.enabled || ingress.tls.mode !== "cert-manager" || ingress.tls.acmeSolver !== "http01") return [];
  return [
    {
      name: "acme-http01-solver",
      pods: { ...ACME_SOLVER.labels },
      ingress: [{ peers: [INGRESS_CONTROLLER], ports: [ACME_SOLVER.port] }],
      egress: [],
    },
  ];
}
