// The API's public entry point through Gateway API (the default of both stacks) and, for every
// controller the program knows, the rate limit and the HTTPS redirect in both ways in; every custom
// resource is validated against the official CRD schemas (testbed/schemas/edge-crds.json).
import * as assert from "assert";
import * as rules from "../../policy/policies";
import { ConfigValidationError } from "../../config/errors";
import { CONTROLLER_NAMES, CONTROLLERS, controllerFacts } from "../../services/edge";
import { ProgramRun, RecordedResource, runProgram, runProgramError } from "../../testbed/harness/program";
import { T } from "../../testbed/harness/types";
import { configProblems, loadConfig } from "../../testbed/helpers/config";
import { checkPack, checkResource, checkStack } from "../../testbed/helpers/policyArgs";
import { crdProblems, schemaSources } from "../../testbed/helpers/crd-schemas";
import { REAL_IMAGES } from "../../testbed/harness/variants";
import { SOURCES } from "../../testbed/schemas/extract-edge-crds";

const GW = "kubernetes:gateway.networking.k8s.io/v1:";
const kindOf = (run: ProgramRun, kind: string) => run.resources.filter((r) => r.type.endsWith(`:${kind}`) && r.custom);
const named = (run: ProgramRun, kind: string, name: string): RecordedResource => {
  const found = kindOf(run, kind).find((r) => r.inputs.metadata.name === name);
  assert.ok(found, `${kind} ${name}; got ${kindOf(run, kind).map((r) => r.inputs.metadata.name)}`);
  return found;
};
/** Every custom resource of the entry point (Gateway API, Traefik, cert-manager). */
const edgeObjects = (run: ProgramRun) =>
  run.resources.filter((r) => /^kubernetes:(gateway\.networking|traefik\.io|cert-manager\.io)/.test(r.type));

async function assertValid(run: ProgramRun): Promise<void> {
  const problems = (await Promise.all(edgeObjects(run).map((r) => crdProblems(r.inputs as { apiVersion: string; kind: string })))).flat();
  assert.deepStrictEqual(problems, []);
}

describe("gateway: the schemas are the official CRDs", () => {
  it("come from Gateway API, Traefik and cert-manager modules at recorded versions", () => {
    assert.deepStrictEqual(
      schemaSources().map((s) => s.module),
      ["sigs.k8s.io/gateway-api", "github.com/traefik/traefik/v3", "github.com/cert-manager/cert-manager"],
    );
    for (const s of schemaSources()) assert.match(s.version, /^v\d+\.\d+\.\d+$/, s.module);
  });

  it("are what testbed/schemas/extract-edge-crds.ts extracts: its modules, versions and files (rerun it after a bump)", () => {
    assert.deepStrictEqual(
      schemaSources(),
      SOURCES.map((s) => ({ module: s.module, version: s.version, files: s.crds.map((c) => c.file) })),
    );
  });

  it("refuse what the API server would: an unknown field, a wrong type, a bad enum", async () => {
    const route = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "x" } };
    assert.deepStrictEqual(await crdProblems({ ...route, spec: { parentRefs: [{ name: "gw" }] } } as never), []);
    assert.notDeepStrictEqual(await crdProblems({ ...route, spec: { parentRef: [{ name: "gw" }] } } as never), []);
    assert.notDeepStrictEqual(await crdProblems({ ...route, spec: { parentRefs: [{ name: "gw", port: "80" }] } } as never), []);
    const redirect = { rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { statusCode: 200 } }] }] };
    assert.notDeepStrictEqual(await crdProblems({ ...route, spec: redirect } as never), []);
  });
});

for (const stack of ["dev", "production"]) {
  describe(`gateway: ${stack} stack (the default: Gateway API with Traefik)`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram(stack);
    });

    it("creates no Ingress, and every Gateway API, Traefik and cert-manager object is valid against the official CRDs' OpenAPI schemas (their CEL rules run on the API server only)", async () => {
      assert.deepStrictEqual(run.ofType(T.Ingress), []);
      assert.ok(edgeObjects(run).length >= 4);
      await assertValid(run);
    });

    it("the program's own Gateway ape-2026 of class traefik: HTTP on 8000, HTTPS on 8443 with the TLS Secret", () => {
      const gw = named(run, "Gateway", "ape-2026").inputs;
      assert.strictEqual(gw.metadata.namespace, "ape-2026");
      assert.strictEqual(gw.spec.gatewayClassName, "traefik");
      assert.deepStrictEqual(
        gw.spec.listeners.map((l: { name: string; protocol: string; port: number }) => [l.name, l.protocol, l.port]),
        [
          ["http", "HTTP", 8000],
          ["https", "HTTPS", 8443],
        ],
      );
      assert.deepStrictEqual(gw.spec.listeners[1].tls, {
        mode: "Terminate",
        certificateRefs: [{ group: "", kind: "Secret", name: "ape-2026-api-tls" }],
      });
    });

    it("routes the hosts to the API Service on the HTTPS listener only, through the rate limit", () => {
      const route = named(run, "HTTPRoute", "api").inputs;
      const config = loadConfig(stack);
      assert.deepStrictEqual(route.spec.parentRefs, [
        { group: "gateway.networking.k8s.io", kind: "Gateway", name: "ape-2026", sectionName: "https" },
      ]);
      assert.deepStrictEqual(
        route.spec.hostnames,
        config.ingress.hosts.map((h) => h.host),
      );
      const [rule] = route.spec.rules;
      assert.deepStrictEqual(rule.matches, [{ path: { type: "PathPrefix", value: "/" } }]);
      assert.deepStrictEqual(rule.backendRefs, [
        { group: "", kind: "Service", name: "api", port: run.get(T.Service, "api").inputs.spec.ports[0].port },
      ]);
      assert.deepStrictEqual(rule.filters, [
        { type: "ExtensionRef", extensionRef: { group: "traefik.io", kind: "Middleware", name: "api-rate-limit" } },
      ]);
    });

    it("limits each client IP to 100 requests a minute with Traefik's Middleware api-rate-limit", () => {
      const mw = named(run, "Middleware", "api-rate-limit").inputs;
      assert.strictEqual(mw.apiVersion, "traefik.io/v1alpha1");
      assert.deepStrictEqual(mw.spec, {
        rateLimit: { average: 100, period: "1m", burst: 100, sourceCriterion: { ipStrategy: {} } },
      });
    });

    it("answers plain HTTP with a 301 to https, on the HTTP listener", () => {
      const redirect = named(run, "HTTPRoute", "api-https-redirect").inputs;
      assert.strictEqual(redirect.spec.parentRefs[0].sectionName, "http");
      assert.deepStrictEqual(redirect.spec.rules, [
        { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] },
      ]);
    });

    it("exports the URL https://<first host>", () => {
      assert.strictEqual(run.outputs.url, `https://${loadConfig(stack).ingress.hosts[0].host}`);
    });

    it("the policy pack finds nothing on its Gateway and routes", async () => {
      const found = (await checkPack(rules, run)).filter((v) => /gateway/.test(v.policy));
      assert.deepStrictEqual(found, []);
    });
  });
}

describe("gateway: TLS", () => {
  it("dev: the self-signed chain's Secret is what the HTTPS listener serves; no Certificate", async () => {
    const dev = await runProgram("dev");
    assert.ok(run(dev).secret("ape-2026-api-tls"));
    assert.deepStrictEqual(kindOf(dev, "Certificate"), []);
    assert.match(String(dev.outputs.caCertificate), /BEGIN CERTIFICATE/);
  });

  it("production: a Certificate for the hosts from the ClusterIssuer, into the Secret the listener serves", async () => {
    const prod = await runProgram("production");
    const cert = named(prod, "Certificate", "api").inputs;
    assert.deepStrictEqual(cert.spec, {
      secretName: "ape-2026-api-tls",
      dnsNames: ["api.ape-2026.example.com"],
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-prod" },
    });
    assert.deepStrictEqual(
      prod.resources.filter((r) => r.type.startsWith("tls:")),
      [],
    );
  });

  it("an Issuer of the namespace, and the e2e's CA ClusterIssuer, are taken from settings", async () => {
    const issuer = await runProgram("dev", {
      set: { "ingress.tls.mode": "cert-manager", "ingress.tls.issuer.kind": "Issuer", "ingress.tls.issuer.name": "local-ca" },
    });
    assert.deepStrictEqual(named(issuer, "Certificate", "api").inputs.spec.issuerRef, {
      group: "cert-manager.io",
      kind: "Issuer",
      name: "local-ca",
    });
    await assertValid(issuer);
  });

  it("the retired key ingress.tls.clusterIssuer names its replacement", () => {
    const found = configProblems("production", { "ingress.tls.clusterIssuer": "letsencrypt-prod" });
    assert.match(found.get("ingress.tls.clusterIssuer") ?? "", /is replaced by ingress\.tls\.issuer\.name/);
  });
});

/** Helpers over a run's Secrets. */
const run = (r: ProgramRun) => ({ secret: (name: string) => r.ofType(T.Secret).find((s) => s.inputs.metadata.name === name) });

describe("gateway: an existing Gateway (parentRef)", () => {
  const shared = {
    "ingress.gateway.create": false,
    "ingress.gateway.parentRef": { name: "shared", namespace: "gateways", sectionName: "websecure", redirectSectionName: "web" },
  };

  it("attaches the routes to its listeners, creates no Gateway, and grants its namespace the TLS Secret", async () => {
    const r = await runProgram("production", { set: shared });
    assert.deepStrictEqual(kindOf(r, "Gateway"), []);
    const ref = { group: "gateway.networking.k8s.io", kind: "Gateway", name: "shared", namespace: "gateways" };
    assert.deepStrictEqual(named(r, "HTTPRoute", "api").inputs.spec.parentRefs, [{ ...ref, sectionName: "websecure" }]);
    assert.deepStrictEqual(named(r, "HTTPRoute", "api-https-redirect").inputs.spec.parentRefs, [{ ...ref, sectionName: "web" }]);
    const grant = named(r, "ReferenceGrant", "gateways-gateway-tls").inputs;
    assert.deepStrictEqual(grant.spec, {
      from: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "gateways" }],
      to: [{ group: "", kind: "Secret", name: "ape-2026-api-tls" }],
    });
    await assertValid(r);
  });

  it("in the stack's own namespace no ReferenceGrant is needed; with existing-secret the Gateway's owner serves TLS", async () => {
    const same = await runProgram("production", {
      set: { ...shared, "ingress.gateway.parentRef": { name: "shared", namespace: "ape-2026", sectionName: "websecure" } },
    });
    assert.deepStrictEqual(kindOf(same, "ReferenceGrant"), []);
    assert.deepStrictEqual(
      kindOf(same, "HTTPRoute").map((r) => r.inputs.metadata.name),
      ["api"],
      "no redirectSectionName: no redirect route",
    );
    const owner = await runProgram("production", { set: { ...shared, "ingress.tls.mode": "existing-secret" } });
    assert.deepStrictEqual(kindOf(owner, "ReferenceGrant"), []);
    assert.deepStrictEqual(kindOf(owner, "Certificate"), []);
  });
});

describe("gateway: another implementation (controller other)", () => {
  const other = {
    "ingress.controller": "other",
    "ingress.gateway.className": "eg",
    "ingress.rateLimit.enabled": false,
    "networkPolicy.ingressController.namespaceSelector": { "kubernetes.io/metadata.name": "envoy-gateway-system" },
    "networkPolicy.ingressController.podSelector": { "app.kubernetes.io/name": "envoy" },
  };

  it("standard objects only: its GatewayClass, listeners on 80 and 443, the redirect, no Traefik Middleware", async () => {
    const r = await runProgram("production", { set: other });
    const gw = named(r, "Gateway", "ape-2026").inputs.spec;
    assert.strictEqual(gw.gatewayClassName, "eg");
    assert.deepStrictEqual(
      gw.listeners.map((l: { port: number }) => l.port),
      [80, 443],
    );
    assert.deepStrictEqual(kindOf(r, "Middleware"), []);
    assert.ok(!("filters" in named(r, "HTTPRoute", "api").inputs.spec.rules[0]));
    assert.ok(named(r, "HTTPRoute", "api-https-redirect"));
    await assertValid(r);
  });

  it("its pods must be named for the NetworkPolicies, and its GatewayClass", () => {
    const found = configProblems("production", { "ingress.controller": "other", "ingress.rateLimit.enabled": false });
    assert.match(found.get("networkPolicy.ingressController.namespaceSelector") ?? "", /must be set for ingress\.controller other/);
    assert.match(found.get("networkPolicy.ingressController.podSelector") ?? "", /must be set/);
    assert.match(found.get("ingress.gateway.className") ?? "", /must be set for controller other/);
  });
});

describe("gateway and ingress: every supported controller expresses the rate limit and the HTTPS redirect", () => {
  const cases = CONTROLLER_NAMES.flatMap((c) => [
    ...(controllerFacts(c).gateway?.rateLimit ? [["gateway", c] as const] : []),
    ...(controllerFacts(c).ingress ? [["ingress", c] as const] : []),
  ]);
  it("covers traefik both ways, haproxy and nginx as Ingress", () => {
    assert.deepStrictEqual(
      cases.map(([via, c]) => `${via}:${c}`),
      ["gateway:traefik", "ingress:traefik", "ingress:haproxy", "ingress:nginx"],
    );
  });
  for (const [via, controller] of cases) {
    for (const stack of ["dev", "production"]) {
      it(`${via} with ${controller} (${stack}): 100 requests a minute per client IP, plain HTTP redirected; objects valid against their schemas`, async () => {
        const r = await runProgram(stack, { set: { "ingress.via": via, "ingress.controller": controller } });
        await assertValid(r);
        const ns = "ape-2026";
        if (via === "gateway") {
          assert.strictEqual(named(r, "Middleware", "api-rate-limit").inputs.spec.rateLimit.average, 100);
          assert.ok(named(r, "HTTPRoute", "api-https-redirect"));
          return;
        }
        const [ing] = r.ofType(T.Ingress);
        const a = ing.inputs.metadata.annotations;
        assert.strictEqual(ing.inputs.spec.ingressClassName, controllerFacts(controller).ingress?.className);
        if (controller === "traefik") {
          assert.strictEqual(
            a["traefik.ingress.kubernetes.io/router.middlewares"],
            `${ns}-api-https-redirect@kubernetescrd,${ns}-api-rate-limit@kubernetescrd`,
          );
          assert.deepStrictEqual(named(r, "Middleware", "api-https-redirect").inputs.spec, {
            redirectScheme: { scheme: "https", permanent: true },
          });
          assert.strictEqual(named(r, "Middleware", "api-rate-limit").inputs.spec.rateLimit.average, 100);
        } else if (controller === "haproxy") {
          assert.deepStrictEqual(
            [a["haproxy.org/rate-limit-requests"], a["haproxy.org/rate-limit-period"], a["haproxy.org/rate-limit-status-code"]],
            ["100", "1m", "429"],
          );
          assert.deepStrictEqual([a["haproxy.org/ssl-redirect"], a["haproxy.org/ssl-redirect-code"]], ["true", "301"]);
        } else {
          assert.strictEqual(a["nginx.ingress.kubernetes.io/limit-rpm"], "100");
          assert.strictEqual(a["nginx.ingress.kubernetes.io/limit-burst-multiplier"], "1");
          assert.strictEqual(a["nginx.ingress.kubernetes.io/ssl-redirect"], "true");
        }
        // The Ingress itself against the Kubernetes schema.
        const { Ingress } = await import("kubernetes-models/networking.k8s.io/v1");
        new Ingress(ing.inputs).validate();
      });
    }
  }
  it("the table names each controller's namespace and pod labels (the NetworkPolicy defaults)", () => {
    assert.deepStrictEqual(CONTROLLERS.traefik.podLabels, { "app.kubernetes.io/name": "traefik" });
    assert.strictEqual(CONTROLLERS.traefik.namespace, "traefik");
    assert.strictEqual(CONTROLLERS.traefik.gateway.controllerName, "traefik.io/gateway-controller");
  });
});

describe("gateway: ingress-nginx is retired", () => {
  const nginx = { "ingress.via": "ingress", "ingress.controller": "nginx" };
  const retired = (r: ProgramRun) => r.warnings.filter((w) => /retired in March 2026/.test(w));

  it("every production preview and update with controller nginx warns, naming the key; traefik does not", async () => {
    for (const preview of [true, false]) {
      const r = await runProgram("production", { set: { ...nginx, ...REAL_IMAGES }, preview });
      assert.strictEqual(retired(r).length, 1, r.warnings.join("\n"));
      assert.match(retired(r)[0], /^ingress\.controller is nginx \(ingress-nginx \(community\)\): .*ingress\.via gateway/);
    }
    assert.deepStrictEqual(retired(await runProgram("production")), []);
  });
});

describe("gateway: bad combinations are refused before anything is registered, naming the key", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [
      "a parentRef and the program's own Gateway at once",
      { "ingress.gateway.parentRef": { name: "shared", sectionName: "https" } },
      "ingress.gateway.parentRef",
      /ingress\.gateway\.create is true.*set ingress\.gateway\.create false/,
    ],
    ["no Gateway at all", { "ingress.gateway.create": false }, "ingress.gateway.create", /no ingress\.gateway\.parentRef/],
    [
      "a rate limit for a controller that cannot express it (other)",
      {
        "ingress.controller": "other",
        "ingress.gateway.className": "eg",
        "networkPolicy.ingressController.namespaceSelector": {},
        "networkPolicy.ingressController.podSelector": {},
      },
      "ingress.rateLimit.enabled",
      /cannot be expressed for controller other/,
    ],
    [
      "a burst HAProxy cannot express",
      { "ingress.via": "ingress", "ingress.controller": "haproxy", "ingress.rateLimit.burstMultiplier": 5 },
      "ingress.rateLimit.burstMultiplier",
      /cannot be expressed for controller haproxy/,
    ],
    [
      "a wildcard host with HTTP-01",
      { "ingress.tls.mode": "cert-manager", "ingress.hosts": [{ host: "*.ape.example.com", paths: [{ path: "/", pathType: "Prefix" }] }] },
      "ingress.hosts[0].host",
      /wildcard, which the ACME HTTP-01 solver cannot prove/,
    ],
    ["HAProxy as a Gateway", { "ingress.controller": "haproxy" }, "ingress.controller", /serves no HTTPRoutes.*traefik, other/],
    ["ingress-nginx as a Gateway", { "ingress.controller": "nginx" }, "ingress.controller", /serves no HTTPRoutes/],
    ["plain HTTP on a Gateway", { "ingress.httpsRedirect": false }, "ingress.httpsRedirect", /refused via gateway/],
    ["an Ingress annotation on a route", { "ingress.annotations": { a: "b" } }, "ingress.annotations", /an HTTPRoute carries none/],
    [
      "an IngressClass on a route",
      { "ingress.className": "traefik" },
      "ingress.className",
      /via gateway the class is ingress\.gateway\.className/,
    ],
    [
      "an Ingress path type on a route",
      { "ingress.hosts": [{ host: "api.ape.test", paths: [{ path: "/", pathType: "ImplementationSpecific" }] }] },
      "ingress.hosts[0].paths[0].pathType",
      /Prefix or Exact/,
    ],
    [
      "more hosts than an HTTPRoute holds",
      {
        "ingress.hosts": Array.from({ length: 17 }, (_, i) => ({ host: `api${i}.ape.test`, paths: [{ path: "/", pathType: "Prefix" }] })),
      },
      "ingress.hosts",
      /more than 16 hosts/,
    ],
    ...(["/api//v1", "/api/../admin", "/a%2Fb", "/a#b", "/api/."] as const).map(
      (path): [string, Record<string, unknown>, string, RegExp] => [
        `the route path ${path}, which the HTTPRoute CRD's rules refuse`,
        { "ingress.hosts": [{ host: "api.ape.test", paths: [{ path, pathType: "Prefix" }] }] },
        "ingress.hosts[0].paths[0].path",
        /an HTTPRoute path refuses/,
      ],
    ),
    ["a body size for Traefik", { "ingress.proxyBodySize": "10m" }, "ingress.proxyBodySize", /nginx \(via ingress\) only/],
    [
      "X-Forwarded-For depth for HAProxy",
      { "ingress.via": "ingress", "ingress.controller": "haproxy", "ingress.rateLimit.forwardedForDepth": 1 },
      "ingress.rateLimit.forwardedForDepth",
      /traefik only/,
    ],
    [
      "a managed Traefik annotation",
      { "ingress.via": "ingress", "ingress.annotations": { "traefik.ingress.kubernetes.io/router.middlewares": "x@file" } },
      'ingress.annotations["traefik.ingress.kubernetes.io/router.middlewares"]',
      /managed by this program/,
    ],
  ];
  for (const [what, set, key, message] of cases) {
    it(`refuses ${what}, naming ${key}`, async () => {
      const { error, resources } = await runProgramError("dev", { set });
      assert.ok(error.name === "ConfigValidationError", String(error));
      const problem = (error as ConfigValidationError).problems.find((p) => p.path === key);
      assert.ok(
        problem,
        `expected a problem at ${key}; got ${(error as ConfigValidationError).problems.map((p) => `${p.path}: ${p.message}`)}`,
      );
      assert.match(problem.message, message);
      assert.deepStrictEqual(resources, []);
    });
  }
});

describe("gateway: the policy pack", () => {
  it("refuses an HTTPS listener without a certificate and an API route on the HTTP listener", async () => {
    const gateway = {
      type: `${GW}Gateway`,
      name: "gw",
      urn: "urn:gw",
      props: {
        metadata: { name: "gw" },
        spec: {
          listeners: [
            { name: "http", protocol: "HTTP", port: 80 },
            { name: "https", protocol: "HTTPS", port: 443 },
          ],
        },
      },
    };
    assert.match((await checkResource(rules.gatewayTls, gateway as never, { stack: "dev" })).join(), /listener https \(HTTPS\) has no tls/);
    const route = (sectionName: string | undefined, rule: Record<string, unknown>) => ({
      type: `${GW}HTTPRoute`,
      name: "r",
      urn: "urn:r",
      props: { metadata: { name: "r" }, spec: { parentRefs: [{ name: "gw", ...(sectionName ? { sectionName } : {}) }], rules: [rule] } },
    });
    const backend = { backendRefs: [{ name: "api", port: 80 }] };
    const redirect = { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] };
    const stackCheck = async (r: unknown) =>
      (await checkStack(rules.gatewayRoutesHttps, [gateway, r] as never, { stack: "dev" })).map((v) => v.message);
    assert.match((await stackCheck(route("http", backend))).join(), /plain HTTP listener http of Gateway gw/);
    assert.match((await stackCheck(route(undefined, backend))).join(), /plain HTTP listener http/);
    assert.deepStrictEqual(await stackCheck(route("https", backend)), []);
    assert.deepStrictEqual(await stackCheck(route("http", redirect)), []);
  });
});
