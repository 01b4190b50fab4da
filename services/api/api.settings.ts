// `api`: the APE 2026 API workload (Deployment, Service, HPA, PDB, volumes, settings and secrets).
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configPath } from "../../config/errors";
import {
  bool,
  count,
  imageWithPullPolicy,
  int,
  intAtLeast,
  intBetween,
  k8sName,
  nonEmpty,
  port,
  quantity,
  resources,
  SchemaContext,
} from "../../config/fields";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = { error: "must be an environment variable name (letters, digits, '_'; not starting with a digit)" };

/** The most API pods a stack may ask for, and why there is a bound at all. */
const MAX_API_PODS = 100;
const API_POD_LIMIT = "every API pod holds its own database and Redis connections; a larger fleet needs a capacity review first";

const mountPath = z
  .string({ error: "must be an absolute path such as /app/data" })
  .regex(/^\/[^:]*$/, { error: "must be an absolute path such as /app/data" });

const volume = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("emptyDir"), mountPath, sizeLimit: quantity("storage").optional() }),
    z.strictObject({
      type: z.literal("pvc"),
      mountPath,
      size: quantity("storage"),
      storageClass: k8sName("StorageClass").optional(),
      accessModes: z
        .array(
          z.enum(["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany"], {
            error: "must be one of ReadWriteOnce, ReadWriteOncePod, ReadWriteMany, ReadOnlyMany",
          }),
        )
        .min(1, { error: "must name at least one access mode" }),
    }),
  ],
  { error: "must be a volume with type emptyDir or pvc" },
);
export type ApiVolume = z.infer<typeof volume>;

/**
 * The size limit of an emptyDir volume that sets none: a pod that writes more is evicted rather
 * than filling the node's disk. (Not a default in the stack defaults, where it would survive a
 * switch of the volume to type pvc and be refused there.)
 */
export const EMPTY_DIR_SIZE_LIMIT = "512Mi";

/** A volume of the API container, described per key (data, logs, vee) with its default mount path. */
const volumeHelp = (mount: string) =>
  `Writable volume mounted at ${mount} by default: {type: emptyDir, mountPath, sizeLimit (default ${EMPTY_DIR_SIZE_LIMIT})}` +
  " (lost with the pod) or" +
  " {type: pvc, mountPath, size, storageClass?, accessModes} (a PersistentVolumeClaim, protected in production)." +
  " ReadWriteOnce needs a single replica.";

const httpGetProbe = z.strictObject({
  path: z
    .string()
    .startsWith("/", { error: "must be an HTTP path starting with /" })
    .meta({ description: "HTTP path the kubelet requests; a status from 200 to 399 counts as success." }),
  initialDelaySeconds: intAtLeast(0).meta({ description: "Seconds after the container starts before the first probe." }),
  periodSeconds: intAtLeast(1).meta({ description: "Seconds between two probes." }),
  timeoutSeconds: intAtLeast(1).meta({ description: "Seconds a probe may take before it counts as failed." }),
  failureThreshold: intAtLeast(1).meta({ description: "Failures in a row before the kubelet acts (see the probe's description)." }),
});

const scalingPolicy = z
  .strictObject({
    percent: intAtLeast(1)
      .optional()
      .meta({ description: "Change the replica count by at most this percentage of the current count per period; unset = no such rule." }),
    pods: intAtLeast(1)
      .optional()
      .meta({ description: "Change the replica count by at most this many pods per period; unset = no such rule." }),
    periodSeconds: intBetween(1, 1800).meta({
      description: "Length in seconds (1-1800) of the period the percent and pods rules count over.",
    }),
    stabilizationWindowSeconds: intBetween(0, 3600).meta({
      description: "Seconds (0-3600) of past recommendations the HPA weighs before scaling, so a short swing does not flap the count.",
    }),
    selectPolicy: z.enum(["Max", "Min", "Disabled"], { error: "must be one of Max, Min, Disabled" }).meta({
      description: "Which rule wins when both apply: Max (the larger change), Min (the smaller), Disabled (never scale this way).",
    }),
  })
  .superRefine((p, c) => {
    if (p.selectPolicy !== "Disabled" && p.percent === undefined && p.pods === undefined) {
      c.addIssue({
        code: "custom",
        path: ["percent"],
        input: undefined,
        message: "must set percent or pods (or both) unless selectPolicy is Disabled",
      });
    }
  });

/** A Kubernetes object name (DNS subdomain): what a Secret or a SecretStore may be called. */
const objectName = (what: string) =>
  z
    .string({ error: `must be ${what}` })
    .max(253, { error: `must be ${what} (at most 253 characters)` })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
      error: `must be ${what}: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
    });

/** A Go duration as the External Secrets Operator reads refreshInterval ("0s": fetch once). */
const goDuration = () =>
  z.string({ error: "must be a duration such as 1h, 15m or 1h30m" }).regex(/^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/, {
    error: "must be a duration such as 1h, 15m or 1h30m (units h, m, s, ms; 0s = fetch once, never refresh)",
  });

/**
 * API environment variables from an external secret manager through the External Secrets Operator
 * (installed in the cluster separately): the program creates an ExternalSecret that reads each
 * variable from the store and writes the API's external Secret, which the Deployment reads.
 */
const externalSecrets = z.strictObject(
  {
    storeRef: z
      .strictObject(
        {
          name: objectName("the name of a SecretStore or ClusterSecretStore").meta({
            description: "Name of the (Cluster)SecretStore the operator reads from (created outside this program)",
          }),
          kind: z
            .enum(["ClusterSecretStore", "SecretStore"], { error: "must be ClusterSecretStore or SecretStore" })
            .meta({ description: "ClusterSecretStore (cluster-wide) or SecretStore (in the stack's namespace)" }),
        },
        { error: "must name the store: api.externalSecrets.storeRef.name and api.externalSecrets.storeRef.kind" },
      )
      .meta({ description: "The store the External Secrets Operator reads the API's variables from" }),
    refreshInterval: goDuration()
      .default("1h")
      .meta({ description: "How often the operator re-reads the store (Go duration; 0s = once). Default 1h" }),
    data: z
      .record(
        z.string().regex(ENV_NAME, envName),
        z.strictObject(
          {
            key: nonEmpty("the remote key (secret name or path in the store)").meta({
              description: "The secret's name or path in the store",
            }),
            property: nonEmpty("a property of the remote secret")
              .optional()
              .meta({ description: "A field of a structured (JSON, Vault KV) secret; unset = the whole value" }),
          },
          { error: "must be an object with key (and optional property)" },
        ),
        {
          error: (issue) =>
            issue.code === "invalid_key"
              ? envName.error
              : "must map each API environment variable to a remote key: api.externalSecrets.data.<ENV_NAME>.key",
        },
      )
      .refine((d) => Object.keys(d).length > 0, {
        error: "must map at least one API environment variable: api.externalSecrets.data.<ENV_NAME>.key",
      })
      .meta({ description: "API environment variable -> remote key (and property) in the store" }),
  },
  { error: "must be an object with storeRef, data and optional refreshInterval" },
);
export type ExternalSecretsConfig = z.infer<typeof externalSecrets>;

/** Names the stack sets itself from the data endpoints; api.env / api.secrets may not reuse them. */
const RESERVED_ENV_NAMES: readonly string[] = [
  "DATABASE_HOST",
  "DATABASE_PORT",
  "DATABASE_NAME",
  "DATABASE_USER",
  "DATABASE_PASSWORD",
  "DATABASE_URL",
  "DATABASE_SSLMODE",
  "DATABASE_SSLROOTCERT",
  "REDIS_MODE",
  "REDIS_HOST",
  "REDIS_PORT",
  "REDIS_PASSWORD",
  "REDIS_SENTINEL_HOSTS",
  "REDIS_SENTINEL_MASTER_SET",
  "REDIS_TLS",
  "REDIS_CA_FILE",
  "NEO4J_URI",
  "NEO4J_USERNAME",
  "NEO4J_PASSWORD",
  "NEO4J_CA_FILE",
];

/** The smallest and largest replica count the API runs with (the HPA's range, or replicaCount). */
function replicaRange(api: Pick<ApiShape, "replicaCount" | "autoscaling">): { min: number; max: number } {
  return api.autoscaling.enabled
    ? { min: api.autoscaling.minReplicas, max: api.autoscaling.maxReplicas }
    : { min: api.replicaCount, max: api.replicaCount };
}

/** The container port a probe or scrape port refers to: a port name (http, metrics) or a number. */
export function resolvePort(ref: string | number, ports: { http: number; metrics: number }): number | undefined {
  if (ref === "http" || ref === ports.http) return ports.http;
  if (ref === "metrics" || ref === ports.metrics) return ports.metrics;
  return undefined;
}

/** The keys of the API section, without the rules that span several of them (crossFieldRules). */
const apiFields = (ctx: SchemaContext) =>
  z.strictObject({
    replicaCount: count(1, MAX_API_PODS, API_POD_LIMIT).meta({
      description:
        `Number of API pods (at most ${MAX_API_PODS}). With api.autoscaling.enabled: the size the Deployment is created with, brought` +
        " into minReplicas..maxReplicas, after which the HPA owns the count (a later change has no effect).",
      default: 3,
    }),
    image: imageWithPullPolicy(ctx).meta({
      description: "The API container image.",
      default: { repository: "ghcr.io/yourorg/ape-2026/api", tag: "latest", pullPolicy: "IfNotPresent" },
    }),
    command: z
      .array(z.string({ error: "must be a list of strings" }))
      .optional()
      .meta({ description: "Container entrypoint, as a list of strings; unset = the image's ENTRYPOINT." }),
    args: z
      .array(z.string({ error: "must be a list of strings" }))
      .meta({ description: "Container arguments, as a list of strings; [] = the image's CMD.", default: [] }),
    imagePullSecrets: z
      .array(k8sName("Secret"))
      .meta({ description: "docker-registry Secrets for pulling the API image, in addition to images.pullSecrets.", default: [] }),
    resources: resources().meta({
      description: "CPU and memory of the API container; the HPA's utilization targets are percentages of the requests.",
      default: {
        requests: { memory: "1Gi", cpu: "500m", "ephemeral-storage": "256Mi" },
        limits: { memory: "2Gi", cpu: "1000m", "ephemeral-storage": "2Gi" },
      },
    }),
    autoscaling: z
      .strictObject({
        enabled: bool().meta({
          description: "Let a HorizontalPodAutoscaler set the replica count between minReplicas and maxReplicas; false = api.replicaCount.",
          default: true,
        }),
        minReplicas: count(1, MAX_API_PODS, API_POD_LIMIT).meta({
          description: "Fewest API pods the HPA keeps; at most maxReplicas.",
          default: 2,
        }),
        maxReplicas: count(1, MAX_API_PODS, API_POD_LIMIT).meta({
          description: `Most API pods the HPA runs (at most ${MAX_API_PODS}).`,
          default: 10,
        }),
        targetCPUUtilizationPercentage: intBetween(1, 100).meta({
          description: "Average CPU use the HPA aims for, as a percentage (1-100) of the CPU request.",
          default: 70,
        }),
        targetMemoryUtilizationPercentage: intBetween(1, 100).meta({
          description: "Average memory use the HPA aims for, as a percentage (1-100) of the memory request.",
          default: 80,
        }),
        behavior: z
          .strictObject({
            scaleUp: scalingPolicy.meta({
              description: "How fast the HPA adds pods.",
              default: { percent: 100, pods: 2, periodSeconds: 30, stabilizationWindowSeconds: 0, selectPolicy: "Max" },
            }),
            scaleDown: scalingPolicy.meta({
              description: "How fast the HPA removes pods.",
              default: { percent: 50, periodSeconds: 60, stabilizationWindowSeconds: 300, selectPolicy: "Max" },
            }),
          })
          .meta({ description: "Rate limits of the HPA in each direction." }),
      })
      .superRefine((a, c) => {
        if (a.minReplicas > a.maxReplicas) {
          c.addIssue({
            code: "custom",
            path: ["minReplicas"],
            input: a.minReplicas,
            message: `must be <= maxReplicas (${a.maxReplicas})`,
          });
        }
      })
      .meta({ description: "The API's HorizontalPodAutoscaler, driven by average CPU and memory use." }),
    podDisruptionBudget: z
      .strictObject({
        enabled: bool().meta({ description: "Create the PodDisruptionBudget.", default: true }),
        minAvailable: intAtLeast(0).meta({
          description: "API pods that must stay running during a node drain; must be below the minimum replica count.",
          default: 1,
        }),
      })
      .meta({ description: "A PodDisruptionBudget that keeps API pods running while nodes are drained." }),
    ports: z
      .strictObject({
        http: port().meta({
          description: "Port the API serves HTTP on (container and Service port http); the Ingress routes here.",
          default: 8000,
        }),
        metrics: port().meta({
          description: "Port the API serves Prometheus metrics on (container and Service port metrics); must differ from http.",
          default: 9090,
        }),
      })
      .meta({ description: "The API's ports, the same numbers in the container and in the Service api." }),
    probes: z
      .strictObject({
        port: z
          .union([z.string(), int()], { error: "must be a container port name or number" })
          .meta({ description: "Port the probes call: http, metrics, or the number of one of them.", default: "http" }),
        liveness: httpGetProbe.meta({
          description: "Liveness probe: after failureThreshold failures in a row the kubelet restarts the container.",
          default: { path: "/healthz", initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
        }),
        readiness: httpGetProbe.meta({
          description: "Readiness probe: while it fails, the pod receives no traffic from the Service.",
          default: { path: "/readyz", initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
        }),
        startup: httpGetProbe.meta({
          description:
            "Startup probe: the other probes wait until it succeeds; failureThreshold x periodSeconds is the longest start allowed.",
          default: { path: "/healthz", initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 30 },
        }),
      })
      .meta({ description: "HTTP health checks of the API container." }),
    metrics: z
      .strictObject({
        enabled: bool().meta({
          description: "Have Prometheus scrape the API pods (prometheus.io/* pod annotations, and a NetworkPolicy rule for it).",
          default: true,
        }),
        path: z
          .string()
          .startsWith("/", { error: "must be an HTTP path starting with /" })
          .meta({ description: "HTTP path of the metrics endpoint.", default: "/metrics" }),
        port: z
          .union([z.string(), int()], { error: "must be a container port name or number" })
          .meta({ description: "Port that serves the metrics: http, metrics, or the number of one of them.", default: "metrics" }),
      })
      .meta({ description: "How Prometheus finds the API's metrics." }),
    rollingUpdate: z
      .strictObject({
        maxSurge: z
          .union([intAtLeast(1), z.string().regex(/^[1-9]\d*%$/, { error: "must be a positive integer or a percentage such as 25%" })])
          .meta({
            description: "Extra pods a rollout may start above the desired count: a number, or a percentage such as 25%.",
            default: "25%",
          }),
      })
      .meta({ description: "How a new version rolls out; maxUnavailable is always 0, so no old pod stops before a new one is ready." }),
    terminationGracePeriodSeconds: intAtLeast(1).meta({
      description: "Seconds a stopping pod has (the preStop sleep included) before it is killed.",
      default: 30,
    }),
    preStopSleepSeconds: intAtLeast(0).meta({
      description:
        "Seconds a stopping pod keeps serving before it gets SIGTERM, while the Service and Ingress drop it; 0 = none." +
        " Must be below terminationGracePeriodSeconds.",
      default: 5,
    }),
    topologySpread: z
      .strictObject({
        enabled: bool().meta({
          description: "Spread constraints over kubernetes.io/hostname and topology.kubernetes.io/zone.",
          default: true,
        }),
        maxSkew: intAtLeast(1).meta({ description: "Largest allowed difference in API pods between two nodes, or two zones.", default: 1 }),
        whenUnsatisfiable: z.enum(["ScheduleAnyway", "DoNotSchedule"], { error: "must be ScheduleAnyway or DoNotSchedule" }).meta({
          description: "ScheduleAnyway: spreading is a preference; DoNotSchedule: a pod stays Pending rather than exceed maxSkew.",
          default: "ScheduleAnyway",
        }),
      })
      .meta({ description: "Spreading of the API pods across nodes and zones." }),
    env: z
      .record(
        z.string().regex(ENV_NAME, envName),
        z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" }),
      )
      .meta({
        description:
          "Plain environment variables of the API (NAME: value), kept in its ConfigMap; a change rolls the pods." +
          " The names the stack sets itself (DATABASE_*, REDIS_*) are refused.",
        default: {},
      }),
    secrets: z
      .record(z.string().regex(ENV_NAME, envName), z.string({ error: "must be a string set with `pulumi config set --secret`" }))
      .transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, pulumi.secret(v)])))
      .meta({
        description:
          "Secret environment variables of the API (NAME: value), e.g. API keys, kept only in its Kubernetes Secret." +
          " Set each encrypted: pulumi config set --secret --path api.secrets.NAME; plain-text values are refused.",
        secret: true,
        default: {},
      }),
    externalSecrets: externalSecrets.optional().meta({
      description: "API variables from an external secret manager via an ExternalSecret (External Secrets Operator, installed separately).",
    }),
    existingSecret: objectName("a Secret name")
      .optional()
      .meta({ description: "A Secret managed outside this program whose every key becomes an API environment variable (envFrom)." }),
    reloadOnSecretChange: bool().meta({
      description:
        "Annotate the Deployment for Stakater Reloader so it rolls when the externalSecrets/existingSecret Secret's data changes.",
      default: false,
    }),
    volumes: z
      .strictObject({
        data: volume.meta({ description: volumeHelp("/app/data"), default: { type: "emptyDir", mountPath: "/app/data" } }),
        logs: volume.meta({ description: volumeHelp("/app/logs"), default: { type: "emptyDir", mountPath: "/app/logs" } }),
        vee: volume.meta({ description: volumeHelp("/app/vee"), default: { type: "emptyDir", mountPath: "/app/vee" } }),
      })
      .meta({ description: "Writable volumes of the API container, whose root filesystem is read-only (/tmp is always an emptyDir)." }),
    tmpSizeLimit: quantity("storage").meta({
      description: "Size limit of the API's /tmp emptyDir; a pod that writes more is evicted.",
      default: "256Mi",
    }),
    nodeSelector: z
      .record(z.string(), z.string({ error: "must be a string (quote numbers and booleans)" }))
      .meta({ description: "Node labels an API pod's node must have, e.g. {node-pool: api}.", default: {} }),
    tolerations: z.array(toleration).meta({
      description: "Taints the API pods tolerate, as Kubernetes tolerations (key, operator, value, effect, tolerationSeconds).",
      default: [],
    }),
    affinity: affinity.meta({
      description:
        "Kubernetes affinity of the API pods (nodeAffinity, podAffinity, podAntiAffinity), passed to the pod spec as given;" +
        " spreading over nodes and zones is api.topologySpread.",
    }),
    priorityClassName: z
      .string()
      .regex(DNS_SUBDOMAIN, { error: "must be the name of a PriorityClass (lower case DNS subdomain)" })
      .optional()
      .meta({ description: "PriorityClass of the API pods; unset = the cluster's default priority." }),
    podAnnotations: z.record(z.string(), z.string()).meta({
      description: "Extra annotations on the API pods; the stack's prometheus.io/* and checksum/config annotations win.",
      default: {},
    }),
  });

/** The API section as its cross-key rules see it: every key parsed. */
type ApiShape = z.infer<ReturnType<typeof apiFields>>;

export const apiSchema = (ctx: SchemaContext) =>
  apiFields(ctx)
    .superRefine(crossFieldRules)
    .meta({ description: "The APE 2026 API: its Deployment, Service, autoscaler, disruption budget, settings and secrets." });

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes toleration; `Exists` takes no value. */
const toleration = z
  .strictObject({
    key: z.string().optional().meta({ description: "Taint key; unset with operator Exists tolerates every taint." }),
    operator: z
      .enum(["Exists", "Equal"], { error: "must be Exists or Equal" })
      .optional()
      .meta({ description: "Exists or Equal (default)." }),
    value: z.string().optional().meta({ description: "Taint value, with operator Equal." }),
    effect: z
      .enum(["NoSchedule", "PreferNoSchedule", "NoExecute"], { error: "must be NoSchedule, PreferNoSchedule or NoExecute" })
      .optional()
      .meta({ description: "Taint effect; unset tolerates every effect." }),
    tolerationSeconds: intAtLeast(0).optional().meta({ description: "With NoExecute: how long the pod stays after the taint appears." }),
  })
  .refine((t) => !(t.operator === "Exists" && t.value !== undefined), { error: "operator Exists takes no value" });

/** A Kubernetes Affinity: its three parts are passed through as given (the API server validates them). */
const affinity = z.strictObject({
  nodeAffinity: z.record(z.string(), z.unknown()).optional().meta({ description: "Kubernetes nodeAffinity of the API pods." }),
  podAffinity: z.record(z.string(), z.unknown()).optional().meta({ description: "Kubernetes podAffinity of the API pods." }),
  podAntiAffinity: z.record(z.string(), z.unknown()).optional().meta({ description: "Kubernetes podAntiAffinity of the API pods." }),
});

/** Rules that span several keys; each names the key to change and what is allowed. */
function crossFieldRules(api: ApiShape, c: z.RefinementCtx): void {
  const { min, max } = replicaRange(api);
  const minKey = api.autoscaling.enabled ? "api.autoscaling.minReplicas" : "api.replicaCount";
  if (api.podDisruptionBudget.enabled && api.podDisruptionBudget.minAvailable >= min) {
    c.addIssue({
      code: "custom",
      path: ["podDisruptionBudget", "minAvailable"],
      input: api.podDisruptionBudget.minAvailable,
      message:
        `must be below the minimum replica count (${minKey} = ${min}), or no node could ever be drained;` +
        ` lower it, raise ${minKey}, or set api.podDisruptionBudget.enabled false`,
    });
  }
  const maxKey = api.autoscaling.enabled ? "api.autoscaling.maxReplicas" : "api.replicaCount";
  for (const [name, v] of Object.entries(api.volumes)) {
    const single = v.type === "pvc" ? v.accessModes.filter((m) => m === "ReadWriteOnce" || m === "ReadWriteOncePod") : [];
    if (v.type === "pvc" && max > 1 && single.length > 0 && !v.accessModes.some((m) => m === "ReadWriteMany" || m === "ReadOnlyMany")) {
      c.addIssue({
        code: "custom",
        path: ["volumes", name, "accessModes"],
        input: v.accessModes,
        message:
          `${single.join("/")} cannot be mounted by ${max} replicas (${maxKey}) on different nodes;` +
          " use ReadWriteMany, type emptyDir, or a single replica",
      });
    }
  }
  const seen = new Map<string, string>();
  for (const [name, v] of Object.entries(api.volumes)) {
    if (v.mountPath === "/tmp" || seen.has(v.mountPath)) {
      const owner = v.mountPath === "/tmp" ? "the /tmp scratch volume" : configPath(["api", "volumes", seen.get(v.mountPath)!]);
      c.addIssue({
        code: "custom",
        path: ["volumes", name, "mountPath"],
        input: v.mountPath,
        message: `must be unique (already used by ${owner})`,
      });
    }
    seen.set(v.mountPath, name);
  }
  if (api.ports.http === api.ports.metrics) {
    c.addIssue({
      code: "custom",
      path: ["ports", "metrics"],
      input: api.ports.metrics,
      message: `must differ from api.ports.http (${api.ports.http}); to scrape the http port set api.metrics.port to http`,
    });
  }
  const portHelp = `must name a container port: http, metrics, ${api.ports.http} or ${api.ports.metrics}`;
  if (resolvePort(api.probes.port, api.ports) === undefined) {
    c.addIssue({ code: "custom", path: ["probes", "port"], input: api.probes.port, message: portHelp });
  }
  if (api.metrics.enabled && resolvePort(api.metrics.port, api.ports) === undefined) {
    c.addIssue({ code: "custom", path: ["metrics", "port"], input: api.metrics.port, message: portHelp });
  }
  if (api.preStopSleepSeconds >= api.terminationGracePeriodSeconds) {
    c.addIssue({
      code: "custom",
      path: ["preStopSleepSeconds"],
      input: api.preStopSleepSeconds,
      message: `must be below api.terminationGracePeriodSeconds (${api.terminationGracePeriodSeconds}), leaving the app time to stop`,
    });
  }
  for (const section of ["env", "secrets"] as const) {
    for (const key of Object.keys(api[section])) {
      if (RESERVED_ENV_NAMES.includes(key)) {
        c.addIssue({
          code: "custom",
          path: [section, key],
          input: section === "secrets" ? "<secret>" : api[section][key],
          message: "is set by the stack from the database/Redis/Neo4j endpoints; choose another name",
        });
      }
    }
  }
  externalSecretRules(api, c);
  for (const key of Object.keys(api.secrets)) {
    if (key in api.env) {
      c.addIssue({
        code: "custom",
        path: ["env", key],
        input: api.env[key],
        message: `is also set in ${configPath(["api", "secrets", key])}; set it in one place only`,
      });
    }
  }
}

/** api.externalSecrets and api.existingSecret: each variable has one source; the reload switch needs a Secret to watch. */
function externalSecretRules(api: ApiShape, c: z.RefinementCtx): void {
  for (const key of Object.keys(api.externalSecrets?.data ?? {})) {
    const path = ["externalSecrets", "data", key];
    if (RESERVED_ENV_NAMES.includes(key)) {
      c.addIssue({
        code: "custom",
        path,
        input: api.externalSecrets!.data[key],
        message: "is set by the stack from the database/Redis/Neo4j endpoints; choose another name",
      });
    }
    for (const other of ["secrets", "env"] as const) {
      if (!(key in api[other])) continue;
      c.addIssue({
        code: "custom",
        path,
        input: api.externalSecrets!.data[key],
        message:
          `is also set in api.${other}.${key}: each variable comes from one source;` +
          ` remove api.${other}.${key} or api.externalSecrets.data.${key}`,
      });
    }
  }
  if (api.reloadOnSecretChange && !api.externalSecrets && api.existingSecret === undefined) {
    c.addIssue({
      code: "custom",
      path: ["reloadOnSecretChange"],
      input: true,
      message:
        "watches the Secret of api.externalSecrets or api.existingSecret, and neither is set; leave it false" +
        " (the Secret this program writes from api.secrets already rolls the pods when it changes)",
    });
  }
}

export type ApiConfig = z.infer<ReturnType<typeof apiSchema>>;
