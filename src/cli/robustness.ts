/**
 * The backtest's robustness band: the same parents re-run through the simulator (ladder and
 * market-order baseline) under each fill model × each latency stress (entry, cancel and response
 * set to L ms; jitter and feed as configured). The outcomes go to robustness.arrow
 * (records/robustness.ts); the report turns them into the robustness table. Runs here, in the CLI
 * layer, because reports never import the simulator.
 */
import type { LadderConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import type { ExecutionRecord, ParentOrder } from '../engine/types.ts';
import type { RobustnessScenario, ScenarioOutcome } from '../records/robustness.ts';
import { runBacktest, type TapeSource } from '../sim/backtest.ts';
import { cachingTapeSource } from '../sweep/cell.ts';
import { FILL_MODEL_NAMES } from '../sim/fill/model.ts';

/** Fill models a robustness row may use (every model; `intensity` keeps the run's own, e.g. calibrated, parameters). */
export const FILL_MODELS = FILL_MODEL_NAMES;
/** The stress models by default; the run's own model is added when it is not one of them (stressModels). */
export const DEFAULT_STRESS_FILL_MODELS = ['through', 'touch', 'queue'] as const;
export const DEFAULT_STRESS_LATENCY_MS = [0, 50, 250];

/**
 * The fill models of the band: the ones asked for, or by default the three stress models plus the
 * run's own model when it is another one — a run on a calibrated `intensity` model then sees its
 * own verdict in the band beside the stress models.
 */
export function stressModels(asked: string | undefined, runModel: string): (typeof FILL_MODELS)[number][] {
  if (asked !== undefined) return parseFillModels(asked);
  const models: (typeof FILL_MODELS)[number][] = [...DEFAULT_STRESS_FILL_MODELS];
  if (!(models as string[]).includes(runModel)) models.push(runModel as (typeof FILL_MODELS)[number]);
  return models;
}

/** "0,50,250" → [0, 50, 250]; anything else is bad input naming the flag. */
export function parseLatencyList(text: string, flag = '--stress-latency-ms'): number[] {
  const values = text.split(',').map((s) => s.trim());
  const out = values.map(Number);
  if (values.some((s) => s === '') || out.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new InputError(`${flag} ${text}: need comma-separated milliseconds ≥ 0, e.g. 0,50,250`);
  }
  return out;
}

/** "through,touch" → the fill models; an unknown name is bad input. */
export function parseFillModels(text: string, flag = '--stress-fill-models'): (typeof FILL_MODELS)[number][] {
  const names = text.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(FILL_MODELS as readonly string[]).includes(n)) throw new InputError(`${flag} ${text}: "${n}" is not one of ${FILL_MODELS.join(', ')}`);
  }
  return names as (typeof FILL_MODELS)[number][];
}

/** The config of one scenario: the run's config with its fill model and latencies replaced. */
export function scenarioConfig(config: LadderConfig, fillModel: string, latencyMs: number): LadderConfig {
  const c = structuredClone(config);
  c.sim.fill_model = fillModel as LadderConfig['sim']['fill_model'];
  for (const channel of ['entry', 'cancel', 'response'] as const) c.sim.latency[channel].ms = latencyMs;
  return c;
}

function outcomes(ladder: readonly ExecutionRecord[], baseline: readonly ExecutionRecord[]): ScenarioOutcome[] {
  // A parent the risk checks rejected in this scenario never traded: it has no outcome.
  const byId = new Map(baseline.filter((b) => b.status !== 'rejected').map((b) => [b.clientOrderId, b]));
  return ladder.filter((r) => r.status !== 'rejected').map((r) => {
    const b = byId.get(r.clientOrderId);
    return {
      clientOrderId: r.clientOrderId,
      ladder: { filledQty: r.filledQty, avgPrice: r.avgPrice, endTsUs: r.endTsUs },
      baseline: b ? { filledQty: b.filledQty, avgPrice: b.avgPrice, endTsUs: b.endTsUs } : null,
    };
  });
}

/** Every fill model × latency, ladder and baseline; `onScenario` after each (progress). */
export function runRobustness(
  config: LadderConfig,
  tapes: TapeSource,
  parents: readonly ParentOrder[],
  grid: { fillModels: readonly string[]; latenciesMs: readonly number[] },
  onScenario: (done: number, total: number) => void = () => {},
): RobustnessScenario[] {
  const source = cachingTapeSource(tapes);
  const total = grid.fillModels.length * grid.latenciesMs.length;
  const out: RobustnessScenario[] = [];
  for (const fillModel of grid.fillModels) {
    for (const latencyMs of grid.latenciesMs) {
      const c = scenarioConfig(config, fillModel, latencyMs);
      const ladder = runBacktest({ config: c, tapes: source, parents }).records;
      const baseline = runBacktest({ config: c, tapes: source, parents, marketOnly: true }).records;
      out.push({ fillModel, latencyMs, outcomes: outcomes(ladder, baseline) });
      onScenario(out.length, total);
    }
  }
  return out;
}
