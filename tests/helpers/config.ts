// StackConfig from a real stack file plus `--path` overrides, without running the program.
import * as assert from "assert";
import { ConfigValidationError, parseStackConfig, StackConfig } from "../../config";
import { readStackFile, setPath } from "../../harness/stackFile";

/** The validated config of `stack` with `set` applied like `pulumi config set --path`. */
export function loadConfig(stack: string, set: Record<string, unknown> = {}): StackConfig {
  const { settings, secretKeys } = readStackFile(stack);
  for (const [path, value] of Object.entries(set)) setPath(settings, path, value);
  return parseStackConfig(settings, { stack, secretKeys });
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
