// `neo4j`: the graph database (Neo4j's official chart), off by default; or an external endpoint.
import { z } from "zod";
import { bool, k8sName, nonEmpty, port, quantity, resources } from "../../config/fields";
import { parseQuantity } from "../../config/quantity";

const MiB = 2 ** 20;

/** The chart refuses a Neo4j pod that requests less (its resources check). */
const NEO4J_MIN_REQUESTS = { memory: 2 * 2 ** 30, cpu: 0.5 } as const;

/** Memory the JVM's native allocations, transaction state outside the heap and the OS keep at least. */
const MIN_RESERVE = 512 * MiB;

/**
 * How heap and page cache are sized from the container's memory limit, unless set:
 * a reserve of max(768Mi, 25% of the limit) is left for the JVM's native memory, off-heap
 * transaction state and the OS; the rest is split evenly between heap (initial = max) and page
 * cache. 2Gi gives 640m + 640m, 16Gi gives 6144m + 6144m. When one of them is set, the other
 * takes the rest of the split share.
 */
export function neo4jMemory(limitBytes: number, set: { heap?: string; pagecache?: string } = {}): { heap: number; pagecache: number } {
  const reserve = Math.max(768 * MiB, limitBytes / 4);
  const available = Math.max(0, limitBytes - reserve);
  const mib = (bytes: number) => Math.floor(bytes / MiB) * MiB;
  const heap = set.heap !== undefined ? parseQuantity(set.heap)! : undefined;
  const pagecache = set.pagecache !== undefined ? parseQuantity(set.pagecache)! : undefined;
  if (heap === undefined && pagecache === undefined) return { heap: mib(available / 2), pagecache: mib(available / 2) };
  if (heap !== undefined && pagecache !== undefined) return { heap: mib(heap), pagecache: mib(pagecache) };
  if (heap !== undefined) return { heap: mib(heap), pagecache: mib(Math.max(0, available - heap)) };
  return { heap: mib(Math.max(0, available - pagecache!)), pagecache: mib(pagecache!) };
}

const SCHEMES = ["bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"] as const;

/**
 * A Neo4j outside the cluster (or in another namespace), used when neo4j.enabled is false. The API
 * reads the password from `existingSecret`/`passwordKey`, a Secret the operator creates in the
 * stack's namespace; this program never sees that password.
 */
const externalNeo4j = z.strictObject({
  host: nonEmpty("a host name").meta({ description: "Host name of the external Neo4j" }),
  port: port().meta({ description: "Its Bolt port (Neo4j's default is 7687)" }),
  scheme: z
    .enum(SCHEMES, { error: `must be one of ${SCHEMES.join(", ")}` })
    .optional()
    .meta({ description: "URI scheme of NEO4J_URI: bolt (default), neo4j (routing) or their +s/+ssc TLS forms" }),
  username: nonEmpty("a Neo4j user name").meta({ description: "The user the API connects as" }),
  existingSecret: k8sName("Secret").meta({ description: "Secret in the stack's namespace holding that user's password" }),
  passwordKey: nonEmpty("a Secret key").meta({ description: "The key of the password in existingSecret" }),
});

export const neo4jSchema = () =>
  z
    .strictObject({
      enabled: bool().meta({
        description: "Run Neo4j in the namespace (Neo4j's official chart). Default false: no Neo4j at all",
        default: false,
      }),
      edition: z.enum(["community", "enterprise"], { error: "must be community or enterprise" }).meta({
        description: "community: one standalone server. enterprise: a cluster of 3 primaries (needs acceptLicenseAgreement)",
        default: "community",
      }),
      acceptLicenseAgreement: bool().meta({
        description: "Must be true for edition enterprise: you accept Neo4j's commercial license agreement (a license you hold)",
        default: false,
      }),
      resources: resources().meta({
        description: "Neo4j container requests/limits; the chart needs requests.memory >= 2Gi and requests.cpu >= 500m",
        default: {
          requests: { memory: "2Gi", cpu: "500m", "ephemeral-storage": "256Mi" },
          limits: { memory: "2Gi", "ephemeral-storage": "2Gi" },
        },
      }),
      persistence: z
        .strictObject({
          size: quantity("storage").meta({
            description: "Size of each server's data volume (store, transaction logs, logs)",
            default: "50Gi",
          }),
          storageClass: k8sName("StorageClass")
            .optional()
            .meta({ description: "StorageClass of the data volume (unset: the cluster's default class)" }),
        })
        .meta({ description: "The data volume of each Neo4j server" }),
      memory: z
        .strictObject({
          heap: quantity("memory")
            .optional()
            .meta({ description: "JVM heap (initial = max). Unset: half of what the limit leaves after a max(768Mi, 25%) reserve" }),
          pagecache: quantity("memory")
            .optional()
            .meta({ description: "Page cache. Unset: the other half of what the memory limit leaves after the reserve" }),
        })
        .meta({ description: "Neo4j memory settings; derived from resources.limits.memory unless set" }),
      external: externalNeo4j
        .optional()
        .meta({ description: "An external Neo4j for the API when neo4j.enabled is false (host, port, username, Secret)" }),
    })
    .superRefine((n, c) => {
      if (n.enabled && n.external) {
        c.addIssue({
          code: "custom",
          path: ["external"],
          input: n.external,
          message: "is only used when neo4j.enabled is false (the API would otherwise have two Neo4j endpoints); remove one of them",
        });
      }
      if (!n.enabled) return;
      if (n.edition === "enterprise" && !n.acceptLicenseAgreement) {
        c.addIssue({
          code: "custom",
          path: ["acceptLicenseAgreement"],
          input: n.acceptLicenseAgreement,
          message:
            "must be true to run neo4j.edition enterprise: Neo4j Enterprise Edition is commercial software, and setting" +
            " neo4j.acceptLicenseAgreement true states that you hold a license for it; otherwise use neo4j.edition community",
        });
      }
      checkResources(n, c);
    })
    .meta({ description: "Neo4j graph database (official chart), off by default; or an external Neo4j for the API" });
export type Neo4jConfig = z.infer<ReturnType<typeof neo4jSchema>>;

function checkResources(
  n: { resources: z.infer<ReturnType<typeof resources>>; memory: { heap?: string; pagecache?: string } },
  c: z.RefinementCtx,
): void {
  const requests = n.resources.requests ?? {};
  const memoryRequest = requests.memory !== undefined ? parseQuantity(requests.memory)! : undefined;
  const cpuRequest = requests.cpu !== undefined ? parseQuantity(requests.cpu)! : undefined;
  if (memoryRequest === undefined || memoryRequest < NEO4J_MIN_REQUESTS.memory) {
    c.addIssue({
      code: "custom",
      path: ["resources", "requests", "memory"],
      input: requests.memory,
      message: "must be at least 2Gi (the Neo4j chart refuses less)",
    });
  }
  if (cpuRequest === undefined || cpuRequest < NEO4J_MIN_REQUESTS.cpu) {
    c.addIssue({
      code: "custom",
      path: ["resources", "requests", "cpu"],
      input: requests.cpu,
      message: "must be at least 500m (the Neo4j chart refuses less)",
    });
  }
  const limit = n.resources.limits?.memory;
  if (limit === undefined) {
    c.addIssue({
      code: "custom",
      path: ["resources", "limits", "memory"],
      input: undefined,
      message: "must be set: Neo4j's heap and page cache are sized from it, and a database without a memory limit can starve its node",
    });
    return;
  }
  const limitBytes = parseQuantity(limit)!;
  const { heap, pagecache } = neo4jMemory(limitBytes, n.memory);
  const fixed = [
    n.memory.heap !== undefined ? "neo4j.memory.heap" : undefined,
    n.memory.pagecache !== undefined ? "neo4j.memory.pagecache" : undefined,
  ];
  const setKeys = fixed.filter((k): k is string => k !== undefined);
  if (heap + pagecache > limitBytes - MIN_RESERVE || heap < 128 * MiB || pagecache < 128 * MiB) {
    const show = (b: number) => `${Math.floor(b / MiB)}Mi`;
    c.addIssue({
      code: "custom",
      path: ["memory", n.memory.heap !== undefined ? "heap" : "pagecache"],
      input: n.memory.heap ?? n.memory.pagecache,
      message:
        `leaves heap ${show(heap)} + page cache ${show(pagecache)} against neo4j.resources.limits.memory ${limit}: together they must` +
        ` stay 512Mi below the limit and each be at least 128Mi (set by ${setKeys.join(" and ") || "the derivation"});` +
        " lower them or raise the limit",
    });
  }
}
