// Helm-style deep merge: objects merge key by key, everything else (scalars, arrays) replaces,
// and a null removes the key (so a stack can unset a default, e.g. a storageClass).

export type Plain = { [key: string]: unknown };

export function isPlainObject(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A new object with `override` merged over `base`; neither input is modified. */
export function deepMerge<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override)) {
    return (override === undefined ? structuredClone(base) : structuredClone(override)) as T;
  }
  const result: Plain = structuredClone(base);
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete result[key];
    else result[key] = key in result ? deepMerge(result[key], value) : structuredClone(value);
  }
  return result as T;
}
