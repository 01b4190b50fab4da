// Walks the config schema by key path, as `pulumi config set --path` spells it: which keys an
// object accepts (for "allowed here" in errors) and what each key means (its `.meta` description,
// the source of docs/configuration.md). Wrappers (optional, default, preprocess, transform) are
// looked through; a list or a map is one key whose entries share the element's schema. Only zod's
// public API: its classes (instanceof), `.shape`, `.element`, `.valueType`, `.unwrap()`, a pipe's
// `.in`/`.out`, and the global registry that `.meta()` writes to.
import { z } from "zod";

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

/** The description of the key at `path`: the first `.meta({ description })` from the outermost wrapper in. */
export function descriptionAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string | undefined {
  for (let node = schemaAt(schema, path); node; node = inner(node)) {
    const description = z.globalRegistry.get(node)?.description?.trim();
    if (description) return description;
  }
  return undefined;
}
