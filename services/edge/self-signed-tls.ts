// A private CA and a server certificate for the Ingress hosts, generated with @pulumi/tls, for
// stacks without cert-manager (a laptop cluster). The chain is stored as a kubernetes.io/tls Secret;
// the CA certificate (public, not a secret) is a stack output so a user can trust it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type * as tls from "@pulumi/tls";
import type { IngressConfig } from "./ingress.settings";
import { API_NAME } from "../api";
import { PART_OF, standardLabels } from "../../platform/labels";
import { certificateAuthority, serverCertificate } from "../../platform/tls";

type SelfSignedConfig = IngressConfig["tls"]["selfSigned"];

export interface SelfSignedTlsArgs {
  /** Host names the server certificate covers (its DNS SANs); the first is also its common name. */
  readonly hosts: string[];
  /** Key algorithm/size and validity (`ingress.tls.selfSigned`). */
  readonly config: SelfSignedConfig;
  /** Namespace of the Secret (the Ingress' namespace). */
  readonly namespace: pulumi.Input<string>;
  /** Name of the kubernetes.io/tls Secret the Ingress references (`ingress.tls.secretName`). */
  readonly secretName: string;
}

export class SelfSignedTls extends pulumi.ComponentResource {
  /** PEM of the CA certificate: add it to a trust store (or `curl --cacert`). */
  public readonly caCertPem: pulumi.Output<string>;
  public readonly serverCert: tls.LocallySignedCert;
  public readonly secret: k8s.core.v1.Secret;

  constructor(name: string, args: SelfSignedTlsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:edge:SelfSignedTls", name, {}, opts);
    const child = { parent: this };
    const hours = args.config.validityHours;

    // The CA and the server chain of platform/tls (resource names as they always were).
    const ca = certificateAuthority(
      `${name}-ca`,
      { commonName: `${PART_OF} development CA`, key: args.config, validityHours: hours },
      child,
    );
    const caCert = ca.cert;
    const server = serverCertificate(`${name}-server`, ca, { dnsNames: args.hosts, key: args.config, validityHours: hours }, child);
    const serverKey = server.key;
    this.serverCert = server.cert;

    this.caCertPem = caCert.certPem;
    this.secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: { name: args.secretName, namespace: args.namespace, labels: standardLabels(API_NAME, "tls") },
        type: "kubernetes.io/tls",
        stringData: {
          // Server certificate followed by the CA: clients get the whole chain.
          "tls.crt": pulumi.interpolate`${this.serverCert.certPem}${caCert.certPem}`,
          "tls.key": pulumi.secret(serverKey.privateKeyPem),
          "ca.crt": caCert.certPem,
        },
      },
      child,
    );
    this.registerOutputs({ caCertPem: this.caCertPem, secretName: this.secret.metadata.name });
  }
}
