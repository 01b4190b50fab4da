// Pure helpers the policies use: where a workload keeps its pod spec, how an image reference is
// pinned, what looks like a secret. No Pulumi engine needed; tests call them directly.

/** Pulumi type tokens of the workloads whose pod templates the policies inspect. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  "kubernetes:core/v1:Pod": ["spec"],
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

export interface NamedContainer {
  /** "containers[0] (api)" style label for messages. */
  readonly where: string;
  readonly container: Record<string, any>;
}

/** The pod spec of a workload resource's inputs, or undefined for other types. */
export function podSpecOf(type: string, props: Record<string, any>): Record<string, any> | undefined {
  const path = POD_SPEC_PATHS[type];
  if (!path) return undefined;
  let at: any = props;
  for (const key of path) at = at?.[key];
  return at && typeof at === "object" ? at : undefined;
}

/** Every container, init container and ephemeral container of a pod spec. */
export function containersOf(podSpec: Record<string, any>): NamedContainer[] {
  const out: NamedContainer[] = [];
  for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
    const list: any[] = Array.isArray(podSpec[field]) ? podSpec[field] : [];
    list.forEach((c, i) => out.push({ where: `${field}[${i}]${c?.name ? ` (${c.name})` : ""}`, container: c ?? {} }));
  }
  return out;
}

/**
 * Why an image reference is not pinned, or undefined when it is: a digest (`@sha256:...`) or an
 * explicit tag other than `latest`.
 */
export function unpinnedImageReason(image: unknown): string | undefined {
  if (typeof image !== "string" || image.trim() === "") return "has no image";
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  if (colon < 0) return `image "${image}" has no tag (means latest)`;
  const tag = lastSegment.slice(colon + 1);
  if (tag === "" || tag.toLowerCase() === "latest") return `image "${image}" uses the "${tag || "empty"}" tag`;
  return undefined;
}

/** Exact semantic version, no range: 16.7.27 or 1.2.3-rc.1. */
export const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

const SECRET_KEY_NAME =
  /(passw(or)?d|passwd|pwd|secret|token|api[-_.]?key|apikey|private[-_.]?key|credential|access[-_.]?key|client[-_.]?secret)/i;
/** Key names that only refer to a secret kept elsewhere (a file path, a Secret name, a flag). */
const REFERENCE_SUFFIX = /[-_.](file|path|name|ref|enabled|enable|mode|type|ttl|expiry|timeout|duration|length|header)$/i;
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i;
const TOKEN_SHAPES: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/, // OpenAI/Anthropic-style API keys
  /\bgh[pousr]_[A-Za-z0-9]{30,}/, // GitHub tokens
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/, // Slack tokens
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, // JWT
  /hooks\.slack\.com\/services\/[A-Za-z0-9/]+/, // Slack webhook
];

/** Why a ConfigMap entry looks like a secret, or undefined. Never echoes the value. */
export function secretLookingEntry(key: string, value: unknown): string | undefined {
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  if (SECRET_KEY_NAME.test(key) && !REFERENCE_SUFFIX.test(key) && text.trim() !== "") {
    return `key "${key}" is named like a secret and has a value`;
  }
  if (PRIVATE_KEY_PEM.test(text)) return `key "${key}" holds a PEM private key`;
  if (URL_WITH_PASSWORD.test(text)) return `key "${key}" holds a URL with a password in it`;
  if (TOKEN_SHAPES.some((re) => re.test(text))) return `key "${key}" holds a value shaped like an API token`;
  return undefined;
}

/** Charts whose releases hold data (database, cache, metrics, dashboards). */
export const STATEFUL_CHART = /(^|[/:])(postgresql|postgresql-ha|timescaledb[^/]*|redis|redis-cluster|neo4j|prometheus|grafana)$/;

/** The stack name in a URN (`urn:pulumi:<stack>::<project>::...`). */
function stackOfUrn(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m?.[1];
}

/** Stacks named prod* are production: the same default the program's config uses. */
const PRODUCTION_STACK = /^prod/i;

/**
 * Whether the policies treat the stack as production: pack config `production` when given
 * (`--policy-pack-config`), otherwise the stack name in the URN.
 */
export function isProductionStack(config: { production?: boolean }, urn: string | undefined): boolean {
  if (typeof config.production === "boolean") return config.production;
  const stack = urn ? stackOfUrn(urn) : undefined;
  return stack !== undefined && PRODUCTION_STACK.test(stack);
}

/**
 * Objects in (chart) values that set a Service type: `{ service: { type } }` anywhere, and
 * `{ ...Service: { type } }` keys (e.g. `headlessService`). Returns "a.b.service.type" paths.
 */
export function serviceTypesInValues(values: unknown, at = ""): { path: string; type: string }[] {
  if (values === null || typeof values !== "object") return [];
  const found: { path: string; type: string }[] = [];
  for (const [key, child] of Object.entries(values as Record<string, unknown>)) {
    const path = at ? `${at}.${key}` : key;
    if (/service$/i.test(key) && child && typeof child === "object" && typeof (child as any).type === "string") {
      found.push({ path: `${path}.type`, type: (child as any).type });
    }
    found.push(...serviceTypesInValues(child, path));
  }
  return found;
}

/** `{ repository, tag }` image objects in chart values whose tag is "latest". */
export function latestTagsInValues(values: unknown, at = ""): string[] {
  if (values === null || typeof values !== "object") return [];
  const found: string[] = [];
  const obj = values as Record<string, unknown>;
  if (typeof obj.repository === "string" && typeof obj.tag === "string" && obj.tag.trim().toLowerCase() === "latest") {
    found.push(`${at ? `${at}.` : ""}tag`);
  }
  for (const [key, child] of Object.entries(obj)) found.push(...latestTagsInValues(child, at ? `${at}.${key}` : key));
  return found;
}

const READ_VERBS = new Set(["get", "list", "watch", "*"]);

/**
 * The rules of a (Cluster)Role that let a subject read Secrets: a rule on the core API group (or
 * "*") naming `secrets` (or "*") with get, list, watch (or "*"). Returns "rules[i]: verbs on
 * resources" descriptions.
 */
export function secretReadRules(rules: unknown): string[] {
  if (!Array.isArray(rules)) return [];
  const found: string[] = [];
  rules.forEach((rule, i) => {
    const list = (key: string): string[] => (Array.isArray(rule?.[key]) ? rule[key].map(String) : []);
    const groups = list("apiGroups");
    const resources = list("resources");
    const verbs = list("verbs").filter((v) => READ_VERBS.has(v));
    if ((groups.includes("") || groups.includes("*")) && (resources.includes("secrets") || resources.includes("*")) && verbs.length)
      found.push(`rules[${i}]: ${verbs.join(", ")} on ${resources.join(", ")}`);
  });
  return found;
}
