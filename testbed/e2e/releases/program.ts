// The real program with its four chart releases, for testbed/e2e/releases.e2e.ts. The charts' images
// cannot be pulled here, so nothing they run ever becomes Ready: each Release installs without
// Helm's readiness wait (skipAwait), and the program's own objects skip the provider's wait as on
// the bare control plane (../skip-await.ts). Everything else is index.ts unchanged.
import * as pulumi from "@pulumi/pulumi";
import { T } from "../../harness/types";
import { skipAwaitOnE2eControlPlane } from "../skip-await";

skipAwaitOnE2eControlPlane();
pulumi.runtime.registerStackTransformation((args) =>
  args.type === T.Release ? { props: { ...args.props, skipAwait: true }, opts: args.opts } : undefined,
);

module.exports = require("../../../index");
