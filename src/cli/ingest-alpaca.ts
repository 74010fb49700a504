/**
 * `ladderlab ingest --from alpaca`: download historical quotes and trades from Alpaca (or from
 * `ladderlab serve`, via --base-url) through the SDK and write the Arrow tape. The options and
 * handler live here; src/cli/ingest.ts routes `--from alpaca` to them.
 */
import type { Argv } from 'yargs';
import { InputError } from '../core/errors.ts';
import { ALPACA_DATA_URL, DEFAULT_PAGE_LIMIT, downloadAlpaca, pageProgress } from '../data/ingest/alpaca-download.ts';
import { formatSummary } from '../data/ingest/summary.ts';

export interface AlpacaDownloadArgs {
  symbols?: string[];
  start?: string;
  end?: string;
  feed: 'sip' | 'iex';
  out: string;
  'base-url': string;
  'page-limit': number;
  'quote-size-multiplier'?: number;
  'allow-partial': boolean;
  'skip-bad-rows': boolean;
  json: boolean;
}

export const ALPACA_DOWNLOAD_EPILOG = `--from alpaca: keys come from APCA_API_KEY_ID and APCA_API_SECRET_KEY (never from flags).
  ladderlab ingest --from alpaca --symbols AAPL MSFT --start 2024-03-05 --feed sip --out out/tape
  ladderlab ingest --from alpaca --symbols XYZ --start 2024-03-05 --base-url http://127.0.0.1:8765 --out out/copy
The iex feed is ONE venue's quote (IEX), not the national best bid and offer: spreads and mids
differ from the consolidated (sip) quote.`;

/** The download's own options (the shared ones — out, skip-bad-rows, json, quote-size-multiplier — are ingest's). */
export function alpacaDownloadOptions<T>(y: Argv<T>) {
  return y
    .option('symbols', { type: 'string', array: true, describe: '--from alpaca: symbols (space- or comma-separated)' })
    .option('start', { type: 'string', describe: '--from alpaca: New York date YYYY-MM-DD or RFC 3339 time' })
    .option('end', { type: 'string', describe: '--from alpaca: New York date (inclusive) or RFC 3339 time; default = --start' })
    .option('feed', { choices: ['sip', 'iex'] as const, default: 'sip' as const, describe: '--from alpaca: sip consolidated; iex one venue (not the NBBO)' })
    .option('base-url', { type: 'string', default: ALPACA_DATA_URL, describe: '--from alpaca: market-data REST base URL (http://127.0.0.1:PORT for serve)' })
    .option('page-limit', { type: 'number', default: DEFAULT_PAGE_LIMIT, describe: '--from alpaca: rows per page (1–10000)' })
    .option('allow-partial', { type: 'boolean', default: false, describe: '--from alpaca: keep a download that ends well before --end (warned), instead of exit 2' });
}

export async function alpacaDownloadHandler(args: AlpacaDownloadArgs): Promise<void> {
  if (!args.symbols?.length) throw new InputError('--from alpaca needs --symbols');
  if (!args.start) throw new InputError('--from alpaca needs --start');
  const keyId = process.env.APCA_API_KEY_ID ?? '';
  const secret = process.env.APCA_API_SECRET_KEY ?? '';
  if (!keyId || !secret) throw new InputError('ingest --from alpaca needs APCA_API_KEY_ID and APCA_API_SECRET_KEY in the environment');
  const symbols = args.symbols.flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
  if (args.feed === 'iex') process.stderr.write('ingest: feed iex is one venue’s quote, not the national best bid and offer\n');
  const progress = pageProgress();
  let result;
  try {
    result = await downloadAlpaca({
      symbols,
      start: args.start,
      end: args.end ?? args.start,
      feed: args.feed,
      out: args.out,
      keys: { keyId, secret },
      baseUrl: args['base-url'],
      pageLimit: args['page-limit'],
      quoteSizeMultiplier: args['quote-size-multiplier'],
      skipBadRows: args['skip-bad-rows'],
      allowPartial: args['allow-partial'],
      onPage: progress.onPage,
    });
  } finally {
    progress.stop();
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  for (const summary of result.summaries) process.stdout.write(formatSummary(summary));
  for (const symbol of result.empty) process.stdout.write(`${symbol}: no quotes between ${args.start} and ${args.end ?? args.start} (nothing written)\n`);
  process.stdout.write(`${result.pages} pages downloaded from ${args['base-url']}\n`);
}
