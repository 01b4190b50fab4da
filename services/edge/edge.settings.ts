// `namespace`, `ingress` and `networkPolicy`: where the stack lives and what may reach it.
import { z } from "zod";
import { bool, dnsLabel, hostName, intAtLeast, intBetween, nonEmpty, port } from "../../config/fields";

const NGINX = "nginx.ingress.kubernetes.io";
/** The annotation cert-manager reads to pick the ClusterIssuer of an Ingress's certificate. */
const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";

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
  z
    .strictObject({
      name: dnsLabel().meta({
        description:
          "Namespace the stack creates and deploys into. Changing it replaces the namespace and deletes every volume in it;" +
          " production refuses that (the namespace is protected).",
      }),
      podSecurity: z
        .strictObject({
          enforce: podSecurityLevel.meta({
            description:
              "Level a pod must meet to be admitted; everything the stack runs meets restricted (node-exporter needs privileged).",
          }),
          audit: podSecurityLevel.meta({ description: "Level whose violations are recorded in the cluster's audit log." }),
          warn: podSecurityLevel.meta({ description: "Level whose violations are returned to the client as warnings." }),
        })
        .meta({ description: "Pod Security Admission levels of the namespace: privileged, baseline or restricted." }),
      labels: z
        .record(z.string(), z.string())
        .meta({ description: "Extra labels on the namespace; the Pod Security and stack labels win over these." }),
    })
    .meta({ description: "The namespace everything runs in, under Pod Security Admission." });
export type NamespaceConfig = z.infer<ReturnType<typeof namespaceSchema>>;

const pathRule = z.strictObject({
  path: z.string().startsWith("/", { error: "must be an HTTP path starting with /" }).meta({ description: "URL path routed to the API." }),
  pathType: z
    .enum(["Prefix", "Exact", "ImplementationSpecific"], { error: "must be Prefix, Exact or ImplementationSpecific" })
    .meta({ description: "How the path matches: Prefix, Exact or ImplementationSpecific." }),
});

const TLS_MODES = ["cert-manager", "self-signed", "existing-secret"] as const;

export const ingressSchema = () =>
  z
    .strictObject({
      enabled: bool().meta({ description: "Create the Ingress; false = the API is reachable from inside the cluster only." }),
      className: nonEmpty("an IngressClass name").meta({
        description: "IngressClass that serves the Ingress, e.g. nginx; the annotations are ingress-nginx's.",
      }),
      hosts: z
        .array(
          z.strictObject({
            host: hostName().meta({ description: "DNS host name, e.g. api.example.com; a leading *. is a wildcard." }),
            paths: z.array(pathRule).min(1, { error: "must list at least one path" }).meta({ description: "Paths routed to the API." }),
          }),
        )
        .min(1, { error: "must list at least one host" })
        .meta({
          description:
            "Hosts and paths routed to the API: a list of {host, paths: [{path, pathType}]}. The certificate covers every host;" +
            " the url output is https://<first host that is not a wildcard>.",
        }),
      tls: z
        .strictObject({
          mode: z.enum(TLS_MODES, { error: `must be one of ${TLS_MODES.join(", ")}` }).meta({
            description:
              "cert-manager: a ClusterIssuer issues the certificate; self-signed: this program generates a CA and a certificate;" +
              " existing-secret: you create the Secret secretName.",
          }),
          secretName: dnsLabel().meta({
            description: "kubernetes.io/tls Secret the Ingress serves, written by cert-manager or this program, or created by you.",
          }),
          clusterIssuer: nonEmpty("a cert-manager ClusterIssuer name").meta({
            description: "cert-manager ClusterIssuer that issues the certificate (mode cert-manager).",
          }),
          selfSigned: z
            .strictObject({
              algorithm: z
                .enum(["ECDSA", "RSA"], { error: "must be ECDSA (P-256) or RSA" })
                .meta({ description: "Key algorithm: ECDSA (curve P-256) or RSA." }),
              rsaBits: intBetween(2048, 8192).meta({ description: "RSA key size in bits, 2048 to 8192 (algorithm RSA)." }),
              validityHours: intAtLeast(1).meta({
                description:
                  "Lifetime of the CA and the certificate in hours; the first pulumi up after 80% of it issues a new certificate.",
              }),
            })
            .meta({ description: "The generated CA and certificate (mode self-signed); the CA certificate is the caCertificate output." }),
        })
        .meta({ description: "HTTPS for the Ingress hosts." }),
      rateLimit: z
        .strictObject({
          requestsPerMinute: intAtLeast(1).meta({ description: "Requests per minute one client IP may make (limit-rpm)." }),
          burstMultiplier: intAtLeast(1).meta({
            description: "Burst allowed on top of the rate, as a multiple of it (limit-burst-multiplier).",
          }),
        })
        .meta({ description: "ingress-nginx rate limit, counted per client IP and per controller replica." }),
      proxyBodySize: z
        .string()
        .regex(/^\d+[kmg]?$/, { error: "must be an nginx size such as 10m (0 = unlimited)" })
        .meta({
          description: "Largest request body accepted, as an nginx size such as 10m (suffix k, m or g; 0 = unlimited).",
        }),
      annotations: z.record(z.string(), z.string({ error: "must be a string (quote numbers and booleans)" })).meta({
        description:
          "Extra Ingress annotations (string values). The ones the stack manages are refused here: rate limit, body size, cluster issuer.",
      }),
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
    })
    .meta({ description: "The API's public entry point: an Ingress for ingress-nginx, with TLS and rate limiting." });
export type IngressConfig = z.infer<ReturnType<typeof ingressSchema>>;

const labels = (of: string) => z.record(z.string(), z.string()).meta({ description: `Labels that select ${of}; {} = any.` });
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/(12[0-8]|1[01]\d|[1-9]?\d)$/;
const cidr = z.string().refine((s) => IPV4_CIDR.test(s) || IPV6_CIDR.test(s), { error: "must be a CIDR such as 10.0.0.0/8" });
const cidrs = (description: string) =>
  z.array(cidr).min(1, { error: "must list at least one CIDR (0.0.0.0/0 = anywhere)" }).meta({ description });
const ports = (description: string) => z.array(port()).min(1, { error: "must list at least one port" }).meta({ description });
const except = () =>
  z.array(cidr).meta({
    description: "Ranges cut out of cidrs (default: private, link-local and CGNAT ranges); entries outside cidrs are ignored.",
  });

export const networkPolicySchema = () =>
  z
    .strictObject({
      enabled: bool().meta({
        description: "Deny all traffic in the namespace, then allow exactly the stack's flows; false = no NetworkPolicies at all.",
      }),
      ingressController: z
        .strictObject({
          namespaceSelector: labels("the ingress controller's namespace"),
          podSelector: labels("the ingress controller's pods"),
        })
        .meta({ description: "Where ingress-nginx runs: the only source allowed to reach the API's http port." }),
      dns: z
        .strictObject({
          namespaceSelector: labels("the cluster DNS namespace"),
          podSelector: labels("the cluster DNS pods"),
          port: port().meta({ description: "DNS port, allowed over UDP and TCP." }),
        })
        .meta({ description: "The cluster DNS, which every pod may query." }),
      kubernetesApi: z
        .strictObject({
          cidrs: cidrs(
            "Address ranges of the API server endpoints; narrow them to yours" +
              " (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes).",
          ),
          ports: ports("Endpoint ports of the API server: 6443 on kubeadm and kind, 8443 on minikube, 443 on some managed clusters."),
        })
        .meta({
          description:
            "The Kubernetes API server as pods reach it after Service translation, for Prometheus, kube-state-metrics and" +
            " Grafana's sidecar.",
        }),
      kubelets: z
        .strictObject({
          cidrs: cidrs("Address ranges of the nodes."),
          ports: ports("Kubelet ports."),
        })
        .meta({ description: "The kubelets on the nodes, which Prometheus scrapes directly (kubernetes-nodes and -cadvisor jobs)." }),
      apiEgress: z
        .strictObject({
          cidrs: cidrs("Destinations the API may call; 0.0.0.0/0 = anywhere."),
          except: except(),
          ports: ports("Destination ports (TCP)."),
        })
        .meta({ description: "The API's calls to services outside the cluster, such as AI APIs." }),
      alertmanagerEgress: z
        .strictObject({
          cidrs: cidrs("Destinations Alertmanager may notify; 0.0.0.0/0 = anywhere."),
          except: except(),
          ports: ports("Destination ports (TCP)."),
        })
        .meta({
          description:
            "Alertmanager's notifications (Slack, PagerDuty, webhook, e-mail); an e-mail receiver's smarthost port is allowed as well.",
        }),
      externalData: z.strictObject({ cidrs: cidrs("Address ranges of the external database and Redis.") }).meta({
        description:
          "Where the external PostgreSQL or Redis is (postgresql.enabled or redis.enabled false), reached by the API and Grafana.",
      }),
    })
    .meta({ description: "NetworkPolicies of the namespace: default deny, then the flows the enabled components need." });
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
  kubernetesApi: { cidrs: CLUSTER_RANGES, ports: [443, 6443, 8443] },
  kubelets: { cidrs: CLUSTER_RANGES, ports: [10250] },
  apiEgress: { cidrs: ["0.0.0.0/0"], except: PRIVATE_RANGES, ports: [443] },
  alertmanagerEgress: { cidrs: ["0.0.0.0/0"], except: PRIVATE_RANGES, ports: [443] },
  externalData: { cidrs: ["0.0.0.0/0"] },
};
