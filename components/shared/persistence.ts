// Chart values for a persistent volume request, from the shared `persistence` config shape.
import { Persistence } from "../../config/fields";

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
