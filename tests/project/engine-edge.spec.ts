// The edge the test bed builds (testbed/engine/build.sh edge) and the CRD schemas the unit tests
// validate against (testbed/schemas/extract-edge-crds.ts) are the same releases.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { SOURCES } from "../../testbed/schemas/extract-edge-crds";

const ROOT = path.resolve(__dirname, "..", "..");
const pin = (name: string): string | undefined =>
  new RegExp(`^${name}=(\\S+)`, "m").exec(fs.readFileSync(path.join(ROOT, "testbed", "engine", "versions.sh"), "utf8"))?.[1];

describe("the engine's edge build and the edge CRD schemas", () => {
  it("pin the same Traefik and cert-manager releases", () => {
    const version = (module: string) => SOURCES.find((s) => s.module === module)?.version;
    assert.deepStrictEqual(
      [version("github.com/traefik/traefik/v3"), version("github.com/cert-manager/cert-manager")],
      [pin("TRAEFIK_VERSION"), pin("CERT_MANAGER_VERSION")],
      "bump testbed/engine/versions.sh and testbed/schemas/extract-edge-crds.ts together (then rerun the extraction)",
    );
  });
});
