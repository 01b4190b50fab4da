// Prints (JSON, a v1 List) CustomResourceDefinitions for the custom kinds the edge emits, made from
// the official schemas committed in edge-crds.json, for API servers on which the official CRD
// manifests are not at hand (testbed/e2e.sh without `testbed/engine/build.sh edge-crds`). A
// STAND-IN for those manifests: the same openAPIV3Schema (its x-kubernetes-validations included),
// one served version per kind (the one the program emits), names derived from the kind. Where the
// edge build has the official files, e2e.sh applies those instead.
import * as fs from "fs";
import * as path from "path";

interface EdgeSchemas {
  readonly schemas: Record<string, Record<string, unknown>>;
}

const file = path.join(__dirname, "edge-crds.json");
const { schemas } = JSON.parse(fs.readFileSync(file, "utf8")) as EdgeSchemas;

/** group/version/kind -> one CustomResourceDefinition (every edge kind is namespaced). */
function crd(key: string, schema: Record<string, unknown>) {
  const [group, version, kind] = key.split("/");
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${plural}.${group}`,
      annotations: { "ape-2026.io/stand-in": "made from testbed/schemas/edge-crds.json, not the official manifest" },
    },
    spec: {
      group,
      scope: "Namespaced",
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: schema }, subresources: { status: {} } }],
    },
  };
}

process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "List", items: Object.entries(schemas).map(([k, s]) => crd(k, s)) }));
