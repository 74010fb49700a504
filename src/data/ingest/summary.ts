/**
 * What an ingest did, per input and per symbol-day: rows in/out, time span, locked/crossed
 * counts (whole day and regular session), eligible prints, and spread percentiles.
 *
 * Spread percentiles use THE spread definition (ladder.ts `spreadPct`: (ask − bid)/ask · 100),
 * one value per quote event (not time-weighted), over regular-session quotes that are neither
 * locked nor crossed; nearest rank: p-th percentile = sorted[ceil(p/100 · n) − 1].
 */
import { nyMsSinceMidnight, regularSession } from '../../core/calendar.ts';
import { spreadPct } from '../../engine/ladder.ts';
import { firstIndexAtOrAfter, type SymbolDay } from '../tape/tape.ts';
import type { BadRows } from './bad-rows.ts';
import type { QuoteStats, TradeStats } from './types.ts';

export const SPREAD_PERCENTILES = [5, 25, 50, 75, 95, 99] as const;

export interface DaySummary {
  day: string;
  quotes: number;
  trades: number;
  /** First and last event (quote or trade), epoch µs; null for an empty day. */
  firstUs: number | null;
  lastUs: number | null;
  locked: number;
  crossed: number;
  regular: { quotes: number; locked: number; crossed: number };
  /** Percentile → spread %, regular session, usable quotes only; null when there are none. */
  spreadPct: Record<string, number> | null;
  eligibleTrades: number;
  volume: number;
  files: { quotes: string; trades: string };
}

export interface IngestSummary {
  format: string;
  symbol: string;
  out: string;
  quotes: { files: string[] } & QuoteStats;
  trades: { files: string[] } & TradeStats;
  badRows: { total: number; byReason: Record<string, number>; examples: Record<string, string> };
  days: DaySummary[];
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function summarizeDay(sd: SymbolDay, files: { quotes: string; trades: string }): DaySummary {
  const { quotes: q, trades: t } = sd;
  let locked = 0, crossed = 0;
  for (let i = 0; i < q.length; i++) {
    if (q.bid[i] === q.ask[i]) locked++;
    else if (q.bid[i] > q.ask[i]) crossed++;
  }
  const { openUs, closeUs } = regularSession(sd.day);
  const from = firstIndexAtOrAfter(q.ts, openUs);
  const to = firstIndexAtOrAfter(q.ts, closeUs);
  const spreads = new Float64Array(to - from);
  let n = 0, regLocked = 0, regCrossed = 0;
  for (let i = from; i < to; i++) {
    if (q.bid[i] === q.ask[i]) regLocked++;
    else if (q.bid[i] > q.ask[i]) regCrossed++;
    else spreads[n++] = spreadPct(q.bid[i], q.ask[i]);
  }
  const usable = spreads.subarray(0, n).sort();
  let eligibleTrades = 0, volume = 0;
  for (let i = 0; i < t.length; i++) {
    eligibleTrades += t.eligible[i];
    volume += t.size[i];
  }
  const firsts = [q.length ? q.ts[0] : Infinity, t.length ? t.ts[0] : Infinity];
  const lasts = [q.length ? q.ts[q.length - 1] : -Infinity, t.length ? t.ts[t.length - 1] : -Infinity];
  const firstUs = Math.min(...firsts);
  const lastUs = Math.max(...lasts);
  return {
    day: sd.day,
    quotes: q.length,
    trades: t.length,
    firstUs: Number.isFinite(firstUs) ? firstUs : null,
    lastUs: Number.isFinite(lastUs) ? lastUs : null,
    locked,
    crossed,
    regular: { quotes: to - from, locked: regLocked, crossed: regCrossed },
    spreadPct: n === 0 ? null : Object.fromEntries(SPREAD_PERCENTILES.map((p) => [`p${p}`, percentile(usable, p)])),
    eligibleTrades,
    volume,
    files,
  };
}

export function badRowsSummary(bad: BadRows): IngestSummary['badRows'] {
  return { total: bad.total, byReason: bad.toRecord(), examples: Object.fromEntries(bad.examples) };
}

const int = (n: number): string => n.toLocaleString('en-US');
const iso = (us: number | null): string => (us === null ? '—' : new Date(Math.floor(us / 1000)).toISOString());

/** New York wall clock hh:mm:ss.mmm of an instant. */
function nyClock(us: number | null): string {
  if (us === null) return '—';
  const ms = Math.floor(nyMsSinceMidnight(us));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/** The human summary the CLI prints. */
export function formatSummary(s: IngestSummary): string {
  const lines: string[] = [];
  lines.push(`ingest ${s.format} ${s.symbol} → ${s.out}`);
  const q = s.quotes;
  const qNotes = [q.suspicious ? `${int(q.suspicious)} suspicious dropped` : '', q.oneSided ? `${int(q.oneSided)} one-sided before both sides were known` : ''].filter(Boolean);
  lines.push(`  quotes: ${int(q.rowsIn)} rows in, ${int(q.rowsOut)} quotes out${qNotes.length ? ` (${qNotes.join(', ')})` : ''}  [${q.files.join(', ')}]`);
  const t = s.trades;
  if (t.files.length) {
    const tNotes = [
      t.suspicious ? `${int(t.suspicious)} suspicious dropped` : '',
      t.offExchange ? `${int(t.offExchange)} off-exchange` : '',
      t.specialCondition ? `${int(t.specialCondition)} special-condition` : '',
    ].filter(Boolean);
    lines.push(`  trades: ${int(t.rowsIn)} rows in, ${int(t.rowsOut)} trades out${tNotes.length ? ` (${tNotes.join(', ')}; those kept are not eligible)` : ''}  [${t.files.join(', ')}]`);
  } else {
    lines.push('  trades: none given (empty trades tape)');
  }
  if (s.badRows.total === 0) lines.push('  bad rows: none');
  else {
    lines.push(`  bad rows skipped: ${int(s.badRows.total)} — ${Object.entries(s.badRows.byReason).map(([r, n]) => `${r} ${int(n)}`).join(', ')}`);
    for (const [reason, example] of Object.entries(s.badRows.examples)) lines.push(`    first ${reason}: ${example}`);
  }
  for (const d of s.days) {
    lines.push(`  ${d.day}: ${int(d.quotes)} quotes, ${int(d.trades)} trades (${int(d.eligibleTrades)} eligible, volume ${int(d.volume)}), span ${nyClock(d.firstUs)}–${nyClock(d.lastUs)} New York (${iso(d.firstUs)} – ${iso(d.lastUs)})`);
    lines.push(`    locked ${int(d.locked)}, crossed ${int(d.crossed)} (kept as the market showed them); regular session: ${int(d.regular.quotes)} quotes, ${int(d.regular.locked)} locked, ${int(d.regular.crossed)} crossed`);
    lines.push(
      d.spreadPct
        ? `    spread % (regular session, per quote): ${Object.entries(d.spreadPct).map(([p, v]) => `${p} ${v.toFixed(4)}`).join('  ')}`
        : '    spread %: no usable regular-session quotes',
    );
    lines.push(`    wrote ${d.files.quotes}, ${d.files.trades}`);
  }
  return lines.join('\n') + '\n';
}
