// Kubernetes resource quantities ("500m", "2Gi", "1.5", "1e3") parsed to plain numbers.
// The grammar follows k8s.io/apimachinery/pkg/api/resource: a signed decimal number followed by
// a binary suffix (Ki..Ei), a decimal suffix (n, u, m, k, M..E) or a decimal exponent (e3).

const MULTIPLIERS: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The value of a quantity in base units (cores, bytes), or undefined when it does not parse. */
export function parseQuantity(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  const match = QUANTITY.exec(value.trim());
  if (!match) return undefined;
  const [, mantissa, exponent, suffix] = match;
  const base = Number(mantissa);
  if (exponent) return base * 10 ** Number(exponent.slice(1));
  return base * MULTIPLIERS[suffix ?? ""];
}
