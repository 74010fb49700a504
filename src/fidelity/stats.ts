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

/** erfc(x), Numerical Recipes' Chebyshev fit (relative error < 1.2e-7 everywhere). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Maximize a unimodal f on [lo, hi] by golden-section search. */
function goldenMax(f: (x: number) => number, lo: number, hi: number, iterations = 40): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < iterations; i++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/**
 * Lognormal maximum likelihood with censoring. A channel that never lets a message overtake the
 * one before (delivery = max(previous delivery, sent + sample), sim/latency.ts) shows the sample
 * itself only when the message was not held back; a message delivered together with the one before
 * says only sample ≤ its delay. With z = (ln x − μ)/σ:
 *   ℓ(μ, σ) = Σ_exact [−ln σ − z²/2] + Σ_atMost ln Φ(z),   Φ(z) = erfc(−z/√2)/2
 * maximized by alternating golden-section searches on μ and ln σ from the exact-only fit.
 */
export function censoredLognormalFit(exact: readonly number[], atMost: readonly number[]): { median: number; sigma: number; used: number } {
  const start = lognormalFit(exact);
  const censored = atMost.filter((x) => x > 0 && Number.isFinite(x)).map(Math.log);
  if (start.used === 0 || censored.length === 0 || !(start.sigma > 1e-6)) return start;
  const logs = exact.filter((x) => x > 0 && Number.isFinite(x)).map(Math.log);
  const loglik = (mu: number, sigma: number) => {
    let l = -logs.length * Math.log(sigma);
    for (const v of logs) l -= 0.5 * ((v - mu) / sigma) ** 2;
    for (const v of censored) l += Math.log(Math.max(1e-300, 0.5 * erfc(-(v - mu) / sigma / Math.SQRT2)));
    return l;
  };
  let mu = Math.log(start.median);
  let logSigma = Math.log(start.sigma);
  for (let round = 0; round < 4; round++) {
    const s = Math.exp(logSigma);
    mu = goldenMax((m) => loglik(m, s), mu - 3 * s, mu + 3 * s);
    logSigma = goldenMax((ls) => loglik(mu, Math.exp(ls)), logSigma - 2, logSigma + 2);
  }
  return { median: Math.exp(mu), sigma: Math.exp(logSigma), used: logs.length + censored.length };
}
