// StackConfig from a real stack file plus `--path` overrides, without running the program.
import * as assert from "assert";
import { ConfigValidationError, parseStackConfig, StackConfig } from "../../stack";
import type { RunOptions } from "../harness/program";
import { readStackFile, setPath } from "../harness/stackFile";

/** The validated config of `stack` with `set` applied like `pulumi config set --path`. */
export function loadConfig(stack: string, set: Record<string, unknown> = {}): StackConfig {
  return configOf(stack, { set });
}

/**
 * The validated config a run of `stack` with `options` sees (runProgram's `set`, then `setSecret`
 * stored encrypted as `pulumi config set --secret` does), without running the program.
 */
export function configOf(stack: string, options: Pick<RunOptions, "set" | "setSecret"> = {}): StackConfig {
  const { settings, secretKeys } = readStackFile(stack);
  for (const [path, value] of Object.entries({ ...options.set, ...options.setSecret })) setPath(settings, path, value);
  const encrypted = Object.keys(options.setSecret ?? {}).map((path) => path.split(".")[0]);
  return parseStackConfig(settings, { stack, secretKeys: new Set([...secretKeys, ...encrypted]) });
}

/** The problems reported for `stack` with `set` applied: key path -> "message <value given>". Fails if accepted. */
export function configProblems(stack: string, set: Record<string, unknown>): Map<string, string> {
  try {
    loadConfig(stack, set);
  } catch (e) {
    assert.ok(e instanceof ConfigValidationError, String(e));
    return new Map(e.problems.map((p) => [p.path, `${p.message} ${JSON.stringify(p.value)}`]));
  }
  assert.fail(`expected ${JSON.stringify(set)} to be refused on ${stack}`);
}
