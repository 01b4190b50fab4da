// The Ingress way in (ingress.via ingress), here with ingress-nginx's annotations (still accepted,
// retired), and TLS for each mode, from the real stack files. Traefik and HAProxy as Ingress
// controllers, and the Gateway API default: gateway.spec.ts.
import * as assert from "assert";
import { API_NAME } from "../../services/api";
import { ingressAnnotations, publicUrl } from "../../services/edge";
import { parseStackConfig } from "../../stack";
import { ConfigValidationError } from "../../config/errors";
import { ProgramRun, RunOptions, runProgram, runProgramError } from "../../testbed/harness/program";
import { DEV_VARIANTS, PROD_VARIANTS_A, PROD_VARIANTS_B } from "../../testbed/harness/variants";
import { readStackFile, setPath } from "../../testbed/harness/stackFile";
import { T } from "../../testbed/harness/types";
import { configProblems, loadConfig } from "../../testbed/helpers/config";
import { stackNetworkPolicies } from "../../stack/stack";

const NGINX = "nginx.ingress.kubernetes.io";
/** The Ingress for ingress-nginx, with the body size it used to get by default. */
const VIA_NGINX = { "ingress.via": "ingress", "ingress.controller": "nginx", "ingress.proxyBodySize": "10m" };
const withNginx = (options: RunOptions = {}): RunOptions => ({ ...options, set: { ...VIA_NGINX, ...options.set } });

const onlyIngress = (run: ProgramRun) => {
  const all = run.ofType(T.Ingress);
  assert.strictEqual(all.length, 1);
  return all[0].inputs;
};
const tlsResources = (run: ProgramRun) => run.resources.filter((r) => r.type.startsWith("tls:"));

describe("ingress: dev stack (self-signed TLS)", () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram("dev", withNginx());
  });

  it("routes the configured host and path to the API Service's http port through nginx", () => {
    const ing = onlyIngress(run);
    assert.strictEqual(ing.metadata.namespace, "ape-2026");
    assert.strictEqual(ing.spec.ingressClassName, "nginx");
    assert.deepStrictEqual(ing.spec.rules, [
      {
        host: "api.ape-2026.localhost",
        http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: API_NAME, port: { number: 9898 } } } }] },
      },
    ]);
    assert.deepStrictEqual(ing.spec.tls, [{ hosts: ["api.ape-2026.localhost"], secretName: "ape-2026-api-tls" }]);
  });

  it("rate limits to 100 requests/min with a burst, and caps the body size", () => {
    const a = onlyIngress(run).metadata.annotations;
    assert.strictEqual(a[`${NGINX}/limit-rpm`], "100");
    assert.strictEqual(a[`${NGINX}/limit-burst-multiplier`], "1", "at most 100 requests within a minute");
    assert.strictEqual(a[`${NGINX}/ssl-redirect`], "true");
    assert.strictEqual(a[`${NGINX}/proxy-body-size`], "10m");
    assert.ok(!("cert-manager.io/cluster-issuer" in a), "no cert-manager on a laptop");
  });

  it("issues a server certificate for exactly the hosts from a generated ECDSA P-256 CA", () => {
    const keys = run.ofType(T.PrivateKey).map((k) => k.inputs);
    assert.strictEqual(keys.length, 2);
    for (const k of keys) assert.deepStrictEqual([k.algorithm, k.ecdsaCurve], ["ECDSA", "P256"]);
    assert.strictEqual(run.ofType(T.SelfSignedCert)[0].inputs.isCaCertificate, true);
    assert.deepStrictEqual(run.ofType(T.CertRequest)[0].inputs.dnsNames, ["api.ape-2026.localhost"]);
    const cert = run.ofType(T.LocallySignedCert)[0].inputs;
    assert.strictEqual(cert.validityPeriodHours, 2160);
    assert.ok(cert.allowedUses.includes("server_auth"));
    assert.strictEqual(cert.caCertPem, run.outputs.caCertificate, "signed by the CA whose certificate is exported");
  });

  it("stores the chain as the kubernetes.io/tls Secret the Ingress names, key as a secret", () => {
    const secret = run.ofType(T.Secret).find((s) => s.inputs.metadata.name === "ape-2026-api-tls");
    assert.ok(secret, "TLS Secret");
    assert.strictEqual(secret.inputs.type, "kubernetes.io/tls");
    assert.match(secret.inputs.stringData["tls.crt"], /mock-cert-ingress-tls-server[\s\S]*mock-cert-ingress-tls-ca/);
    assert.ok(
      secret.secretPaths.some((p) => p === "stringData.tls.key" || p === "stringData" || p === ""),
      `tls.key must be secret; got ${secret.secretPaths}`,
    );
    assert.ok(!JSON.stringify(secret.plainInputs).includes("PRIVATE KEY"));
  });

  it("exports the public URL and the CA certificate (not a secret)", () => {
    assert.strictEqual(run.outputs.url, "https://api.ape-2026.localhost");
    assert.match(String(run.outputs.caCertificate), /BEGIN CERTIFICATE/);
    assert.ok(!run.secretOutputs.has("caCertificate"));
  });

  it("emits objects valid against the Kubernetes schemas", async () => {
    const { Ingress } = await import("kubernetes-models/networking.k8s.io/v1");
    const { Secret } = await import("kubernetes-models/v1");
    new Ingress(onlyIngress(run)).validate();
    for (const s of run.ofType(T.Secret)) new Secret(s.inputs).validate();
  });

  it("follows the key settings: RSA size, validity and every host", async () => {
    // RSA 3072 bits, 720 hours, hosts api.ape-2026.localhost and *.ape.test.
    const rsa = await runProgram("dev", withNginx(DEV_VARIANTS));
    for (const k of rsa.ofType(T.PrivateKey)) assert.deepStrictEqual([k.inputs.algorithm, k.inputs.rsaBits], ["RSA", 3072]);
    assert.deepStrictEqual(rsa.ofType(T.CertRequest)[0].inputs.dnsNames, ["api.ape-2026.localhost", "*.ape.test"]);
    assert.strictEqual(rsa.ofType(T.LocallySignedCert)[0].inputs.validityPeriodHours, 720);
    assert.deepStrictEqual(onlyIngress(rsa).spec.tls[0].hosts, ["api.ape-2026.localhost", "*.ape.test"]);
  });
});

describe("ingress: production stack (cert-manager)", () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram("production", withNginx());
  });

  it("asks cert-manager's ClusterIssuer for the certificate and generates none itself", () => {
    const ing = onlyIngress(run);
    assert.strictEqual(ing.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-prod");
    assert.deepStrictEqual(ing.spec.tls, [{ hosts: ["api.ape-2026.example.com"], secretName: "ape-2026-api-tls" }]);
    assert.deepStrictEqual(tlsResources(run), []);
    assert.ok(!run.ofType(T.Secret).some((s) => s.inputs.type === "kubernetes.io/tls"));
    assert.strictEqual(run.outputs.caCertificate, undefined);
    assert.strictEqual(run.outputs.url, "https://api.ape-2026.example.com");
    assert.strictEqual(ing.metadata.annotations[`${NGINX}/limit-rpm`], "100");
  });

  it("existing-secret mode references the operator's Secret only", async () => {
    // ingress.tls.mode existing-secret, ingress.tls.secretName wildcard-tls.
    const own = await runProgram("production", withNginx(PROD_VARIANTS_A));
    const ing = onlyIngress(own);
    assert.strictEqual(ing.spec.tls[0].secretName, "wildcard-tls");
    assert.ok(!("cert-manager.io/cluster-issuer" in ing.metadata.annotations));
    assert.deepStrictEqual(tlsResources(own), []);
  });

  it("merges custom annotations and takes rate limit and burst from config", () => {
    // The builder's annotations; the tests above show them on the registered Ingress of both stacks.
    const custom = loadConfig("production", {
      ...VIA_NGINX,
      "ingress.annotations": { [`${NGINX}/enable-cors`]: "true" },
      "ingress.rateLimit.requestsPerMinute": 600,
      "ingress.rateLimit.burstMultiplier": 2,
    });
    const a = ingressAnnotations(custom.ingress, "ape-2026");
    assert.strictEqual(a[`${NGINX}/enable-cors`], "true");
    assert.strictEqual(a[`${NGINX}/limit-rpm`], "600");
    assert.strictEqual(a[`${NGINX}/limit-burst-multiplier`], "2");
  });

  it("no Ingress and no URL when ingress.enabled is false", async () => {
    const off = await runProgram("production", withNginx(PROD_VARIANTS_B));
    assert.deepStrictEqual(off.ofType(T.Ingress), []);
    assert.strictEqual(off.outputs.url, undefined);
  });
});

describe("ingress: bad input is refused before anything is registered", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["an invalid host name", { "ingress.hosts.0.host": "api_ape.example.com" }, "ingress.hosts[0].host", /DNS host name/],
    ["a host without a domain", { "ingress.hosts.0.host": "localhost" }, "ingress.hosts[0].host", /DNS host name/],
    ["a zero rate limit", { "ingress.rateLimit.requestsPerMinute": 0 }, "ingress.rateLimit.requestsPerMinute", />= 1/],
    ["a negative rate limit", { "ingress.rateLimit.requestsPerMinute": -100 }, "ingress.rateLimit.requestsPerMinute", />= 1/],
    ["an unknown TLS mode", { "ingress.tls.mode": "acme" }, "ingress.tls.mode", /cert-manager, self-signed, existing-secret/],
    ["an RSA key below 2048 bits", { "ingress.tls.selfSigned.rsaBits": 1024 }, "ingress.tls.selfSigned.rsaBits", /2048/],
    [
      "a custom annotation overriding the rate limit",
      { "ingress.annotations": { [`${NGINX}/limit-rpm`]: "100000" } },
      `ingress.annotations["${NGINX}/limit-rpm"]`,
      /managed by this program; set ingress\.rateLimit\.\*/,
    ],
    [
      "a custom annotation overriding the issuer",
      { "ingress.annotations": { "cert-manager.io/cluster-issuer": "other" } },
      'ingress.annotations["cert-manager.io/cluster-issuer"]',
      /managed by this program; set .*ingress\.tls\.\*/,
    ],
    [
      "node-exporter under restricted Pod Security",
      { "prometheus.nodeExporter.enabled": true },
      "prometheus.nodeExporter.enabled",
      /"restricted".*privileged/,
    ],
    ["a CIDR with a bad prefix", { "networkPolicy.apiEgress.cidrs": ["0.0.0.0/33"] }, "networkPolicy.apiEgress.cidrs[0]", /CIDR/],
  ];
  for (const [what, set, key, message] of cases) {
    it(`refuses ${what}, naming ${key}`, async () => {
      const { error, resources } = await runProgramError("dev", withNginx({ set }));
      // The program runs from a fresh module cache, so compare by name rather than instanceof.
      assert.ok(error.name === "ConfigValidationError", String(error));
      const { problems } = error as ConfigValidationError;
      const problem = problems.find((p) => p.path === key);
      assert.ok(problem, `expected a problem at ${key}; got ${problems.map((p) => p.path)}`);
      assert.match(problem.message, message);
      assert.match(error.message, new RegExp(key.replace(/[.*/[\]]/g, "\\$&")));
      assert.deepStrictEqual(
        resources.map((r) => r.type),
        [],
      );
    });
  }
});

describe("ingress: pure helpers", () => {
  const { settings } = readStackFile("dev");
  setPath(settings, "ingress.via", "ingress");
  setPath(settings, "ingress.controller", "nginx");
  setPath(settings, "ingress.annotations", { "nginx.ingress.kubernetes.io/enable-cors": "true" });
  const c = parseStackConfig(settings, { stack: "dev" }).ingress;

  it("custom annotations are kept next to the managed ones", () => {
    const a = ingressAnnotations(c, "ape-2026");
    assert.strictEqual(a["nginx.ingress.kubernetes.io/enable-cors"], "true");
    assert.strictEqual(a["nginx.ingress.kubernetes.io/limit-rpm"], "100");
  });

  it("the public URL skips a wildcard first host", () => {
    assert.strictEqual(
      publicUrl({
        hosts: [
          { host: "*.ape.test", paths: [] },
          { host: "api.ape.test", paths: [] },
        ],
      }),
      "https://api.ape.test",
    );
  });
});

describe("ingress: certificates that can be issued", () => {
  const wildcard = { "ingress.hosts": [{ host: "*.ape.example.com", paths: [{ path: "/", pathType: "Prefix" }] }] };

  it("a wildcard host with the ACME HTTP-01 solver is refused: Let's Encrypt issues wildcards only through DNS-01", () => {
    const found = configProblems("production", wildcard);
    assert.match(
      found.get("ingress.hosts[0].host") ?? "",
      /wildcard, which the ACME HTTP-01 solver cannot prove.*ingress\.tls\.acmeSolver dns01/,
    );
  });

  it("with dns01 the wildcard is accepted, and no solver pods need a NetworkPolicy", () => {
    const dns = loadConfig("production", { ...wildcard, "ingress.tls.acmeSolver": "dns01" });
    assert.ok(!stackNetworkPolicies(dns).some((p) => p.name === "acme-http01-solver"));
    assert.ok(
      stackNetworkPolicies(loadConfig("production")).some((p) => p.name === "acme-http01-solver"),
      "http01 keeps it",
    );
  });
});

describe("ingress: Kubernetes names by their rules", () => {
  it("an IngressClass or ClusterIssuer name Kubernetes would refuse is refused at preview", () => {
    const found = configProblems("production", {
      ...VIA_NGINX,
      "ingress.className": "Nginx Public",
      "ingress.tls.issuer.name": "LetsEncrypt_Prod",
    });
    assert.match(found.get("ingress.className") ?? "", /name of an IngressClass: lower-case/);
    assert.match(found.get("ingress.tls.issuer.name") ?? "", /cert-manager issuer: lower-case/);
  });
});
