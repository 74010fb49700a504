/**
 * `ladderlab ingest`: turn vendor ticks, plain CSV or saved Alpaca pages (`--from files`, the
 * default) or a download through the Alpaca SDK (`--from alpaca`) into the Arrow tape
 * (OUT/<SYMBOL>/<DAY>.{quotes,trades}.arrow) and print what was read, dropped and written.
 */
import type { CommandModule } from 'yargs';
import { InputError } from '../core/errors.ts';
import { ALPACA_DOWNLOAD_EPILOG, alpacaDownloadHandler, alpacaDownloadOptions, type AlpacaDownloadArgs } from './ingest-alpaca.ts';
import { basename } from 'node:path';
import { ingestBatch } from '../data/ingest/batch.ts';
import { parseColumnMap } from '../data/ingest/column-map.ts';
import { formatSummary } from '../data/ingest/summary.ts';
import { ingest, INGEST_FORMATS, type IngestFormat } from '../data/ingest/ingest.ts';
import { stderrProgress } from '../data/ingest/progress.ts';
import { stderrBar } from './progress-bar.ts';

const EPILOG = `Examples:
  ladderlab ingest --format vendor --out out/tape \\
    --quotes ../shared/data/equity-ticks/ibm_20131007_quote.zip \\
    --trades ../shared/data/equity-ticks/ibm_20131007_trade.zip
  ladderlab ingest --format vendor --in ../shared/data/equity-ticks --out out/tape   # every symbol-day in the folder
  ladderlab ingest --format csv --in 'ticks/*.csv.gz' --out out/tape                  # IBM_….quotes.csv.gz → IBM
  ladderlab ingest --format csv --symbol XYZ --quotes q.csv --trades t.csv --out out/tape
  ladderlab ingest --format alpaca --quotes p1.json p2.json --trades t1.json --out out/tape
  ladderlab ingest --format parquet --symbol XYZ --quotes q.parquet --columns ts=time,bid=bp,ask=ap --out out/tape

CSV ts: ISO 8601 (no zone = New York local time) or epoch numbers, unit by magnitude:
  < 1e11 seconds, < 1e14 ms, < 1e17 µs, else ns.
Trades are kept with an eligible flag: off-exchange (D) prints and special conditions are not.
Locked and crossed quotes are kept as the market showed them and counted; they are never priced
from or filled against. Bad rows stop the ingest (exit 2) naming file, row and field, unless
--skip-bad-rows; nothing is written until every row has been read.

${ALPACA_DOWNLOAD_EPILOG}`;

interface IngestArgs extends AlpacaDownloadArgs {
  from: 'files' | 'alpaca';
  format?: IngestFormat;
  quotes?: string[];
  trades?: string[];
  symbol?: string;
  day?: string;
  columns?: string[];
  in?: string[];
}

export const ingestCommand: CommandModule<object, IngestArgs> = {
  command: 'ingest',
  describe: 'Convert tick data (vendor zips, CSV, Alpaca JSON pages, or an Alpaca download) into the Arrow tape',
  builder: (y) =>
    alpacaDownloadOptions(y)
      .option('from', { choices: ['files', 'alpaca'] as const, default: 'files' as const, describe: 'files: read --quotes/--trades in --format; alpaca: download through the SDK' })
      .option('format', {
        choices: INGEST_FORMATS,
        describe:
          'vendor: the zipped tick CSVs of ../shared/data/equity-ticks (NBBO rebuilt from one-sided updates); ' +
          'csv: header ts,bid,ask,bid_size,ask_size / ts,price,size[,exchange][,eligible]; ' +
          'parquet: the same columns in a Parquet file; ' +
          'alpaca: saved GET /v2/stocks/{quotes,trades} JSON pages',
      })
      .option('in', { type: 'string', array: true, describe: 'folders (recursive) and globs: every file of --format, quotes or trades by "quote"/"trade" in its name, grouped per symbol-day (vendor) or symbol (csv/parquet)' })
      .option('quotes', { type: 'string', array: true, describe: 'quotes file(s), read in order (.zip/.gz ok)' })
      .option('trades', { type: 'string', array: true, describe: 'trades file(s), read in order; none → empty trades tape' })
      .option('symbol', { type: 'string', describe: 'symbol (vendor: from the file name; alpaca: the page’s only symbol; csv/parquet: required)' })
      .option('day', { type: 'string', describe: 'New York date YYYY-MM-DD (vendor: from the file name; csv/alpaca: keep only this day, else write every day found)' })
      .option('out', { type: 'string', demandOption: true, describe: 'tape directory; writes OUT/<SYMBOL>/<DAY>.quotes.arrow and .trades.arrow' })
      .option('skip-bad-rows', { type: 'boolean', default: false, describe: 'drop bad rows and count them per reason instead of stopping (exit 2)' })
      .option('quote-size-multiplier', { type: 'number', describe: 'alpaca: multiply every quote size by this (default by date: Alpaca sizes are round lots of 100 before 2025-11-03, shares after; 1 for ladderlab serve)' })
      .option('columns', { type: 'string', array: true, describe: 'csv/parquet: the file\'s names for tape columns, TAPE=FILE comma-separated (e.g. ts=time,bid=bid_px,bid_size=bid_sz)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
      .epilog(EPILOG) as never,
  handler: async (args) => {
    if (args.from === 'alpaca') return alpacaDownloadHandler(args);
    if (!args.format) throw new InputError('ingest needs --format vendor|csv|parquet|alpaca (or --from alpaca to download)');
    const base = {
      format: args.format,
      symbol: args.symbol,
      day: args.day,
      out: args.out,
      skipBadRows: args['skip-bad-rows'],
      quoteSizeMultiplier: args['quote-size-multiplier'],
      columns: parseColumnMap(args.columns),
    };
    if (args.in?.length) {
      if (args.quotes?.length || args.trades?.length) throw new InputError('--in: give folders/globs with --in, or files with --quotes/--trades, not both');
      const bar = stderrBar('ingest [{bar}] {value}/{total} files | {file}');
      let summaries;
      try {
        summaries = await ingestBatch(base, args.in, (done, total, file) => bar.update(done, total, { file: basename(file) }));
      } finally {
        bar.stop();
      }
      process.stdout.write(args.json ? `${JSON.stringify(summaries, null, 2)}\n` : summaries.map(formatSummary).join(''));
      return;
    }
    if (!args.quotes?.length) throw new InputError('ingest needs --quotes FILE… (or --in FOLDER|GLOB…)');
    const summary = await ingest({ ...base, quotes: args.quotes, trades: args.trades, progress: stderrProgress() });
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  },
};
