// What the deploy path takes from its libraries beyond their declared typings, and what happens
// when a release changes it. One thing is left: which config keys are encrypted, which only the
// Pulumi SDK's @internal runtime.isConfigSecret can say (stack/load.ts). These tests fail on an SDK
// release that drops it or changes its shape, and show that the program still runs without it.
// (The other one, the SDK's promise stack captures of runtime/promise-stacks.ts, is checked in
// runtime.spec.ts.) Walking the config schema uses zod's public classes only; the last tests keep
// every kind of wrapper the schemas use walkable.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { descriptionAt, keysAt } from "../../config/keys";
import { encryptedKeys } from "../../stack/load";
import { inFreshNode, startEarly } from "../../testbed/helpers/tools";

/**
 * A production preview with a secret stored in plain text, in a fresh Node.js process whose SDK has
 * no runtime.isConfigSecret (as after a release that dropped it): its warnings, or why it failed.
 */
const withoutIsConfigSecret = startEarly(async () => {
  const script = `
    const pulumi = require("@pulumi/pulumi");
    delete pulumi.runtime.isConfigSecret;
    const { runProgram } = require("./testbed/harness/program");
    runProgram("production", { set: { "api.secrets.CLAUDE_API_KEY": "plain-text-value" } }).then(
      (run) => console.log(JSON.stringify({ warnings: run.warnings, resources: run.resources.length })),
      (error) => console.log(JSON.stringify({ error: String(error) })),
    );`;
  const res = await inFreshNode(script, { PATH: process.env.PATH });
  assert.strictEqual(res.status, 0, res.output);
  return JSON.parse(res.stdout.trim().split("\n").pop()!) as { warnings?: string[]; resources?: number; error?: string };
});

describe("library shapes: which config keys are encrypted (the SDK's runtime.isConfigSecret)", () => {
  it("the SDK still has it, and it answers from the encrypted keys the engine hands the program", () => {
    const { isConfigSecret } = pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean };
    assert.strictEqual(typeof isConfigSecret, "function");
    // The harness sets the configuration before every evaluation; this puts back what was there anyway.
    const saved = pulumi.runtime.allConfig();
    const savedSecret = Object.keys(saved).filter((key) => isConfigSecret(key));
    try {
      pulumi.runtime.setAllConfig({ "probe:plain": "1", "probe:hidden": "2" }, ["probe:hidden"]);
      assert.deepStrictEqual(encryptedKeys("probe", ["plain", "hidden", "absent"]), new Set(["hidden"]));
    } finally {
      pulumi.runtime.setAllConfig(saved, savedSecret);
    }
  });

  it("an SDK without it, or with another shape, gives no answer instead of a wrong one", () => {
    assert.strictEqual(encryptedKeys("p", ["a"], {}), undefined);
    assert.strictEqual(encryptedKeys("p", ["a"], { isConfigSecret: true }), undefined);
    assert.strictEqual(encryptedKeys("p", ["a"], { isConfigSecret: () => "yes" }), undefined);
    const throws = () => {
      throw new Error("changed");
    };
    assert.strictEqual(encryptedKeys("p", ["a"], { isConfigSecret: throws }), undefined);
    assert.deepStrictEqual(encryptedKeys("p", ["a", "b"], { isConfigSecret: (k: string) => k === "p:b" }), new Set(["b"]));
  });

  it("without it the program still runs: a secret stored in plain text passes with a warning instead of being refused", async function () {
    // A fresh Node.js process evaluates the production stack: seconds alone, far more on a busy machine.
    this.timeout(120_000);
    const seen = await withoutIsConfigSecret;
    assert.strictEqual(seen.error, undefined);
    assert.ok((seen.resources ?? 0) > 0, "the program registered its resources");
    assert.ok(
      seen.warnings?.some((w) => /runtime\.isConfigSecret.*plain text are not refused/.test(w)),
      `warnings: ${JSON.stringify(seen.warnings)}`,
    );
  });
});

describe("library shapes: the config schema is walked through zod's public API (config/keys.ts)", () => {
  const leaf = z.string().meta({ description: "Leaf." });
  const schema = z.strictObject({
    optional: z.strictObject({ a: leaf }).optional(),
    defaulted: z.strictObject({ b: leaf }).default({ b: "x" }),
    preprocessed: z.preprocess((v) => v, z.strictObject({ c: leaf })),
    transformed: z.strictObject({ d: leaf }).transform((v) => v),
    refined: z.strictObject({ e: leaf }).superRefine(() => undefined),
    list: z.array(z.strictObject({ f: leaf })),
    map: z.record(z.string(), z.strictObject({ g: leaf })),
    extended: z.strictObject({ h: leaf }).extend({ i: leaf }),
    described: z.strictObject({ j: leaf }).optional().meta({ description: "Outer." }),
    choice: z.union([z.strictObject({ k: leaf }), z.string()]),
  });

  it("looks through optional, default, preprocess, transform and refinements into the object", () => {
    const expected: Record<string, string[]> = {
      optional: ["a"],
      defaulted: ["b"],
      preprocessed: ["c"],
      transformed: ["d"],
      refined: ["e"],
      extended: ["h", "i"],
      described: ["j"],
    };
    for (const [key, keys] of Object.entries(expected)) {
      assert.deepStrictEqual(keysAt(schema, [key]), keys, key);
      assert.strictEqual(descriptionAt(schema, [key, keys[0]]), "Leaf.", `${key}.${keys[0]}`);
    }
  });

  it("a list's entries and a map's values share the element's schema; a choice of shapes is one key", () => {
    assert.deepStrictEqual(keysAt(schema, ["list", 0]), ["f"]);
    assert.strictEqual(descriptionAt(schema, ["list", 3, "f"]), "Leaf.");
    assert.deepStrictEqual(keysAt(schema, ["map", "ANY"]), ["g"]);
    assert.deepStrictEqual(keysAt(schema, ["choice"]), []);
    assert.deepStrictEqual(keysAt(schema, ["nothing", "here"]), []);
  });

  it("the outermost description wins, and the top level lists every key", () => {
    assert.strictEqual(descriptionAt(schema, ["described"]), "Outer.");
    assert.strictEqual(descriptionAt(schema, ["optional"]), undefined);
    assert.deepStrictEqual(keysAt(schema, []), Object.keys(schema.shape));
  });
});
