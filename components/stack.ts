// ApeStack wires the components together: each takes its own config section plus the few
// outputs it needs from the others.
import * as pulumi from "@pulumi/pulumi";
import { isProduction, StackConfig } from "../config";
import { StackNamespace } from "./namespace";

export interface ApeStackArgs {
  /** The validated stack configuration. */
  readonly config: StackConfig;
}

export class ApeStack extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: ApeStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:core:ApeStack", name, {}, opts);
    const { config } = args;
    const production = isProduction(config);

    const ns = new StackNamespace("namespace", { config: config.namespace, isProduction: production }, { parent: this });
    this.namespace = ns.name;

    this.registerOutputs({ namespace: this.namespace });
  }
}
