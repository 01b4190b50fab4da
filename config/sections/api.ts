// `api`: the APE 2026 API workload (the seed chart's own Deployment, Service, HPA, PDB, volumes).
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { bool, imageWithPullPolicy, int, intAtLeast, intBetween, nonEmpty, port, quantity, resources, SchemaContext } from "../fields";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = { error: "must be an environment variable name (letters, digits, '_'; not starting with a digit)" };

const volume = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("emptyDir"), sizeLimit: quantity("storage").optional() }),
    z.strictObject({
      type: z.literal("pvc"),
      size: quantity("storage"),
      storageClass: z.string().optional(),
      accessModes: z
        .array(z.enum(["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany"], { error: "must be one of ReadWriteOnce, ReadWriteOncePod, ReadWriteMany, ReadOnlyMany" }))
        .min(1, { error: "must name at least one access mode" }),
    }),
  ],
  { error: "must be a volume with type emptyDir or pvc" },
);
export type ApiVolume = z.infer<typeof volume>;

const httpGetProbe = z.strictObject({
  path: z.string().startsWith("/", { error: "must be an HTTP path starting with /" }),
  initialDelaySeconds: intAtLeast(0),
  periodSeconds: intAtLeast(1),
  timeoutSeconds: intAtLeast(1),
  failureThreshold: intAtLeast(1),
});

const scalingPolicy = z.strictObject({
  percent: intAtLeast(1).optional(),
  pods: intAtLeast(1).optional(),
  periodSeconds: intBetween(1, 1800),
  stabilizationWindowSeconds: intBetween(0, 3600),
  selectPolicy: z.enum(["Max", "Min", "Disabled"], { error: "must be one of Max, Min, Disabled" }),
});

export const apiSchema = (ctx: SchemaContext) =>
  z.strictObject({
    replicaCount: intAtLeast(1),
    image: imageWithPullPolicy(ctx),
    imagePullSecrets: z.array(nonEmpty("a Secret name")),
    resources: resources(),
    autoscaling: z
      .strictObject({
        enabled: bool(),
        minReplicas: intAtLeast(1),
        maxReplicas: intAtLeast(1),
        targetCPUUtilizationPercentage: intBetween(1, 100),
        targetMemoryUtilizationPercentage: intBetween(1, 100),
        behavior: z.strictObject({ scaleUp: scalingPolicy, scaleDown: scalingPolicy }),
      })
      .superRefine((a, c) => {
        if (a.minReplicas > a.maxReplicas) {
          c.addIssue({ code: "custom", path: ["minReplicas"], input: a.minReplicas, message: `must be <= maxReplicas (${a.maxReplicas})` });
        }
      }),
    podDisruptionBudget: z.strictObject({ enabled: bool(), minAvailable: intAtLeast(0) }),
    ports: z.strictObject({ http: port(), metrics: port() }),
    probes: z.strictObject({
      port: z.union([z.string(), int()], { error: "must be a container port name or number" }),
      liveness: httpGetProbe,
      readiness: httpGetProbe,
      startup: httpGetProbe,
    }),
    metrics: z.strictObject({
      enabled: bool(),
      path: z.string().startsWith("/", { error: "must be an HTTP path starting with /" }),
      port: z.union([z.string(), int()], { error: "must be a container port name or number" }),
    }),
    rollingUpdate: z.strictObject({
      maxSurge: z.union([intAtLeast(1), z.string().regex(/^[1-9]\d*%$/, { error: "must be a positive integer or a percentage such as 25%" })]),
    }),
    terminationGracePeriodSeconds: intAtLeast(1),
    preStopSleepSeconds: intAtLeast(0),
    topologySpread: z.strictObject({
      enabled: bool(),
      maxSkew: intAtLeast(1),
      whenUnsatisfiable: z.enum(["ScheduleAnyway", "DoNotSchedule"], { error: "must be ScheduleAnyway or DoNotSchedule" }),
    }),
    env: z.record(z.string().regex(ENV_NAME, envName), z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" })),
    /** API keys and the like; kept as Pulumi secrets from here on. */
    secrets: z
      .record(z.string().regex(ENV_NAME, envName), z.string({ error: "must be a string set with `pulumi config set --secret`" }))
      .transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, pulumi.secret(v)]))),
    volumes: z.strictObject({ data: volume, logs: volume, vee: volume }),
    podAnnotations: z.record(z.string(), z.string()),
  });

export type ApiConfig = z.infer<ReturnType<typeof apiSchema>>;

/** The seed chart's values.yaml figures for the API. */
export const apiDefaults = {
  replicaCount: 3,
  image: { repository: "ghcr.io/yourorg/ape-2026/api", tag: "latest", pullPolicy: "IfNotPresent" },
  imagePullSecrets: [],
  resources: { requests: { memory: "1Gi", cpu: "500m" }, limits: { memory: "2Gi", cpu: "1000m" } },
  autoscaling: {
    enabled: true,
    minReplicas: 2,
    maxReplicas: 10,
    targetCPUUtilizationPercentage: 70,
    targetMemoryUtilizationPercentage: 80,
    behavior: {
      scaleUp: { percent: 100, pods: 2, periodSeconds: 30, stabilizationWindowSeconds: 0, selectPolicy: "Max" },
      scaleDown: { percent: 50, periodSeconds: 60, stabilizationWindowSeconds: 300, selectPolicy: "Max" },
    },
  },
  podDisruptionBudget: { enabled: true, minAvailable: 1 },
  ports: { http: 8000, metrics: 9090 },
  probes: {
    port: "http",
    liveness: { path: "/healthz", initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    readiness: { path: "/readyz", initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
    startup: { path: "/healthz", initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 30 },
  },
  metrics: { enabled: true, path: "/metrics", port: "metrics" },
  rollingUpdate: { maxSurge: "25%" },
  terminationGracePeriodSeconds: 30,
  preStopSleepSeconds: 5,
  topologySpread: { enabled: true, maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" },
  env: {},
  secrets: {},
  volumes: { data: { type: "emptyDir" }, logs: { type: "emptyDir" }, vee: { type: "emptyDir" } },
  podAnnotations: {},
};
