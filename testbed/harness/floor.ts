// The smallest Kubernetes program: one Namespace and one ConfigMap. Benchmarks evaluate it exactly
// like index.ts (same harness, same mocks, same engine) to measure what every Pulumi program pays
// (Node.js, the SDK, the language host), so the program's own cost is the ratio against it.
import * as k8s from "@pulumi/kubernetes";

const namespace = new k8s.core.v1.Namespace("floor", { metadata: { name: "ape-floor" } });

const settings = new k8s.core.v1.ConfigMap("floor", {
  metadata: { namespace: namespace.metadata.name, name: "floor" },
  data: { greeting: "hello" },
});

export const configMap = settings.metadata.name;
