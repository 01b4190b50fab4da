// `ingress`: the API's public entry point (an Ingress for ingress-nginx), its TLS and rate limit.
import { z } from "zod";
import { bool, dnsLabel, hostName, intAtLeast, k8sName } from "../../config/fields";
import { keySpecFields } from "../../platform/platform.settings";

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
      enabled: bool().meta({
        description: "Create the Ingress; false = the API is reachable from inside the cluster only.",
        default: true,
      }),
      className: k8sName("IngressClass").meta({
        description: "IngressClass that serves the Ingress, e.g. nginx; the annotations are ingress-nginx's.",
        default: "nginx",
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
          default: [{ host: "api.ape-2026.example.com", paths: [{ path: "/", pathType: "Prefix" }] }],
        }),
      tls: z
        .strictObject({
          mode: z.enum(TLS_MODES, { error: `must be one of ${TLS_MODES.join(", ")}` }).meta({
            description:
              "cert-manager: a ClusterIssuer issues the certificate; self-signed: this program generates a CA and a certificate;" +
              " existing-secret: you create the Secret secretName.",
            default: "cert-manager",
          }),
          secretName: dnsLabel().meta({
            description: "kubernetes.io/tls Secret the Ingress serves, written by cert-manager or this program, or created by you.",
            default: "ape-2026-api-tls",
          }),
          clusterIssuer: k8sName("cert-manager ClusterIssuer").meta({
            description: "cert-manager ClusterIssuer that issues the certificate (mode cert-manager).",
            default: "letsencrypt-prod",
          }),
          acmeSolver: z.enum(["http01", "dns01"], { error: "must be http01 or dns01" }).meta({
            description:
              "How clusterIssuer proves the hosts to its ACME server (mode cert-manager): http01 through this Ingress (the" +
              " NetworkPolicies admit the solver pods), or dns01 through DNS records, which a wildcard host needs: Let's" +
              " Encrypt issues wildcard certificates only through DNS-01. Must match the ClusterIssuer's own solver.",
            default: "http01",
          }),
          selfSigned: z
            .strictObject({
              ...keySpecFields(2048),
              validityHours: intAtLeast(1).meta({
                description:
                  "Lifetime of the CA and the certificate in hours; the first pulumi up after 80% of it issues a new certificate.",
                default: 2160,
              }),
            })
            .meta({ description: "The generated CA and certificate (mode self-signed); the CA certificate is the caCertificate output." }),
        })
        .meta({ description: "HTTPS for the Ingress hosts." }),
      rateLimit: z
        .strictObject({
          requestsPerMinute: intAtLeast(1).meta({ description: "Requests per minute one client IP may make (limit-rpm).", default: 100 }),
          burstMultiplier: intAtLeast(1).meta({
            description: "Burst allowed on top of the rate, as a multiple of it (limit-burst-multiplier).",
            default: 5,
          }),
        })
        .meta({ description: "ingress-nginx rate limit, counted per client IP and per controller replica." }),
      proxyBodySize: z
        .string()
        .regex(/^\d+[kmg]?$/, { error: "must be an nginx size such as 10m (0 = unlimited)" })
        .meta({
          description: "Largest request body accepted, as an nginx size such as 10m (suffix k, m or g; 0 = unlimited).",
          default: "10m",
        }),
      annotations: z.record(z.string(), z.string({ error: "must be a string (quote numbers and booleans)" })).meta({
        description:
          "Extra Ingress annotations (string values). The ones the stack manages are refused here: rate limit, body size, cluster issuer.",
        default: {},
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
        if (ing.tls.mode === "cert-manager" && ing.tls.acmeSolver === "http01" && h.host.startsWith("*."))
          c.addIssue({
            code: "custom",
            path: ["hosts", i, "host"],
            input: h.host,
            message:
              "is a wildcard, which the ACME HTTP-01 solver cannot prove: Let's Encrypt issues wildcard certificates only" +
              " through DNS-01, so the certificate would never be issued. List the hosts one by one, or set" +
              " ingress.tls.acmeSolver dns01 with a ClusterIssuer that solves DNS-01",
          });
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
