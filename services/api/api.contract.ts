// What the rest of the stack relies on about the API workload: its object name, the labels that
// select its pods, the user it runs as and the names of its container ports. The image contract
// behind these facts is written up in docs/api-image.md.
import { selectorLabels, standardLabels } from "../../platform/labels";

/** Name of the API's Deployment, Service, ServiceAccount, HPA, PDB and Ingress. */
export const API_NAME = "api";

/**
 * The Secret the External Secrets Operator writes from api.externalSecrets (and the ExternalSecret's
 * own name). Fixed, because the Deployment references it before the operator has created it.
 */
export const API_EXTERNAL_SECRET = "api-external-secrets";

/** The uid/gid the API container runs as (the image must work as this user). */
export const API_UID = 1000;

/** Names of the container ports (the Service targets them by name). */
export const API_PORT_NAMES = { http: "http", metrics: "metrics" } as const;

/** Labels that select the API pods (NetworkPolicies, the Service, HPA, PDB and dashboards use them). */
export const apiSelectorLabels = (): Record<string, string> => selectorLabels(API_NAME);

/** Labels on every API object and pod (the selector labels are a subset). */
export const apiLabels = (): Record<string, string> => standardLabels(API_NAME, "server");
