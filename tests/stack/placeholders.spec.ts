// The production stack file is a template whose images point at the placeholder organisation
// "yourorg" on a public registry: `pulumi up` refuses it before anything is registered, naming the
// keys to set; `pulumi preview` (pull-request checks) only warns.
import * as assert from "assert";
import { runProgram, runProgramError } from "../../testbed/harness/program";
import { REAL_IMAGES } from "../../testbed/harness/variants";

describe("placeholder images in production", () => {
  it("pulumi up is refused before any resource is registered, naming every key to set", async () => {
    const { error, resources } = await runProgramError("production", { preview: false });
    assert.strictEqual(resources.length, 0, "nothing registered");
    assert.match(error.message, /api\.image\.repository: points at the placeholder organisation "yourorg"/);
    // Every image production runs: the API and the data images (its Redis runs Sentinel, both exporters are on).
    for (const key of [
      "postgresql.timescaledbImage",
      "postgresql.metrics.image",
      "redis.image",
      "redis.sentinel.image",
      "redis.metrics.image",
    ]) {
      assert.match(
        error.message,
        new RegExp(`${key.replace(/\./g, "\\.")}\\.repository: points at the placeholder organisation "yourorg"`),
      );
    }
    assert.match(error.message, /given: "ghcr\.io\/yourorg\/ape-2026\/api"/);
  });

  it("pulumi preview warns with the same keys and renders the stack", async () => {
    const run = await runProgram("production");
    assert.ok(run.resources.length > 0);
    assert.ok(
      run.warnings.some((w) => /^api\.image\.repository: .*pulumi up will refuse it/.test(w)),
      run.warnings.join("\n"),
    );
    assert.ok(
      run.warnings.some((w) => w.startsWith("postgresql.timescaledbImage.repository: ")),
      run.warnings.join("\n"),
    );
  });

  it("pulumi up goes ahead once the images point at a real registry", async () => {
    const run = await runProgram("production", { preview: false, set: REAL_IMAGES });
    const api = run.get("kubernetes:apps/v1:Deployment", "api");
    assert.strictEqual(api.inputs.spec.template.spec.containers[0].image, "registry.example.com/ape/api:1.0.0");
  });

  it("a development stack is never refused for them", async () => {
    const run = await runProgram("dev", { preview: false, set: { "api.image.repository": "ghcr.io/yourorg/ape-2026/api" } });
    assert.ok(run.resources.length > 0);
  });
});
