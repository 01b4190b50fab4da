import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { configReference, keyPaths } from "../scripts/config-reference";

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

describe("README", () => {
  it("starts with the two set-up commands: deploy the dev stack, and install + pass the tests", () => {
    const firstBlock = readme
      .slice(readme.indexOf("```sh") + 5, readme.indexOf("```", readme.indexOf("```sh") + 5))
      .trim()
      .split("\n");
    assert.match(firstBlock[0], /^npm ci && npm run deploy:dev\b/);
    assert.match(firstBlock[1], /^npm ci && npm test\b/);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
    assert.ok(pkg.scripts["deploy:dev"] && pkg.scripts.test, "both npm scripts exist");
  });

  it("lists every configuration key with its default, dev and production value (scripts/config-reference.ts --write)", () => {
    assert.ok(readme.includes(configReference()), "the generated key table in README.md is stale");
    for (const key of [
      "api.replicaCount",
      "postgresql.primary.configuration",
      "redis.sentinel.quorum",
      "ingress.tls.mode",
      "images.registry",
    ]) {
      assert.ok(keyPaths().includes(key), `${key} is listed`);
    }
  });
});
