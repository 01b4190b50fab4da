// Every refusal names its key the way `pulumi config set --path` reads it, so that the printed key
// can be copied into the command: a list entry as hosts[0], a key with dots or slashes as
// ["nginx.ingress.kubernetes.io/limit-rpm"]. A dotted rendering of either sets another key.
import * as assert from "assert";
import { ConfigValidationError, configPath } from "../../config/errors";
import { parseStackConfig } from "../../stack";
import { configProblems as problems } from "../../testbed/helpers/config";

/**
 * The property path grammar of `pulumi config set --path` (the Pulumi CLI's ParsePropertyPath):
 * `.name` up to the next '.' or '[', `[<digits>]` a list index, `["..."]` a key in which `\"` is a
 * quote and every other character stands for itself.
 */
function parsePulumiPath(text: string): (string | number)[] {
  const out: (string | number)[] = [];
  let rest = text;
  while (rest.length > 0) {
    if (rest[0] === ".") {
      rest = rest.slice(1);
    } else if (rest.startsWith('["')) {
      let key = "";
      let i = 2;
      for (;;) {
        if (i >= rest.length) throw new Error(`missing closing quote in ${text}`);
        if (rest[i] === '"') break;
        if (rest[i] === "\\" && rest[i + 1] === '"') {
          key += '"';
          i += 2;
        } else key += rest[i++];
      }
      if (rest[i + 1] !== "]") throw new Error(`missing closing bracket in ${text}`);
      out.push(key);
      rest = rest.slice(i + 2);
    } else if (rest[0] === "[") {
      const end = rest.indexOf("]");
      if (end < 0 || !/^\d+$/.test(rest.slice(1, end))) throw new Error(`bad index in ${text}`);
      out.push(Number(rest.slice(1, end)));
      rest = rest.slice(end + 1);
    } else {
      const end = rest.search(/[.[]/);
      out.push(end < 0 ? rest : rest.slice(0, end));
      rest = end < 0 ? "" : rest.slice(end);
    }
  }
  return out;
}

describe("config paths: printed as `pulumi config set --path` reads them", () => {
  it("list entries in brackets, keys with dots, slashes or spaces quoted, plain keys dotted", () => {
    assert.strictEqual(configPath(["api", "autoscaling", "minReplicas"]), "api.autoscaling.minReplicas");
    assert.strictEqual(configPath(["ingress", "hosts", 0, "host"]), "ingress.hosts[0].host");
    assert.strictEqual(configPath(["api", "tolerations", 1, "effect"]), "api.tolerations[1].effect");
    assert.strictEqual(
      configPath(["ingress", "annotations", "nginx.ingress.kubernetes.io/limit-rpm"]),
      'ingress.annotations["nginx.ingress.kubernetes.io/limit-rpm"]',
    );
    assert.strictEqual(configPath(["api", "resources", "limits", "ephemeral-storage"]), "api.resources.limits.ephemeral-storage");
    assert.strictEqual(configPath(["x", "a/b"]), 'x["a/b"]');
    assert.strictEqual(configPath(["x", 'say "hi"']), 'x["say \\"hi\\""]');
  });

  it("every printed path parses back to the same keys with Pulumi's grammar", () => {
    const paths: (string | number)[][] = [
      ["ingress", "hosts", 0, "host"],
      ["ingress", "annotations", "nginx.ingress.kubernetes.io/limit-rpm"],
      ["prometheus", "operator", "podSelector", "app.kubernetes.io/name"],
      ["networkPolicy", "apiEgress", "cidrs", 12],
      ["postgresql", "extraValues", "primary", "podAnnotations", "example.com/owner"],
      ["x", "with space", 3, "a[0]"],
      ["x", 'quote"inside'],
      ["api", "resources", "limits", "ephemeral-storage"],
    ];
    for (const p of paths) assert.deepStrictEqual(parsePulumiPath(configPath(p)), p, configPath(p));
  });

  it("the refusal names the list entry and the dotted map key in that form (the old dotted form sets other keys)", () => {
    const found = problems("dev", {
      "ingress.via": "ingress",
      "ingress.controller": "nginx",
      "ingress.hosts.0.host": "API_host",
      "ingress.annotations": { "nginx.ingress.kubernetes.io/limit-rpm": "5" },
      "networkPolicy.apiEgress.cidrs": ["10.0.0.0/8", "300.0.0.0/8"],
    });
    assert.deepStrictEqual([...found.keys()].sort(), [
      'ingress.annotations["nginx.ingress.kubernetes.io/limit-rpm"]',
      "ingress.hosts[0].host",
      "networkPolicy.apiEgress.cidrs[1]",
    ]);
    // Read back with Pulumi's grammar, each lands where the bad value is.
    assert.deepStrictEqual(parsePulumiPath("ingress.hosts[0].host"), ["ingress", "hosts", 0, "host"]);
    assert.notDeepStrictEqual(parsePulumiPath("ingress.hosts.0.host"), ["ingress", "hosts", 0, "host"]);
  });

  it("an unknown key inside a list names its own path and the suggestion in that form", () => {
    const found = problems("dev", { "ingress.hosts.0.hots": "x" });
    assert.match(found.get("ingress.hosts[0].hots") ?? "", /did you mean ingress\.hosts\[0\]\.host\?/);
  });

  it("the plain-text secret refusal prints a command that stores the right key", () => {
    let error: unknown;
    try {
      parseStackConfig({ api: { secrets: { "DOTTED.NAME": "x", PLAIN: "y" } } }, { stack: "dev" });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ConfigValidationError, String(error));
    const paths = error.problems.map((p) => p.path);
    assert.ok(paths.includes('api.secrets["DOTTED.NAME"]'), paths.join(", "));
    assert.ok(paths.includes("api.secrets.PLAIN"), paths.join(", "));
    assert.match(error.message, /pulumi config set --secret --path 'api\.secrets\["DOTTED\.NAME"\]' <value>/);
  });
});
