// `namespace`, `ingress` and `networkPolicy`: where the stack lives and what may reach it.
import { z } from "zod";
import { bool, dnsLabel, hostName, intAtLeast, intBetween, nonEmpty, port } from "../fields";

const podSecurityLevel = z.enum(["privileged", "baseline", "restricted"], { error: "must be privileged, baseline or restricted" });

export const namespaceSchema = () =>
  z.strictObject({
    name: dnsLabel(),
    podSecurity: z.strictObject({ enforce: podSecurityLevel, audit: podSecurityLevel, warn: podSecurityLevel }),
    labels: z.record(z.string(), z.string()),
  });
export type NamespaceConfig = z.infer<ReturnType<typeof namespaceSchema>>;

const pathRule = z.strictObject({
  path: z.string().startsWith("/", { error: "must be an HTTP path starting with /" }),
  pathType: z.enum(["Prefix", "Exact", "ImplementationSpecific"], { error: "must be Prefix, Exact or ImplementationSpecific" }),
});

export const ingressSchema = () =>
  z.strictObject({
    enabled: bool(),
    className: nonEmpty("an IngressClass name"),
    hosts: z.array(z.strictObject({ host: hostName(), paths: z.array(pathRule).min(1, { error: "must list at least one path" }) })).min(1, { error: "must list at least one host" }),
    tls: z.strictObject({
      mode: z.enum(["cert-manager", "self-signed", "existing-secret"], { error: "must be one of cert-manager, self-signed, existing-secret" }),
      secretName: dnsLabel(),
      clusterIssuer: nonEmpty("a cert-manager ClusterIssuer name"),
      selfSigned: z.strictObject({
        algorithm: z.enum(["ECDSA", "RSA"], { error: "must be ECDSA (P-256) or RSA" }),
        rsaBits: intBetween(2048, 8192),
        validityHours: intAtLeast(1),
      }),
    }),
    rateLimit: z.strictObject({ requestsPerMinute: intAtLeast(1), burstMultiplier: intAtLeast(1) }),
    proxyBodySize: z.string().regex(/^\d+[kmg]?$/, { error: "must be an nginx size such as 10m (0 = unlimited)" }),
    annotations: z.record(z.string(), z.string()),
  });
export type IngressConfig = z.infer<ReturnType<typeof ingressSchema>>;

const labels = z.record(z.string(), z.string());
const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/, { error: "must be a CIDR such as 10.0.0.0/8" });

export const networkPolicySchema = () =>
  z.strictObject({
    enabled: bool(),
    ingressController: z.strictObject({ namespaceSelector: labels, podSelector: labels }),
    dns: z.strictObject({ namespaceSelector: labels, podSelector: labels, port: port() }),
    kubernetesApi: z.strictObject({ cidrs: z.array(cidr).min(1), ports: z.array(port()).min(1) }),
    apiEgress: z.strictObject({ cidrs: z.array(cidr).min(1), except: z.array(cidr), ports: z.array(port()).min(1) }),
  });
export type NetworkPolicyConfig = z.infer<ReturnType<typeof networkPolicySchema>>;

export const namespaceDefaults = {
  name: "ape-2026",
  podSecurity: { enforce: "restricted", audit: "restricted", warn: "restricted" },
  labels: {},
};

export const ingressDefaults = {
  enabled: true,
  className: "nginx",
  hosts: [{ host: "api.ape-2026.example.com", paths: [{ path: "/", pathType: "Prefix" }] }],
  tls: {
    mode: "cert-manager",
    secretName: "ape-2026-api-tls",
    clusterIssuer: "letsencrypt-prod",
    selfSigned: { algorithm: "ECDSA", rsaBits: 2048, validityHours: 2160 },
  },
  rateLimit: { requestsPerMinute: 100, burstMultiplier: 5 },
  proxyBodySize: "10m",
  annotations: {},
};

export const networkPolicyDefaults = {
  enabled: true,
  ingressController: {
    namespaceSelector: { "kubernetes.io/metadata.name": "ingress-nginx" },
    podSelector: { "app.kubernetes.io/name": "ingress-nginx" },
  },
  dns: { namespaceSelector: { "kubernetes.io/metadata.name": "kube-system" }, podSelector: { "k8s-app": "kube-dns" }, port: 53 },
  kubernetesApi: { cidrs: ["0.0.0.0/0"], ports: [443, 6443] },
  apiEgress: { cidrs: ["0.0.0.0/0"], except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"], ports: [443] },
};
