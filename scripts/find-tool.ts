// Where an external tool (helm3, psa-judge, kube-score, ...) is: the tools cache that
// testbed/tools/install.sh fills (APE_TOOLS_CACHE, default ~/.cache/ape-2026-tools), else PATH.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const CACHE = process.env.APE_TOOLS_CACHE ?? path.join(os.homedir(), ".cache", "ape-2026-tools");

/** The tool's path in the tools cache or on PATH; undefined when it is not installed. */
export function findTool(name: string): string | undefined {
  const candidates = [path.join(CACHE, "bin", name), ...(process.env.PATH ?? "").split(":").map((d) => path.join(d, name))];
  return candidates.find((c) => fs.existsSync(c));
}
