/**
 * `ladderlab ingest-alpaca`: download historical quotes and trades from Alpaca (or from
 * `ladderlab serve`, via --base-url) through the SDK and write the Arrow tape.
 * (The `--from alpaca` form of `ingest` is this command; see the report of issue 8.)
 */
import type { CommandModule } from 'yargs';
import { InputError } from '../engine/errors.ts';
import { ALPACA_DATA_URL, DEFAULT_PAGE_LIMIT, downloadAlpaca, pageProgress } from '../sim/ingest/alpaca-download.ts';
import { formatSummary } from '../sim/ingest/summary.ts';

interface IngestAlpacaArgs {
  symbols: string[];
  start: string;
  end?: string;
  feed: 'sip' | 'iex';
  out: string;
  'base-url': string;
  'page-limit': number;
  'quote-size-multiplier': number;
  'skip-bad-rows': boolean;
  json: boolean;
}

const EPILOG = `Keys come from APCA_API_KEY_ID and APCA_API_SECRET_KEY (never from flags).
Examples:
  ladderlab ingest-alpaca --symbols AAPL MSFT --start 2024-03-05 --feed sip --out out/tape
  ladderlab ingest-alpaca --symbols XYZ --start 2024-03-05 --base-url http://127.0.0.1:8765 --out out/copy
The iex feed is ONE venue's quote (IEX), not the national best bid and offer: spreads and mids
differ from the consolidated (sip) quote.`;

export const ingestAlpacaCommand: CommandModule<object, IngestAlpacaArgs> = {
  command: 'ingest-alpaca',
  describe: 'Download quotes and trades from Alpaca (or ladderlab serve) into the Arrow tape',
  builder: (y) =>
    y
      .option('symbols', { type: 'string', array: true, demandOption: true, describe: 'symbols (space- or comma-separated)' })
      .option('start', { type: 'string', demandOption: true, describe: 'New York date YYYY-MM-DD or RFC 3339 time' })
      .option('end', { type: 'string', describe: 'New York date (inclusive) or RFC 3339 time; default = --start' })
      .option('feed', { choices: ['sip', 'iex'] as const, default: 'sip' as const, describe: 'sip: consolidated; iex: one venue (not the NBBO)' })
      .option('out', { type: 'string', demandOption: true, describe: 'tape directory; writes OUT/<SYMBOL>/<DAY>.{quotes,trades}.arrow' })
      .option('base-url', { type: 'string', default: ALPACA_DATA_URL, describe: 'market-data REST base URL (http://127.0.0.1:PORT for serve)' })
      .option('page-limit', { type: 'number', default: DEFAULT_PAGE_LIMIT, describe: 'rows per page (1–10000)' })
      .option('quote-size-multiplier', { type: 'number', default: 1, describe: 'multiply quote sizes (100 when the feed reports round lots)' })
      .option('skip-bad-rows', { type: 'boolean', default: false, describe: 'drop bad rows and count them instead of stopping (exit 2)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summaries as JSON' })
      .epilog(EPILOG) as never,
  handler: async (args) => {
    const keyId = process.env.APCA_API_KEY_ID ?? '';
    const secret = process.env.APCA_API_SECRET_KEY ?? '';
    if (!keyId || !secret) throw new InputError('ingest-alpaca needs APCA_API_KEY_ID and APCA_API_SECRET_KEY in the environment');
    const symbols = args.symbols.flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
    if (args.feed === 'iex') process.stderr.write('ingest-alpaca: feed iex is one venue’s quote, not the national best bid and offer\n');
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
  },
};
