import * as assert from "assert";
import { execFileSync } from "child_process";
import { Obj } from "../../scripts/charts/diff";
import { REDIS } from "../../services/redis";
import { redisAddress } from "../../services/redis/redis.contract";
import { cachedChartRenderer } from "../../testbed/helpers/charts";
import { ProgramRun, runProgram, runProgramError } from "../../testbed/harness/program";
import { T } from "../../testbed/harness/types";
import { EXTERNAL_DATA, MIRROR, MIRROR_REGISTRY, REAL_IMAGES } from "../../testbed/harness/variants";
import { configProblems, loadConfig } from "../../testbed/helpers/config";
import { imagePins } from "../../testbed/helpers/images";

const PINS = imagePins();

const values = (run: ProgramRun, name = "redis") => run.get(T.Release, name).inputs.values;

/** Every `image` object in a values tree, with its path. */
function images(node: unknown, at = ""): [string, Record<string, unknown>][] {
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => {
    const path = at ? `${at}.${k}` : k;
    return k === "image" && v && typeof v === "object" ? [[path, v as Record<string, unknown>], ...images(v, path)] : images(v, path);
  });
}

describe("redis: the default and stack figures reach the chart values", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async () => {
    dev = await runProgram("dev");
    prod = await runProgram("production");
  });

  it("dev: standalone, 1Gi, laptop resources, auth by Secret, metrics on", () => {
    const v = values(dev);
    assert.strictEqual(v.architecture, "standalone");
    assert.strictEqual(v.sentinel.enabled, false);
    assert.deepStrictEqual(v.master.persistence, { enabled: true, size: "1Gi" });
    assert.deepStrictEqual(v.master.resources, {
      requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "1Gi" },
    });
    assert.deepStrictEqual(v.auth, {
      enabled: true,
      sentinel: true,
      existingSecret: REDIS.secret.name,
      existingSecretPasswordKey: REDIS.secret.key,
      usePasswordFiles: true,
    });
    assert.strictEqual(v.metrics.enabled, true);
  });

  it("production: replication, 3 nodes with 20Gi, Sentinel with quorum 2, auth on", () => {
    const v = values(prod);
    assert.strictEqual(v.architecture, "replication");
    assert.strictEqual(v.replica.replicaCount, 3);
    assert.deepStrictEqual(v.replica.persistence, { enabled: true, size: "20Gi" });
    assert.deepStrictEqual([v.sentinel.enabled, v.sentinel.quorum, v.sentinel.masterSet], [true, 2, "mymaster"]);
    assert.strictEqual(v.auth.enabled, true);
    assert.strictEqual(v.metrics.enabled, true);
  });

  it("release: pinned chart, fixed name, long timeout, bounded history, not atomic; chart NetworkPolicy and root helpers off", () => {
    for (const run of [dev, prod]) {
      const r = run.get(T.Release, "redis").inputs;
      assert.deepStrictEqual([r.name, r.chart, r.version], [REDIS.release, "oci://registry-1.docker.io/bitnamicharts/redis", "22.0.7"]);
      assert.ok(r.timeout >= 600 && r.maxHistory > 0 && r.atomic !== true);
      assert.deepStrictEqual(
        [r.values.networkPolicy.enabled, r.values.volumePermissions.enabled, r.values.sysctl.enabled],
        [false, false, false],
      );
    }
  });

  it("the API gets a plain endpoint in dev and the sentinels plus master set in production", () => {
    assert.deepStrictEqual(dev.outputs.redis, {
      mode: "standalone",
      host: `${REDIS.release}-master.ape-2026.svc.cluster.local`,
      port: REDIS.ports.redis,
      passwordSecret: { name: REDIS.secret.name, key: REDIS.secret.key },
    });
    assert.deepStrictEqual(prod.outputs.redis, {
      mode: "sentinel",
      host: `${REDIS.release}.ape-2026.svc.cluster.local`,
      port: REDIS.ports.redis,
      sentinel: {
        hosts: [0, 1, 2].map((i) => `${REDIS.release}-node-${i}.${REDIS.release}-headless.ape-2026.svc.cluster.local`),
        port: REDIS.ports.sentinel,
        masterSet: "mymaster",
      },
      passwordSecret: { name: REDIS.secret.name, key: REDIS.secret.key },
      // TLS inside the cluster: the CA the API verifies Redis and the sentinels with.
      tls: { configMap: "internal-ca", key: "ca.crt" },
    });
  });
});

describe("redis: switches", () => {
  it("enabled false without an external endpoint is a config error naming redis.external", async () => {
    const { error } = await runProgramError("dev", { set: { "redis.enabled": false } });
    assert.match(error.message, /redis\.external/);
  });

  it("enabled false with an external Sentinel setup: no release, the API gets the external sentinels", async () => {
    const run = await runProgram("production", EXTERNAL_DATA);
    assert.strictEqual(run.ofType(T.Release).filter((r) => r.name === "redis").length, 0);
    assert.deepStrictEqual(run.outputs.redis, {
      mode: "sentinel",
      host: "redis.example.com",
      port: 6379,
      sentinel: { hosts: ["s1.example.com", "s2.example.com"], port: REDIS.ports.sentinel, masterSet: "main" },
      passwordSecret: { name: "redis-external", key: "pw" },
    });
  });

  it("Sentinel without replication is refused", async () => {
    const { error } = await runProgramError("dev", { set: { "redis.sentinel.enabled": true } });
    assert.match(error.message, /redis\.sentinel\.enabled/);
  });
});

describe("images of both Bitnami charts", () => {
  it("production runs the recipes of images/ from the settings (none of Bitnami's frozen images); dev may keep the public ones", async () => {
    const [production, dev] = await Promise.all([runProgram("production", { preview: false, set: REAL_IMAGES }), runProgram("dev")]);
    // The images production's pods run: the server (TimescaleDB), Redis, Sentinel and both exporters.
    const pg = values(production, "postgresql");
    const redis = values(production, "redis");
    const running = [pg.image, pg.metrics.image, redis.image, redis.sentinel.image, redis.metrics.image];
    const ref = (img: any) => `${img.registry}/${img.repository}:${img.tag}`;
    assert.deepStrictEqual(running.map(ref), [
      `registry.example.com/ape/postgresql-timescaledb:${PINS.POSTGRESQL_TIMESCALEDB_TAG}`,
      `registry.example.com/ape/postgres-exporter:${PINS.POSTGRES_EXPORTER_TAG}`,
      `registry.example.com/ape/redis:${PINS.REDIS_TAG}`,
      `registry.example.com/ape/redis-sentinel:${PINS.REDIS_SENTINEL_TAG}`,
      `registry.example.com/ape/redis-exporter:${PINS.REDIS_EXPORTER_TAG}`,
    ]);
    // Only the helpers this program keeps off still name Bitnami's images (the charts check that they are set).
    for (const name of ["postgresql", "redis"]) {
      for (const [path, img] of images(values(production, name))) {
        // With TLS inside the cluster the chart's copy-certs init container runs volumePermissions.image:
        // production points it at the PostgreSQL server image.
        const copyCerts = name === "postgresql" && path.startsWith("volumePermissions.");
        const off = /^(volumePermissions|sysctl|kubectl)\./.test(path) && !copyCerts;
        if (copyCerts) assert.deepStrictEqual(img, pg.image, "copy-certs runs the server image");
        assert.strictEqual(/bitnami/.test(String(img.repository)), off, `production ${name} ${path}: ${ref(img)}`);
      }
    }
    // dev pulls the public images its stack file names, never docker.io/bitnami/* (gone).
    for (const name of ["postgresql", "redis"]) {
      for (const [path, img] of images(values(dev, name)))
        assert.doesNotMatch(`${img.registry}/${img.repository}`, /^docker\.io\/bitnami\//, path);
    }
  });

  it("the settings' default data images carry the tags the recipes build (images/versions.env)", () => {
    const cfg = loadConfig("production");
    assert.strictEqual(cfg.postgresql.timescaledbImage.tag, PINS.POSTGRESQL_TIMESCALEDB_TAG);
    assert.strictEqual(cfg.postgresql.metrics.image.tag, PINS.POSTGRES_EXPORTER_TAG);
    assert.strictEqual(cfg.redis.image.tag, PINS.REDIS_TAG);
    assert.strictEqual(cfg.redis.sentinel.image.tag, PINS.REDIS_SENTINEL_TAG);
    assert.strictEqual(cfg.redis.metrics.image.tag, PINS.REDIS_EXPORTER_TAG);
  });

  it("a mirror registry and pull secret change every image of both charts (one config change)", async () => {
    const mirror = MIRROR_REGISTRY;
    for (const stack of ["dev", "production"]) {
      const run = await runProgram(stack, MIRROR);
      for (const name of ["postgresql", "redis"]) {
        const v = values(run, name);
        assert.deepStrictEqual(v.global, { imageRegistry: mirror, imagePullSecrets: ["regcred"], security: { allowInsecureImages: true } });
        for (const [path, img] of images(v)) assert.strictEqual(img.registry, mirror, `${stack} ${name} ${path}`);
      }
    }
  });
});

describe("redis: HA that can work", () => {
  it("production with Sentinel keeps its nodes on distinct Kubernetes nodes unless the stack acknowledges otherwise", () => {
    const found = configProblems("production", { "redis.replica.podAntiAffinity": "soft" });
    assert.match(
      found.get("redis.replica.podAntiAffinity") ?? "",
      /turns off part of production's safety floor: Redis nodes with Sentinel not kept one per Kubernetes node .*no failover is ever agreed.*weakenedProduction\.redisSpread/,
    );
    // A one-node production-shaped cluster (the node e2e) states why; the stack then warns on every run.
    const acknowledged = { "redis.replica.podAntiAffinity": "soft", "weakenedProduction.redisSpread": "one-node test cluster" };
    assert.strictEqual(loadConfig("production", acknowledged).redis.replica.podAntiAffinity, "soft");
    assert.doesNotThrow(() => loadConfig("dev", { "redis.replica.podAntiAffinity": "soft" }));
  });

  it("the production quorum (2 of 3) is a majority that survives the loss of one node", () => {
    const redis = loadConfig("production").redis;
    assert.deepStrictEqual([redis.replica.replicaCount, redis.sentinel.quorum], [3, 2]);
    assert.ok(redis.sentinel.quorum > redis.replica.replicaCount / 2 && redis.sentinel.quorum <= redis.replica.replicaCount - 1);
  });
});

// The chart's own preStop, rendered from the chart cache with production's values and run in bash
// with the redis container's environment: the name the master gives itself is the one Sentinel
// reports for it, so a master being stopped asks for a failover (REDIS.preStopEnv). Before that
// variable it called itself "redis-node-0." and exited without one (seen on the node).
describe("redis: the master's preStop hands over (the rendered chart script)", function () {
  this.timeout(60_000);
  const chart = cachedChartRenderer("redis");

  it("production: prestop-redis.sh names the pod as Sentinel names the master", async function () {
    if (chart.skip) {
      console.log(`      skipped: ${chart.skip}`);
      this.skip();
    }
    const prod = await runProgram("production");
    const { inputs } = prod.get(T.Release, "redis");
    const objects = chart.render(inputs);
    const scripts = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === `${REDIS.release}-scripts`) as Obj;
    const node = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === `${REDIS.release}-node`) as Obj;
    const redis = node.spec.template.spec.containers.find((c: Obj) => c.name === "redis");
    assert.deepStrictEqual(redis.lifecycle.preStop.exec.command.slice(-1), ["/opt/bitnami/scripts/start-scripts/prestop-redis.sh"]);
    // The script's definitions, without the runtime libraries it sources and before its main part.
    const text: string = scripts.data["prestop-redis.sh"];
    const defs = text
      .slice(0, text.indexOf("run_sentinel_command()"))
      .split("\n")
      .filter((l) => !l.trim().startsWith(". /opt/bitnami"))
      .join("\n");
    const env = Object.fromEntries(redis.env.filter((e: Obj) => typeof e.value === "string").map((e: Obj) => [e.name, e.value]));
    const pod = `${REDIS.release}-node-0`;
    const name = execFileSync("bash", ["--norc", "--noprofile", "-c", `${defs}\nget_full_hostname ${pod}`], {
      env: { PATH: process.env.PATH, ...env },
      encoding: "utf8",
    }).trim();
    const cfg = loadConfig("production").redis;
    const sentinelName = redisAddress("sentinel", cfg, inputs.namespace).sentinel!.hosts[0];
    assert.strictEqual(name, sentinelName);
  });
});
