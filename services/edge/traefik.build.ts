// Traefik's own policy resources, which the HTTPRoute (ExtensionRef filter) and the Ingress
// (router.middlewares annotation) reference: the rate limit per client IP and, for an Ingress, the
// HTTPS redirect (an HTTPRoute redirects with Gateway API's standard RequestRedirect filter).
import type { IngressConfig } from "./ingress.settings";
import { TRAEFIK_GROUP, TRAEFIK_MIDDLEWARES } from "./controllers";
import type { EdgeObject } from "./gateway.build";

const TRAEFIK_API = `${TRAEFIK_GROUP}/v1alpha1`;

/**
 * The rate limit as a Traefik Middleware: `average` requests per `period` (one minute), a token
 * bucket of `burst` requests (requestsPerMinute x burstMultiplier), counted per client IP: the
 * connection's source, or the n-th X-Forwarded-For address from the right with forwardedForDepth n.
 */
function traefikRateLimit(rate: IngressConfig["rateLimit"]): EdgeObject {
  return {
    apiVersion: TRAEFIK_API,
    kind: "Middleware",
    metadata: { name: TRAEFIK_MIDDLEWARES.rateLimit },
    spec: {
      rateLimit: {
        average: rate.requestsPerMinute,
        period: "1m",
        burst: rate.requestsPerMinute * rate.burstMultiplier,
        sourceCriterion: { ipStrategy: rate.forwardedForDepth > 0 ? { depth: rate.forwardedForDepth } : {} },
      },
    },
  };
}

/** Plain HTTP answered with a permanent (301) redirect to https; a request already on https passes on. */
function traefikHttpsRedirect(): EdgeObject {
  return {
    apiVersion: TRAEFIK_API,
    kind: "Middleware",
    metadata: { name: TRAEFIK_MIDDLEWARES.httpsRedirect },
    spec: { redirectScheme: { scheme: "https", permanent: true } },
  };
}

/** The Middlewares the controller needs in the route's namespace for this config (traefik only). */
export function traefikMiddlewares(config: Pick<IngressConfig, "via" | "controller" | "rateLimit" | "httpsRedirect">): EdgeObject[] {
  if (config.controller !== "traefik") return [];
  return [
    ...(config.rateLimit.enabled ? [traefikRateLimit(config.rateLimit)] : []),
    ...(config.via === "ingress" && config.httpsRedirect ? [traefikHttpsRedirect()] : []),
  ];
}
