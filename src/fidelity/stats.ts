/**
 * The statistics the fidelity loop needs, each written once: an interval for an agreement rate,
 * the two-sample Kolmogorov–Smirnov distance, quantiles, and the lognormal maximum-likelihood fit.
 */

/**
 * Wilson score interval for k successes in n trials (95 % by default, z = 1.96):
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half = z·√(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n)
 * Unlike p̂ ± z·√(p̂(1−p̂)/n) it stays inside [0, 1] and is not empty at 0 % or 100 %.
 */
export function wilsonInterval(k: number, n: number, z = 1.96): [number, number] {
  if (n <= 0) return [Number.NaN, Number.NaN];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Two-sample Kolmogorov–Smirnov distance D = sup_x |F_a(x) − F_b(x)| of the empirical CDFs
 * (0 when both samples are the same multiset, 1 when they do not overlap). NaN when a sample is empty.
 */
export function ksDistance(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return Number.NaN;
  const xs = [...a].sort((x, y) => x - y);
  const ys = [...b].sort((x, y) => x - y);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < xs.length && j < ys.length) {
    const v = Math.min(xs[i], ys[j]);
    while (i < xs.length && xs[i] <= v) i++;
    while (j < ys.length && ys[j] <= v) j++;
    d = Math.max(d, Math.abs(i / xs.length - j / ys.length));
  }
  return d;
}

/** Quantile q of the values (linear interpolation between order statistics, R type 7); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((x, y) => x - y);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Lognormal maximum likelihood on positive samples x: μ̂ = mean(ln x), σ̂ = √(mean((ln x − μ̂)²));
 * the median is e^μ̂. (Zero or negative samples carry no information about a lognormal and are
 * left out; `used` says how many were kept.)
 */
export function lognormalFit(samples: readonly number[]): { median: number; sigma: number; used: number } {
  const logs = samples.filter((x) => x > 0 && Number.isFinite(x)).map(Math.log);
  if (logs.length === 0) return { median: Number.NaN, sigma: Number.NaN, used: 0 };
  const mu = mean(logs);
  let ss = 0;
  for (const l of logs) ss += (l - mu) ** 2;
  return { median: Math.exp(mu), sigma: Math.sqrt(ss / logs.length), used: logs.length };
}
