import * as assert from "assert";
import { POSTGRESQL } from "../../services/postgresql";
import { runProgram } from "../../testbed/harness/program";
import { stackContainers, totalRequests } from "../../testbed/harness/requests";

const GiB = 2 ** 30;
/** The chart's primary StatefulSet (`<release>-primary`). */
const PG_PRIMARY = `${POSTGRESQL.release}-primary`;

describe("resource budget", () => {
  for (const stack of ["dev", "production"]) {
    it(`${stack}: every container the stack runs states its CPU and memory requests (no chart presets)`, async () => {
      const containers = stackContainers(await runProgram(stack));
      const missing = containers
        .filter((x) => x.requests?.cpu === undefined || x.requests?.memory === undefined)
        .map((x) => `${x.workload}/${x.container}`);
      assert.deepStrictEqual(missing, []);
      assert.ok(
        containers.some((x) => x.workload === PG_PRIMARY),
        "the chart containers are counted",
      );
    });
  }

  it("dev fits a laptop: at most 2 CPU cores and 4 GiB of memory requested in total", async () => {
    const { cpu, memory } = totalRequests(stackContainers(await runProgram("dev")));
    assert.ok(cpu <= 2, `dev requests ${cpu} cores`);
    assert.ok(memory <= 4 * GiB, `dev requests ${(memory / GiB).toFixed(2)} GiB`);
  });

  it("production is sized for production (requests counted with the HPA minimum and every Redis node)", async () => {
    const containers = stackContainers(await runProgram("production"));
    const pg = containers.find((x) => x.workload === PG_PRIMARY && x.container === "postgresql");
    assert.deepStrictEqual(pg?.requests, { memory: "8Gi", cpu: "4000m", "ephemeral-storage": "256Mi" });
    assert.strictEqual(containers.find((x) => x.container === "sentinel")?.replicas, 3);
    assert.ok(totalRequests(containers).cpu > 2, "production is not laptop-sized");
  });
});
