// The production safety floor: NetworkPolicies, the restricted Pod Security level, Redis auth, TLS
// on the public entry point, TLS inside the cluster and Redis nodes spread one per Kubernetes node
// under Sentinel stay on in production. A production stack may turn one off only by
// naming it, with its reason, under `weakenedProduction`; every preview and update then warns, and
// the policy pack flags it (production-safety-floor). PostgreSQL auth has no off switch: its
// passwords are always generated (an external database must name its Secret).
import { z } from "zod";
import { configPath } from "../config/errors";
import { nonEmpty } from "../config/fields";
import { redisMode } from "../services/redis";

/** What a floor item looks like turned off in a config, and where. */
interface Weakened {
  /** The acknowledgement key under weakenedProduction. */
  readonly item: FloorItem;
  /** The setting that turns it off. */
  readonly path: readonly string[];
  readonly value: unknown;
  /** What is off, in words. */
  readonly what: string;
}

const ITEMS = {
  networkPolicies: "NetworkPolicies (networkPolicy.enabled false): every pod may reach every other pod and the internet",
  podSecurity: 'Pod Security below "restricted" (namespace.podSecurity.enforce): pods may run privileged or as root',
  redisAuth: "Redis without a password: any pod that reaches it reads and writes the cache and queues",
  ingressTls: "the public entry point without trusted TLS (plain HTTP allowed, or a self-signed certificate)",
  redisSpread:
    "Redis nodes with Sentinel not kept one per Kubernetes node (redis.replica.podAntiAffinity soft): several of them and their" +
    " sentinels may share a node, whose loss then takes the quorum with it, and no failover is ever agreed",
  internalTls:
    "TLS inside the cluster (internalTls.enabled false): passwords and data cross the pod network in plain text to PostgreSQL, Redis and Neo4j",
} as const;
type FloorItem = keyof typeof ITEMS;

/** The `weakenedProduction` section: one acknowledgement, a reason, per floor item turned off. */
export const weakenedProductionSchema = () =>
  z
    .strictObject(
      Object.fromEntries(
        (Object.keys(ITEMS) as FloorItem[]).map((item) => [
          item,
          nonEmpty("the reason this production stack runs without it")
            .optional()
            .meta({ description: `Acknowledges, with its reason, that production runs without ${ITEMS[item]}.` }),
        ]),
      ) as Record<FloorItem, z.ZodOptional<ReturnType<typeof nonEmpty>>>,
    )
    .meta({
      description:
        "Production's safety floor (NetworkPolicies, restricted Pod Security, Redis auth, TLS on the public entry point, TLS" +
        " inside the cluster, Redis nodes one per Kubernetes node under Sentinel) can only be turned" +
        " off item by item, by stating the reason here, e.g. weakenedProduction.networkPolicies: 'the CNI enforces none; the" +
        " cluster is isolated'. Every preview and update of such a stack warns, and the policy pack flags it. Ignored in development.",
      default: {},
    });

/** The shape of the config this reads (a StackConfig has it). */
interface FloorShape {
  readonly networkPolicy: { readonly enabled: boolean };
  readonly namespace: { readonly podSecurity: { readonly enforce: string } };
  readonly redis: {
    readonly enabled: boolean;
    readonly auth: { readonly enabled: boolean };
    readonly sentinel: { readonly enabled: boolean };
    readonly replica: { readonly podAntiAffinity: string };
    readonly external?: { readonly existingSecret?: string; readonly sentinel?: unknown };
  };
  readonly ingress: {
    readonly enabled: boolean;
    readonly tls: { readonly mode: string };
    readonly httpsRedirect: boolean;
  };
  readonly internalTls: { readonly enabled: boolean };
}

/** The floor items this config turns off, whatever its environment. */
function weakenedFloor(c: FloorShape): Weakened[] {
  const out: Weakened[] = [];
  const off = (item: FloorItem, path: string[], value: unknown) => out.push({ item, path, value, what: ITEMS[item] });
  if (!c.networkPolicy.enabled) off("networkPolicies", ["networkPolicy", "enabled"], false);
  if (c.namespace.podSecurity.enforce !== "restricted")
    off("podSecurity", ["namespace", "podSecurity", "enforce"], c.namespace.podSecurity.enforce);
  if (c.redis.enabled && !c.redis.auth.enabled) off("redisAuth", ["redis", "auth", "enabled"], false);
  if (!c.redis.enabled && c.redis.external && c.redis.external.existingSecret === undefined)
    off("redisAuth", ["redis", "external", "existingSecret"], undefined);
  if (c.redis.enabled && redisMode(c.redis) === "sentinel" && c.redis.replica.podAntiAffinity !== "hard")
    off("redisSpread", ["redis", "replica", "podAntiAffinity"], c.redis.replica.podAntiAffinity);
  if (c.ingress.enabled) {
    if (!c.ingress.httpsRedirect) off("ingressTls", ["ingress", "httpsRedirect"], false);
    if (c.ingress.tls.mode === "self-signed") off("ingressTls", ["ingress", "tls", "mode"], "self-signed");
  }
  if (!c.internalTls.enabled) off("internalTls", ["internalTls", "enabled"], false);
  return out;
}

/**
 * Cross-section rule, production only: each floor item turned off needs its acknowledgement, and an
 * acknowledgement of an item that is on is refused too (it would silently cover a later change).
 */
export function checkProductionFloor(
  config: FloorShape & { readonly environment: string; readonly weakenedProduction: Partial<Record<FloorItem, string>> },
  ctx: z.RefinementCtx,
): void {
  if (config.environment !== "production") return;
  const weakened = weakenedFloor(config);
  for (const w of weakened) {
    if (config.weakenedProduction[w.item] !== undefined) continue;
    ctx.addIssue({
      code: "custom",
      path: [...w.path],
      input: w.value,
      message:
        `turns off part of production's safety floor: ${w.what}. Keep it, or acknowledge it with its reason:` +
        ` pulumi config set --path 'weakenedProduction.${w.item}' '<why>'`,
    });
  }
  for (const item of Object.keys(config.weakenedProduction) as FloorItem[]) {
    if (config.weakenedProduction[item] === undefined || weakened.some((w) => w.item === item)) continue;
    ctx.addIssue({
      code: "custom",
      path: ["weakenedProduction", item],
      input: config.weakenedProduction[item],
      message: `acknowledges ${ITEMS[item]}, but this stack keeps it on; remove the acknowledgement (pulumi config rm --path 'weakenedProduction.${item}')`,
    });
  }
}

/** The warning every production preview and update prints for each acknowledged floor item. */
export function floorWarnings(
  config: FloorShape & { readonly environment: string; readonly weakenedProduction: Partial<Record<FloorItem, string>> },
): string[] {
  if (config.environment !== "production") return [];
  return weakenedFloor(config).map(
    (w) =>
      `production runs below its safety floor: ${w.what} (${configPath(w.path)}); acknowledged in weakenedProduction.${w.item}:` +
      ` ${JSON.stringify(config.weakenedProduction[w.item])}`,
  );
}
