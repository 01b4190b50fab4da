// The code defaults, read from the schema: every key states its default beside its description,
// `.meta({ description, default })`, and defaultsOf gathers them into the object that a stack's
// settings are deep-merged over (config/merge.ts: objects merge key by key, lists and plain values
// replace, null removes a default). A key whose shape is shared (resources, persistence, an image,
// a probe) states the default of the whole object where it is used, since it differs per use.
import { z } from "zod";
import { isOptional, metaOf, shapeOf } from "./keys";

/**
 * The default of a key: a copy of its own `.meta({ default })`; else, for an object that must be
 * present, its keys' defaults (keys without one left out); else none. An optional object without
 * a default of its own stays absent, like any other key without one.
 */
export function defaultsOf(node: z.ZodType): unknown {
  const own = metaOf(node, "default");
  if (own !== undefined) return structuredClone(own);
  const shape = shapeOf(node);
  if (!shape || isOptional(node)) return undefined;
  const defaults: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(shape)) {
    const value = defaultsOf(child);
    if (value !== undefined) defaults[key] = value;
  }
  return defaults;
}
