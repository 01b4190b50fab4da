// Walks the config schema by key path, as `pulumi config set --path` spells it: which keys an
// object accepts (for "allowed here" in errors) and what each key means (its `.meta` description,
// the source of docs/configuration.md, and the flags below). Wrappers (optional, preprocess,
// transform) are looked through; a list or a map is one key whose entries share the element's schema.
import { z } from "zod";

// What a key's `.meta` may state besides zod's description; the framework reads these.
declare module "zod" {
  interface GlobalMeta {
    /** The value is a secret (a map: every entry is): never echoed, and refused unless stored encrypted. */
    secret?: boolean;
    /** The code default (config/defaults.ts), checked against what the key accepts. */
    default?: z.core.$input;
  }
}

/** A key's metadata as read back, `default` typed as the value any schema accepts. */
type Meta = NonNullable<ReturnType<typeof z.globalRegistry.get<z.ZodType>>>;

type AnyDef = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
};

const defOf = (node: z.ZodType): AnyDef => (node as unknown as { _zod: { def: AnyDef } })._zod.def;

/** The schema a wrapper holds (the value side of a preprocess or transform), or undefined for a non-wrapper. */
function inner(node: z.ZodType): z.ZodType | undefined {
  const def = defOf(node);
  if (def.innerType) return def.innerType;
  if (def.type === "pipe") return def.out && defOf(def.out).type === "transform" ? def.in : def.out;
  return undefined;
}

function unwrap(node: z.ZodType): z.ZodType {
  for (let next = inner(node); next; next = inner(node)) node = next;
  return node;
}

/** The schema of the key at `path` as declared (outermost wrapper), or undefined when there is none. */
function schemaAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): z.ZodType | undefined {
  let node: z.ZodType | undefined = schema;
  for (const key of path) {
    const def = defOf(unwrap(node));
    if (def.shape) node = def.shape[String(key)];
    else node = def.element ?? def.valueType;
    if (!node) return undefined;
  }
  return node;
}

/** The keys a strict object accepts at `path` of `schema` ([] for a leaf or an unknown path). */
export function keysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  const node = schemaAt(schema, path);
  const shape = node && defOf(unwrap(node)).shape;
  return shape ? Object.keys(shape) : [];
}

/** A `.meta` field of a key's schema: the first one set, from the outermost wrapper in. */
export function metaOf<K extends keyof Meta>(node: z.ZodType, field: K): Meta[K] | undefined {
  for (let layer: z.ZodType | undefined = node; layer; layer = inner(layer)) {
    const value = z.globalRegistry.get(layer)?.[field];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The keys of an object schema and their schemas, or undefined for anything else. */
export function shapeOf(node: z.ZodType): Record<string, z.ZodType> | undefined {
  return defOf(unwrap(node)).shape;
}

/** Whether the key may be left out (an optional wrapper at any layer). */
export function isOptional(node: z.ZodType): boolean {
  for (let layer: z.ZodType | undefined = node; layer; layer = inner(layer)) if (defOf(layer).type === "optional") return true;
  return false;
}

/** The description of the key at `path`: the first `.meta({ description })` from the outermost wrapper in. */
export function descriptionAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string | undefined {
  for (let node = schemaAt(schema, path); node; node = inner(node)) {
    const description = z.globalRegistry.get(node)?.description?.trim();
    if (description) return description;
  }
  return undefined;
}
