// docs/configuration.md is generated from the schema's descriptions and the real stack files
// (scripts/config-docs.ts). These tests keep it current, complete and free of secret values.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { z } from "zod";
import { defaultsFor } from "../../stack";
import { descriptionAt, keysAt } from "../../config/keys";
import { schemaFor } from "../../stack/config";
import { isSecretPath, secretPaths } from "../../config/secrets";
import { configDocs, DOC_FILE, isStale, keyPaths, stackSettings, StackSettings } from "../../scripts/config-docs";
import { readStackFile } from "../../testbed/harness/stackFile";

const KNOWN_KEYS = ["api.replicaCount", "postgresql.primary.configuration", "redis.sentinel.quorum", "ingress.tls.mode", "images.registry"];

/** The cells of the table row of `key` (key, meaning, default, dev, production), or undefined. */
function rowOf(doc: string, key: string): string[] | undefined {
  const line = doc.split("\n").find((l) => l.startsWith(`| \`${key}\` |`) || l.startsWith(`| **\`${key}\`** |`));
  return line
    ?.slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** Every key path of the schema, objects included, found by walking it object by object. */
function walkSchema(schema: z.ZodType): string[][] {
  const out: string[][] = [];
  const walk = (at: string[]) => {
    if (at.length > 0) out.push(at);
    for (const key of keysAt(schema, at)) walk([...at, key]);
  };
  walk([]);
  return out;
}

const valueAt = (obj: unknown, keys: string[]): unknown =>
  keys.reduce<any>((node, key) => (node !== null && typeof node === "object" ? node[key] : undefined), obj);
const code = (v: unknown) => `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;

describe("configuration reference (docs/configuration.md)", () => {
  const doc = configDocs();

  it("is up to date with the schema and the stack files (npm run docs:config)", () => {
    assert.ok(fs.existsSync(DOC_FILE), "docs/configuration.md exists");
    assert.strictEqual(fs.readFileSync(DOC_FILE, "utf8"), doc, "docs/configuration.md is stale: run npm run docs:config");
    assert.strictEqual(isStale(), false);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-docs-"));
    try {
      const stale = path.join(dir, "configuration.md");
      fs.writeFileSync(stale, doc.replace("| `api.replicaCount` |", "| `api.replicas` |"));
      assert.strictEqual(isStale(stale), true, "--check notices an edited file");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts with how values merge, how to set secrets, and that it is generated", () => {
    const intro = doc.slice(0, doc.indexOf("\n## "));
    for (const needle of ["npm run docs:config", "do not edit by hand", "Pulumi.<stack>.yaml", "pulumi config set --path", "`null`"]) {
      assert.ok(intro.includes(needle), `the intro mentions ${needle}`);
    }
    assert.match(intro, /pulumi config set --secret --path/);
  });

  for (const environment of ["development", "production"] as const) {
    it(`gives every key and every object of the ${environment} schema a description`, () => {
      const schema = schemaFor(environment);
      const paths = walkSchema(schema);
      const missing = paths.filter((p) => !descriptionAt(schema, p)).map((p) => p.join("."));
      assert.deepStrictEqual(missing, [], "keys without a .meta({ description })");
      const objects = paths.filter((p) => keysAt(schema, p).length > 0).map((p) => p.join("."));
      for (const object of ["api", "api.autoscaling.behavior.scaleUp", "postgresql.primary", "networkPolicy.apiEgress"]) {
        assert.ok(objects.includes(object), `${object} is walked as an object`);
      }
      assert.ok(paths.length > 300, `the walk reaches the whole schema (${paths.length} paths)`);
    });
  }

  it("finds descriptions only where the schema states them", () => {
    const bare = z.strictObject({ plain: z.string(), described: z.string().optional().meta({ description: "  Said.  " }) });
    assert.strictEqual(descriptionAt(bare, ["plain"]), undefined);
    assert.strictEqual(descriptionAt(bare, ["described"]), "Said.");
    assert.strictEqual(descriptionAt(bare, ["nothing"]), undefined);
  });

  it("has a section per top-level key and a row per key below it, each with the key's description", () => {
    const schema = schemaFor("development");
    const lines = doc.split("\n");
    for (const keys of walkSchema(schema)) {
      if (keys.length === 1 && keysAt(schema, keys).length > 0) {
        const heading = lines.indexOf(`## \`${keys[0]}\``);
        assert.ok(heading > 0, `${keys[0]} has a section`);
        assert.strictEqual(lines[heading + 2].replace(/\\(.)/g, "$1"), descriptionAt(schema, keys), `${keys[0]}: the section's text`);
        continue;
      }
      const row = rowOf(doc, keys.join("."));
      assert.ok(row, `${keys.join(".")} has a row`);
      const plain = row[1].replace(/\\(.)/g, "$1");
      assert.strictEqual(plain, descriptionAt(schema, keys), `${keys.join(".")}: the meaning is the description`);
    }
  });

  it("shows the known keys with the values Pulumi.dev.yaml and Pulumi.production.yaml give them", () => {
    const stacks = { dev: readStackFile("dev").settings, production: readStackFile("production").settings };
    for (const key of KNOWN_KEYS) {
      assert.ok(keyPaths().includes(key), `${key} is a documented key`);
      const row = rowOf(doc, key);
      assert.ok(row, `${key} has a row`);
      const keys = key.split(".");
      const fallback = valueAt(defaultsFor("development"), keys);
      assert.strictEqual(row[2], fallback === undefined ? "(unset)" : code(fallback), `${key}: default`);
      for (const [column, stack] of [
        [3, "dev"],
        [4, "production"],
      ] as const) {
        const set = valueAt(stacks[stack], keys);
        const expected = set === undefined || JSON.stringify(set) === JSON.stringify(fallback) ? "·" : code(set);
        assert.strictEqual(row[column], expected, `${key}: ${stack}`);
      }
    }
    // The stack files differ from the defaults in these, so the rows show real stack values.
    assert.strictEqual(rowOf(doc, "api.replicaCount")![3], code(valueAt(stacks.dev, ["api", "replicaCount"])));
    assert.strictEqual(rowOf(doc, "ingress.tls.mode")![3], code(valueAt(stacks.dev, ["ingress", "tls", "mode"])));
    assert.match(rowOf(doc, "postgresql.primary.configuration")![4], /shared_buffers/);
  });

  it("never shows a secret value, from the stack file or encrypted", () => {
    const canaries = ["sk-plain-canary-7301", "https://hooks.example.com/canary-7302", "v1:AAAcanary7303"];
    const settings: StackSettings = {
      dev: {
        ...stackSettings("dev"),
        api: { secrets: { CANARY_KEY: canaries[0] } },
        prometheus: { alertmanager: { receivers: { slackWebhookUrl: canaries[1] } } },
      },
      production: {
        ...stackSettings("production"),
        api: { secrets: { OTHER_KEY: { secure: canaries[2] } }, env: { ALSO_SECRET: { secure: canaries[2] } } },
      },
    };
    const withSecrets = configDocs(settings);
    for (const canary of canaries) assert.ok(!withSecrets.includes(canary), `${canary} does not appear`);
    const schema = schemaFor("development");
    const secretRows = keyPaths().filter((p) => isSecretPath(schema, p));
    assert.deepStrictEqual(
      secretPaths(schema).filter((p) => !secretRows.some((row) => row === p || row.startsWith(`${p}.`))),
      [],
      "every secret path is a documented key",
    );
    for (const d of [withSecrets, doc]) {
      for (const key of secretRows) assert.deepStrictEqual(rowOf(d, key)!.slice(2), ["(secret)", "(secret)", "(secret)"], key);
    }
    assert.strictEqual(rowOf(withSecrets, "api.env")![4], "(secret)", "an encrypted value outside the secret paths is hidden too");
  });
});
