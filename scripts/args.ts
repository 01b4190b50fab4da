// Command-line flags of the scripts: `--flag value` pairs and bare switches, read in order.

/**
 * Calls `take(flag, value)` for each flag of `argv`; `value()` consumes the next word as the flag's
 * value and fails, naming the flag, when there is none. `take` throws on a flag it does not know.
 */
export function eachFlag(argv: readonly string[], take: (flag: string, value: () => string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    take(flag, () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    });
  }
}
