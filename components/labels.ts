// Standard app.kubernetes.io labels for the objects this program defines itself.

export const PART_OF = "ape-2026";
export const MANAGED_BY = "pulumi";

/** Labels for a component of the stack, e.g. standardLabels("api", "server"). */
export function standardLabels(name: string, component: string, instance = PART_OF): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/instance": instance,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
}

/** The subset of labels that selects a component's pods (stable across upgrades). */
export function selectorLabels(name: string, instance = PART_OF): Record<string, string> {
  return { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": instance };
}

/** Pod labels of the API Deployment (NetworkPolicies select on these). */
export const API_NAME = "api";
export const apiSelectorLabels = (): Record<string, string> => selectorLabels(API_NAME);
