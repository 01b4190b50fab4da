// Reusable field schemas for StackConfig sections. Every refinement message says what is
// allowed; the error formatter adds the key path and the value given.
import { z } from "zod";
import { parseDuration } from "./duration";
import { parseQuantity } from "./quantity";

export type Environment = "development" | "production";

/** What a section schema may depend on besides its own values. */
export interface SchemaContext {
  readonly environment: Environment;
}

// `pulumi config set --path a.b 3` may store "3"; accept numeric and boolean strings like `helm --set`.
const numericString = (v: unknown) => (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v);
const booleanString = (v: unknown) => (v === "true" ? true : v === "false" ? false : v);

export const int = () => z.preprocess(numericString, z.number({ error: "must be an integer" }).int({ error: "must be an integer" }));
export const bool = () => z.preprocess(booleanString, z.boolean({ error: "must be true or false" }));
export const intAtLeast = (min: number) =>
  z.preprocess(
    numericString,
    z
      .number({ error: `must be an integer >= ${min}` })
      .int({ error: `must be an integer >= ${min}` })
      .min(min, { error: `must be an integer >= ${min}` }),
  );
export const intBetween = (min: number, max: number) =>
  z.preprocess(
    numericString,
    z
      .number({ error: `must be an integer from ${min} to ${max}` })
      .int({ error: `must be an integer from ${min} to ${max}` })
      .min(min, { error: `must be an integer from ${min} to ${max}` })
      .max(max, { error: `must be an integer from ${min} to ${max}` }),
  );
export const ratio = () =>
  z.preprocess(
    numericString,
    z
      .number({ error: "must be a number between 0 and 1" })
      .gt(0, { error: "must be a number between 0 and 1 (exclusive of 0)" })
      .max(1, { error: "must be a number between 0 and 1" }),
  );
export const port = () => intBetween(1, 65535);
export const nonEmpty = (what = "a non-empty string") =>
  z
    .string({ error: `must be ${what}` })
    .trim()
    .min(1, { error: `must be ${what}` });

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An RFC 1123 label: what Kubernetes accepts as a Namespace or Service name. */
export const dnsLabel = () =>
  z.string({ error: "must be a DNS label" }).regex(DNS_LABEL, {
    error: "must be a DNS label: lower-case letters, digits and '-', 1-63 characters, starting and ending with a letter or digit",
  });

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * The name of a Kubernetes object that must be a DNS subdomain (RFC 1123): a StorageClass, Secret,
 * ConfigMap or PriorityClass. `what` names the object in the message.
 */
export const k8sName = (what: string) => {
  const named = `the name of ${/^[aeiou]/i.test(what) ? "an" : "a"} ${what}`;
  return z.string({ error: `must be ${named}` }).refine((n) => n.length <= 253 && DNS_SUBDOMAIN.test(n), {
    error:
      `must be ${named}: lower-case letters, digits, '-' and '.', at most 253 characters, starting and ending` +
      " with a letter or digit (Kubernetes refuses anything else)",
  });
};

/**
 * A count with an upper bound this program sets, so that a typo (50000 replicas) is refused rather
 * than rendered; `why` says where the bound comes from.
 */
export const count = (min: number, max: number, why: string) =>
  z.preprocess(
    numericString,
    z
      .number({ error: `must be an integer from ${min} to ${max}` })
      .int({ error: `must be an integer from ${min} to ${max}` })
      .min(min, { error: `must be an integer from ${min} to ${max}` })
      .max(max, { error: `must be at most ${max} (${why})` }),
  );

/** A DNS host name for an Ingress rule (a leading "*." wildcard is allowed). */
export const hostName = () =>
  z
    .string({ error: "must be a DNS host name" })
    .refine(
      (h) =>
        h.length <= 253 && /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(h) && h.includes("."),
      { error: "must be a DNS host name such as api.example.com (lower case, dot-separated labels, optional leading *.)" },
    );

/** A Prometheus duration such as 30d, 12h or 1h30m. */
export const duration = () =>
  z.string({ error: "must be a duration such as 30d, 12h or 90s" }).refine((d) => parseDuration(d) !== undefined, {
    error: "must be a duration such as 30d, 12h, 1h30m or 90s (units y, w, d, h, m, s, ms; largest first)",
  });

export type QuantityKind = "cpu" | "memory" | "storage";

const QUANTITY_HELP: Record<QuantityKind, string> = {
  cpu: "a CPU quantity such as 500m, 1 or 2.5",
  memory: "a memory quantity such as 512Mi or 2Gi",
  storage: "a storage size such as 10Gi or 200Gi",
};

/** A Kubernetes quantity that parses and is greater than zero. */
export const quantity = (kind: QuantityKind) =>
  z.preprocess(
    (v) => (typeof v === "number" ? String(v) : v),
    z.string({ error: `must be ${QUANTITY_HELP[kind]}` }).superRefine((q, ctx) => {
      const value = parseQuantity(q);
      if (value === undefined || value <= 0) {
        ctx.addIssue({ code: "custom", message: `must be ${QUANTITY_HELP[kind]}`, input: q });
      } else if (kind !== "cpu" && /^\d+(\.\d+)?m$/.test(q)) {
        ctx.addIssue({ code: "custom", message: `"m" means milli-bytes; write ${QUANTITY_HELP[kind]}`, input: q });
      } else if (kind !== "cpu" && value < 1024 * 1024) {
        ctx.addIssue({ code: "custom", message: `is below 1Mi; write ${QUANTITY_HELP[kind]}`, input: q });
      }
    }),
  );

const amounts = (what: "requests" | "limits") =>
  z
    .strictObject({
      cpu: quantity("cpu")
        .optional()
        .meta({
          description:
            what === "requests"
              ? "CPU reserved for the container when it is scheduled, in cores: 500m is half a core."
              : "CPU the container may use at most, in cores (500m = half a core); above it the container is throttled.",
        }),
      memory: quantity("memory")
        .optional()
        .meta({
          description:
            what === "requests"
              ? "Memory reserved for the container when it is scheduled, e.g. 512Mi or 2Gi."
              : "Memory the container may use at most, e.g. 2Gi; a container that exceeds it is killed (OOMKilled).",
        }),
      "ephemeral-storage": quantity("storage")
        .optional()
        .meta({
          description:
            what === "requests"
              ? "Node-local disk reserved for the container's writable layer, logs and emptyDir volumes, e.g. 64Mi."
              : "Node-local disk the container may use at most (writable layer, logs, emptyDirs); above it the pod is evicted.",
        }),
    })
    .optional()
    .meta({
      description:
        what === "requests"
          ? "What the scheduler reserves for the container; a request may not exceed its limit. Unset keys reserve nothing."
          : "Upper bounds for the container. Unset keys set no limit.",
    });

/** Container requests and limits; a request above its limit is refused. */
export const resources = () =>
  z.strictObject({ requests: amounts("requests"), limits: amounts("limits") }).superRefine((r, ctx) => {
    for (const kind of ["cpu", "memory", "ephemeral-storage"] as const) {
      const request = r.requests?.[kind];
      const limit = r.limits?.[kind];
      if (request === undefined || limit === undefined) continue;
      if (parseQuantity(request)! > parseQuantity(limit)!) {
        ctx.addIssue({
          code: "custom",
          path: ["requests", kind],
          input: request,
          message: `must not exceed limits.${kind} (${limit})`,
        });
      }
    }
  });

const imageFields = (help: { registry: string; repository: string; tag: string }) => ({
  registry: z.string().optional().meta({ description: help.registry }),
  repository: nonEmpty("a non-empty image repository such as ghcr.io/org/app").meta({ description: help.repository }),
  tag: z.string({ error: "must be an image tag" }).meta({ description: help.tag }),
});

/** Refuses an unpinned tag ("" or "latest") in production. */
const pinnedTag = (ctx: SchemaContext) => (img: { tag: string }, c: z.RefinementCtx) => {
  if (ctx.environment === "production" && (img.tag.trim() === "" || img.tag === "latest")) {
    c.addIssue({
      code: "custom",
      path: ["tag"],
      input: img.tag,
      message: 'must be a pinned image tag in production (a version or digest, not empty or "latest")',
    });
  }
};

/** A chart's container image; in production the tag must be pinned (not empty, not "latest"). */
export const image = (ctx: SchemaContext) =>
  z
    .strictObject(
      imageFields({
        registry: "Registry host of the image, e.g. ghcr.io; unset = docker.io. images.registry, when set, replaces it (a mirror).",
        repository: "Image repository: the path below the registry host, without the host.",
        tag: 'Image tag (a version). Production refuses an unpinned tag (empty or "latest").',
      }),
    )
    .superRefine(pinnedTag(ctx));

/** An image with a pull policy, for workloads this program defines itself. */
export const imageWithPullPolicy = (ctx: SchemaContext) =>
  z
    .strictObject({
      ...imageFields({
        registry: "Registry host put in front of the repository, e.g. ghcr.io; unset = the repository as written.",
        repository: "Image repository, with or without its registry host, e.g. ghcr.io/org/app.",
        tag: 'Image tag, or a sha256: digest. Production refuses an unpinned tag (empty or "latest").',
      }),
      pullPolicy: z
        .enum(["Always", "IfNotPresent", "Never"], { error: "must be one of Always, IfNotPresent, Never" })
        .meta({ description: "When the kubelet pulls the image: Always, IfNotPresent (only when missing on the node) or Never." }),
    })
    .superRefine(pinnedTag(ctx));

/** A persistent volume request. `storageClass` unset means the cluster's default class. */
export const persistence = () =>
  z.strictObject({
    enabled: bool().meta({
      description: "Keep the data on a PersistentVolumeClaim; false = an emptyDir, lost whenever the pod is replaced.",
    }),
    size: quantity("storage").meta({
      description: "Requested size of the volume, e.g. 10Gi. A claim never shrinks; it grows only if its StorageClass allows expansion.",
    }),
    storageClass: k8sName("StorageClass").optional().meta({
      description: "StorageClass of the volume; unset (null in a stack file) = the cluster's default class. Fixed once the volume exists.",
    }),
  });
export type Persistence = z.infer<ReturnType<typeof persistence>>;

/** A five-field cron expression (minute hour day-of-month month day-of-week), e.g. 0 3 * * *. */
export const cronSchedule = () =>
  z
    .string({ error: "must be a cron expression such as 0 3 * * *" })
    .regex(/^\s*(\S+\s+){4}\S+\s*$/, { error: "must be a five-field cron expression such as 0 3 * * * (minute hour day month weekday)" })
    .refine(
      (s) =>
        s
          .trim()
          .split(/\s+/)
          .every((f) => /^[\d*,\-/]+$/.test(f)),
      {
        error: "must use only digits and * , - / in each of its five fields, e.g. 0 3 * * *",
      },
    );

/**
 * An endpoint outside the cluster (or in another namespace) used when the chart is switched off.
 * The API reads the password from `existingSecret`/`passwordKey`, a Secret the operator creates in
 * the stack's namespace; this program never sees that password.
 */
export const externalEndpoint = (what: string) =>
  z.strictObject({
    host: nonEmpty("a host name").meta({ description: `Host name or IP address of the ${what}.` }),
    port: port().meta({ description: `Port of the ${what}.` }),
    existingSecret: k8sName("Secret").meta({
      description: `Secret in the stack's namespace, created by you, that holds the ${what} password.`,
    }),
    passwordKey: nonEmpty("a Secret key").meta({ description: "Key of the password in existingSecret." }),
  });
