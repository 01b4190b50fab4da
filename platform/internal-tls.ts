// TLS inside the cluster (`internalTls`): the stack's own CA, one server certificate per data
// service in a kubernetes.io/tls Secret only that service's pods mount, and the CA certificate alone
// in a ConfigMap every client mounts to verify them. The CA's private key lives in the Pulumi state
// only (a secret there), never in the cluster.
import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { InternalTlsConfig } from "./platform.settings";
import { PART_OF, standardLabels } from "./labels";
import { Authority, certificateAuthority, serverCertificate } from "./tls";

export const INTERNAL_TLS = {
  /** The ConfigMap with the CA certificate (public) and nothing else; clients mount it. */
  caConfigMap: "internal-ca",
  /** Keys of the server Secrets (kubernetes.io/tls) and of the CA ConfigMap. */
  keys: { cert: "tls.crt", key: "tls.key", ca: "ca.crt" },
  /** Pod annotation carrying a digest of the server certificate: a renewed one restarts the pods. */
  certificateAnnotation: "ape-2026.io/tls-certificate",
} as const;

/** The fixed name of a data service's server-certificate Secret (the chart references it by name). */
const tlsSecretName = (service: string): string => `${service}-tls`;

/** What a client needs to verify a server: the ConfigMap and key holding the CA certificate. */
export interface TrustedCa {
  readonly configMap: pulumi.Input<string>;
  readonly key: string;
}

/** A server's certificate as its chart takes it. */
export interface ServerTls {
  /** The kubernetes.io/tls Secret (tls.crt: certificate then CA, tls.key: PKCS#8 key, ca.crt). */
  readonly secretName: pulumi.Output<string>;
  /** sha256 of the certificate (public): the pod annotation that rolls the pods on renewal. */
  readonly certificateDigest: pulumi.Output<string>;
  /** Where clients find the CA that signed it. */
  readonly trust: TrustedCa;
}

/** A server's certificate Secret and digest, resolved: what a chart's values builder takes. */
export interface ServerTlsValues {
  readonly secretName: string;
  readonly certificateDigest: string;
  /** The CA ConfigMap (a server that wants the CA mounts it by this name). */
  readonly caConfigMap: string;
}

/** The values form of a server's certificate, as one Output (undefined stays undefined). */
export function resolveServerTls(tls: ServerTls | undefined): pulumi.Output<ServerTlsValues | undefined> {
  if (!tls) return pulumi.output(undefined);
  return pulumi
    .all([tls.secretName, tls.certificateDigest, tls.trust.configMap])
    .apply(([secretName, certificateDigest, caConfigMap]) => ({ secretName, certificateDigest, caConfigMap }));
}

/** The pod annotation that rolls a server's pods when its certificate is renewed. */
export const certificateAnnotations = (tls: ServerTlsValues | undefined): Record<string, string> =>
  tls ? { [INTERNAL_TLS.certificateAnnotation]: tls.certificateDigest } : {};

/** The same server certificate digest wherever it is computed. */
const digest = (pem: string): string => crypto.createHash("sha256").update(pem).digest("hex");

/** The names a server's certificate must cover, as plain data (tests read them). */
export interface TlsNames {
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
}

/**
 * Service names in every form a client in the namespace may use: `<svc>`, `<svc>.<ns>`,
 * `<svc>.<ns>.svc` and `<svc>.<ns>.svc.cluster.local`.
 */
export function serviceNames(services: readonly string[], namespace: string): string[] {
  return services.flatMap((s) => [s, `${s}.${namespace}`, `${s}.${namespace}.svc`, `${s}.${namespace}.svc.cluster.local`]);
}

export interface InternalCaArgs {
  readonly config: InternalTlsConfig;
  readonly namespace: pulumi.Output<string>;
}

export class InternalCa extends pulumi.ComponentResource {
  /** The CA certificate (PEM, public): what the internal-ca ConfigMap holds. */
  public readonly caCertPem: pulumi.Output<string>;
  public readonly caConfigMap: k8s.core.v1.ConfigMap;
  private readonly ca: Authority;
  private readonly args: InternalCaArgs;

  constructor(name: string, args: InternalCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:platform:InternalCa", name, {}, opts);
    this.args = args;
    this.ca = certificateAuthority(
      `${name}-ca`,
      { commonName: `${PART_OF} internal CA`, key: args.config, validityHours: args.config.caValidityHours },
      { parent: this },
    );
    this.caCertPem = this.ca.cert.certPem;
    this.caConfigMap = new k8s.core.v1.ConfigMap(
      `${name}-ca`,
      {
        metadata: { name: INTERNAL_TLS.caConfigMap, namespace: args.namespace, labels: standardLabels("internal-ca", "tls") },
        data: { [INTERNAL_TLS.keys.ca]: this.caCertPem },
      },
      { parent: this },
    );
    this.registerOutputs({ caCertPem: this.caCertPem });
  }

  /** Issues the server certificate of `service` for `names` into its Secret `<service>-tls`. */
  issue(service: string, names: pulumi.Output<TlsNames>): ServerTls {
    const opts = { parent: this };
    const cfg = this.args.config;
    const server = serverCertificate(
      `${service}-tls`,
      this.ca,
      {
        dnsNames: names.apply((n) => n.dnsNames),
        ipAddresses: names.apply((n) => n.ipAddresses),
        key: cfg,
        validityHours: cfg.validityHours,
      },
      opts,
    );
    const caPem = this.ca.cert.certPem;
    const secret = new k8s.core.v1.Secret(
      `${service}-tls`,
      {
        metadata: { name: tlsSecretName(service), namespace: this.args.namespace, labels: standardLabels(service, "tls") },
        type: "kubernetes.io/tls",
        stringData: {
          // The server's certificate followed by the CA: clients get the whole chain.
          [INTERNAL_TLS.keys.cert]: pulumi.interpolate`${server.cert.certPem}${caPem}`,
          // PKCS#8: the one form PostgreSQL, Redis and Neo4j all read.
          [INTERNAL_TLS.keys.key]: pulumi.secret(server.key.privateKeyPemPkcs8),
          [INTERNAL_TLS.keys.ca]: caPem,
        },
      },
      opts,
    );
    return {
      secretName: secret.metadata.name,
      certificateDigest: server.cert.certPem.apply(digest),
      trust: { configMap: this.caConfigMap.metadata.name, key: INTERNAL_TLS.keys.ca },
    };
  }
}
