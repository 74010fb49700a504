/** The data of one worst parent's timeline: the tape around it, children's limits, live and simulated fills. */
import { nyDay } from '../core/calendar.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { firstIndexAtOrAfter, lastQuoteAtOrBefore, type SymbolDay } from '../data/tape/tape.ts';
import type { ReconcileRow } from '../records/reconcile.ts';
import type { ParentTimeline, TimelineChild } from '../reports/fidelity/types.ts';
import { stepLabel } from '../reports/tables.ts';

/** At most this many quotes per timeline (evenly thinned beyond): a chart, not a dump. */
const MAX_QUOTES = 400;
const MARGIN_US = 2e6;

function children(r: ExecutionRecord, fallbackEndUs: number): TimelineChild[] {
  return r.children.map((c) => ({ fromUs: c.ackTsUs ?? c.sentTsUs, toUs: c.doneTsUs ?? fallbackEndUs, limitPrice: c.limitPrice }));
}

function endOf(r: ExecutionRecord): number {
  let end = r.endTsUs;
  for (const c of r.children) {
    if (c.doneTsUs !== null) end = Math.max(end, c.doneTsUs);
    for (const f of c.fills) end = Math.max(end, f.tsUs);
  }
  return end;
}

export function caption(row: ReconcileRow, progressiveSteps: number): string {
  const outcome = (status: string, s: number) => (s < 0 ? `${status}, nothing filled` : `${status}, last fill at ${stepLabel(s, progressiveSteps)}`);
  if (!row.stepAgree) return `live ${outcome(row.liveStatus, row.liveFillStep)}; simulated ${outcome(row.simStatus, row.simFillStep)}`;
  if (Number.isFinite(row.ttfDiffMs)) return `same step; time to fill differs by ${(row.ttfDiffMs / 1000).toFixed(3)} s (sim − live)`;
  return `same step; shortfall differs by ${row.shortfallDiffBps.toFixed(2)} bps (sim − live)`;
}

export function buildTimeline(
  row: ReconcileRow,
  live: ExecutionRecord,
  sim: ExecutionRecord,
  loadTape: (symbol: string, day: string) => SymbolDay | null,
  progressiveSteps: number,
): ParentTimeline {
  const startUs = live.arrivalTsUs - MARGIN_US;
  const endUs = Math.max(endOf(live), endOf(sim)) + MARGIN_US;
  const tape = loadTape(live.symbol, nyDay(live.arrivalTsUs));
  const quotes: ParentTimeline['quotes'] = [];
  if (tape) {
    const q = tape.quotes;
    const first = Math.max(0, lastQuoteAtOrBefore(q, startUs));
    const last = firstIndexAtOrAfter(q.ts.subarray(0, q.length), endUs);
    const stride = Math.max(1, Math.ceil((last - first) / MAX_QUOTES));
    for (let i = first; i < last; i += stride) quotes.push({ tsUs: Math.max(q.ts[i], startUs), bid: q.bid[i], ask: q.ask[i] });
    if (quotes.length > 0) quotes.push({ tsUs: endUs, bid: quotes[quotes.length - 1].bid, ask: quotes[quotes.length - 1].ask });
  }
  const fills = (r: ExecutionRecord) => r.children.flatMap((c) => c.fills.map((f) => ({ tsUs: f.tsUs, price: f.price, qty: f.qty })));
  return {
    clientOrderId: live.clientOrderId,
    symbol: live.symbol,
    side: live.side,
    qty: live.qty,
    arrivalTsUs: live.arrivalTsUs,
    caption: caption(row, progressiveSteps),
    quotes,
    liveChildren: children(live, endUs),
    simChildren: children(sim, endUs),
    liveFills: fills(live),
    simFills: fills(sim),
  };
}
