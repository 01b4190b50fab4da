// What a no-op `pulumi preview` and `pulumi up` of the real program cost on the real engine,
// against the smallest program (testbed/e2e/floor: one Namespace, one ConfigMap) loaded the same way:
// medians of interleaved rounds, printed as ratios. Runs are transpile-only through SWC, as CI and
// deploy:dev run them after their type-check; one type-checked preview per round shows what that
// saves. Skipped, like the engine spec, when the engine binaries are not built (testbed/e2e.sh).
import * as fs from "fs";
import * as path from "path";
import { ENGINE_ENABLED, initStack, pulumi, TRANSPILE_ONLY, WORK } from "./pulumi";
import { ok, Run } from "./run";

const ENGINE_DIR = path.join(__dirname, "engine");
const FLOOR_DIR = path.join(__dirname, "floor");
const ROUNDS = Number(process.env.APE_E2E_ROUNDS) || 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Measurement {
  readonly label: string;
  readonly run: () => Run;
}

const dev = (args: string[], env: Record<string, string> = TRANSPILE_ONLY) => pulumi(ENGINE_DIR, "dev", args, env);
const floor = (args: string[]) => pulumi(FLOOR_DIR, "floor", args, TRANSPILE_ONLY);
const NO_OP_PREVIEW = ["preview", "--expect-no-changes"];
const NO_OP_UP = ["up", "--yes", "--skip-preview", "--expect-no-changes"];

(ENGINE_ENABLED ? describe : describe.skip)(
  "e2e engine: no-op preview and up of the real program against the smallest program",
  function () {
    this.timeout(1_800_000);

    before(() => {
      fs.mkdirSync(path.join(WORK, "state"), { recursive: true });
      initStack(ENGINE_DIR, "dev");
      ok(floor(["stack", "init"]), "stack init floor");
      ok(dev(["up", "--yes", "--skip-preview"]), "pulumi up (dev, create)");
      ok(floor(["up", "--yes", "--skip-preview"]), "pulumi up (floor, create)");
    });

    after(() => {
      dev(["destroy", "--yes", "--skip-preview"]);
      floor(["destroy", "--yes", "--skip-preview"]);
      fs.rmSync(path.join(ENGINE_DIR, "Pulumi.dev.yaml"), { force: true });
      fs.rmSync(path.join(FLOOR_DIR, "Pulumi.floor.yaml"), { force: true }); // written by stack init
      fs.rmSync(WORK, { recursive: true, force: true });
    });

    it(`no-op preview and up: dev against the floor, medians of ${ROUNDS} interleaved rounds`, () => {
      const measurements: Measurement[] = [
        { label: "preview floor", run: () => floor(NO_OP_PREVIEW) },
        { label: "preview dev", run: () => dev(NO_OP_PREVIEW) },
        { label: "up floor", run: () => floor(NO_OP_UP) },
        { label: "up dev", run: () => dev(NO_OP_UP) },
        // Pulumi's default (tsconfig.json, type-checked): what a preview cost before the fast path.
        { label: "preview dev, type-checked", run: () => dev(NO_OP_PREVIEW, {}) },
        // The one SDK internal the deploy path keeps (runtime/promise-stacks.ts): with
        // PULUMI_DEBUG_PROMISE_LEAKS set it steps aside and the SDK captures its promise stacks as
        // shipped, which is what dropping it would cost.
        { label: "preview dev, SDK promise stacks", run: () => dev(NO_OP_PREVIEW, { ...TRANSPILE_ONLY, PULUMI_DEBUG_PROMISE_LEAKS: "1" }) },
      ];
      const seconds = new Map<string, number[]>(measurements.map((m) => [m.label, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < measurements.length; i++) {
          const m = measurements[(i + round) % measurements.length];
          seconds.get(m.label)!.push(ok(m.run(), m.label).seconds);
        }
      }
      const med = (label: string) => median(seconds.get(label)!);
      const lines = [
        ...measurements.map(
          (m) =>
            `${m.label}: median ${med(m.label).toFixed(2)} s (${seconds
              .get(m.label)!
              .map((s) => s.toFixed(2))
              .join(", ")})`,
        ),
        `ratio preview dev / floor: ${(med("preview dev") / med("preview floor")).toFixed(2)}`,
        `ratio up dev / floor: ${(med("up dev") / med("up floor")).toFixed(2)}`,
        `ratio preview type-checked / transpile-only (dev): ${(med("preview dev, type-checked") / med("preview dev")).toFixed(2)}`,
        `ratio preview dev with the SDK's promise stacks / floor: ${(med("preview dev, SDK promise stacks") / med("preview floor")).toFixed(2)}`,
      ];
      // Each run above already failed the test unless it succeeded and changed nothing.
      console.log(`\n    figures:\n${lines.map((l) => `      ${l}`).join("\n")}`);
    });
  },
);
