// The image recipes' one pin file (images/versions.env), read the way the recipes and the local
// build read it, for the specs that hold the settings and the contracts against it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../harness/stackFile";

/** The folder of the image recipes. */
export const IMAGES_DIR = path.join(REPO_ROOT, "images");

/** images/versions.env as a map; every non-comment line must be KEY=VALUE. */
export function imagePins(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, line] of fs.readFileSync(path.join(IMAGES_DIR, "versions.env"), "utf8").split("\n").entries()) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const m = /^([A-Z][A-Z0-9_]*)=(\S+)$/.exec(line);
    assert.ok(m, `versions.env line ${i + 1} is KEY=VALUE without spaces: ${line}`);
    out[m[1]] = m[2];
  }
  return out;
}
