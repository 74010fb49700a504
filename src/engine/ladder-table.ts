/** Plain-text step tables (demo, `ladderlab ladder`). */
import type { EngineConfig } from './config.ts';
import { ladderParams, ladderTable, marketStepPrice, spreadPct, type StepQuote } from './ladder.ts';
import { makeTickTable } from './ticks.ts';
import type { Side } from './types.ts';

export function formatLadderTables(symbol: string, quote: StepQuote, config: EngineConfig): string {
  const params = ladderParams(config.execution);
  const ticks = makeTickTable(config.ticks.overrides);
  const tickUnits = ticks.tickUnits(symbol, (quote.bid + quote.ask) / 2);
  const lines: string[] = [];
  const spread = spreadPct(quote.bid, quote.ask);
  lines.push(`${symbol}  bid ${quote.bid.toFixed(2)}  ask ${quote.ask.toFixed(2)}  spread ${spread.toFixed(3)} %`);
  for (const side of ['buy', 'sell'] as Side[]) {
    const timeout = side === 'buy' ? config.execution.step_timeout_buy : config.execution.step_timeout_sell;
    lines.push(`  ${side}  (step every ${timeout} s)`);
    lines.push('    step   p %     target     limit');
    for (const row of ladderTable(quote, side, params, tickUnits)) {
      lines.push(
        `    ${String(row.step + 1).padStart(4)}  ${row.stepPercentage.toFixed(1).padStart(4)}  ${row.target.toFixed(4).padStart(9)}  ${row.price.toFixed(tickUnits < 100 ? 4 : 2).padStart(8)}`,
      );
    }
    const market = marketStepPrice(quote, side, { ticks: config.execution.market_step.collar_ticks, bps: config.execution.market_step.collar_bps }, tickUnits);
    lines.push(`    market step: marketable limit ${market.toFixed(tickUnits < 100 ? 4 : 2)} (far touch ± collar)`);
  }
  return lines.join('\n') + '\n';
}
