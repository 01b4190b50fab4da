// TLS inside the cluster (internalTls): production's data services serve TLS with certificates of the
// stack's own CA whose names cover every address their clients use; the API, the roles Job and
// Grafana verify them with the CA alone (a ConfigMap); the backup and the exporters still connect;
// dev stays plain by its setting; no private key outside Secrets.
import * as assert from "assert";
import { POSTGRESQL } from "../../services/postgresql";
import { REDIS } from "../../services/redis";
import { NEO4J } from "../../services/neo4j";
import { ProgramRun, runProgram } from "../../testbed/harness/program";
import { T } from "../../testbed/harness/types";
import { configProblems, loadConfig } from "../../testbed/helpers/config";

const NS = "ape-2026";
const CA_CONFIGMAP = "internal-ca";
const values = (run: ProgramRun, release: string) => run.get(T.Release, release).inputs.values;
const apiConfig = (run: ProgramRun): Record<string, string> =>
  run.ofType(T.ConfigMap).find((c) => c.urn.includes("ape:app:Api$"))!.inputs.data;
const apiPod = (run: ProgramRun) => run.get(T.Deployment, "api").inputs.spec.template.spec;
/** The DNS names and IPs a data service's certificate covers (its request's SANs). */
const sans = (run: ProgramRun, service: string): { dns: string[]; ips: string[] } => {
  const csr = run.get(T.CertRequest, `${service}-tls`).inputs;
  return { dns: csr.dnsNames, ips: csr.ipAddresses ?? [] };
};
/** Whether a certificate name (exact, or a one-label wildcard) matches `host`, as TLS clients check it. */
const covers = (names: string[], host: string) =>
  names.some((n) => n === host || (n.startsWith("*.") && host.slice(host.indexOf(".") + 1) === n.slice(2) && !host.startsWith(".")));

/** The file a pod path points into, resolved through the container's mounts and the pod's ConfigMap volumes. */
function mountedConfigMapFile(pod: any, container: any, path: string): { configMap: string; key: string } | undefined {
  for (const m of container.volumeMounts ?? []) {
    const prefix = m.mountPath.endsWith("/") ? m.mountPath : `${m.mountPath}/`;
    if (!path.startsWith(prefix)) continue;
    const volume = pod.volumes.find((v: any) => v.name === m.name);
    if (!volume?.configMap) continue;
    const file = path.slice(prefix.length);
    const item = (volume.configMap.items ?? []).find((i: any) => i.path === file);
    return { configMap: volume.configMap.name, key: item ? item.key : file };
  }
  return undefined;
}

describe("TLS inside the cluster", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async () => {
    [dev, prod] = await Promise.all([runProgram("dev"), runProgram("production")]);
  });

  it("production: the CA certificate alone in the ConfigMap internal-ca, one kubernetes.io/tls Secret per data service", () => {
    const ca = prod.get(T.SelfSignedCert, "internal-tls-ca");
    const cm = prod.ofType(T.ConfigMap).find((c) => c.inputs.metadata.name === CA_CONFIGMAP)!;
    assert.deepStrictEqual(Object.keys(cm.inputs.data), ["ca.crt"]);
    assert.strictEqual(cm.inputs.data["ca.crt"], ca.state.certPem);
    assert.strictEqual(ca.inputs.isCaCertificate, true);
    for (const service of ["postgresql", "redis", "neo4j"]) {
      const secret = prod.ofType(T.Secret).find((s) => s.inputs.metadata.name === `${service}-tls`)!;
      assert.ok(secret, `${service}-tls`);
      assert.strictEqual(secret.inputs.type, "kubernetes.io/tls");
      assert.deepStrictEqual(Object.keys(secret.inputs.stringData).sort(), ["ca.crt", "tls.crt", "tls.key"]);
      assert.ok(secret.secretPaths.includes("stringData.tls.key") || secret.secretPaths.includes("stringData"), "the key is a secret");
      // The server's key in PKCS#8 (the form all three servers read), signed by the stack's CA.
      assert.strictEqual(secret.inputs.stringData["tls.key"], prod.get(T.PrivateKey, `${service}-tls`).state.privateKeyPemPkcs8);
      const cert = prod.get(T.LocallySignedCert, `${service}-tls`);
      assert.strictEqual(cert.inputs.caCertPem, ca.state.certPem);
      assert.ok(
        cert.inputs.earlyRenewalHours > 0 && cert.inputs.earlyRenewalHours < cert.inputs.validityPeriodHours,
        "renewed by pulumi up",
      );
      assert.deepStrictEqual(cert.inputs.allowedUses, ["digital_signature", "key_encipherment", "server_auth"]);
    }
  });

  it("production PostgreSQL: the chart serves TLS from postgresql-tls and refuses plain text from outside the pod", () => {
    const v = values(prod, "postgresql");
    assert.deepStrictEqual(v.tls, {
      enabled: true,
      certificatesSecret: "postgresql-tls",
      certFilename: "tls.crt",
      certKeyFilename: "tls.key",
    });
    // No CA file: the chart would then demand client certificates (and its probes would present one).
    assert.strictEqual(v.tls.certCAFilename, undefined);
    const hba = (v.primary.pgHbaConfiguration as string).split("\n").filter((l) => l.trim() && !l.startsWith("#"));
    for (const line of hba) {
      const [type, , , address] = line.split(/\s+/);
      // Only the socket and the loopback address (inside the pod: the exporter) may skip TLS.
      if (type !== "hostssl") assert.ok(type === "local" || ["127.0.0.1/32", "::1/128"].includes(address), line);
    }
    assert.ok(hba.some((l) => /^hostssl\s+all\s+all\s+0\.0\.0\.0\/0\s+scram-sha-256$/.test(l)));
    // The chart's copy-certs init container (key mode 0600) runs the server image, not a frozen helper.
    assert.deepStrictEqual(v.volumePermissions.image, v.image);
    // A renewed certificate changes the pod annotation, so the pods restart with it.
    assert.match(v.primary.podAnnotations["ape-2026.io/tls-certificate"], /^[0-9a-f]{64}$/);
  });

  it("production PostgreSQL: the certificate covers the host the API, Grafana, the roles Job and the backup use", () => {
    const names = sans(prod, "postgresql").dns;
    assert.ok(covers(names, apiConfig(prod).DATABASE_HOST), apiConfig(prod).DATABASE_HOST);
    const grafana = values(prod, "grafana").datasources["datasources.yaml"].datasources.find((d: any) => d.uid === "timescaledb");
    assert.ok(covers(names, grafana.url.split(":")[0]), grafana.url);
    const job = prod.ofType(T.Job)[0].inputs.spec.template.spec;
    const env = Object.fromEntries(job.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    assert.ok(covers(names, env.PGHOST), env.PGHOST);
    // The backup CronJob's PGHOST is the chart's primary name, short form.
    assert.ok(covers(names, POSTGRESQL.release));
  });

  it("production: the API verifies every data service (verify-full, Redis TLS, bolt+s) with the CA ConfigMap, mounted read-only", () => {
    const data = apiConfig(prod);
    const pod = apiPod(prod);
    const container = pod.containers[0];
    assert.strictEqual(data.DATABASE_SSLMODE, "verify-full");
    assert.strictEqual(data.REDIS_TLS, "true");
    assert.match(data.NEO4J_URI, /^bolt\+s:\/\//);
    for (const file of [data.DATABASE_SSLROOTCERT, data.REDIS_CA_FILE, data.NEO4J_CA_FILE]) {
      assert.deepStrictEqual(mountedConfigMapFile(pod, container, file), { configMap: CA_CONFIGMAP, key: "ca.crt" }, file);
    }
    for (const m of container.volumeMounts.filter((x: any) => x.mountPath.startsWith("/etc/ape-2026/ca/")))
      assert.strictEqual(m.readOnly, true);
    // DATABASE_URL (in the API's Secret) carries the same: libpq clients verify from the URL alone.
    const secret = prod.ofType(T.Secret).find((s) => s.urn.includes("ape:app:Api$"))!;
    const url = new URL(secret.inputs.stringData.DATABASE_URL);
    assert.strictEqual(url.searchParams.get("sslmode"), "verify-full");
    assert.strictEqual(url.searchParams.get("sslrootcert"), data.DATABASE_SSLROOTCERT);
  });

  it("production Redis and Sentinel: TLS only, and the certificate covers the Service, every sentinel and every announced node", () => {
    const v = values(prod, "redis");
    assert.deepStrictEqual(v.tls, {
      enabled: true,
      authClients: false,
      existingSecret: "redis-tls",
      certFilename: "tls.crt",
      certKeyFilename: "tls.key",
      certCAFilename: "ca.crt",
    });
    const { dns, ips } = sans(prod, "redis");
    const data = apiConfig(prod);
    assert.ok(covers(dns, data.REDIS_HOST), data.REDIS_HOST);
    const sentinels = data.REDIS_SENTINEL_HOSTS.split(",").map((h) => h.split(":")[0]);
    assert.strictEqual(sentinels.length, 3);
    // The sentinels name the master by the node's announced hostname (<pod>.<release>-headless...), the same names.
    for (const host of sentinels) assert.ok(covers(dns, host), host);
    assert.ok(covers(dns, `${REDIS.release}-node-5.${REDIS.release}-headless.${NS}.svc.cluster.local`), "a node added later");
    // The exporter sidecar reaches its own server as rediss://localhost (the chart's metrics.redisTargetHost).
    assert.ok(covers(dns, "localhost") && ips.includes("127.0.0.1"));
    assert.strictEqual(v.metrics.redisTargetHost ?? "localhost", "localhost");
  });

  it("production Neo4j: Bolt with TLS from neo4j-tls, the CA as its trusted certificate, the certificate covering the API's URI", () => {
    const v = values(prod, "neo4j");
    assert.deepStrictEqual(v.ssl.bolt.privateKey, { secretName: "neo4j-tls", subPath: "tls.key" });
    assert.deepStrictEqual(v.ssl.bolt.publicCertificate, { secretName: "neo4j-tls", subPath: "tls.crt" });
    assert.strictEqual(v.ssl.bolt.trustedCerts.sources[0].configMap.name, CA_CONFIGMAP);
    const host = new URL(apiConfig(prod).NEO4J_URI.replace("bolt+s", "https")).hostname;
    assert.ok(covers(sans(prod, "neo4j").dns, host), host);
    assert.strictEqual(Number(new URL(apiConfig(prod).NEO4J_URI.replace("bolt+s", "https")).port), NEO4J.ports.bolt);
  });

  it("production: Grafana's TimescaleDB data source and the roles Job connect with verify-full and the CA", () => {
    const g = values(prod, "grafana");
    const ds = g.datasources["datasources.yaml"].datasources.find((d: any) => d.uid === "timescaledb");
    assert.strictEqual(ds.jsonData.sslmode, "verify-full");
    assert.strictEqual(ds.jsonData.tlsConfigurationMethod, "file-path");
    const mount = g.extraConfigmapMounts.find((m: any) => ds.jsonData.sslRootCertFile.startsWith(`${m.mountPath}/`));
    assert.deepStrictEqual([mount.configMap, mount.readOnly, mount.items], [CA_CONFIGMAP, true, [{ key: "ca.crt", path: "ca.crt" }]]);
    const job = prod.ofType(T.Job)[0].inputs.spec.template.spec;
    const env = Object.fromEntries(job.containers[0].env.map((e: any) => [e.name, e.value]));
    assert.strictEqual(env.PGSSLMODE, "verify-full");
    assert.deepStrictEqual(mountedConfigMapFile(job, job.containers[0], env.PGSSLROOTCERT), { configMap: CA_CONFIGMAP, key: "ca.crt" });
  });

  it("production: the backup job verifies the server; the exporters keep connecting in their own pod", () => {
    const v = values(prod, "postgresql");
    // The chart mounts the server's Secret at /tmp/certs in the backup pod; the script uses only its CA.
    assert.match(v.backup.cronjob.command[2], /^export PGSSLMODE=verify-full PGSSLROOTCERT=\/tmp\/certs\/ca\.crt$/m);
    // postgres_exporter: the chart points it at 127.0.0.1 with sslmode=disable, which the loopback line admits.
    assert.ok((v.primary.pgHbaConfiguration as string).split("\n").some((l) => /^host\s+all\s+all\s+127\.0\.0\.1\/32\s/.test(l)));
    assert.strictEqual(v.metrics.enabled, true);
    // redis_exporter: TLS with the CA file (checked against "localhost" above).
    assert.strictEqual(values(prod, "redis").tls.certCAFilename, "ca.crt");
  });

  it("dev stays plain by its setting: no CA, no TLS values, the API and Grafana without TLS settings", () => {
    // The Ingress's self-signed chain (ingress.tls.mode self-signed) is the only one in dev.
    assert.deepStrictEqual(
      dev.ofType(T.LocallySignedCert).map((c) => c.urn.includes("ape:edge:SelfSignedTls$")),
      [true],
    );
    assert.ok(!dev.ofType(T.ConfigMap).some((c) => c.inputs.metadata.name === CA_CONFIGMAP));
    assert.strictEqual(values(dev, "postgresql").tls, undefined);
    assert.strictEqual(values(dev, "postgresql").primary.pgHbaConfiguration, undefined);
    assert.strictEqual(values(dev, "redis").tls, undefined);
    const data = apiConfig(dev);
    for (const key of ["DATABASE_SSLMODE", "DATABASE_SSLROOTCERT", "REDIS_TLS", "REDIS_CA_FILE", "NEO4J_CA_FILE"])
      assert.strictEqual(data[key], undefined, key);
    const ds = values(dev, "grafana").datasources["datasources.yaml"].datasources.find((d: any) => d.uid === "timescaledb");
    assert.strictEqual(ds.jsonData.sslmode, "disable");
  });

  it("lifetimes: the CA's and the certificates' from the settings; a certificate outliving its CA is refused at preview", async () => {
    const c = loadConfig("production").internalTls;
    assert.strictEqual(prod.get(T.SelfSignedCert, "internal-tls-ca").inputs.validityPeriodHours, c.caValidityHours);
    assert.strictEqual(prod.get(T.LocallySignedCert, "redis-tls").inputs.validityPeriodHours, c.validityHours);
    const found = configProblems("production", { "internalTls.caValidityHours": 8760, "internalTls.validityHours": 9000 });
    assert.match(found.get("internalTls.validityHours") ?? "(none)", /at most caValidityHours \(8760\)/);
  });

  it("no private key in any chart value, ConfigMap, other object or output: only in Secrets, as secrets", () => {
    for (const run of [prod, dev]) {
      for (const r of run.resources) {
        if (r.type.startsWith("tls:")) continue; // the provider's own state (secret outputs)
        const text = JSON.stringify(r.type === T.Secret ? r.plainInputs : r.inputs);
        assert.ok(!text.includes("PRIVATE KEY"), `${run.stack} ${r.type} ${r.name}`);
      }
      assert.ok(!JSON.stringify(run.outputs).includes("PRIVATE KEY"), `${run.stack} outputs`);
    }
  });
});
