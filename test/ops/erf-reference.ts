/**
 * erf in float64, for the tests of erf and gelu: Maclaurin series near zero, Laplace's continued fraction for erfc
 * further out; erf(-0) is -0.
 */
export function erf(x: number): number {
  return erfParts(x).erf;
}

/** erfc(x) = 1 - erf(x) in float64, without the cancellation of that difference where erfc(x) is tiny. */
export function erfc(x: number): number {
  return erfParts(x).erfc;
}

function erfParts(x: number): { erf: number; erfc: number } {
  if (Number.isNaN(x)) return { erf: NaN, erfc: NaN };
  const a = Math.abs(x);
  const negative = x < 0 || Object.is(x, -0);
  if (a >= 2.5 && a !== Infinity) {
    let fraction = a;
    for (let k = 120; k >= 1; k--) fraction = a + (k / 2) / fraction;
    const tail = Math.exp(-a * a) / (Math.sqrt(Math.PI) * fraction);
    return negative ? { erf: tail - 1, erfc: 2 - tail } : { erf: 1 - tail, erfc: tail };
  }
  const value = erfValue(x);
  return { erf: value, erfc: 1 - value };
}

function erfValue(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let result: number;
  if (a < 2.5) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200; n++) {
      term *= -a * a / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    result = (2 / Math.sqrt(Math.PI)) * sum;
  } else if (a === Infinity) {
    result = 1;
  } else {
    let fraction = a;
    for (let k = 120; k >= 1; k--) fraction = a + (k / 2) / fraction;
    result = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * fraction);
  }
  return x < 0 || Object.is(x, -0) ? -result : result;
}
