// `ingress`: the API's public entry point: an HTTPRoute on a Gateway (Gateway API, the default) or
// an Ingress, served by the controller named here, with TLS, the HTTPS redirect and a rate limit.
import { z } from "zod";
import { bool, dnsLabel, hostName, intAtLeast, intBetween, k8sName, port } from "../../config/fields";
import { CONTROLLER_NAMES, controllerFacts, managedAnnotationKeys } from "./controllers";
import { keySpecFields } from "../../platform/platform.settings";

const pathRule = z.strictObject({
  path: z.string().startsWith("/", { error: "must be an HTTP path starting with /" }).meta({ description: "URL path routed to the API." }),
  pathType: z.enum(["Prefix", "Exact", "ImplementationSpecific"], { error: "must be Prefix, Exact or ImplementationSpecific" }).meta({
    description: "How the path matches: Prefix or Exact (an HTTPRoute's PathPrefix or Exact), or ImplementationSpecific (Ingress only).",
  }),
});

const TLS_MODES = ["cert-manager", "self-signed", "existing-secret"] as const;
const VIA = ["gateway", "ingress"] as const;
const supported = (way: "gateway" | "ingress") => CONTROLLER_NAMES.filter((c) => controllerFacts(c)[way] !== undefined).join(", ");

const listener = (what: string) =>
  z
    .strictObject({
      port: port()
        .optional()
        .meta({
          description:
            `Port of the Gateway's ${what} listener; unset: the controller's (traefik: its entryPoint ports, 8000 web and` +
            " 8443 websecure in Traefik's Helm chart, which its Gateway provider requires a listener to equal; others: 80 and 443).",
        }),
    })
    .meta({ description: `The ${what} listener of the program's own Gateway.` });

/**
 * Why the HTTPRoute CRD's validation rules refuse `path` as an Exact or PathPrefix match, or
 * undefined: characters outside RFC 3986's path set (or a bad percent escape), an encoded slash,
 * a fragment, an empty segment or a dot segment.
 */
function routePathProblem(path: string): string | undefined {
  if (!/^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/.test(path))
    return "holds a character an HTTPRoute path refuses (allowed: letters, digits, -/._~!$&'()*+,;=:@ and %XX escapes)";
  if (/%2f/i.test(path)) return "holds an encoded slash (%2F), which an HTTPRoute path refuses";
  if (path.includes("//") || path.includes("/./") || path.includes("/../") || /\/\.\.?$/.test(path))
    return "holds an empty or dot segment (//, /./, /../), which an HTTPRoute path refuses";
  return undefined;
}

export const ingressSchema = () =>
  z
    .strictObject({
      enabled: bool().meta({
        description: "Create the public entry point; false = the API is reachable from inside the cluster only.",
        default: true,
      }),
      via: z.enum(VIA, { error: "must be gateway or ingress" }).meta({
        description:
          "How outside traffic reaches the API: gateway = an HTTPRoute on a Gateway API Gateway (the program's own or an existing" +
          " one); ingress = a networking.k8s.io/v1 Ingress.",
        default: "gateway",
      }),
      controller: z.enum(CONTROLLER_NAMES, { error: `must be one of ${CONTROLLER_NAMES.join(", ")}` }).meta({
        description:
          `The implementation that serves the route: with via gateway one of ${supported("gateway")} (other = a Gateway API` +
          ` implementation this program has no facts for: no rate limit, give its pods in networkPolicy.ingressController);` +
          ` with via ingress one of ${supported("ingress")}. nginx is the retired ingress-nginx: accepted, with a warning on` +
          " every production preview.",
        default: "traefik",
      }),
      className: k8sName("IngressClass")
        .optional()
        .meta({ description: "IngressClass of the Ingress (via ingress); unset: the controller's (traefik, haproxy or nginx)." }),
      gateway: z
        .strictObject({
          create: bool().meta({
            description: "Create the program's own Gateway in the stack's namespace; false: attach to the Gateway named by parentRef.",
            default: true,
          }),
          name: k8sName("Gateway").meta({ description: "Name of the program's own Gateway.", default: "ape-2026" }),
          className: k8sName("GatewayClass")
            .optional()
            .meta({ description: "GatewayClass of the program's own Gateway; unset: the controller's (traefik: traefik)." }),
          listeners: z
            .strictObject({ http: listener("HTTP (redirect only)"), https: listener("HTTPS") })
            .meta({ description: "The listeners of the program's own Gateway: http (redirects to HTTPS) and https." }),
          parentRef: z
            .strictObject({
              name: k8sName("Gateway").meta({ description: "Name of the existing Gateway." }),
              namespace: dnsLabel()
                .optional()
                .meta({ description: "Its namespace; unset: the stack's. Another namespace gets a ReferenceGrant for the TLS Secret." }),
              sectionName: k8sName("Gateway listener").meta({ description: "Its HTTPS listener, which the API's route attaches to." }),
              redirectSectionName: k8sName("Gateway listener").optional().meta({
                description: "Its HTTP listener: the program attaches the HTTPS redirect there; unset: the Gateway's owner redirects.",
              }),
            })
            .optional()
            .meta({
              description:
                "An existing Gateway to attach the API's route to (with create false), e.g. a shared one: {name, namespace," +
                " sectionName, redirectSectionName}. Its listener serves the TLS Secret of tls (a cert-manager or self-signed one lives" +
                " in the stack's namespace; the program grants the Gateway's namespace access to it).",
            }),
        })
        .meta({ description: "The Gateway the API's HTTPRoute attaches to (via gateway)." }),
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
              "cert-manager: cert-manager's issuer issues the certificate (via gateway the program requests a Certificate; via" +
              " ingress the Ingress asks for one by annotation); self-signed: this program generates a CA and a certificate;" +
              " existing-secret: you create the Secret secretName (or, with gateway.parentRef, the Gateway's owner serves TLS).",
            default: "cert-manager",
          }),
          secretName: dnsLabel().meta({
            description: "kubernetes.io/tls Secret served on HTTPS, written by cert-manager or this program, or created by you.",
            default: "ape-2026-api-tls",
          }),
          issuer: z
            .strictObject({
              kind: z.enum(["ClusterIssuer", "Issuer"], { error: "must be ClusterIssuer or Issuer" }).meta({
                description: "ClusterIssuer (cluster-wide) or Issuer (in the stack's namespace).",
                default: "ClusterIssuer",
              }),
              name: k8sName("cert-manager issuer").meta({ description: "Name of the issuer.", default: "letsencrypt-prod" }),
            })
            .meta({ description: "The cert-manager issuer of the certificate (mode cert-manager)." }),
          acmeSolver: z.enum(["http01", "dns01"], { error: "must be http01 or dns01" }).meta({
            description:
              "How the issuer proves the hosts to its ACME server (mode cert-manager): http01 through this entry point (the" +
              " NetworkPolicies admit the solver pods; via gateway the issuer's http01.gatewayHTTPRoute.parentRefs name this" +
              " Gateway's HTTP listener), or dns01 through DNS records, which a wildcard host needs: Let's Encrypt issues wildcard" +
              " certificates only through DNS-01. Must match the issuer's own solver; an issuer without ACME (CA) ignores it.",
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
        .meta({ description: "HTTPS for the hosts." }),
      httpsRedirect: bool().meta({
        description:
          "Answer plain HTTP with a 301 redirect to HTTPS. false (via ingress only; production needs" +
          " weakenedProduction.ingressTls): the controller serves plain HTTP too, e.g. behind a load balancer that ends TLS.",
        default: true,
      }),
      rateLimit: z
        .strictObject({
          enabled: bool().meta({
            description: "Limit each client IP's requests; false only for a controller that cannot express it (other), limiting elsewhere.",
            default: true,
          }),
          requestsPerMinute: intAtLeast(1).meta({ description: "Requests per minute one client IP may make.", default: 100 }),
          burstMultiplier: intAtLeast(1).meta({
            description:
              "Requests one client may make at once, as a multiple of requestsPerMinute: the size of its token bucket, refilled at" +
              " requestsPerMinute (traefik forgets a client idle for about 2 s, which then starts with a full bucket again:" +
              " docs/operations.md; haproxy counts a fixed period and accepts only 1).",
            default: 1,
          }),
          forwardedForDepth: intBetween(0, 10).meta({
            description:
              "traefik: 0 = the client IP is the connection's source address; n = the n-th address from the right of" +
              " X-Forwarded-For (behind n trusted proxies). Other controllers take the client IP from their own configuration.",
            default: 0,
          }),
        })
        .meta({ description: "Rate limit per client IP, expressed in the controller's own terms (Traefik Middleware, annotations)." }),
      proxyBodySize: z
        .string()
        .regex(/^\d+[kmg]?$/, { error: "must be an nginx size such as 10m (0 = unlimited)" })
        .optional()
        .meta({
          description:
            "Largest request body accepted, as an nginx size such as 10m (suffix k, m or g; 0 = unlimited); controller nginx only" +
            " (unset: ingress-nginx's own 1m).",
        }),
      annotations: z.record(z.string(), z.string({ error: "must be a string (quote numbers and booleans)" })).meta({
        description:
          "Extra Ingress annotations (string values, via ingress). The ones the program manages for the controller (rate limit," +
          " redirect, middlewares, body size, issuer) are refused here.",
        default: {},
      }),
    })
    .superRefine((ing, c) => {
      const issue = (path: (string | number)[], input: unknown, message: string) => c.addIssue({ code: "custom", path, input, message });
      const facts = controllerFacts(ing.controller);
      const gateway = ing.via === "gateway";
      if (gateway && !facts.gateway)
        issue(["controller"], ing.controller, `serves no HTTPRoutes through this program; with via gateway use ${supported("gateway")}`);
      if (!gateway && !facts.ingress)
        issue(["controller"], ing.controller, `has no known Ingress annotations; with via ingress use ${supported("ingress")}`);
      if (gateway) {
        if (ing.gateway.create && ing.gateway.parentRef)
          issue(
            ["gateway", "parentRef"],
            ing.gateway.parentRef,
            "names an existing Gateway while ingress.gateway.create is true (the program's own Gateway): the route attaches to" +
              " one of them; set ingress.gateway.create false to use the existing one, or remove ingress.gateway.parentRef",
          );
        if (!ing.gateway.create && !ing.gateway.parentRef)
          issue(["gateway", "create"], false, "is false, but no ingress.gateway.parentRef names the Gateway to attach to");
        if (ing.gateway.create && ing.gateway.className === undefined && !facts.gateway?.className)
          issue(["gateway", "className"], undefined, `must be set for controller ${ing.controller}: its GatewayClass is not known here`);
        if (!ing.httpsRedirect)
          issue(
            ["httpsRedirect"],
            false,
            "is refused via gateway: the Gateway's HTTP listener only redirects to HTTPS and the API's route attaches to the" +
              " HTTPS listener; terminate TLS at the Gateway",
          );
        if (ing.className !== undefined)
          issue(["className"], ing.className, "is the IngressClass of via ingress; via gateway the class is ingress.gateway.className");
        if (Object.keys(ing.annotations).length > 0)
          issue(["annotations"], ing.annotations, "are Ingress annotations (via ingress); an HTTPRoute carries none");
        // Gateway API's own bounds (the HTTPRoute CRD): 16 hostnames a route, 64 matches a rule.
        if (ing.hosts.length > 16)
          issue(
            ["hosts"],
            ing.hosts.length,
            "lists more than 16 hosts, which one HTTPRoute cannot hold; split them over stacks or use via ingress",
          );
        ing.hosts.forEach((h, i) => {
          if (h.paths.length > 64)
            issue(["hosts", i, "paths"], h.paths.length, "lists more than 64 paths, which one HTTPRoute rule cannot hold");
        });
        ing.hosts.forEach((h, i) =>
          h.paths.forEach((p, j) => {
            if (p.pathType === "ImplementationSpecific")
              issue(["hosts", i, "paths", j, "pathType"], p.pathType, "is an Ingress path type; an HTTPRoute matches Prefix or Exact");
            const refused = routePathProblem(p.path);
            if (refused) issue(["hosts", i, "paths", j, "path"], p.path, refused);
          }),
        );
      }
      const way = gateway ? facts.gateway : facts.ingress;
      const limit = way?.rateLimit;
      if (way && ing.rateLimit.enabled && !limit)
        issue(
          ["rateLimit", "enabled"],
          true,
          `cannot be expressed for controller ${ing.controller}: this program knows no rate-limit policy resource of it;` +
            " use controller traefik, or set ingress.rateLimit.enabled false and limit requests in the implementation itself",
        );
      if (way && ing.rateLimit.enabled && ing.rateLimit.burstMultiplier > 1 && !gateway && !facts.ingress?.burst)
        issue(
          ["rateLimit", "burstMultiplier"],
          ing.rateLimit.burstMultiplier,
          `cannot be expressed for controller ${ing.controller}: it counts requests per period without a burst; set 1`,
        );
      if (ing.rateLimit.forwardedForDepth > 0 && limit !== "traefik-middleware")
        issue(
          ["rateLimit", "forwardedForDepth"],
          ing.rateLimit.forwardedForDepth,
          `applies to traefik only; ${ing.controller} takes the client IP from its own configuration (set 0)`,
        );
      if (ing.proxyBodySize !== undefined && (gateway || !facts.ingress?.bodySize))
        issue(["proxyBodySize"], ing.proxyBodySize, "can be expressed for controller nginx (via ingress) only");
      if (!gateway && facts.ingress) {
        const managed = managedAnnotationKeys(ing.controller);
        for (const key of Object.keys(ing.annotations))
          if (managed.includes(key))
            issue(
              ["annotations", key],
              ing.annotations[key],
              "is managed by this program; set ingress.rateLimit.*, ingress.tls.* or ingress.proxyBodySize instead",
            );
      }
      const seen = new Set<string>();
      ing.hosts.forEach((h, i) => {
        if (ing.tls.mode === "cert-manager" && ing.tls.acmeSolver === "http01" && h.host.startsWith("*."))
          issue(
            ["hosts", i, "host"],
            h.host,
            "is a wildcard, which the ACME HTTP-01 solver cannot prove: Let's Encrypt issues wildcard certificates only" +
              " through DNS-01, so the certificate would never be issued. List the hosts one by one, or set" +
              " ingress.tls.acmeSolver dns01 with an issuer that solves DNS-01",
          );
        if (seen.has(h.host)) issue(["hosts", i, "host"], h.host, "is listed twice; give each host once with all its paths");
        seen.add(h.host);
      });
    })
    .meta({
      description:
        "The API's public entry point: an HTTPRoute on a Gateway (default, Traefik) or an Ingress, with TLS, the HTTPS redirect" +
        " and a rate limit per client IP.",
    });
export type IngressConfig = z.infer<ReturnType<typeof ingressSchema>>;
