// Pure builders of the Gateway API entry point: the program's own Gateway (HTTP and HTTPS
// listeners), the API's HTTPRoute on the HTTPS listener, the redirect HTTPRoute on the HTTP one,
// the cert-manager Certificate the program requests, and the ReferenceGrant that lets a Gateway in
// another namespace serve the stack's TLS Secret. Plain data; ./gateway.ts registers them.
import type { IngressConfig } from "./ingress.settings";
import { controllerFacts, TRAEFIK_GROUP, TRAEFIK_MIDDLEWARES } from "./controllers";

/** A Kubernetes object as plain data (namespace and labels are the component's). */
export interface EdgeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

const GATEWAY_GROUP = "gateway.networking.k8s.io";
const GATEWAY_API = `${GATEWAY_GROUP}/v1`;
/** Listener names of the program's own Gateway. */
const LISTENERS = { http: "http", https: "https" } as const;
/** Names of the routes. */
const ROUTES = { api: "api", redirect: "api-https-redirect" } as const;

type GatewayConfig = Pick<IngressConfig, "controller" | "gateway" | "hosts" | "tls" | "rateLimit">;

/** The backend the API's route forwards to. */
export interface BackendService {
  readonly name: string;
  readonly port: number;
}

/** The listener ports of the program's own Gateway: settings, else the controller's, else 80 and 443. */
function listenerPorts(config: Pick<IngressConfig, "controller" | "gateway">): { http: number; https: number } {
  const own = controllerFacts(config.controller).gateway?.listenerPorts ?? { http: 80, https: 443 };
  return { http: config.gateway.listeners.http.port ?? own.http, https: config.gateway.listeners.https.port ?? own.https };
}

/** The GatewayClass of the program's own Gateway: the setting, else the controller's. */
function gatewayClassName(config: Pick<IngressConfig, "controller" | "gateway">): string {
  return config.gateway.className ?? controllerFacts(config.controller).gateway?.className ?? "";
}

/** Whether the program serves the TLS Secret (its own Gateway, or a Secret it writes for an existing one). */
function servesSecret(config: Pick<IngressConfig, "gateway" | "tls">): boolean {
  return config.gateway.create || config.tls.mode !== "existing-secret";
}

/** The program's own Gateway: HTTP (only the redirect attaches) and HTTPS terminating with the TLS Secret. */
function ownGateway(config: GatewayConfig): EdgeObject {
  const ports = listenerPorts(config);
  const sameNamespace = { namespaces: { from: "Same" } };
  return {
    apiVersion: GATEWAY_API,
    kind: "Gateway",
    metadata: { name: config.gateway.name },
    spec: {
      gatewayClassName: gatewayClassName(config),
      listeners: [
        { name: LISTENERS.http, protocol: "HTTP", port: ports.http, allowedRoutes: sameNamespace },
        {
          name: LISTENERS.https,
          protocol: "HTTPS",
          port: ports.https,
          tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: config.tls.secretName }] },
          allowedRoutes: sameNamespace,
        },
      ],
    },
  };
}

/** The parentRef of a route on the HTTPS (or, for the redirect, the HTTP) listener; undefined: none to attach to. */
function parentRef(config: GatewayConfig, listener: "https" | "http"): Record<string, string> | undefined {
  const ref = config.gateway.parentRef;
  if (config.gateway.create) return { group: GATEWAY_GROUP, kind: "Gateway", name: config.gateway.name, sectionName: LISTENERS[listener] };
  if (!ref) return undefined;
  const sectionName = listener === "https" ? ref.sectionName : ref.redirectSectionName;
  if (!sectionName) return undefined;
  return { group: GATEWAY_GROUP, kind: "Gateway", name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}), sectionName };
}

const PATH_TYPES = { Prefix: "PathPrefix", Exact: "Exact" } as const;

/**
 * The API's HTTPRoutes on the HTTPS listener: one per set of hosts sharing the same paths (an
 * HTTPRoute's paths apply to all its hostnames), the first named `api`; each forwards to the API
 * Service through the rate limit.
 */
function apiRoutes(config: GatewayConfig, backend: BackendService): EdgeObject[] {
  const parent = parentRef(config, "https");
  if (!parent) return [];
  const groups = new Map<string, { hosts: string[]; paths: IngressConfig["hosts"][number]["paths"] }>();
  for (const h of config.hosts) {
    const key = JSON.stringify(h.paths);
    const group = groups.get(key) ?? { hosts: [], paths: h.paths };
    group.hosts.push(h.host);
    groups.set(key, group);
  }
  const limit = config.rateLimit.enabled ? controllerFacts(config.controller).gateway?.rateLimit : undefined;
  const filters =
    limit === "traefik-middleware"
      ? [{ type: "ExtensionRef", extensionRef: { group: TRAEFIK_GROUP, kind: "Middleware", name: TRAEFIK_MIDDLEWARES.rateLimit } }]
      : [];
  return [...groups.values()].map((g, i) => ({
    apiVersion: GATEWAY_API,
    kind: "HTTPRoute",
    metadata: { name: i === 0 ? ROUTES.api : `${ROUTES.api}-${i + 1}` },
    spec: {
      parentRefs: [parent],
      hostnames: g.hosts,
      rules: [
        {
          matches: g.paths.map((p) => ({ path: { type: PATH_TYPES[p.pathType as keyof typeof PATH_TYPES], value: p.path } })),
          ...(filters.length ? { filters } : {}),
          backendRefs: [{ group: "", kind: "Service", name: backend.name, port: backend.port }],
        },
      ],
    },
  }));
}

/** The HTTPRoute on the HTTP listener: every request of the hosts answered 301 to https; undefined: the Gateway's owner redirects. */
function redirectRoute(config: GatewayConfig): EdgeObject | undefined {
  const parent = parentRef(config, "http");
  if (!parent) return undefined;
  return {
    apiVersion: GATEWAY_API,
    kind: "HTTPRoute",
    metadata: { name: ROUTES.redirect },
    spec: {
      parentRefs: [parent],
      hostnames: config.hosts.map((h) => h.host),
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    },
  };
}

/** The Certificate the program asks cert-manager for (mode cert-manager): the hosts, into the TLS Secret. */
function certificate(config: Pick<IngressConfig, "hosts" | "tls">): EdgeObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: ROUTES.api },
    spec: {
      secretName: config.tls.secretName,
      dnsNames: config.hosts.map((h) => h.host),
      issuerRef: { group: "cert-manager.io", kind: config.tls.issuer.kind, name: config.tls.issuer.name },
    },
  };
}

/**
 * Lets the existing Gateway's namespace reference the stack's TLS Secret; undefined when the
 * Gateway is the program's own, lives in the stack's namespace, or its owner serves TLS.
 */
function referenceGrant(config: Pick<IngressConfig, "gateway" | "tls">, namespace: string): EdgeObject | undefined {
  const ref = config.gateway.parentRef;
  if (config.gateway.create || !ref?.namespace || ref.namespace === namespace || !servesSecret(config)) return undefined;
  return {
    apiVersion: `${GATEWAY_GROUP}/v1beta1`,
    kind: "ReferenceGrant",
    metadata: { name: `${ref.namespace}-gateway-tls` },
    spec: {
      from: [{ group: GATEWAY_GROUP, kind: "Gateway", namespace: ref.namespace }],
      to: [{ group: "", kind: "Secret", name: config.tls.secretName }],
    },
  };
}

/** Every object of the Gateway API entry point for `config` in `namespace`, in the order they are registered. */
export function gatewayObjects(config: GatewayConfig, namespace: string, backend: BackendService): EdgeObject[] {
  const present = <T>(x: T | undefined): T[] => (x === undefined ? [] : [x]);
  return [
    ...(config.gateway.create ? [ownGateway(config)] : []),
    ...(config.tls.mode === "cert-manager" ? [certificate(config)] : []),
    ...present(referenceGrant(config, namespace)),
    ...apiRoutes(config, backend),
    ...present(redirectRoute(config)),
  ];
}
