// Pure builders for the API Ingress: ingress-nginx annotations, the IngressSpec and the public URL.
import { IngressConfig, MANAGED_ANNOTATIONS } from "./ingress.settings";

/**
 * The Ingress annotations: custom ones from config first, then the managed ones (rate limit per
 * client IP, burst, body size and, with cert-manager, the ClusterIssuer). Values are strings, as
 * Kubernetes requires.
 */
export function ingressAnnotations(
  config: Pick<IngressConfig, "rateLimit" | "proxyBodySize" | "annotations" | "tls">,
): Record<string, string> {
  const managed: Record<string, string> = {
    [MANAGED_ANNOTATIONS.rateLimit.key]: String(config.rateLimit.requestsPerMinute),
    [MANAGED_ANNOTATIONS.burst.key]: String(config.rateLimit.burstMultiplier),
    [MANAGED_ANNOTATIONS.bodySize.key]: config.proxyBodySize,
  };
  if (config.tls.mode === "cert-manager") managed[MANAGED_ANNOTATIONS.clusterIssuer.key] = config.tls.clusterIssuer;
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
