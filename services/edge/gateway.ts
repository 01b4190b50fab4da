// The API's public entry point through Gateway API: the program's own Gateway (or a route on an
// existing one), the HTTPRoutes, the Traefik Middleware of the rate limit, and the HTTPS
// certificate: a Certificate cert-manager issues, the program's self-signed chain, or your Secret.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { IngressConfig } from "./ingress.settings";
import { API_NAME } from "../api";
import { standardLabels } from "../../platform/labels";
import { EdgeObject, gatewayObjects } from "./gateway.build";
import { ingressHosts, publicUrl } from "./ingress.build";
import { traefikMiddlewares } from "./traefik.build";
import { SelfSignedTls } from "./self-signed-tls";

export interface EntryArgs {
  /** The `ingress` section of StackConfig (enabled is checked by the caller). */
  readonly config: IngressConfig;
  /** Namespace of the objects, the API Service and the TLS Secret. */
  readonly namespace: pulumi.Input<string>;
  /** The same namespace's name as configured (namespace.name), which references across namespaces spell out. */
  readonly namespaceName: string;
  /** Name of the API Service the routes forward to. */
  readonly serviceName: pulumi.Input<string>;
  /** Service port (number) of the API's http port. */
  readonly servicePort: number;
}

/** Registers `doc` as a CustomResource in `namespace`, labelled as part of the API's entry point. */
function edgeResource(
  name: string,
  doc: EdgeObject,
  namespace: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    name,
    {
      apiVersion: doc.apiVersion,
      kind: doc.kind,
      metadata: { ...doc.metadata, namespace, labels: standardLabels(API_NAME, "entry") },
      spec: doc.spec,
    },
    opts,
  );
}

/**
 * What both ways in create before the route: the self-signed chain when `tls.mode` is self-signed
 * (its Secret is what HTTPS serves) and the Traefik Middlewares (a route naming a missing one is
 * refused by Traefik). `dependsOn` lists them for the objects that reference them.
 */
export function entryPrerequisites(
  name: string,
  args: EntryArgs,
  parent: pulumi.Resource,
): { caCertPem?: pulumi.Output<string>; dependsOn: pulumi.Resource[] } {
  const { config } = args;
  const chain =
    config.tls.mode === "self-signed"
      ? new SelfSignedTls(
          `${name}-tls`,
          { hosts: ingressHosts(config), config: config.tls.selfSigned, namespace: args.namespace, secretName: config.tls.secretName },
          { parent },
        )
      : undefined;
  const middlewares = traefikMiddlewares(config).map((doc) =>
    edgeResource(`${name}-${doc.metadata.name}`, doc, args.namespace, { parent }),
  );
  return { caCertPem: chain?.caCertPem, dependsOn: [...middlewares, ...(chain ? [chain.secret] : [])] };
}

export class ApiGateway extends pulumi.ComponentResource {
  /** The Gateway API and cert-manager objects (the Middlewares and the chain are created beside them). */
  public readonly objects: k8s.apiextensions.CustomResource[];
  /** https://<first host>. */
  public readonly url: string;
  /** The generated CA's certificate (PEM) when `tls.mode` is self-signed; undefined otherwise. */
  public readonly caCertPem?: pulumi.Output<string>;

  constructor(name: string, args: EntryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:edge:ApiGateway", name, {}, opts);
    const { config } = args;
    const { caCertPem, dependsOn } = entryPrerequisites(name, args, this);
    this.caCertPem = caCertPem;
    const backend = { name: API_NAME, port: args.servicePort };
    // The Service's name as an input makes the routes wait for it.
    this.objects = gatewayObjects(config, args.namespaceName, backend).map((doc) =>
      edgeResource(
        `${name}-${doc.kind.toLowerCase()}-${doc.metadata.name}`,
        doc.kind === "HTTPRoute" ? withBackendService(doc, args.serviceName) : doc,
        args.namespace,
        { parent: this, dependsOn },
      ),
    );
    this.url = publicUrl(config);
    this.registerOutputs({ url: this.url, caCertPem: this.caCertPem });
  }
}

/** The route with its backendRefs naming the Service by its registered name (an Output), so it waits for it. */
function withBackendService(doc: EdgeObject, serviceName: pulumi.Input<string>): EdgeObject {
  const rules = doc.spec.rules as { backendRefs?: Record<string, unknown>[] }[];
  return {
    ...doc,
    spec: {
      ...doc.spec,
      rules: rules.map((r) => (r.backendRefs ? { ...r, backendRefs: r.backendRefs.map((b) => ({ ...b, name: serviceName })) } : r)),
    },
  };
}
