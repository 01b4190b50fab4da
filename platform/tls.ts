// Certificates from a private CA made with @pulumi/tls: the one mechanism behind the Ingress's
// self-signed chain (services/edge) and TLS inside the cluster (platform/internal-tls). Renewal is
// by `pulumi up`: a server certificate is re-issued on the first run after 80% of its lifetime.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { PART_OF } from "./labels";

/** Key algorithm and size: ECDSA P-256, or RSA with rsaBits (>= 2048). */
export interface KeySpec {
  readonly algorithm: "ECDSA" | "RSA";
  readonly rsaBits: number;
}

function privateKeyArgs(key: KeySpec): tls.PrivateKeyArgs {
  return key.algorithm === "ECDSA" ? { algorithm: "ECDSA", ecdsaCurve: "P256" } : { algorithm: "RSA", rsaBits: key.rsaBits };
}

/** Key usages of the CA and of a server certificate (RFC 5280 names as the tls provider spells them). */
const CA_USES = ["cert_signing", "crl_signing", "digital_signature"];
const SERVER_USES = ["digital_signature", "key_encipherment", "server_auth"];

/** A CA: its key (state only, never in a Kubernetes object but the ones that sign) and its certificate. */
export interface Authority {
  readonly key: tls.PrivateKey;
  readonly cert: tls.SelfSignedCert;
}

/** A self-signed CA `name` (key and certificate share the name). */
export function certificateAuthority(
  name: string,
  args: { readonly commonName: string; readonly key: KeySpec; readonly validityHours: number },
  opts: pulumi.CustomResourceOptions,
): Authority {
  const key = new tls.PrivateKey(name, privateKeyArgs(args.key), opts);
  const cert = new tls.SelfSignedCert(
    name,
    {
      privateKeyPem: key.privateKeyPem,
      isCaCertificate: true,
      subject: { commonName: args.commonName, organization: PART_OF },
      validityPeriodHours: args.validityHours,
      allowedUses: CA_USES,
    },
    opts,
  );
  return { key, cert };
}

/** A server key and the certificate the CA signed for it. */
export interface ServerCertificate {
  readonly key: tls.PrivateKey;
  readonly cert: tls.LocallySignedCert;
}

export interface ServerCertificateArgs {
  /** DNS names the certificate covers (its SANs); the first is also its common name. */
  readonly dnsNames: pulumi.Input<string[]>;
  /** IP addresses it covers (SANs), e.g. 127.0.0.1 for a client in the same pod. */
  readonly ipAddresses?: pulumi.Input<string[]>;
  readonly key: KeySpec;
  readonly validityHours: number;
}

/** A server certificate `name` signed by `ca` (key, request and certificate share the name). */
export function serverCertificate(
  name: string,
  ca: Authority,
  args: ServerCertificateArgs,
  opts: pulumi.CustomResourceOptions,
): ServerCertificate {
  const key = new tls.PrivateKey(name, privateKeyArgs(args.key), opts);
  const csr = new tls.CertRequest(
    name,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: pulumi.output(args.dnsNames).apply((names) => names[0]), organization: PART_OF },
      dnsNames: args.dnsNames,
      ...(args.ipAddresses !== undefined ? { ipAddresses: args.ipAddresses } : {}),
    },
    opts,
  );
  const cert = new tls.LocallySignedCert(
    name,
    {
      certRequestPem: csr.certRequestPem,
      caPrivateKeyPem: ca.key.privateKeyPem,
      caCertPem: ca.cert.certPem,
      validityPeriodHours: args.validityHours,
      // Re-issued on the `pulumi up` after 80% of the lifetime has passed.
      earlyRenewalHours: Math.floor(args.validityHours / 5),
      allowedUses: SERVER_USES,
    },
    opts,
  );
  return { key, cert };
}
