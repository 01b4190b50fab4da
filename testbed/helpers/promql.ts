// PromQL syntax check with the real Prometheus grammar (@prometheus-io/lezer-promql).
// The package is ESM-typed but ships a CommonJS build (exports "require"); load that one.
interface SyntaxNodeRef {
  readonly from: number;
  readonly to: number;
  readonly type: { readonly isError: boolean };
}
interface PromqlParser {
  parse(text: string): { iterate(spec: { enter(node: SyntaxNodeRef): void }): void };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require("@prometheus-io/lezer-promql") as { parser: PromqlParser };

/** Error nodes in the parse tree of `expr` (empty = it parses). */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`error at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
    },
  });
  return errors;
}

/** Grafana interpolates its macros before Prometheus sees a query; do the same with a fixed window. */
export const interpolateGrafana = (expr: string): string => expr.replace(/\$__(rate_interval|interval|range)\b/g, "5m");
