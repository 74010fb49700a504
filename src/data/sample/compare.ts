/**
 * The `sample:stats` tables: TapeStats flattened into named lines, a real-vs-generated comparison
 * with the ratio and a verdict per line, formatted as Markdown by arquero.
 *
 * Verdict: a line passes when generated / real is within 1 ± TOLERANCE; the plain median spread
 * passes when it is within one tick of the real one.
 */
import * as aq from 'arquero';
import type { TapeStats } from './stats.ts';

export const TOLERANCE = 0.25;

export interface StatLine {
  name: string;
  value: number;
  /** Compare as |generated − real| ≤ tick instead of as a ratio. */
  withinOneTick?: boolean;
}

export function statLines(s: TapeStats): StatLine[] {
  return [
    { name: 'quote updates / min', value: s.quoteUpdatesPerMin },
    { name: 'quote updates / min, first 30 min', value: s.quoteUpdatesPerMinFirst30 },
    { name: 'quote updates / min, 12:00–14:00', value: s.quoteUpdatesPerMinMidday },
    { name: 'quote updates / min, last 30 min', value: s.quoteUpdatesPerMinLast30 },
    { name: 'spread p10, ¢ (time-weighted)', value: s.spreadCents.p10 },
    { name: 'spread p25, ¢', value: s.spreadCents.p25 },
    { name: 'spread p50, ¢', value: s.spreadCents.p50 },
    { name: 'spread p75, ¢', value: s.spreadCents.p75 },
    { name: 'spread p90, ¢', value: s.spreadCents.p90 },
    { name: 'spread p99, ¢', value: s.spreadCents.p99 },
    { name: 'spread median, ¢ (as quoted)', value: s.spreadMedianCents, withinOneTick: true },
    { name: 'spread mean, ¢', value: s.spreadMeanCents },
    { name: 'trades / min', value: s.tradesPerMin },
    { name: 'trades / min, first 30 min', value: s.tradesPerMinFirst30 },
    { name: 'trades / min, 12:00–14:00', value: s.tradesPerMinMidday },
    { name: 'trades / min, last 30 min', value: s.tradesPerMinLast30 },
    { name: 'trade size mean, shares', value: s.tradeSize.mean },
    { name: 'trade size p50, shares', value: s.tradeSize.p50 },
    { name: 'trade size p90, shares', value: s.tradeSize.p90 },
    { name: 'trade size p99, shares', value: s.tradeSize.p99 },
    { name: 'share of trades of 100 shares', value: s.tradeSize.shareRoundLot },
    { name: 'share of trades ≥ 500 shares', value: s.tradeSize.shareAtLeast500 },
    { name: 'share of trades inside the spread', value: s.shareInside },
    { name: 'share of trades off-exchange (D)', value: s.shareOffExchange },
    { name: 'share of quote updates ≤ 10 ms after a trade', value: s.shareUpdatesAfterTrade },
    { name: 'touch size p50, shares (time-weighted)', value: s.touchSize.p50 },
    { name: 'touch size p90, shares', value: s.touchSize.p90 },
    { name: '1-min mid change, std ¢', value: s.midChange1mStdCents },
  ];
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

export interface ComparedLine {
  name: string;
  real: number;
  generated: number;
  ratio: number;
  ok: boolean;
}

export function compareStats(real: TapeStats, generated: TapeStats, tickCents = 1): ComparedLine[] {
  const g = statLines(generated);
  return statLines(real).map((line, i) => {
    const value = g[i].value;
    const ratio = value === line.value ? 1 : value / line.value; // 0 vs 0 is a match, not 0/0
    const ok = line.withinOneTick ? Math.abs(value - line.value) <= tickCents + 1e-9 : Math.abs(ratio - 1) <= TOLERANCE + 1e-12;
    return { name: line.name, real: line.value, generated: value, ratio, ok };
  });
}

export function comparisonMarkdown(lines: readonly ComparedLine[], realLabel: string, generatedLabel: string): string {
  return aq
    .table({
      statistic: lines.map((l) => l.name),
      [realLabel]: lines.map((l) => fmt(l.real)),
      [generatedLabel]: lines.map((l) => fmt(l.generated)),
      ratio: lines.map((l) => (Number.isFinite(l.ratio) ? l.ratio.toFixed(2) : '–')),
      check: lines.map((l) => (l.ok ? 'ok' : 'OUT')),
    })
    .toMarkdown({ align: { statistic: 'l', [realLabel]: 'r', [generatedLabel]: 'r', ratio: 'r', check: 'c' } });
}

/** Generated statistics of several symbols side by side (no verdict). */
export function sideBySideMarkdown(columns: readonly { label: string; stats: TapeStats }[]): string {
  const names = statLines(columns[0].stats).map((l) => l.name);
  const data: Record<string, string[]> = { statistic: names };
  for (const c of columns) data[c.label] = statLines(c.stats).map((l) => fmt(l.value));
  return aq.table(data).toMarkdown({ align: Object.fromEntries([['statistic', 'l'], ...columns.map((c) => [c.label, 'r'])]) });
}
