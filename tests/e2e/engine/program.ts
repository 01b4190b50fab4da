// The real program, for the e2e control plane, which has no scheduler or kubelet: no pod ever runs,
// so nothing ever becomes Ready. Every Kubernetes object gets the provider's skipAwait annotation
// (create/update no longer wait for readiness); then index.ts runs unchanged. The Namespace is
// left alone: it is ready at once, and without the annotation `pulumi destroy` waits until the
// namespace controller has really removed it (skipAwait would return at the first delete call).
import * as pulumi from "@pulumi/pulumi";
import { T } from "../../../harness/types";

pulumi.runtime.registerStackTransformation((args) => {
  if (!args.type.startsWith("kubernetes:") || args.type.startsWith("kubernetes:helm.sh/") || args.type === T.Namespace) return undefined;
  if (!(args.resource instanceof pulumi.CustomResource)) return undefined;
  const metadata = pulumi.output(args.props.metadata ?? {}).apply((m: { annotations?: Record<string, string> }) => ({
    ...m,
    annotations: { ...m.annotations, "pulumi.com/skipAwait": "true" },
  }));
  return { props: { ...args.props, metadata }, opts: args.opts };
});

module.exports = require("../../../index");
