/**
 * Where a live run sends what, and whether it may: paper by default; real money only with the
 * `--live-money` flag AND live keys (Alpaca key ids: `PK…` paper, `AK…` live); a speed other
 * than 1 only against loopback endpoints.
 */
import type { LiveConfig } from './config.ts';
import { InputError } from '../core/errors.ts';
import { assertSpeedAllowed, isLoopbackUrl } from './wall-clock.ts';

export const PAPER_TRADING_URL = 'https://paper-api.alpaca.markets';
export const LIVE_TRADING_URL = 'https://api.alpaca.markets';
export const DATA_URL = 'https://data.alpaca.markets';
export const DATA_STREAM_HOST = 'wss://stream.data.alpaca.markets';

export interface Endpoints {
  tradingUrl: string;
  dataUrl: string;
  tradingStreamUrl: string;
  dataStreamUrl: string;
  /** Real money: the live trading host with live keys and the flag. */
  liveMoney: boolean;
  /** Every endpoint is on this machine (a rehearsal against `serve`). */
  loopback: boolean;
}

export interface Keys {
  keyId: string;
  secret: string;
}

/** Keys only from the environment (never flags or config, so they never land in shell history or files). */
export function keysFromEnv(env: NodeJS.ProcessEnv = process.env): Keys {
  const keyId = env.APCA_API_KEY_ID ?? '';
  const secret = env.APCA_API_SECRET_KEY ?? '';
  const missing = [!keyId && 'APCA_API_KEY_ID', !secret && 'APCA_API_SECRET_KEY'].filter(Boolean);
  if (missing.length > 0) throw new InputError(`live needs Alpaca keys in the environment: set ${missing.join(' and ')}`);
  return { keyId, secret };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** http(s)://host[:port][/path] → ws(s)://host[:port]`path` */
function wsUrl(httpUrl: string, path: string): string {
  const u = new URL(httpUrl);
  const scheme = u.protocol === 'http:' ? 'ws:' : 'wss:';
  return `${scheme}//${u.host}${path}`;
}

/** Resolve and check every endpoint (InputError when the combination is not allowed). */
export function resolveEndpoints(live: LiveConfig, keys: Keys, flags: { liveMoney: boolean }): Endpoints {
  const tradingUrl = trimSlash(live.trading_url ?? (flags.liveMoney ? LIVE_TRADING_URL : PAPER_TRADING_URL));
  const dataUrl = trimSlash(live.data_url);
  const tradingStreamUrl = live.trading_stream_url ?? wsUrl(tradingUrl, '/stream');
  const dataStreamUrl = live.data_stream_url ?? (dataUrl === DATA_URL ? `${DATA_STREAM_HOST}/v2/${live.feed}` : wsUrl(dataUrl, `/v2/${live.feed}`));
  const all = [tradingUrl, dataUrl, tradingStreamUrl, dataStreamUrl];

  const toLiveHost = new URL(tradingUrl).host === new URL(LIVE_TRADING_URL).host;
  const liveKeys = keys.keyId.startsWith('AK');
  if (flags.liveMoney) {
    if (!toLiveHost) throw new InputError(`--live-money: live.trading_url ${tradingUrl} is not the live host ${LIVE_TRADING_URL}`);
    if (!liveKeys) throw new InputError('--live-money: APCA_API_KEY_ID is not a live key (live keys start with AK)');
  } else {
    if (toLiveHost) throw new InputError(`live.trading_url ${tradingUrl} is the real-money host: add --live-money (with live keys) to trade real money`);
    if (liveKeys && !all.every(isLoopbackUrl)) throw new InputError('APCA_API_KEY_ID is a live key: use paper keys, or --live-money to trade real money');
  }
  assertSpeedAllowed(live.speed, all);
  if (live.amend === 'replace' && !all.every(isLoopbackUrl)) {
    // The PATCH carries no qty so the venue sizes the replacement from its own fills (over-fill
    // impossible) — `serve` does; Alpaca gives a qty-less replacement the ORIGINAL qty
    // (alpacahq/Alpaca-API#165), which would buy or sell the old order's fills twice.
    throw new InputError('live.amend replace is only for a loopback rehearsal server: Alpaca does not deduct the old order\'s fills from a replacement (alpacahq/Alpaca-API#165), so a PATCH could over-fill; use live.amend: cancel_replace');
  }
  if (live.clock === 'lockstep' && !all.every(isLoopbackUrl)) {
    throw new InputError(`live.clock lockstep is only for a loopback rehearsal server (ladderlab serve --speed lockstep); not loopback: ${all.filter((u) => !isLoopbackUrl(u)).join(', ')}`);
  }
  return { tradingUrl, dataUrl, tradingStreamUrl, dataStreamUrl, liveMoney: flags.liveMoney, loopback: all.every(isLoopbackUrl) };
}
