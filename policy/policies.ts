// The ape-2026 guard rails. Kept apart from `new PolicyPack(...)` (index.ts), whose constructor
// starts the analyzer's gRPC server, so that tests import the rules without a Pulumi engine.
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
  UnknownValueError,
  validateResourceOfType,
} from "@pulumi/policy";
import {
  containersOf,
  EXACT_SEMVER,
  isProductionStack,
  latestTagsInValues,
  podSpecOf,
  secretLookingEntry,
  secretReadRules,
  serviceTypesInValues,
  STATEFUL_CHART,
  unpinnedImageReason,
} from "./k8s";
import { alertmanagerWithoutReceiver, chartName, clusterSecretAccess, missingMemoryLimits, writableRootFilesystems } from "./charts";

export const PACK_NAME = "ape-2026-guardrails";

/** Config of the production-only rules: `production` overrides the stack-name rule (prod*). */
interface ProductionConfig {
  readonly production?: boolean;
}
const productionSchema = {
  properties: {
    production: {
      type: "boolean" as const,
      description: "Treat the stack as production. Unset: stacks named prod* are production.",
    },
  },
};

/** Config of the Service exposure rule. */
interface ServiceExposureConfig {
  readonly allowLoadBalancer?: boolean;
  readonly allowNodePort?: boolean;
}

/** Runs `check` for every container of a workload (Pod, Deployment, StatefulSet, ...). */
function forEachContainer(
  args: ResourceValidationArgs,
  check: (c: Record<string, any>, where: string, pod: Record<string, any>, report: ReportViolation) => void,
  report: ReportViolation,
): void {
  const pod = podSpecOf(args.type, args.props);
  if (!pod) return;
  for (const { where, container } of containersOf(pod)) check(container, where, pod, report);
}

export const containersNonRoot: ResourceValidationPolicy = {
  name: "containers-non-root",
  description: "Every container runs as a non-root user, is not privileged and cannot escalate privileges.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) =>
    forEachContainer(
      args,
      (c, where, pod) => {
        const sc = c.securityContext ?? {};
        const podSc = pod.securityContext ?? {};
        const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
        const user = sc.runAsUser ?? podSc.runAsUser;
        if (user === 0) report(`${where}: runs as user 0 (root); set a non-zero runAsUser`);
        else if (nonRoot !== true) report(`${where}: set securityContext.runAsNonRoot: true (in the container or the pod)`);
        if (sc.privileged === true) report(`${where}: must not be privileged`);
        if (sc.allowPrivilegeEscalation !== false) report(`${where}: set securityContext.allowPrivilegeEscalation: false`);
      },
      report,
    ),
};

export const containersResources: ResourceValidationPolicy = {
  name: "containers-resources",
  description: "Every container sets CPU and memory requests and limits.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) =>
    forEachContainer(
      args,
      (c, where) => {
        const missing: string[] = [];
        for (const kind of ["requests", "limits"])
          for (const res of ["cpu", "memory"]) {
            const v = c.resources?.[kind]?.[res];
            if (v === undefined || v === null || String(v).trim() === "") missing.push(`${kind}.${res}`);
          }
        if (missing.length) report(`${where}: set resources ${missing.join(", ")}`);
      },
      report,
    ),
};

export const imagesPinnedInProduction: ResourceValidationPolicy = {
  name: "images-pinned-in-production",
  description: "In production every image is pinned to a tag other than latest, or a digest (workloads and chart values).",
  enforcementLevel: "mandatory",
  configSchema: productionSchema,
  validateResource: (args, report) => {
    if (!isProductionStack(args.getConfig<ProductionConfig>(), args.urn)) return;
    if (args.isType(k8s.helm.v3.Release)) {
      for (const path of latestTagsInValues(args.props.values)) report(`chart value ${path} is "latest"; pin a version`);
      return;
    }
    forEachContainer(
      args,
      (c, where) => {
        const reason = unpinnedImageReason(c.image);
        if (reason) report(`${where}: ${reason}; pin a version or digest in production`);
      },
      report,
    );
  },
};

export const ingressTls: ResourceValidationPolicy = {
  name: "ingress-tls",
  description: "Every Ingress terminates TLS for each of its hosts.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(k8s.networking.v1.Ingress, (ingress, _args, report) => {
    const tls = ingress.spec?.tls ?? [];
    if (tls.length === 0) {
      report("Ingress has no spec.tls; serve it over HTTPS (cert-manager or a TLS Secret)");
      return;
    }
    const covered = new Set(tls.flatMap((t) => t.hosts ?? []));
    for (const rule of ingress.spec?.rules ?? []) {
      if (rule.host && !covered.has(rule.host)) report(`host ${rule.host} is not listed in any spec.tls[].hosts`);
    }
    tls.forEach((t, i) => {
      if (!t.secretName) report(`spec.tls[${i}] has no secretName`);
    });
  }),
};

const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const TRAEFIK_MIDDLEWARE = "kubernetes:traefik.io/v1alpha1:Middleware";

interface Listener {
  name?: string;
  protocol?: string;
  tls?: { mode?: string; certificateRefs?: unknown[] };
}

export const gatewayTls: ResourceValidationPolicy = {
  name: "gateway-tls",
  description: "Every HTTPS listener of a Gateway terminates TLS with a certificate.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== GATEWAY) return;
    const listeners = known(() => (args.props.spec?.listeners ?? []) as Listener[], []);
    for (const l of listeners) {
      if (l.protocol !== "HTTPS") continue;
      if (!l.tls) report(`listener ${l.name} (HTTPS) has no tls; give it the TLS Secret in tls.certificateRefs`);
      else if ((l.tls.mode ?? "Terminate") !== "Terminate")
        report(`listener ${l.name} (HTTPS) passes TLS through (tls.mode ${l.tls.mode})`);
      else if (!l.tls.certificateRefs?.length) report(`listener ${l.name} (HTTPS) has no tls.certificateRefs`);
    }
  },
};

interface RouteRule {
  filters?: { type?: string; requestRedirect?: { scheme?: string } }[];
  backendRefs?: unknown[];
}
/** A rule that only redirects to https (what may attach to a plain HTTP listener). */
const redirectsToHttps = (r: RouteRule): boolean =>
  !r.backendRefs?.length && (r.filters ?? []).some((f) => f.type === "RequestRedirect" && f.requestRedirect?.scheme === "https");

/**
 * Routes on the stack's own Gateways: a route with a backend attaches to HTTPS listeners only; a
 * route on a plain HTTP listener (or on all listeners, without sectionName) only redirects to https.
 */
export const gatewayRoutesHttps: StackValidationPolicy = {
  name: "gateway-routes-https",
  description: "Routes reach the API through HTTPS listeners only; a plain HTTP listener only redirects to https.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const gateways = new Map<string, Listener[]>();
    for (const g of args.resources.filter((r) => r.type === GATEWAY))
      gateways.set(
        known(() => String(g.props.metadata?.name), ""),
        known(() => (g.props.spec?.listeners ?? []) as Listener[], []),
      );
    for (const route of args.resources.filter((r) => r.type === HTTP_ROUTE)) {
      const spec = known(
        () => route.props.spec ?? {},
        {} as { parentRefs?: { name?: string; sectionName?: string }[]; rules?: RouteRule[] },
      );
      const onlyRedirects = (spec.rules ?? []).every(redirectsToHttps);
      for (const ref of spec.parentRefs ?? []) {
        const listeners = gateways.get(String(ref.name));
        if (!listeners) continue;
        const attached = ref.sectionName === undefined ? listeners : listeners.filter((l) => l.name === ref.sectionName);
        const plain = attached.filter((l) => l.protocol === "HTTP");
        if (plain.length && !onlyRedirects)
          report(
            `route attaches to plain HTTP listener ${plain.map((l) => l.name).join(", ")} of Gateway ${ref.name} and does more than` +
              " redirect to https; attach it to the HTTPS listener (parentRefs[].sectionName)",
            route.urn,
          );
      }
    }
  },
};

export const configMapNoSecrets: ResourceValidationPolicy = {
  name: "configmap-no-secrets",
  description:
    "ConfigMaps hold no secret-looking values (password/token/key names with values, private keys, URLs with passwords, API tokens).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(k8s.core.v1.ConfigMap, (cm, _args, report) => {
    for (const [key, value] of Object.entries(cm.data ?? {})) {
      const reason = secretLookingEntry(key, value);
      if (reason) report(`${reason}; put it in a Secret`);
    }
  }),
};

export const chartVersionsPinned: ResourceValidationPolicy = {
  name: "chart-versions-pinned",
  description: "Every Helm release pins an exact chart version (no range, no empty version).",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(k8s.helm.v3.Release, (release, _args, report) => {
      const version = release.version ?? "";
      if (!EXACT_SEMVER.test(version)) report(`chart ${release.chart} has version "${version}"; pin an exact version such as 16.7.27`);
    }),
    validateResourceOfType(k8s.helm.v4.Chart, (chart, _args, report) => {
      const version = chart.version ?? "";
      if (!EXACT_SEMVER.test(version)) report(`chart ${chart.chart} has version "${version}"; pin an exact version such as 16.7.27`);
    }),
  ],
};

export const noExposedServices: ResourceValidationPolicy = {
  name: "no-exposed-services",
  description: "No Service of type LoadBalancer or NodePort (also in chart values) unless the pack config allows it.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowLoadBalancer: { type: "boolean", default: false, description: "Allow Services of type LoadBalancer." },
      allowNodePort: { type: "boolean", default: false, description: "Allow Services of type NodePort." },
    },
  },
  validateResource: (args, report) => {
    const config = args.getConfig<ServiceExposureConfig>();
    const refused = (type: string) =>
      (type === "LoadBalancer" && config.allowLoadBalancer !== true) || (type === "NodePort" && config.allowNodePort !== true);
    if (args.isType(k8s.core.v1.Service)) {
      const type = args.props.spec?.type;
      if (typeof type === "string" && refused(type))
        report(
          `Service type ${type} exposes the stack outside the cluster; use ClusterIP behind the Ingress (or allow it in the pack config)`,
        );
    } else if (args.isType(k8s.helm.v3.Release)) {
      for (const { path, type } of serviceTypesInValues(args.props.values))
        if (refused(type)) report(`chart value ${path} is ${type}; use ClusterIP (or allow it in the pack config)`);
    }
  },
};

export const chartNoClusterSecretAccess: ResourceValidationPolicy = {
  name: "chart-no-cluster-secret-access",
  description: "No chart release grants its workloads a cluster-wide read of Secrets (Grafana RBAC and sidecar, kube-state-metrics).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(k8s.helm.v3.Release, (release, _args, report) => {
    for (const problem of clusterSecretAccess(chartName(release.chart), (release.values ?? {}) as Record<string, any>))
      report(`chart ${release.chart}: ${problem}`);
  }),
};

export const chartMemoryLimits: ResourceValidationPolicy = {
  name: "chart-memory-limits",
  description: "Every container resources block in chart values that requests resources also sets a memory limit.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(k8s.helm.v3.Release, (release, _args, report) => {
    for (const path of missingMemoryLimits(release.values))
      report(`chart ${release.chart}: ${path} requests resources without limits.memory; set one (a node runs out of memory otherwise)`);
  }),
};

export const chartReadOnlyRoot: ResourceValidationPolicy = {
  name: "chart-read-only-root",
  description: "Chart containers run with a read-only root filesystem (explicitly where the chart's default is writable).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(k8s.helm.v3.Release, (release, _args, report) => {
    for (const path of writableRootFilesystems(chartName(release.chart), (release.values ?? {}) as Record<string, any>))
      report(`chart ${release.chart}: ${path} must be true (mount an emptyDir where the container needs to write)`);
  }),
};

export const alertmanagerReceiversInProduction: ResourceValidationPolicy = {
  name: "alertmanager-receivers-in-production",
  description:
    "In production the prometheus chart's Alertmanager has a receiver that notifies someone (Slack, PagerDuty, e-mail, webhook).",
  enforcementLevel: "advisory",
  configSchema: productionSchema,
  validateResource: validateResourceOfType(k8s.helm.v3.Release, (release, args, report) => {
    if (!isProductionStack(args.getConfig<ProductionConfig>(), args.urn)) return;
    const problem = alertmanagerWithoutReceiver(chartName(release.chart), (release.values ?? {}) as Record<string, any>);
    if (problem) report(`chart ${release.chart}: ${problem}; set prometheus.alertmanager.receivers (slack, pagerduty, email or webhook)`);
  }),
};

export const rbacNoClusterSecretRead: ResourceValidationPolicy = {
  name: "rbac-no-cluster-secret-read",
  description: "No ClusterRole lets its subjects read Secrets, and no binding grants cluster-admin.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(k8s.rbac.v1.ClusterRole, (role, _args, report) => {
      for (const rule of secretReadRules(role.rules))
        report(`${rule}: reads Secrets in every namespace; grant it in a namespaced Role, on the Secrets it needs (resourceNames)`);
    }),
    validateResourceOfType(k8s.rbac.v1.ClusterRoleBinding, (binding, _args, report) => {
      if (binding.roleRef?.name === "cluster-admin") report("roleRef: binds cluster-admin; bind a Role with the permissions needed");
    }),
    validateResourceOfType(k8s.rbac.v1.RoleBinding, (binding, _args, report) => {
      if (binding.roleRef?.kind === "ClusterRole" && binding.roleRef?.name === "cluster-admin")
        report("roleRef: binds cluster-admin; bind a Role with the permissions needed");
    }),
  ],
};

/**
 * The rules that judge Kubernetes objects themselves (pod specs, Services, RBAC) rather than chart
 * values or the stack: scripts/chart-diff.ts also runs them on the objects the charts render.
 */
export const objectPolicies: ResourceValidationPolicy[] = [
  containersNonRoot,
  containersResources,
  imagesPinnedInProduction,
  noExposedServices,
  rbacNoClusterSecretRead,
];

/**
 * The component of a read-only database role (services/postgresql/roles.ts): its password is
 * re-applied to the database by a Job whenever it changes, so losing it costs nothing, and replacing
 * it is how it is rotated; protecting it would forbid the rotation.
 */
const ROTATED_BY_REPLACEMENT = "ape:data:ReadOnlyRole$";

/** Why a resource holds data that must survive `pulumi destroy`, or undefined. */
function statefulReason(r: PolicyResource): string | undefined {
  if (r.urn.includes(ROTATED_BY_REPLACEMENT)) return undefined;
  if (r.isType(k8s.core.v1.Namespace)) return "the Namespace (deleting it deletes every PVC in it)";
  if (r.isType(k8s.core.v1.PersistentVolumeClaim)) return "a PersistentVolumeClaim";
  if (r.isType(random.RandomPassword)) return "a generated credential";
  if (r.isType(k8s.helm.v3.Release)) {
    const chart = known(() => String(r.props.chart ?? ""), "");
    const name = known(() => String(r.props.name ?? ""), "");
    if (STATEFUL_CHART.test(chart) || STATEFUL_CHART.test(`/${name}`)) return `the ${chart || name} release (holds data)`;
    return undefined;
  }
  if (r.isType(k8s.core.v1.Secret) && isCredentialSecret(r)) return "a credential Secret (the only copy of a generated password)";
  return undefined;
}

/**
 * A credential Secret is where a generated password lives: it depends on a RandomPassword created
 * by the same component (same parent). Secrets that merely copy a password for a consumer (the
 * API's env Secret) are not: they are rebuilt from the RandomPassword, and protecting them would
 * block every change to their data (Secret data changes replace the Secret).
 */
function isCredentialSecret(r: PolicyResource): boolean {
  const parentOf = (x: PolicyResource) => x.opts.parent ?? x.parent?.urn;
  const deps = [...r.dependencies, ...Object.values(r.propertyDependencies ?? {}).flat()];
  return deps.some((d) => d.isType(random.RandomPassword) && parentOf(d) !== undefined && parentOf(d) === parentOf(r));
}

/** Reads a value that may be unknown during preview; `fallback` when it is. */
function known<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownValueError) return fallback;
    throw e;
  }
}

export const statefulProtectedInProduction: StackValidationPolicy = {
  name: "stateful-protected-in-production",
  description: "In production the Namespace, PVCs, data chart releases, credential Secrets and RandomPasswords are protected.",
  enforcementLevel: "mandatory",
  configSchema: productionSchema,
  validateStack: (args, report) => {
    if (!isProductionStack(args.getConfig<ProductionConfig>(), args.resources[0]?.urn)) return;
    for (const r of args.resources) {
      const reason = statefulReason(r);
      if (reason && !r.opts.protect)
        report(`${r.name} is ${reason} and must be protected in production (statefulOptions in platform/options.ts)`, r.urn);
    }
  },
};

/**
 * Ingress annotations with which ingress-nginx or HAProxy also serves plain HTTP (the program's
 * own table of them is services/edge/controllers.ts; the pack stays self-contained).
 */
const SSL_REDIRECTS = [
  "nginx.ingress.kubernetes.io/ssl-redirect",
  "nginx.ingress.kubernetes.io/force-ssl-redirect",
  "haproxy.org/ssl-redirect",
];
const TRAEFIK_ROUTER_MIDDLEWARES = "traefik.ingress.kubernetes.io/router.middlewares";

/** `<namespace>-<name>@kubernetescrd` of each Traefik Middleware of the stack that redirects to https. */
function traefikHttpsRedirects(resources: PolicyResource[]): Set<string> {
  const out = new Set<string>();
  for (const m of resources.filter((r) => r.type === TRAEFIK_MIDDLEWARE)) {
    const ref = known(
      () =>
        m.props.spec?.redirectScheme?.scheme === "https" ? `${m.props.metadata?.namespace}-${m.props.metadata?.name}@kubernetescrd` : "",
      "",
    );
    if (ref) out.add(ref);
  }
  return out;
}

/**
 * The production safety floor, read from the resources (the program refuses each item turned off
 * unless the stack acknowledges it under weakenedProduction; this flags the acknowledged ones, so a
 * review sees them): NetworkPolicies in the namespace, Pod Security enforced at "restricted", Redis
 * with auth, and trusted TLS on the public entry point (no plain HTTP, no self-signed certificate).
 */
export const productionSafetyFloor: StackValidationPolicy = {
  name: "production-safety-floor",
  description: "In production: NetworkPolicies, restricted Pod Security, Redis auth and trusted TLS on the Ingress.",
  enforcementLevel: "advisory",
  configSchema: productionSchema,
  validateStack: (args, report) => {
    if (!isProductionStack(args.getConfig<ProductionConfig>(), args.resources[0]?.urn)) return;
    const namespaces = args.resources.filter((r) => r.isType(k8s.core.v1.Namespace));
    if (namespaces.length > 0 && !args.resources.some((r) => r.isType(k8s.networking.v1.NetworkPolicy)))
      report("no NetworkPolicy in the namespace: every pod may reach every other pod and the internet (networkPolicy.enabled)");
    for (const ns of namespaces) {
      const enforce = known(() => ns.props.metadata?.labels?.["pod-security.kubernetes.io/enforce"], undefined);
      if (enforce !== "restricted") report(`the namespace enforces Pod Security "${enforce ?? "(none)"}", not "restricted"`, ns.urn);
    }
    for (const r of args.resources.filter((x) => x.isType(k8s.helm.v3.Release))) {
      const release = known(() => ({ chart: String(r.props.chart ?? ""), auth: r.props.values?.auth?.enabled }), undefined);
      if (release && /redis$/.test(chartName(release.chart)) && release.auth === false)
        report("Redis runs without a password (redis.auth.enabled)", r.urn);
    }
    const redirects = traefikHttpsRedirects(args.resources);
    for (const ing of args.resources.filter((x) => x.isType(k8s.networking.v1.Ingress))) {
      const annotations = known(() => ing.props.metadata?.annotations ?? {}, {} as Record<string, string>);
      for (const a of SSL_REDIRECTS)
        if (String(annotations[a] ?? "").toLowerCase() === "false") report(`the Ingress serves plain HTTP (${a}: "false")`, ing.urn);
      const traefik = known(() => ing.props.spec?.ingressClassName === "traefik", false);
      const middlewares = String(annotations[TRAEFIK_ROUTER_MIDDLEWARES] ?? "").split(",");
      if (traefik && !middlewares.some((m) => redirects.has(m.trim())))
        report(
          `the Ingress serves plain HTTP: Traefik routes it without a redirectScheme https Middleware (${TRAEFIK_ROUTER_MIDDLEWARES})`,
          ing.urn,
        );
    }
    for (const cert of args.resources.filter((x) => x.type === "tls:index/selfSignedCert:SelfSignedCert"))
      report(
        "the Ingress certificate is signed by a CA of this program's own (ingress.tls.mode self-signed), which no client trusts",
        cert.urn,
      );
  },
};

/** @public The pack's resource rules (tests run them through the whole module). */
export const resourcePolicies: ResourceValidationPolicy[] = [
  containersNonRoot,
  containersResources,
  imagesPinnedInProduction,
  ingressTls,
  gatewayTls,
  configMapNoSecrets,
  chartVersionsPinned,
  noExposedServices,
  rbacNoClusterSecretRead,
  chartNoClusterSecretAccess,
  chartMemoryLimits,
  chartReadOnlyRoot,
  alertmanagerReceiversInProduction,
];

/** @public The pack's stack rules (tests run them through the whole module). */
export const stackPolicies: StackValidationPolicy[] = [statefulProtectedInProduction, productionSafetyFloor, gatewayRoutesHttps];

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [...resourcePolicies, ...stackPolicies];
