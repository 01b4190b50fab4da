// `namespace`: the Namespace the stack creates and deploys into, under Pod Security Admission.
import { z } from "zod";
import { dnsLabel } from "../../config/fields";

const podSecurityLevel = z.enum(["privileged", "baseline", "restricted"], { error: "must be privileged, baseline or restricted" });

export const namespaceSchema = () =>
  z
    .strictObject({
      name: dnsLabel().meta({
        description:
          "Namespace the stack creates and deploys into. Changing it replaces the namespace and deletes every volume in it;" +
          " production refuses that (the namespace is protected).",
        default: "ape-2026",
      }),
      podSecurity: z
        .strictObject({
          enforce: podSecurityLevel.meta({
            description:
              "Level a pod must meet to be admitted; everything the stack runs meets restricted (node-exporter needs privileged).",
            default: "restricted",
          }),
          audit: podSecurityLevel.meta({
            description: "Level whose violations are recorded in the cluster's audit log.",
            default: "restricted",
          }),
          warn: podSecurityLevel.meta({
            description: "Level whose violations are returned to the client as warnings.",
            default: "restricted",
          }),
        })
        .meta({ description: "Pod Security Admission levels of the namespace: privileged, baseline or restricted." }),
      labels: z
        .record(z.string(), z.string())
        .meta({ description: "Extra labels on the namespace; the Pod Security and stack labels win over these.", default: {} }),
    })
    .meta({ description: "The namespace everything runs in, under Pod Security Admission." });
export type NamespaceConfig = z.infer<ReturnType<typeof namespaceSchema>>;
