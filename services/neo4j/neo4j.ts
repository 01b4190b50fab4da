// Neo4j through Neo4j's official chart (helm.v3.Release): one standalone Community server, or an
// Enterprise cluster of three primaries (one release per server); the password generated and held
// in a Secret the chart reads by name. Or, when switched off, an external Neo4j from config.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Neo4jConfig } from "./neo4j.settings";
import { chartCredentials, Credentials } from "../../platform/credentials";
import { standardLabels } from "../../platform/labels";
import { ChartServiceArgs, chartRelease, DATA_RELEASE } from "../../platform/release";
import { Neo4jEndpoint } from "./neo4j.endpoint";
import { neo4jValues } from "./neo4j.build";
import { NEO4J, NEO4J_CLIENT_SERVICE, neo4jAuth, neo4jBoltUri, neo4jPodLabels, neo4jReleaseNames } from "./neo4j.contract";
import type { ExternalNeo4j } from "./neo4j.decisions";
import { resolveServerTls, ServerTls } from "../../platform/internal-tls";

export interface Neo4jArgs extends ChartServiceArgs {
  /** The `neo4j` section of StackConfig (enabled). */
  readonly config: Neo4jConfig;
  /** The server certificate (internalTls); undefined: Bolt in plain text. */
  readonly tls?: ServerTls;
}

/** The endpoint of an external Neo4j (neo4j.enabled false, neo4j.external set). */
export function externalNeo4jEndpoint(ext: ExternalNeo4j): Neo4jEndpoint {
  return {
    uri: `${ext.scheme ?? "bolt"}://${ext.host}:${ext.port}`,
    host: ext.host,
    port: ext.port,
    username: ext.username,
    passwordSecret: { name: ext.existingSecret, key: ext.passwordKey },
  };
}

export class Neo4j extends pulumi.ComponentResource {
  public readonly credentials: Credentials;
  /** One release (Community), or one per cluster member (Enterprise). */
  public readonly releases: k8s.helm.v3.Release[];
  /** Enterprise: the ClusterIP Service in front of every member. */
  public readonly clientService?: k8s.core.v1.Service;
  /** Where the API connects, with the password as a Secret reference. */
  public readonly endpoint: Neo4jEndpoint;

  constructor(name: string, args: Neo4jArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ape:data:Neo4j", name, {}, opts);
    const cfg = args.config;

    // NEO4J_AUTH ("neo4j/<password>") is what the image reads at first start; `password` is the
    // same password alone, for clients. Both derive from one RandomPassword.
    this.credentials = chartCredentials(`${name}-auth`, this, args, {
      secretName: NEO4J.secret.name,
      keys: [NEO4J.secret.passwordKey],
      derived: { [NEO4J.secret.authKey]: { from: NEO4J.secret.passwordKey, format: neo4jAuth } },
      component: "neo4j",
    });
    const secretName = this.credentials.secretName;

    // Enterprise members are created side by side (no dependency between them): none becomes ready
    // before the cluster has formed, so waiting for one before the next would never finish.
    const releaseNames = neo4jReleaseNames(cfg.edition);
    this.releases = releaseNames.map((releaseName) =>
      chartRelease(releaseName === NEO4J.release ? name : `${name}-${releaseName.slice(NEO4J.release.length + 1)}`, this, args, {
        chart: "neo4j",
        releaseName,
        settings: DATA_RELEASE,
        // The Secret's name as an Output: the release waits for the Secret.
        values: pulumi
          .all([secretName, resolveServerTls(args.tls)])
          .apply(([n, tls]) =>
            neo4jValues({ config: cfg, images: args.images, secretName: n, chartVersion: args.charts.neo4j.version, tls }),
          ),
        dependsOn: [this.credentials.secret],
      }),
    );

    let service: pulumi.Output<string>;
    if (cfg.edition === "enterprise") {
      // Each member's chart Service selects that member only; clients get one name for the cluster.
      // Members route writes to the leader themselves (server-side routing), so bolt:// to any works.
      this.clientService = new k8s.core.v1.Service(
        name,
        {
          metadata: { name: NEO4J_CLIENT_SERVICE, namespace: args.namespace, labels: standardLabels("neo4j", "database") },
          spec: {
            type: "ClusterIP",
            selector: neo4jPodLabels(),
            ports: [
              { name: "tcp-bolt", port: NEO4J.ports.bolt, targetPort: NEO4J.ports.bolt, protocol: "TCP" },
              { name: "tcp-http", port: NEO4J.ports.http, targetPort: NEO4J.ports.http, protocol: "TCP" },
            ],
          },
        },
        { parent: this, dependsOn: this.releases },
      );
      service = this.clientService.metadata.name;
    } else {
      service = this.releases[0].status.name;
    }

    // From the releases' status: whoever uses the endpoint waits for Neo4j.
    const address = pulumi
      .all([service, args.namespace, ...this.releases.map((r) => r.status.name)])
      .apply(([svc, ns]) => ({ host: `${svc}.${ns}.svc.cluster.local`, uri: neo4jBoltUri(ns, svc, args.tls !== undefined) }));
    this.endpoint = {
      uri: address.uri,
      host: address.host,
      port: NEO4J.ports.bolt,
      username: NEO4J.username,
      passwordSecret: { name: secretName, key: NEO4J.secret.passwordKey },
      ...(args.tls ? { tls: args.tls.trust } : {}),
    };
    this.registerOutputs({ uri: this.endpoint.uri, secretName, releaseStatus: this.releases.map((r) => r.status) });
  }
}
