/** The run directory of a live run: the tape, OUT/orders.csv (the arrivals as run), then the backtest's files with run.json last. */
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { formatIsoUtcUs } from '../data/orders.ts';
import { ladderlabVersion, writeRunDir } from '../records/write.ts';
import { FEED_RECEIPTS_FILE } from '../records/feed-receipts.ts';
import { describeError as describe } from './describe-error.ts';
import type { LiveSession } from './run-setup.ts';

/** Write: the tape, the orders as run, then the run directory (run.json last). */
export function writeLiveRun(s: LiveSession, notStarted: string[], unconfirmed: string[]): Record<string, string> {
  const { config, endpoints, recorder, records, market } = s;
  const live = config.live;
  const outDir = resolve(s.options.outDir);
  const tapeDir = join(outDir, 'tape');
  const tapeDays = recorder ? recorder.write(tapeDir) : [];
  const rank = new Map((s.options.resume?.parents ?? s.parents).map((p, i) => [p.clientOrderId, i]));
  records.sort((a, b) => (rank.get(a.clientOrderId) ?? 0) - (rank.get(b.clientOrderId) ?? 0));
  writeOrdersCsv(join(outDir, 'orders.csv'), records, s.arrivals);
  writeFileAtomic(join(outDir, FEED_RECEIPTS_FILE), s.feedReceipts.toArrow());
  const files = writeRunDir(outDir, {
    records,
    manifest: {
      ladderlab: ladderlabVersion(),
      command: 'live',
      mode: endpoints.liveMoney ? 'live-money' : endpoints.loopback ? 'rehearsal' : 'paper',
      dataDir: recorder ? tapeDir : null,
      orders: { ...(s.options.ordersInfo ?? {}), asRun: join(outDir, 'orders.csv') },
      seed: config.seed,
      config,
      endpoints: { trading: endpoints.tradingUrl, data: endpoints.dataUrl, tradingStream: endpoints.tradingStreamUrl, dataStream: endpoints.dataStreamUrl },
      feed: live.feed,
      speed: live.speed,
      clock: live.clock,
      runTag: s.runTag,
      clientIdPrefix: `${live.client_id_prefix}${s.runTag}-`,
      interrupted: s.interrupted,
      error: s.fatalError === null ? null : describe(s.fatalError),
      notStarted,
      unconfirmedCancels: unconfirmed,
      reconciled: s.reconciled,
      tape: recorder ? { symbolDays: tapeDays, quotes: recorder.quoteCount, trades: recorder.tradeCount } : null,
      live: market.stats,
      quotes: market.quotes.stats,
    },
  });
  files['orders.csv'] = join(outDir, 'orders.csv');
  files[FEED_RECEIPTS_FILE] = join(outDir, FEED_RECEIPTS_FILE);
  if (recorder) files.tape = tapeDir;
  return files;
}

/** OUT/orders.csv: the parents as the engine got them (ts = the arrival it used), for a replay. */
function writeOrdersCsv(path: string, records: readonly ExecutionRecord[], arrivals: Map<string, number>): void {
  const lines = ['ts,symbol,side,qty,client_order_id'];
  for (const r of records) lines.push(`${formatIsoUtcUs(arrivals.get(r.clientOrderId) ?? r.arrivalTsUs)},${r.symbol},${r.side},${r.qty},${r.clientOrderId}`);
  writeFileAtomic(path, `${lines.join('\n')}\n`);
}
