// Pure builders for the Ingress way in: the controller's annotations (rate limit, HTTPS redirect,
// body size; cert-manager's issuer), the IngressSpec, and the hosts and public URL of both ways.
import type { IngressConfig } from "./ingress.settings";
import {
  CERT_MANAGER_ANNOTATIONS,
  controllerFacts,
  HAPROXY_ANNOTATIONS,
  NGINX_ANNOTATIONS,
  TRAEFIK_ANNOTATIONS,
  TRAEFIK_MIDDLEWARES,
} from "./controllers";
import type { BackendService } from "./gateway.build";

type AnnotationConfig = Pick<
  IngressConfig,
  "controller" | "className" | "rateLimit" | "proxyBodySize" | "annotations" | "tls" | "httpsRedirect"
>;

/** The controller's annotations for the rate limit and the HTTPS redirect (and nginx's body size). */
function controllerAnnotations(config: AnnotationConfig, namespace: string): Record<string, string> {
  const rate = config.rateLimit;
  const redirect = String(config.httpsRedirect);
  switch (controllerFacts(config.controller).ingress?.rateLimit) {
    case "traefik-middleware": {
      // Traefik names a Middleware of the CRD provider <namespace>-<name>@kubernetescrd.
      const ref = (name: string) => `${namespace}-${name}@kubernetescrd`;
      const names = [
        ...(config.httpsRedirect ? [TRAEFIK_MIDDLEWARES.httpsRedirect] : []),
        ...(rate.enabled ? [TRAEFIK_MIDDLEWARES.rateLimit] : []),
      ];
      return names.length ? { [TRAEFIK_ANNOTATIONS.middlewares]: names.map(ref).join(",") } : {};
    }
    case "haproxy-annotations":
      return {
        [HAPROXY_ANNOTATIONS.sslRedirect]: redirect,
        ...(config.httpsRedirect ? { [HAPROXY_ANNOTATIONS.sslRedirectCode]: "301" } : {}),
        ...(rate.enabled
          ? {
              [HAPROXY_ANNOTATIONS.rateLimitRequests]: String(rate.requestsPerMinute),
              [HAPROXY_ANNOTATIONS.rateLimitPeriod]: "1m",
              [HAPROXY_ANNOTATIONS.rateLimitStatusCode]: "429",
            }
          : {}),
      };
    case "nginx-annotations":
      return {
        [NGINX_ANNOTATIONS.sslRedirect]: redirect,
        ...(rate.enabled
          ? {
              [NGINX_ANNOTATIONS.limitRpm]: String(rate.requestsPerMinute),
              [NGINX_ANNOTATIONS.burstMultiplier]: String(rate.burstMultiplier),
            }
          : {}),
        ...(config.proxyBodySize !== undefined ? { [NGINX_ANNOTATIONS.bodySize]: config.proxyBodySize } : {}),
      };
    case undefined:
      return {};
  }
}

/**
 * The Ingress annotations: custom ones from config first, then the managed ones (the controller's
 * rate limit and redirect and, with cert-manager, the issuer). Values are strings, as Kubernetes
 * requires. `namespace` is the Ingress's (Traefik references Middlewares through it).
 */
export function ingressAnnotations(config: AnnotationConfig, namespace: string): Record<string, string> {
  const managed = controllerAnnotations(config, namespace);
  if (config.tls.mode === "cert-manager") managed[CERT_MANAGER_ANNOTATIONS[config.tls.issuer.kind]] = config.tls.issuer.name;
  return { ...config.annotations, ...managed };
}

/** The host names routed to the API (the certificate must cover exactly these). */
export function ingressHosts(config: Pick<IngressConfig, "hosts">): string[] {
  return config.hosts.map((h) => h.host);
}

/** https://<first host>; a wildcard host is skipped in favour of the first concrete one. */
export function publicUrl(config: Pick<IngressConfig, "hosts">): string {
  const hosts = ingressHosts(config);
  const host = hosts.find((h) => !h.startsWith("*.")) ?? hosts[0].replace(/^\*\./, "www.");
  return `https://${host}`;
}

/** The IngressClass: the setting, else the controller's. */
const ingressClassName = (config: Pick<IngressConfig, "controller" | "className">): string =>
  config.className ?? controllerFacts(config.controller).ingress?.className ?? "";

/** The networking.k8s.io/v1 IngressSpec (plain data) for the config and a backend Service. */
export function ingressSpec(config: Pick<IngressConfig, "controller" | "className" | "hosts" | "tls">, backend: BackendService) {
  return {
    ingressClassName: ingressClassName(config),
    tls: [{ hosts: ingressHosts(config), secretName: config.tls.secretName }],
    rules: config.hosts.map((h) => ({
      host: h.host,
      http: {
        paths: h.paths.map((p) => ({
          path: p.path,
          pathType: p.pathType,
          backend: { service: { name: backend.name, port: { number: backend.port } } },
        })),
      },
    })),
  };
}
