// The real program, for the e2e control plane (no scheduler, no kubelet: see ../skip-await.ts),
// then index.ts unchanged.
import { skipAwaitOnE2eControlPlane } from "../skip-await";

skipAwaitOnE2eControlPlane();

module.exports = require("../../../index");
