// A private CA and a server certificate for the Ingress hosts, generated with @pulumi/tls, for
// stacks without cert-manager (a laptop cluster). The chain is stored as a kubernetes.io/tls Secret;
// the CA certificate (public, not a secret) is a stack output so a user can trust it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { IngressConfig } from "./ingress.settings";
import { API_NAME } from "../api";
import { PART_OF, standardLabels } from "../../platform/labels";

type SelfSignedConfig = IngressConfig["tls"]["selfSigned"];

/** PrivateKey inputs for the configured algorithm: ECDSA P-256 or RSA with rsaBits (>= 2048). */
function privateKeyArgs(config: SelfSignedConfig): tls.PrivateKeyArgs {
  return config.algorithm === "ECDSA" ? { algorithm: "ECDSA", ecdsaCurve: "P256" } : { algorithm: "RSA", rsaBits: config.rsaBits };
}

/** Key usages of the CA and of the server certificate (RFC 5280 names as the tls provider spells them). */
const CA_USES = ["cert_signing", "crl_signing", "digital_signature"];
const SERVER_USES = ["digital_signature", "key_encipherment", "server_auth"];

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

    const caKey = new tls.PrivateKey(`${name}-ca`, privateKeyArgs(args.config), child);
    const caCert = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        subject: { commonName: `${PART_OF} development CA`, organization: PART_OF },
        validityPeriodHours: hours,
        allowedUses: CA_USES,
      },
      child,
    );

    const serverKey = new tls.PrivateKey(`${name}-server`, privateKeyArgs(args.config), child);
    const csr = new tls.CertRequest(
      `${name}-server`,
      { privateKeyPem: serverKey.privateKeyPem, subject: { commonName: args.hosts[0], organization: PART_OF }, dnsNames: args.hosts },
      child,
    );
    this.serverCert = new tls.LocallySignedCert(
      `${name}-server`,
      {
        certRequestPem: csr.certRequestPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        caCertPem: caCert.certPem,
        validityPeriodHours: hours,
        // Re-issue on the `pulumi up` after 80% of the lifetime has passed.
        earlyRenewalHours: Math.floor(hours / 5),
        allowedUses: SERVER_USES,
      },
      child,
    );

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
