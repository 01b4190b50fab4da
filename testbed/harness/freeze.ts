// Deep-freezing for data the harness shares between tests (recorded runs, parsed stack files).

/** Freezes `value` and everything reachable from it (plain objects and arrays). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A Set whose add, delete and clear throw: Object.freeze alone does not stop a Set's methods. */
export function frozenSet<T>(values: Iterable<T>): ReadonlySet<T> {
  const set = new Set(values);
  for (const method of ["add", "delete", "clear"])
    Object.defineProperty(set, method, {
      value: () => {
        throw new TypeError(`a recorded run is read-only (Set.${method})`);
      },
    });
  return Object.freeze(set);
}
