// The controllers this program knows how to drive, and what it knows of each: the one table of
// per-controller facts (settings, builders, checks, NetworkPolicy defaults and docs read it here).
// Adding an implementation = one entry below; the builders and checks need no change unless its
// rate-limit policy resource is new (docs/operations.md, "The public entry point"). The policy pack
// (policy/, a self-contained package) keeps its own copy of the redirect annotations it reads.

type Labels = Readonly<Record<string, string>>;

/** How a controller expresses the rate limit and the HTTPS redirect on an Ingress. */
interface IngressFacts {
  /** The IngressClass its installation creates by default. */
  readonly className: string;
  /**
   * How the rate limit is expressed: annotations of the controller, or a Traefik Middleware the
   * program creates and the router.middlewares annotation references.
   */
  readonly rateLimit: "traefik-middleware" | "haproxy-annotations" | "nginx-annotations";
  /** Whether a burst above the per-minute rate (rateLimit.burstMultiplier > 1) can be expressed. */
  readonly burst: boolean;
  /** Whether the largest request body (ingress.proxyBodySize) can be expressed. */
  readonly bodySize: boolean;
  /** Its annotations the program sets (ingress.annotations may not replace them). */
  readonly managedAnnotations: readonly string[];
}

/** What a controller does with Gateway API objects. */
interface GatewayFacts {
  /** The GatewayClass its installation creates by default. */
  readonly className: string;
  /** The controllerName of that GatewayClass. */
  readonly controllerName: string;
  /** Its policy resource for the rate limit, referenced from the HTTPRoute; undefined: none known. */
  readonly rateLimit?: "traefik-middleware";
  /**
   * Ports the listeners must use, when the implementation ties them to its own (Traefik maps a
   * listener to the entryPoint of the same port: 8000 web and 8443 websecure in its Helm chart).
   */
  readonly listenerPorts?: { readonly http: number; readonly https: number };
}

export interface ControllerFacts {
  /** The product, as a user knows it. */
  readonly title: string;
  /** Where its pods run by default (the namespace its install docs use) and their labels. */
  readonly namespace: string;
  readonly podLabels: Labels;
  /** Set when the project no longer ships fixes: every production preview warns. */
  readonly retired?: string;
  /** undefined: it does not serve Ingress objects through this program. */
  readonly ingress?: IngressFacts;
  /** undefined: it does not serve HTTPRoutes. */
  readonly gateway?: GatewayFacts;
}

/** Traefik's Ingress provider: the router's middlewares, as `<namespace>-<name>@kubernetescrd`. */
export const TRAEFIK_ANNOTATIONS = { middlewares: "traefik.ingress.kubernetes.io/router.middlewares" } as const;
/** HAProxy Kubernetes Ingress Controller: redirect and a per-source-IP request count per period. */
export const HAPROXY_ANNOTATIONS = {
  sslRedirect: "haproxy.org/ssl-redirect",
  sslRedirectCode: "haproxy.org/ssl-redirect-code",
  rateLimitRequests: "haproxy.org/rate-limit-requests",
  rateLimitPeriod: "haproxy.org/rate-limit-period",
  rateLimitStatusCode: "haproxy.org/rate-limit-status-code",
} as const;
const NGINX = "nginx.ingress.kubernetes.io";
/**
 * ingress-nginx: requests per minute per client IP and the burst multiplier (rejected requests get
 * the controller's limit-req-status-code, 503 unless its ConfigMap says 429), body size, redirect.
 */
export const NGINX_ANNOTATIONS = {
  sslRedirect: `${NGINX}/ssl-redirect`,
  limitRpm: `${NGINX}/limit-rpm`,
  burstMultiplier: `${NGINX}/limit-burst-multiplier`,
  bodySize: `${NGINX}/proxy-body-size`,
} as const;
/** cert-manager's ingress-shim: the issuer of an Ingress's certificate, by its kind. */
export const CERT_MANAGER_ANNOTATIONS = { ClusterIssuer: "cert-manager.io/cluster-issuer", Issuer: "cert-manager.io/issuer" } as const;

export const CONTROLLERS = {
  traefik: {
    title: "Traefik Proxy v3",
    namespace: "traefik",
    podLabels: { "app.kubernetes.io/name": "traefik" },
    ingress: {
      className: "traefik",
      rateLimit: "traefik-middleware",
      burst: true,
      bodySize: false,
      managedAnnotations: [TRAEFIK_ANNOTATIONS.middlewares],
    },
    gateway: {
      className: "traefik",
      controllerName: "traefik.io/gateway-controller",
      rateLimit: "traefik-middleware",
      listenerPorts: { http: 8000, https: 8443 },
    },
  },
  haproxy: {
    title: "HAProxy Kubernetes Ingress Controller (haproxytech)",
    namespace: "haproxy-controller",
    podLabels: { "app.kubernetes.io/name": "kubernetes-ingress" },
    // Counts requests per source IP in a fixed period: no burst on top of it.
    ingress: {
      className: "haproxy",
      rateLimit: "haproxy-annotations",
      burst: false,
      bodySize: false,
      managedAnnotations: Object.values(HAPROXY_ANNOTATIONS),
    },
  },
  nginx: {
    title: "ingress-nginx (community)",
    namespace: "ingress-nginx",
    podLabels: { "app.kubernetes.io/name": "ingress-nginx" },
    retired:
      "ingress-nginx was retired in March 2026 (no releases, bug fixes or security patches since); move to" +
      " ingress.via gateway with ingress.controller traefik (docs/operations.md, migration notes)",
    ingress: {
      className: "nginx",
      rateLimit: "nginx-annotations",
      burst: true,
      bodySize: true,
      managedAnnotations: Object.values(NGINX_ANNOTATIONS),
    },
  },
  other: {
    // A Gateway API implementation this program has no facts for: routes, TLS and the redirect are
    // standard Gateway API; the rate limit and where its pods run are not.
    title: "another Gateway API implementation",
    namespace: "",
    podLabels: {},
    gateway: { className: "", controllerName: "" },
  },
} as const satisfies Record<string, ControllerFacts>;

export type ControllerName = keyof typeof CONTROLLERS;
export const CONTROLLER_NAMES = Object.keys(CONTROLLERS) as ControllerName[];

/** The facts of a controller, typed as the interface (the table above stays literal for docs). */
export const controllerFacts = (name: ControllerName): ControllerFacts => CONTROLLERS[name];

/** The API group of Traefik's CRDs, as an ExtensionRef names it. */
export const TRAEFIK_GROUP = "traefik.io";

/** The Traefik Middleware names the program creates in the stack's namespace. */
export const TRAEFIK_MIDDLEWARES = { rateLimit: "api-rate-limit", httpsRedirect: "api-https-redirect" } as const;

/** Annotations of an Ingress served by `name` that the program manages: the controller's and cert-manager's. */
export const managedAnnotationKeys = (name: ControllerName): string[] => [
  ...(controllerFacts(name).ingress?.managedAnnotations ?? []),
  ...Object.values(CERT_MANAGER_ANNOTATIONS),
];
