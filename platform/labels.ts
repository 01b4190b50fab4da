// The app.kubernetes.io labels of the objects this program defines itself (chart objects carry
// their chart's own labels; see the *.contract.ts modules).

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

/** Labels of an object that belongs to the whole stack rather than one workload (Namespace, policies). */
export function stackLabels(component?: string): Record<string, string> {
  return {
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": MANAGED_BY,
    ...(component ? { "app.kubernetes.io/component": component } : {}),
  };
}
