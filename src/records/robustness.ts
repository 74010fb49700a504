/**
 * robustness.arrow: the same parents re-run under other fill models and latencies (the backtest's
 * robustness band), one row per scenario × parent, facts only (the report computes each
 * parent's implementation shortfall from them with the arrival quote of records.arrow):
 *   fill_model utf8, latency_ms float64 (entry, cancel and response each), client_order_id utf8,
 *   ladder_filled_qty, ladder_avg_price (null when nothing filled), ladder_end_ts timestamp[µs],
 *   baseline_filled_qty, baseline_avg_price, baseline_end_ts — the baseline run under the same scenario.
 */
import { Float64, TimestampMicrosecond, Utf8, makeData, makeVector, tableToIPC, Table, vectorFromArray, type Vector } from 'apache-arrow';
import { ArrowFile } from './arrow-file.ts';

/** What one parent did in one scenario, ladder and market-order baseline. */
export interface ScenarioOutcome {
  clientOrderId: string;
  ladder: { filledQty: number; avgPrice: number; endTsUs: number };
  baseline: { filledQty: number; avgPrice: number; endTsUs: number } | null;
}

export interface RobustnessScenario {
  fillModel: string;
  latencyMs: number;
  outcomes: ScenarioOutcome[];
}

const f64 = (values: (number | null)[]): Vector => vectorFromArray(values, new Float64());
const orNull = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

function tsUs(values: (number | null)[]): Vector {
  const data = new BigInt64Array(values.length);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) {
      nullCount++;
      return;
    }
    data[i] = BigInt(Math.round(v));
    validity[i >> 3] |= 1 << (i & 7);
  });
  return makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: values.length, nullCount, nullBitmap: nullCount > 0 ? validity : undefined, data }));
}

export function robustnessToArrow(scenarios: readonly RobustnessScenario[]): Uint8Array {
  const rows = scenarios.flatMap((s) => s.outcomes.map((o) => ({ s, o })));
  return tableToIPC(
    new Table({
      fill_model: vectorFromArray(rows.map((x) => x.s.fillModel), new Utf8()),
      latency_ms: f64(rows.map((x) => x.s.latencyMs)),
      client_order_id: vectorFromArray(rows.map((x) => x.o.clientOrderId), new Utf8()),
      ladder_filled_qty: f64(rows.map((x) => x.o.ladder.filledQty)),
      ladder_avg_price: f64(rows.map((x) => (x.o.ladder.filledQty > 0 ? orNull(x.o.ladder.avgPrice) : null))),
      ladder_end_ts: tsUs(rows.map((x) => orNull(x.o.ladder.endTsUs))),
      baseline_filled_qty: f64(rows.map((x) => (x.o.baseline ? x.o.baseline.filledQty : null))),
      baseline_avg_price: f64(rows.map((x) => (x.o.baseline && x.o.baseline.filledQty > 0 ? orNull(x.o.baseline.avgPrice) : null))),
      baseline_end_ts: tsUs(rows.map((x) => orNull(x.o.baseline?.endTsUs))),
    }),
    'file',
  );
}

/** The scenarios of a robustness.arrow, in file order. */
export function readRobustness(path: string): RobustnessScenario[] {
  const f = new ArrowFile(path);
  const models = f.requiredStrings('fill_model');
  const latency = f.requiredNumbers('latency_ms');
  const ids = f.requiredStrings('client_order_id');
  const lq = f.requiredNumbers('ladder_filled_qty');
  const lp = f.numbers('ladder_avg_price');
  const le = f.numbers('ladder_end_ts');
  const bq = f.numbers('baseline_filled_qty');
  const bp = f.numbers('baseline_avg_price');
  const be = f.numbers('baseline_end_ts');
  const out: RobustnessScenario[] = [];
  const byKey = new Map<string, RobustnessScenario>();
  for (let i = 0; i < f.rows; i++) {
    const key = `${models[i]}\u0000${latency[i]}`;
    let scenario = byKey.get(key);
    if (!scenario) {
      scenario = { fillModel: models[i], latencyMs: latency[i], outcomes: [] };
      byKey.set(key, scenario);
      out.push(scenario);
    }
    scenario.outcomes.push({
      clientOrderId: ids[i],
      ladder: { filledQty: lq[i], avgPrice: lp[i], endTsUs: le[i] },
      baseline: Number.isFinite(bq[i]) ? { filledQty: bq[i], avgPrice: bp[i], endTsUs: be[i] } : null,
    });
  }
  return out;
}
