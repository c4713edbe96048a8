/**
 * The trial sizes build-time shape inference gives named dimensions (dynamic/symbolic-builder.ts), and what it reads
 * from a call's arguments.
 */
/**
 * Sets of trial sizes: A and B (0, 1) are multiples of 240, which splits, strides and block sizes divide; C (2) are
 * primes, which nothing divides, and which tell a size that is a multiple of something from the name itself.
 */
export type TrialSet = 0 | 1 | 2;

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let f = 2; f * f <= n; f++) if (n % f === 0) return false;
  return true;
}

const primes: number[] = [];

/**
 * The k-th trial size of a set. In A and B: 240 (divisible by 2, 3, 4, 5, 6, 8, 10, 12, 15, 16, ...) times a prime of
 * its own, the two sets taking alternate primes from 7 up, so that no sum, product or quotient of a few of them is
 * another. In C: the first prime from 1000 + 97k.
 */
export function trialSize(set: TrialSet, k: number): number {
  if (set === 2) {
    let n = 1000 + 97 * k;
    while (!isPrime(n)) n++;
    return n;
  }
  const index = 2 * k + set;
  for (let n = (primes[primes.length - 1] ?? 6) + 1; primes.length <= index; n++) if (isPrime(n)) primes.push(n);
  return 240 * primes[index]!;
}

/**
 * A copy of the arguments as the call saw them: later changes to the caller's arrays or dictionaries do not reach it.
 * MLOperands (`isOperand`) are kept as they are.
 */
export function snapshotArgs(value: unknown, isOperand: (value: unknown) => boolean, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object' || isOperand(value)) return value;
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice();
  if (Array.isArray(value)) return value.map((v) => snapshotArgs(v, isOperand, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = snapshotArgs((value as Record<string, unknown>)[key], isOperand, depth + 1);
  return copy;
}

/**
 * Integer sizes the arguments mention (a slice's sizes, a reshape's newShape, their sums and products), looking into
 * arrays and dictionaries but not into MLOperands (`isOperand`).
 */
export function argumentSizes(args: readonly unknown[], staticCounts: readonly number[], isOperand: (value: unknown) => boolean): number[] {
  const found: number[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 2 && v < 2 ** 31) found.push(v);
    else if (Array.isArray(v) && depth < 4) {
      v.forEach((x) => visit(x, depth + 1));
      const numbers = v.filter((x): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0);
      if (numbers.length === v.length && numbers.length > 1) {
        found.push(numbers.reduce((a, b) => a + b, 0));
        const product = numbers.reduce((a, b) => a * b, 1);
        for (const c of staticCounts) if (product % c === 0) found.push(product / c);
      }
    } else if (v && typeof v === 'object' && !isOperand(v) && depth < 4) {
      for (const x of Object.values(v)) visit(x, depth + 1);
    }
  };
  args.forEach((a) => visit(a, 0));
  return found;
}
