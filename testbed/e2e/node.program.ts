// The real program for the node e2e (testbed/e2e/node.e2e.ts, verify.e2e.ts): index.ts unchanged,
// every object awaited as in a real cluster, except the Ingress: no ingress controller runs on the
// e2e node, so nothing would ever give it an address, and only it skips the provider's readiness
// wait. For a spec that expects a chart release never to become ready: APE_E2E_RELEASE_TIMEOUT
// (seconds) shortens Helm's wait, so that the update fails sooner than after the program's own
// timeouts (15 minutes for the data releases); APE_E2E_RELEASE_SKIP_AWAIT=1 installs the releases
// without Helm's wait, so that the update completes (and the stack outputs follow).
import * as pulumi from "@pulumi/pulumi";

const releaseTimeout = Number(process.env.APE_E2E_RELEASE_TIMEOUT ?? 0);
const releaseSkipAwait = process.env.APE_E2E_RELEASE_SKIP_AWAIT === "1";

pulumi.runtime.registerStackTransformation((args) => {
  if (args.type === "kubernetes:helm.sh/v3:Release" && (releaseTimeout > 0 || releaseSkipAwait))
    return {
      props: {
        ...args.props,
        ...(releaseTimeout > 0 ? { timeout: releaseTimeout } : {}),
        ...(releaseSkipAwait ? { skipAwait: true } : {}),
      },
      opts: args.opts,
    };
  if (args.type !== "kubernetes:networking.k8s.io/v1:Ingress" || !(args.resource instanceof pulumi.CustomResource)) return undefined;
  const metadata = pulumi.output(args.props.metadata ?? {}).apply((m: { annotations?: Record<string, string> }) => ({
    ...m,
    annotations: { ...m.annotations, "pulumi.com/skipAwait": "true" },
  }));
  return { props: { ...args.props, metadata }, opts: args.opts };
});

module.exports = require("../../index");
