// The real program, for the e2e control plane, which has no scheduler or kubelet: no pod ever runs,
// so nothing ever becomes Ready. Every Kubernetes object gets the provider's skipAwait annotation
// (create/update no longer wait for readiness); then index.ts runs unchanged.
import * as pulumi from "@pulumi/pulumi";

pulumi.runtime.registerStackTransformation((args) => {
  if (!args.type.startsWith("kubernetes:") || args.type.startsWith("kubernetes:helm.sh/") || !(args.resource instanceof pulumi.CustomResource)) return undefined;
  const metadata = pulumi.output(args.props.metadata ?? {}).apply((m: { annotations?: Record<string, string> }) => ({
    ...m,
    annotations: { ...m.annotations, "pulumi.com/skipAwait": "true" },
  }));
  return { props: { ...args.props, metadata }, opts: args.opts };
});

module.exports = require("../../../index");
