// Helm-style deep merge: objects merge key by key, everything else (scalars, arrays) replaces,
// and a null removes the key (so a stack can unset a default, e.g. a storageClass). Below an
// `extraValues` key a null is kept instead: those are chart values, and null is Helm's own way to
// remove a chart's default.

export type Plain = { [key: string]: unknown };

export function isPlainObject(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The key below which values are chart values whose nulls reach Helm. */
const CHART_VALUES_KEY = "extraValues";

/** A new object with `override` merged over `base`; neither input is modified. */
export function deepMerge<T>(base: T, override: unknown, keepNull = false): T {
  if (!isPlainObject(base) || !isPlainObject(override)) {
    return (override === undefined ? structuredClone(base) : structuredClone(override)) as T;
  }
  const result: Plain = structuredClone(base);
  for (const [key, value] of Object.entries(override)) {
    const keep = keepNull || key === CHART_VALUES_KEY;
    if (value === null && !keepNull) delete result[key];
    else result[key] = key in result ? deepMerge(result[key], value, keep) : structuredClone(value);
  }
  return result as T;
}
