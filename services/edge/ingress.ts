// The API's public entry point as a networking.k8s.io/v1 Ingress for the configured controller,
// with TLS, the HTTPS redirect and the rate limit in the controller's terms (annotations, or
// Traefik Middlewares the router.middlewares annotation references). TLS comes from cert-manager
// (its ingress-shim, by annotation), a self-signed chain generated here, or a Secret you provide.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { API_NAME } from "../api";
import { standardLabels } from "../../platform/labels";
import { ingressAnnotations, ingressSpec, publicUrl } from "./ingress.build";
import { EntryArgs, entryPrerequisites } from "./gateway";

export class ApiIngress extends pulumi.ComponentResource {
  public readonly ingress: k8s.networking.v1.Ingress;
  /** https://<first host>. */
  public readonly url: string;
  /** The generated CA's certificate (PEM) when `tls.mode` is self-signed; undefined otherwise. */
  public readonly caCertPem?: pulumi.Output<string>;

  constructor(name: string, args: EntryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:edge:ApiIngress", name, {}, opts);
    const { config } = args;
    const { caCertPem, dependsOn } = entryPrerequisites(name, args, this);
    this.caCertPem = caCertPem;

    this.ingress = new k8s.networking.v1.Ingress(
      name,
      {
        metadata: {
          name: API_NAME,
          namespace: args.namespace,
          labels: standardLabels(API_NAME, "ingress"),
          annotations: ingressAnnotations(config, args.namespaceName),
        },
        spec: pulumi.output(args.serviceName).apply((service) => ingressSpec(config, { name: service, port: args.servicePort })),
      },
      { parent: this, dependsOn },
    );
    this.url = publicUrl(config);
    this.registerOutputs({ url: this.url, caCertPem: this.caCertPem });
  }
}
