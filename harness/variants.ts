// Option sets that several spec files evaluate. A run is cached per (stack, options), so specs that
// ask the same question of the program share one evaluation by using the same set from here.
import type { RunOptions } from "./program";

/** The code defaults alone (no stack file), under a development stack name. */
export const CODE_DEFAULTS = { stack: "defaults", options: { withoutStackFile: true } } as const satisfies Variant;

/** A private registry mirror and a pull secret for every image. */
export const MIRROR_REGISTRY = "mirror.example.com/hub";
export const MIRROR: RunOptions = { set: { "images.registry": MIRROR_REGISTRY, "images.pullSecrets": ["regcred"] } };

/** PostgreSQL with read replicas (production runs it standalone). */
export const PG_REPLICATION: RunOptions = { set: { "postgresql.architecture": "replication" } };

interface Variant {
  readonly stack: string;
  readonly options: RunOptions;
}
