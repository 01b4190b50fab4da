// The smallest program (testbed/harness/floor.ts: one Namespace, one ConfigMap), loaded exactly like the
// real program in ../engine/program.ts, so that testbed/e2e/floor.e2e.ts compares like with like.
import { skipAwaitOnE2eControlPlane } from "../skip-await";

skipAwaitOnE2eControlPlane();

module.exports = require("../../harness/floor");
