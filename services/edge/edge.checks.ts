// The edge's rules that read another section, and its warnings; stackSchema and the program's
// loader apply them (stack/config.ts, stack/load.ts).
import type { z } from "zod";
import type { IngressConfig } from "./ingress.settings";
import type { NetworkPolicyConfig } from "./network-policy.settings";
import { controllerFacts } from "./controllers";

/**
 * Cross-section rule: the NetworkPolicies admit the controller by the labels of its namespace and
 * pods; for a controller without known defaults (other) they must be given, or nothing would
 * reach the API from outside.
 */
export function checkControllerSelectors(
  config: {
    ingress: Pick<IngressConfig, "enabled" | "controller">;
    networkPolicy: Pick<NetworkPolicyConfig, "enabled" | "ingressController">;
  },
  ctx: z.RefinementCtx,
): void {
  const { ingress, networkPolicy: np } = config;
  if (!ingress.enabled || !np.enabled || controllerFacts(ingress.controller).namespace) return;
  for (const key of ["namespaceSelector", "podSelector"] as const)
    if (np.ingressController[key] === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["networkPolicy", "ingressController", key],
        input: undefined,
        message:
          `must be set for ingress.controller ${ingress.controller}: the NetworkPolicies admit the controller's pods by these` +
          ' labels and this program does not know where it runs (e.g. {"kubernetes.io/metadata.name": "envoy-gateway-system"})',
      });
}

/** Warnings every production preview and update prints about the entry point: a retired controller. */
export function edgeWarnings(config: { environment: string; ingress: Pick<IngressConfig, "enabled" | "controller"> }): string[] {
  if (config.environment !== "production" || !config.ingress.enabled) return [];
  const { retired, title } = controllerFacts(config.ingress.controller);
  return retired ? [`ingress.controller is ${config.ingress.controller} (${title}): ${retired}`] : [];
}
