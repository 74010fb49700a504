/** Shared helpers for bench sections. */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
}

/** Run `fn` once to warm up, then `runs` times; return the median wall time in seconds. */
export function medianSeconds(fn: () => void, runs = 5): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
