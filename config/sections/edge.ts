// `namespace`, `ingress` and `networkPolicy`: where the stack lives and what may reach it.
import { z } from "zod";
import { bool, dnsLabel, hostName, intAtLeast, intBetween, nonEmpty, port } from "../fields";

const NGINX = "nginx.ingress.kubernetes.io";
/** The annotation cert-manager reads to pick the ClusterIssuer of an Ingress's certificate. */
export const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";

/**
 * Ingress annotations the program sets from dedicated settings, each with the setting to use.
 * `ingress.annotations` may add any other annotation but not replace these: a custom value would
 * silently undo the rate limit or the issuer.
 */
export const MANAGED_ANNOTATIONS = {
  rateLimit: { key: `${NGINX}/limit-rpm`, setting: "ingress.rateLimit.requestsPerMinute" },
  burst: { key: `${NGINX}/limit-burst-multiplier`, setting: "ingress.rateLimit.burstMultiplier" },
  bodySize: { key: `${NGINX}/proxy-body-size`, setting: "ingress.proxyBodySize" },
  clusterIssuer: { key: CLUSTER_ISSUER_ANNOTATION, setting: "ingress.tls.clusterIssuer (with ingress.tls.mode cert-manager)" },
} as const;

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

export const TLS_MODES = ["cert-manager", "self-signed", "existing-secret"] as const;
export type TlsMode = (typeof TLS_MODES)[number];

export const ingressSchema = () =>
  z
    .strictObject({
      enabled: bool(),
      className: nonEmpty("an IngressClass name"),
      hosts: z
        .array(z.strictObject({ host: hostName(), paths: z.array(pathRule).min(1, { error: "must list at least one path" }) }))
        .min(1, { error: "must list at least one host" }),
      tls: z.strictObject({
        /**
         * cert-manager: a ClusterIssuer issues it; self-signed: a CA + server cert from @pulumi/tls;
         * existing-secret: you provide `secretName`.
         */
        mode: z.enum(TLS_MODES, { error: `must be one of ${TLS_MODES.join(", ")}` }),
        secretName: dnsLabel(),
        clusterIssuer: nonEmpty("a cert-manager ClusterIssuer name"),
        selfSigned: z.strictObject({
          algorithm: z.enum(["ECDSA", "RSA"], { error: "must be ECDSA (P-256) or RSA" }),
          rsaBits: intBetween(2048, 8192),
          validityHours: intAtLeast(1),
        }),
      }),
      /** ingress-nginx limits per client IP (and per controller replica). */
      rateLimit: z.strictObject({ requestsPerMinute: intAtLeast(1), burstMultiplier: intAtLeast(1) }),
      proxyBodySize: z.string().regex(/^\d+[kmg]?$/, { error: "must be an nginx size such as 10m (0 = unlimited)" }),
      /** Extra annotations; may not replace the ones this program manages (see MANAGED_ANNOTATIONS). */
      annotations: z.record(z.string(), z.string({ error: "must be a string (quote numbers and booleans)" })),
    })
    .superRefine((ing, c) => {
      for (const key of Object.keys(ing.annotations)) {
        const managed = Object.values(MANAGED_ANNOTATIONS).find((m) => m.key === key);
        if (managed) {
          c.addIssue({
            code: "custom",
            path: ["annotations", key],
            input: ing.annotations[key],
            message: `is managed by this program; set ${managed.setting} instead`,
          });
        }
      }
      const seen = new Set<string>();
      ing.hosts.forEach((h, i) => {
        if (seen.has(h.host))
          c.addIssue({
            code: "custom",
            path: ["hosts", i, "host"],
            input: h.host,
            message: "is listed twice; give each host once with all its paths",
          });
        seen.add(h.host);
      });
    });
export type IngressConfig = z.infer<ReturnType<typeof ingressSchema>>;

const labels = z.record(z.string(), z.string());
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/(12[0-8]|1[01]\d|[1-9]?\d)$/;
const cidr = z.string().refine((s) => IPV4_CIDR.test(s) || IPV6_CIDR.test(s), { error: "must be a CIDR such as 10.0.0.0/8" });
const cidrs = () => z.array(cidr).min(1, { error: "must list at least one CIDR (0.0.0.0/0 = anywhere)" });
const ports = () => z.array(port()).min(1, { error: "must list at least one port" });

export const networkPolicySchema = () =>
  z.strictObject({
    enabled: bool(),
    /** Where ingress-nginx runs: the only source allowed to reach the API's http port. */
    ingressController: z.strictObject({ namespaceSelector: labels, podSelector: labels }),
    dns: z.strictObject({ namespaceSelector: labels, podSelector: labels, port: port() }),
    /** The API server as pods see it after Service translation (endpoint port, often 6443; 443 on some clusters). */
    kubernetesApi: z.strictObject({ cidrs: cidrs(), ports: ports() }),
    /** Kubelets on the nodes (Prometheus' kubernetes-nodes and -cadvisor jobs scrape node:10250). */
    kubelets: z.strictObject({ cidrs: cidrs(), ports: ports() }),
    /** The API's calls to external services (AI APIs); private ranges excepted by default. */
    apiEgress: z.strictObject({ cidrs: cidrs(), except: z.array(cidr), ports: ports() }),
    /** Alertmanager's webhook/Slack notifications. */
    alertmanagerEgress: z.strictObject({ cidrs: cidrs(), except: z.array(cidr), ports: ports() }),
    /** Where an external PostgreSQL/Redis (postgresql.enabled / redis.enabled false) lives. */
    externalData: z.strictObject({ cidrs: cidrs() }),
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

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"];
/** RFC 1918: where API servers and nodes of kind, minikube, EKS and most on-premises clusters live. */
const CLUSTER_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

export const networkPolicyDefaults = {
  enabled: true,
  ingressController: {
    namespaceSelector: { "kubernetes.io/metadata.name": "ingress-nginx" },
    podSelector: { "app.kubernetes.io/name": "ingress-nginx" },
  },
  dns: { namespaceSelector: { "kubernetes.io/metadata.name": "kube-system" }, podSelector: { "k8s-app": "kube-dns" }, port: 53 },
  // Narrow these to the API server endpoint (kubectl get endpointslices -n default -l
  // kubernetes.io/service-name=kubernetes) and the node CIDR; a public API endpoint (some GKE/AKS
  // clusters) must be added here.
  kubernetesApi: { cidrs: CLUSTER_RANGES, ports: [443, 6443] },
  kubelets: { cidrs: CLUSTER_RANGES, ports: [10250] },
  apiEgress: { cidrs: ["0.0.0.0/0"], except: PRIVATE_RANGES, ports: [443] },
  alertmanagerEgress: { cidrs: ["0.0.0.0/0"], except: PRIVATE_RANGES, ports: [443] },
  externalData: { cidrs: ["0.0.0.0/0"] },
};
