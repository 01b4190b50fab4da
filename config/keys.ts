// Walks the config schema by key path, as `pulumi config set --path` spells it: which keys an
// object accepts (for "allowed here" in errors) and what each key means (its `.meta` description,
// the source of docs/configuration.md, and the flags below). Wrappers (optional, default, preprocess,
// transform) are looked through; a list or a map is one key whose entries share the element's schema.
// Only zod's public API: its classes (instanceof), `.shape`, `.element`, `.valueType`, `.unwrap()`, a
// pipe's `.in`/`.out`, and the global registry that `.meta()` writes to.
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

type Schema = z.core.$ZodType;

/** Wrappers whose `.unwrap()` returns the one schema they hold. */
const WRAPPERS = [
  z.ZodOptional,
  z.ZodExactOptional,
  z.ZodNullable,
  z.ZodDefault,
  z.ZodPrefault,
  z.ZodNonOptional,
  z.ZodCatch,
  z.ZodReadonly,
];

/** The schema a wrapper holds (the value side of a preprocess or transform), or undefined for a non-wrapper. */
function inner(node: Schema): Schema | undefined {
  // z.preprocess(fn, schema) is a pipe from a transform into the schema; schema.transform(fn) a pipe
  // from the schema into a transform.
  if (node instanceof z.ZodPipe) return node.out instanceof z.ZodTransform ? node.in : node.out;
  for (const Wrapper of WRAPPERS) if (node instanceof Wrapper) return node.unwrap();
  return undefined;
}

function unwrap(node: Schema): Schema {
  for (let next = inner(node); next; next = inner(node)) node = next;
  return node;
}

/** The schema of the key at `path` as declared (outermost wrapper), or undefined when there is none. */
function schemaAt(schema: Schema, path: ReadonlyArray<PropertyKey>): Schema | undefined {
  let node: Schema | undefined = schema;
  for (const key of path) {
    const holder = unwrap(node);
    if (holder instanceof z.ZodObject) node = holder.shape[String(key)];
    else if (holder instanceof z.ZodArray) node = holder.element;
    else if (holder instanceof z.ZodRecord) node = holder.valueType;
    else node = undefined;
    if (!node) return undefined;
  }
  return node;
}

/** The keys a strict object accepts at `path` of `schema` ([] for a leaf or an unknown path). */
export function keysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  const node = schemaAt(schema, path);
  const holder = node && unwrap(node);
  return holder instanceof z.ZodObject ? Object.keys(holder.shape) : [];
}

/** A `.meta` field of a key's schema: the first one set, from the outermost wrapper in. */
export function metaOf<K extends keyof Meta>(node: z.ZodType, field: K): Meta[K] | undefined {
  for (let layer: Schema | undefined = node; layer; layer = inner(layer)) {
    const value = z.globalRegistry.get(layer as z.ZodType)?.[field];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The keys of an object schema and their schemas, or undefined for anything else. */
export function shapeOf(node: z.ZodType): Record<string, z.ZodType> | undefined {
  const holder = unwrap(node);
  return holder instanceof z.ZodObject ? holder.shape : undefined;
}

/** Whether the key may be left out (an optional wrapper at any layer). */
export function isOptional(node: z.ZodType): boolean {
  for (let layer: Schema | undefined = node; layer; layer = inner(layer)) {
    if (layer instanceof z.ZodOptional || layer instanceof z.ZodExactOptional) return true;
  }
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
