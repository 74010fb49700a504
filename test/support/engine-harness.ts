/** An engine on the scripted clock and market, with a one-call way to start a parent. */
import { parseConfig, type LadderConfig } from '../../src/config.ts';
import { LadderEngine } from '../../src/engine/engine.ts';
import type { ExecutionRecord, Side } from '../../src/engine/types.ts';
import { ScriptedClock, ScriptedMarket, T0 } from './scripted.ts';

export function harness(rawConfig: Record<string, unknown> = {}, engineOptions: { amend?: 'cancel_replace' | 'replace' } = {}) {
  const config: LadderConfig = parseConfig(rawConfig);
  const clock = new ScriptedClock(T0);
  const market = new ScriptedMarket(clock);
  const records: ExecutionRecord[] = [];
  const engine = new LadderEngine({ clock, market, config, onRecord: (r) => records.push(r), ...engineOptions });
  let seq = 0;
  const submit = (symbol: string, side: Side, qty: number, clientOrderId = `P${++seq}`) => {
    engine.submit({ clientOrderId, symbol, side, qty, arrivalTsUs: clock.nowUs() });
    return clientOrderId;
  };
  return { config, clock, market, engine, records, submit };
}
