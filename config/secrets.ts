// Secret config keys: those whose schema says `.meta({ secret: true })`, where the key is defined.
// Their values are never echoed in errors or the docs and must be stored encrypted
// (`pulumi config set --secret --path ...`).
import { z } from "zod";
import { metaOf, shapeOf } from "./keys";

const found = new WeakMap<z.ZodType, readonly string[]>();

/** Dotted paths of the secret keys of `schema`, in schema order; a map's path covers every entry below it. */
export function secretPaths(schema: z.ZodType): readonly string[] {
  let paths = found.get(schema);
  if (!paths) {
    const out: string[] = [];
    const walk = (node: z.ZodType, at: string[]) => {
      if (at.length > 0 && metaOf(node, "secret") === true) out.push(at.join("."));
      else for (const [key, child] of Object.entries(shapeOf(node) ?? {})) walk(child, [...at, key]);
    };
    walk(schema, []);
    found.set(schema, (paths = out));
  }
  return paths;
}

/** Whether `path` is a secret key of `schema` or lies below one. */
export function isSecretPath(schema: z.ZodType, path: string): boolean {
  return secretPaths(schema).some((p) => path === p || path.startsWith(p + "."));
}
