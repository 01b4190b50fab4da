// Pure helpers for the API Ingress: ingress-nginx annotations, TLS wiring and the public URL.
// No Pulumi imports, so config validation and tests can use them directly.
import type { IngressConfig } from "../config/sections/edge";

const NGINX = "nginx.ingress.kubernetes.io";
export const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";

/**
 * Annotations this program sets from dedicated settings. `ingress.annotations` may add any other
 * annotation but may not replace these: a custom value would silently undo the rate limit or the
 * issuer, so config validation refuses it and names the setting to change instead.
 */
export const MANAGED_ANNOTATIONS: Readonly<Record<string, string>> = {
  [`${NGINX}/limit-rpm`]: "ingress.rateLimit.requestsPerMinute",
  [`${NGINX}/limit-burst-multiplier`]: "ingress.rateLimit.burstMultiplier",
  [`${NGINX}/proxy-body-size`]: "ingress.proxyBodySize",
  [CLUSTER_ISSUER_ANNOTATION]: "ingress.tls.clusterIssuer (with ingress.tls.mode cert-manager)",
};

/**
 * The Ingress annotations: custom ones from config first, then the managed ones (rate limit per
 * client IP, burst, body size and, with cert-manager, the ClusterIssuer). Values are strings, as
 * Kubernetes requires.
 */
export function ingressAnnotations(config: Pick<IngressConfig, "rateLimit" | "proxyBodySize" | "annotations" | "tls">): Record<string, string> {
  const managed: Record<string, string> = {
    [`${NGINX}/limit-rpm`]: String(config.rateLimit.requestsPerMinute),
    [`${NGINX}/limit-burst-multiplier`]: String(config.rateLimit.burstMultiplier),
    [`${NGINX}/proxy-body-size`]: config.proxyBodySize,
  };
  if (config.tls.mode === "cert-manager") managed[CLUSTER_ISSUER_ANNOTATION] = config.tls.clusterIssuer;
  return { ...config.annotations, ...managed };
}

/** The host names of the Ingress rules (the certificate must cover exactly these). */
export function ingressHosts(config: Pick<IngressConfig, "hosts">): string[] {
  return config.hosts.map((h) => h.host);
}

/** https://<first host>; a wildcard host is skipped in favour of the first concrete one. */
export function publicUrl(config: Pick<IngressConfig, "hosts">): string {
  const hosts = ingressHosts(config);
  const host = hosts.find((h) => !h.startsWith("*.")) ?? hosts[0].replace(/^\*\./, "www.");
  return `https://${host}`;
}

export interface BackendService {
  readonly name: string;
  readonly port: number;
}

/** The networking.k8s.io/v1 IngressSpec (plain data) for the config and a backend Service. */
export function ingressSpec(config: Pick<IngressConfig, "className" | "hosts" | "tls">, backend: BackendService) {
  return {
    ingressClassName: config.className,
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
