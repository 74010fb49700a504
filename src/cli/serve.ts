/**
 * `ladderlab serve`: an Alpaca-compatible server on 127.0.0.1 that replays a tape and fills orders
 * with the simulator (src/serve). Runs until Ctrl-C / SIGTERM.
 */
import type { CommandModule } from 'yargs';
import { defaultConfig, loadConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import { resolveKeyPair } from '../serve/auth.ts';
import { closedUntilUs } from '../serve/faults.ts';
import { parseSelection, replaySelection } from '../data/catalogue.ts';
import { startServe } from '../serve/server.ts';
import { rfc3339Seconds } from '../serve/wire.ts';

interface ServeArgs {
  from?: string;
  to?: string;
  data: string;
  day?: string;
  symbols?: string;
  speed?: string;
  port?: number;
  start?: string;
  config?: string;
  'key-id'?: string;
  secret?: string;
}

const EPILOG = `Point the SDK at it:
  REST (trading and market data)   http://127.0.0.1:PORT       (Configuration basePath, or a middleware)
  trading stream                   ws://127.0.0.1:PORT/stream
  market-data stream               ws://127.0.0.1:PORT/v2/sip  (also /v2/iex: the same tape)
Clients must present the key pair given here (--key-id/--secret or APCA_API_KEY_ID/APCA_API_SECRET_KEY).

Admin endpoint (same keys): GET /admin/status, GET|POST|DELETE /admin/faults (keys of serve.faults),
POST /admin/advance {"ms": N} (moves virtual time; the only clock at --speed 0),
POST /admin/drop-data-stream, POST /admin/lockstep (at --speed lockstep: the client moves time;
see README "Lockstep rehearsal").

Examples:
  ladderlab serve --data out/tape --speed 10
  ladderlab serve --data out/tape --day 2013-10-07 --symbols IBM --speed max --port 0
  ladderlab serve --data out/tape --speed lockstep --port 0`;

/** `--speed`: a number ≥ 0, `max` or `lockstep`. */
export function parseSpeed(text: string): number | 'max' | 'lockstep' {
  if (text === 'max' || text === 'lockstep') return text;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new InputError(`--speed ${text}: expected a number ≥ 0, max or lockstep`);
  return n;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Alpaca-compatible server on 127.0.0.1: replays a tape, fills with the simulator',
  builder: (y) =>
    y
      .option('data', { type: 'string', demandOption: true, describe: 'tape directory (DIR/<SYMBOL>/<DAY>.{quotes,trades}.arrow)' })
      .option('day', { type: 'string', describe: 'New York date to replay (default: the earliest in --data)' })
      .option('symbols', { type: 'string', describe: 'comma-separated symbols (default: every symbol with a tape that day)' })
      .option('from', { type: 'string', describe: 'with no --day: replay the earliest selected day on or after this New York date' })
      .option('to', { type: 'string', describe: 'with no --day: only days up to this New York date' })
      .option('speed', { type: 'string', describe: 'virtual seconds per wall second, 0 = paused, max, or lockstep (time moved by the client) (default serve.speed)' })
      .option('port', { type: 'number', describe: 'port on 127.0.0.1, 0 = any free one (default serve.port)' })
      .option('start', { type: 'string', describe: 'New York time HH:MM[:SS] where the replay starts (default serve.start)' })
      .option('config', { type: 'string', describe: 'YAML config (fill model, latency, serve.*)' })
      .option('key-id', { type: 'string', describe: 'key id clients must present (default $APCA_API_KEY_ID)' })
      .option('secret', { type: 'string', describe: 'secret clients must present (default $APCA_API_SECRET_KEY; never printed)' })
      .epilog(EPILOG) as never,
  handler: async (args) => {
    const keys = resolveKeyPair({ keyId: args['key-id'], secret: args.secret });
    const config = args.config ? loadConfig(args.config) : defaultConfig();
    if (args.start !== undefined) {
      if (!/^\d{2}:\d{2}(:\d{2})?$/.test(args.start)) throw new InputError(`--start ${args.start}: expected a New York time HH:MM[:SS]`);
      config.serve.start = args.start;
    }
    if (args.port !== undefined && !(Number.isInteger(args.port) && args.port >= 0 && args.port <= 65535)) throw new InputError(`--port ${args.port}: expected 0–65535`);
    const speed = args.speed !== undefined ? parseSpeed(args.speed) : config.serve.speed;
    const { day, symbols } = replaySelection(args.data, parseSelection(args), args.day);
    const srv = await startServe({ dir: args.data, config, keys, port: args.port, day, symbols, speed });
    const v = srv.venue;
    const closed = config.serve.faults.market_closed_until;
    process.stdout.write(
      [
        `ladderlab serve: replaying ${args.data} — ${v.day}, ${v.symbols.join(' ')} — speed ${speed} from ${rfc3339Seconds(v.nowUs())}`,
        `  REST            ${srv.baseUrl}`,
        `  trading stream  ${srv.tradingStreamUrl}`,
        `  data stream     ${srv.dataStreamUrl('sip')}  (/v2/iex serves the same tape)`,
        `  key id          ${keys.keyId} (secret not shown)`,
        `  fill model      ${config.sim.fill_model}, latency entry ${config.sim.latency.entry.ms} ms / response ${config.sim.latency.response.ms} ms / feed ${config.sim.latency.feed.ms} ms`,
        ...(closed ? [`  fault           market closed until ${rfc3339Seconds(closedUntilUs(closed, v.day))}`] : []),
        '  Ctrl-C stops.',
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await srv.close();
    process.stdout.write('ladderlab serve: stopped\n');
  },
};
