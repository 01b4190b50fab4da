// Chart values for a persistent volume request, from the shared `persistence` config shape.
import { Persistence } from "../config/fields";

/**
 * `{ enabled, size, <classKey>? }`: the storage class is left out when unset so that the cluster's
 * default class applies. Charts spell the class key differently (storageClass, storageClassName).
 */
export function volumeValues(p: Persistence, classKey: "storageClass" | "storageClassName" = "storageClass"): Record<string, unknown> {
  return {
    enabled: p.enabled,
    size: p.size,
    ...(p.storageClass !== undefined && p.storageClass !== "" ? { [classKey]: p.storageClass } : {}),
  };
}

/** The class a PersistentVolumeClaim names, and the resource options that go with it. */
export interface ClaimClass {
  spec: { storageClassName?: string };
  options: { ignoreChanges?: string[] };
}

/**
 * Unset means the cluster's default class: the API server writes that class's name into the claim,
 * and the field is immutable. A claim read back from the cluster (`pulumi import` after a lost
 * state) would then differ from the program's "no class" and be replaced, taking its volume with
 * it. While the class is unset the field is ignored; setting a class later is still a change.
 */
export function claimClass(storageClass: string | undefined): ClaimClass {
  return storageClass
    ? { spec: { storageClassName: storageClass }, options: {} }
    : { spec: {}, options: { ignoreChanges: ["spec.storageClassName"] } };
}
