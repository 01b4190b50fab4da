// The real program for the node e2e (testbed/e2e/node.e2e.ts): index.ts unchanged, every object
// awaited as in a real cluster, except the Ingress: no ingress controller runs on the e2e node, so
// nothing would ever give it an address, and only it skips the provider's readiness wait.
import * as pulumi from "@pulumi/pulumi";

pulumi.runtime.registerStackTransformation((args) => {
  if (args.type !== "kubernetes:networking.k8s.io/v1:Ingress" || !(args.resource instanceof pulumi.CustomResource)) return undefined;
  const metadata = pulumi.output(args.props.metadata ?? {}).apply((m: { annotations?: Record<string, string> }) => ({
    ...m,
    annotations: { ...m.annotations, "pulumi.com/skipAwait": "true" },
  }));
  return { props: { ...args.props, metadata }, opts: args.opts };
});

module.exports = require("../../index");
