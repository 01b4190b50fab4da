// The e2e control plane has no scheduler or kubelet: no pod ever runs, so nothing ever becomes
// Ready. Every Kubernetes object gets the provider's skipAwait annotation (create/update no longer
// wait for readiness). The Namespace is left alone: it is ready at once, and without the
// annotation `pulumi destroy` waits until the namespace controller has really removed it
// (skipAwait would return at the first delete call). Used by every e2e Pulumi project's program.
import * as pulumi from "@pulumi/pulumi";
import { T } from "../harness/types";

export function skipAwaitOnE2eControlPlane(): void {
  pulumi.runtime.registerStackTransformation((args) => {
    if (!args.type.startsWith("kubernetes:") || args.type.startsWith("kubernetes:helm.sh/") || args.type === T.Namespace) return undefined;
    if (!(args.resource instanceof pulumi.CustomResource)) return undefined;
    const metadata = pulumi.output(args.props.metadata ?? {}).apply((m: { annotations?: Record<string, string> }) => ({
      ...m,
      annotations: { ...m.annotations, "pulumi.com/skipAwait": "true" },
    }));
    return { props: { ...args.props, metadata }, opts: args.opts };
  });
}
