// The API's public entry point: a networking.k8s.io/v1 Ingress for ingress-nginx with TLS and
// rate limiting. TLS comes from cert-manager (production), a self-signed chain generated here
// (laptop clusters without cert-manager) or a Secret the operator provides (existing-secret).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { IngressConfig } from "./ingress.settings";
import { API_NAME } from "../api";
import { standardLabels } from "../../platform/labels";
import { ingressAnnotations, ingressHosts, ingressSpec, publicUrl } from "./ingress.build";
import { SelfSignedTls } from "./self-signed-tls";

export interface ApiIngressArgs {
  /** The `ingress` section of StackConfig (enabled is checked by the caller). */
  readonly config: IngressConfig;
  /** Namespace of the Ingress, the API Service and the TLS Secret. */
  readonly namespace: pulumi.Input<string>;
  /** Name of the API Service the rules route to. */
  readonly serviceName: pulumi.Input<string>;
  /** Service port (number) of the API's http port. */
  readonly servicePort: number;
}

export class ApiIngress extends pulumi.ComponentResource {
  public readonly ingress: k8s.networking.v1.Ingress;
  /** https://<first host>. */
  public readonly url: string;
  /** The generated CA's certificate (PEM) when `tls.mode` is self-signed; undefined otherwise. */
  public readonly caCertPem?: pulumi.Output<string>;

  constructor(name: string, args: ApiIngressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:edge:ApiIngress", name, {}, opts);
    const { config } = args;
    const dependsOn: pulumi.Resource[] = [];

    if (config.tls.mode === "self-signed") {
      const chain = new SelfSignedTls(
        `${name}-tls`,
        { hosts: ingressHosts(config), config: config.tls.selfSigned, namespace: args.namespace, secretName: config.tls.secretName },
        { parent: this },
      );
      this.caCertPem = chain.caCertPem;
      dependsOn.push(chain.secret);
    }

    this.ingress = new k8s.networking.v1.Ingress(
      name,
      {
        metadata: {
          name: API_NAME,
          namespace: args.namespace,
          labels: standardLabels(API_NAME, "ingress"),
          annotations: ingressAnnotations(config),
        },
        spec: pulumi.output(args.serviceName).apply((service) => ingressSpec(config, { name: service, port: args.servicePort })),
      },
      { parent: this, dependsOn },
    );
    this.url = publicUrl(config);
    this.registerOutputs({ url: this.url, caCertPem: this.caCertPem });
  }
}
