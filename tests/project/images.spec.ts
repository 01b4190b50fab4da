// The data image recipes (images/) against their one pin file and the chart facts the program relies
// on: every Dockerfile builds from the pinned base and pins, runs as the charts' uid, exposes the
// contracts' ports, and the PostgreSQL image provides what the program's init script calls.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { POSTGRESQL } from "../../services/postgresql";
import { REDIS } from "../../services/redis";
import { postgresqlValues } from "../../services/postgresql/postgresql.build";
import { loadConfig } from "../../testbed/helpers/config";
import { IMAGES_DIR as IMAGES, imagePins } from "../../testbed/helpers/images";

/** Each recipe: its Dockerfile's text, and the port the chart's container listens on. */
const RECIPES: Record<string, { port: number; tag: string }> = {
  "postgresql-timescaledb": { port: POSTGRESQL.ports.postgresql, tag: "POSTGRESQL_TIMESCALEDB_TAG" },
  redis: { port: REDIS.ports.redis, tag: "REDIS_TAG" },
  "redis-sentinel": { port: REDIS.ports.sentinel, tag: "REDIS_SENTINEL_TAG" },
  "postgres-exporter": { port: POSTGRESQL.ports.exporter, tag: "POSTGRES_EXPORTER_TAG" },
  "redis-exporter": { port: REDIS.ports.exporter, tag: "REDIS_EXPORTER_TAG" },
};
const dockerfile = (name: string) => fs.readFileSync(path.join(IMAGES, name, "Dockerfile"), "utf8");

/** Every file below dir (recursively), as paths. */
function filesBelow(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesBelow(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe("data image recipes", () => {
  const p = imagePins();

  it("there is one recipe directory per data image, each with a Dockerfile", () => {
    const dirs = fs
      .readdirSync(IMAGES, { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(IMAGES, e.name, "Dockerfile")))
      .map((e) => e.name)
      .sort();
    assert.deepStrictEqual(dirs, Object.keys(RECIPES).sort());
  });

  for (const [name, { port, tag }] of Object.entries(RECIPES)) {
    it(`${name}: pinned base, pins read from versions.env, uid 1001, port ${port}`, () => {
      const text = dockerfile(name);
      assert.match(text, new RegExp(`^ARG BASE=${p.DEBIAN_BASE.replace(/[.:]/g, "\\$&")}$`, "m"), "ARG BASE is DEBIAN_BASE");
      assert.match(text, /^FROM \$\{BASE\}$/m);
      assert.match(text, /^COPY versions\.env \/usr\/share\/ape-2026\/versions\.env$/m);
      assert.match(text, /^USER 1001$/m, "runs as the charts' uid (runAsUser 1001)");
      assert.match(text, new RegExp(`^EXPOSE ${port}$`, "m"));
      for (const [, variable] of text.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)) {
        if (variable === "BASE") continue;
        assert.ok(variable in p, `${name}/Dockerfile uses \${${variable}}, which versions.env defines`);
      }
      assert.match(text, new RegExp(`<${tag}>|${tag}`), `the build command names its tag pin ${tag}`);
    });
  }

  it("every tag names its upstream versions, Debian 13 and the image revision", () => {
    const suffix = `-debian-13-r${p.IMAGE_REVISION}`;
    assert.strictEqual(p.POSTGRESQL_TIMESCALEDB_TAG, `${p.POSTGRESQL_VERSION}-ts${p.TIMESCALEDB_VERSION}${suffix}`);
    assert.strictEqual(p.REDIS_TAG, `${p.REDIS_VERSION}${suffix}`);
    assert.strictEqual(p.REDIS_SENTINEL_TAG, `${p.REDIS_VERSION}${suffix}`);
    assert.strictEqual(p.POSTGRES_EXPORTER_TAG, `${p.POSTGRES_EXPORTER_VERSION}${suffix}`);
    assert.strictEqual(p.REDIS_EXPORTER_TAG, `${p.REDIS_EXPORTER_VERSION}${suffix}`);
    assert.strictEqual(p.DEBIAN_SUITE, "trixie", "Debian 13 is trixie");
  });

  it("each Debian package pin is of its upstream version, and PostgreSQL's of its major", () => {
    const upstream = (deb: string) => deb.replace(/^\d+:/, "").split(/[-+~]/)[0];
    assert.strictEqual(upstream(p.POSTGRESQL_DEB), p.POSTGRESQL_VERSION);
    assert.strictEqual(p.POSTGRESQL_VERSION.split(".")[0], p.POSTGRESQL_MAJOR);
    assert.strictEqual(upstream(p.TIMESCALEDB_DEB), p.TIMESCALEDB_VERSION);
    assert.strictEqual(upstream(p.REDIS_DEB), p.REDIS_VERSION);
    assert.strictEqual(upstream(p.POSTGRES_EXPORTER_DEB), p.POSTGRES_EXPORTER_VERSION);
    assert.strictEqual(upstream(p.REDIS_EXPORTER_DEB), p.REDIS_EXPORTER_VERSION);
    assert.match(p.PGAUDIT_DEB, new RegExp(`^${p.POSTGRESQL_MAJOR}\\.`), "pgaudit's version line follows the PostgreSQL major");
  });

  it("the PostgreSQL image defines every function the program's TimescaleDB init script calls", () => {
    const cfg = loadConfig("production");
    const values: any = postgresqlValues(cfg.postgresql, cfg.images, POSTGRESQL.secret.name);
    const scripts: Record<string, string> = values.primary.initdb.scripts;
    const runtime = [path.join(IMAGES, "common"), path.join(IMAGES, "postgresql-timescaledb")]
      .flatMap(filesBelow)
      .filter((f) => f.endsWith(".sh"))
      .map((f) => fs.readFileSync(f, "utf8"))
      .join("\n");
    const defined = new Set([...runtime.matchAll(/^([a-z_]+)\(\) \{/gm)].map((m) => m[1]));
    const called = Object.values(scripts).flatMap((s) => [...s.matchAll(/^\s*(?:\| )?([a-z]+_?[a-z_]*)\b/gm)].map((m) => m[1]));
    const shellWords = new Set(["echo", "cat", "set"]);
    const missing = [...new Set(called)].filter((c) => !shellWords.has(c) && !defined.has(c));
    assert.ok(called.includes("postgresql_execute"), `the script calls postgresql_execute: ${JSON.stringify(scripts)}`);
    assert.deepStrictEqual(missing, [], `functions the init script calls that the image lacks`);
    for (const variable of ["POSTGRESQL_DATABASE", "POSTGRESQL_POSTGRES_PASSWORD"]) {
      if (Object.values(scripts).some((s) => s.includes(variable)))
        assert.match(runtime, new RegExp(`\\b${variable}\\b`), `the runtime sets ${variable}`);
    }
  });

  it("the runtime scripts keep the interface the charts' start scripts source", () => {
    // The redis chart's start-*.sh and prestop-*.sh source these files by path and call these functions.
    const lib = (f: string) => fs.readFileSync(path.join(IMAGES, "common", "rootfs", "opt", "bitnami", "scripts", f), "utf8");
    const has = (f: string, fn: string) => assert.match(lib(f), new RegExp(`^${fn}\\(\\) \\{`, "m"), `${f} defines ${fn}`);
    for (const fn of ["info", "warn", "error", "debug"]) has("liblog.sh", fn);
    has("libos.sh", "retry_while");
    has("libvalidations.sh", "is_boolean_yes");
    has("libfile.sh", "replace_in_file");
  });
});
