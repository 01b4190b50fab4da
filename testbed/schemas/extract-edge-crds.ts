// Regenerates testbed/schemas/edge-crds.json: the openAPIV3Schema of each custom resource version
// the edge emits, from the official CRDs in the upstream Go modules (the Go module proxy serves
// them): Gateway API's standard channel, Traefik's Middleware and cert-manager's Certificate. The
// unit tests (tests/edge/gateway.spec.ts) validate the rendered objects against it.
//   node -r ./testbed/harness/register.js testbed/schemas/extract-edge-crds.ts
// Needs `go` (GOFLAGS=-mod=mod go mod download); the modules stay in Go's module cache, outside
// the repository. Bumping a version here and rerunning is how the schemas follow a new release.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";

/** Each module@version, and the CRD files of it whose versions the edge uses. */
export const SOURCES = [
  {
    module: "sigs.k8s.io/gateway-api",
    // The version Traefik v3.7.13 is built against (its go.mod).
    version: "v1.6.1",
    crds: [
      { file: "config/crd/standard/gateway.networking.k8s.io_gateways.yaml", versions: ["v1"] },
      { file: "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml", versions: ["v1"] },
      { file: "config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml", versions: ["v1beta1"] },
    ],
  },
  {
    module: "github.com/traefik/traefik/v3",
    version: "v3.7.13",
    crds: [{ file: "docs/content/reference/dynamic-configuration/traefik.io_middlewares.yaml", versions: ["v1alpha1"] }],
  },
  {
    module: "github.com/cert-manager/cert-manager",
    version: "v1.21.2",
    crds: [{ file: "deploy/crds/cert-manager.io_certificates.yaml", versions: ["v1"] }],
  },
];

const OUT = path.join(__dirname, "edge-crds.json");

/** The module's directory in Go's module cache, downloading it first when missing. */
function moduleDir(module: string, version: string): string {
  // A scratch directory: `go mod download` outside a module needs no go.mod, and leaves none behind.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "edge-crds-"));
  try {
    const out = execFileSync("go", ["mod", "download", "-json", `${module}@${version}`], {
      cwd: scratch,
      env: { ...process.env, GOFLAGS: "-mod=mod" },
      encoding: "utf8",
    });
    const info = JSON.parse(out) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`${module}@${version}: ${info.Error ?? "no directory"}`);
    return info.Dir;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

interface Crd {
  spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: unknown } }[] };
}

function main(): void {
  const schemas: Record<string, unknown> = {};
  const sources: { module: string; version: string; files: string[] }[] = [];
  for (const source of SOURCES) {
    const dir = moduleDir(source.module, source.version);
    for (const crd of source.crds) {
      const docs = parseAllDocuments(fs.readFileSync(path.join(dir, crd.file), "utf8")).map((d) => d.toJSON() as Crd);
      const def = docs.find((d) => d?.spec?.versions);
      if (!def) throw new Error(`${source.module}: no CRD in ${crd.file}`);
      for (const v of crd.versions) {
        const version = def.spec.versions.find((x) => x.name === v);
        if (!version) throw new Error(`${crd.file}: no version ${v}`);
        schemas[`${def.spec.group}/${v}/${def.spec.names.kind}`] = version.schema.openAPIV3Schema;
      }
    }
    sources.push({ module: source.module, version: source.version, files: source.crds.map((c) => c.file) });
  }
  const doc = {
    description:
      "openAPIV3Schema of the custom resources the edge emits, keyed <group>/<version>/<kind>, extracted from the official CRDs" +
      " of the modules below by testbed/schemas/extract-edge-crds.ts; do not edit by hand.",
    sources,
    schemas,
  };
  fs.writeFileSync(OUT, JSON.stringify(doc) + "\n");
  console.log(`${OUT}: ${Object.keys(schemas).join(", ")}`);
}

// Run as a script; imported (by the tests, for SOURCES), it does nothing.
if (require.main === module) main();
