/**
 * Load a backtest run directory back into ExecutionRecords (the type every market produces):
 *   records.arrow   one row per parent        children.arrow  one row per child
 *   fills.arrow     one row per fill          run.json        config, data dir, seed, counts
 *   baseline.arrow  optional: the same parents as market steps at arrival (records.arrow schema)
 * Children link to parents by client_order_id, fills to children by child_id.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { type LadderConfig, defaultConfig, parseConfig } from '../config.ts';
import { InputError } from '../core/errors.ts';
import type { ChildRecord, ChildStatus, EndReason, ExecutionRecord, FillRecord, ParentStatus } from '../engine/types.ts';
import { ArrowFile } from './arrow-file.ts';
import { type RobustnessScenario, readRobustness } from './robustness.ts';

const SIDES = ['buy', 'sell'] as const;
const PARENT_STATUSES: readonly ParentStatus[] = ['filled', 'partial', 'unfilled', 'rejected'];
const CHILD_STATUSES: readonly ChildStatus[] = ['pending_new', 'working', 'filled', 'canceled', 'rejected'];

export interface RunData {
  runDir: string;
  /** run.json as written by the backtest. */
  runInfo: Record<string, unknown>;
  config: LadderConfig;
  seed: string | number;
  /** Directory of the tape the run replayed (absolute), or null when run.json names none. */
  dataDir: string | null;
  records: ExecutionRecord[];
  /** Market-order baseline, or null when the run has no baseline.arrow. */
  baseline: ExecutionRecord[] | null;
  /** The robustness band, or null when the run has no robustness.arrow. */
  robustness: RobustnessScenario[] | null;
}

function nullable(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Parents of records.arrow / baseline.arrow, without children. */
export function readParents(path: string): ExecutionRecord[] {
  const f = new ArrowFile(path);
  const ids = f.requiredStrings('client_order_id');
  const symbols = f.requiredStrings('symbol');
  const sides = f.strings('side');
  const statuses = f.strings('status');
  const reasons = f.has('reason') ? f.strings('reason') : new Array<string | null>(f.rows).fill(null);
  const qty = f.requiredNumbers('qty');
  const filledQty = f.requiredNumbers('filled_qty');
  const arrivalTs = f.requiredNumbers('arrival_ts');
  const bid = f.numbers('arrival_bid');
  const ask = f.numbers('arrival_ask');
  const bidSize = f.numbers('arrival_bid_size');
  const askSize = f.numbers('arrival_ask_size');
  const avgPrice = f.numbers('avg_price');
  const fillStep = f.numbers('fill_step');
  const timeToFillMs = f.numbers('time_to_fill_ms');
  const endTs = f.numbers('end_ts');
  const stepPercentages = f.numberLists('step_percentages');
  const out: ExecutionRecord[] = [];
  for (let i = 0; i < f.rows; i++) {
    out.push({
      clientOrderId: ids[i],
      symbol: symbols[i],
      side: f.enumAt('side', sides, i, SIDES),
      qty: qty[i],
      filledQty: filledQty[i],
      arrivalTsUs: arrivalTs[i],
      arrivalBid: bid[i],
      arrivalAsk: ask[i],
      arrivalBidSize: bidSize[i],
      arrivalAskSize: askSize[i],
      avgPrice: avgPrice[i],
      fillStep: Number.isFinite(fillStep[i]) ? fillStep[i] : -1,
      timeToFillUs: timeToFillMs[i] * 1000,
      endTsUs: Number.isFinite(endTs[i]) ? endTs[i] : arrivalTs[i],
      status: f.enumAt('status', statuses, i, PARENT_STATUSES),
      reason: reasons[i] as EndReason | null,
      stepPercentages: stepPercentages[i],
      children: [],
    });
  }
  return out;
}

/** Attach children.arrow and fills.arrow to their parents (in file order). */
export function attachChildren(parents: ExecutionRecord[], childrenPath: string, fillsPath: string): void {
  const byParent = new Map(parents.map((p) => [p.clientOrderId, p]));
  const c = new ArrowFile(childrenPath);
  const parentIds = c.requiredStrings('client_order_id');
  const childIds = c.requiredStrings('child_id');
  const step = c.requiredNumbers('step');
  const isMarket = c.booleans('is_market_step');
  const limit = c.requiredNumbers('limit_price');
  const qty = c.requiredNumbers('qty');
  const sentTs = c.requiredNumbers('sent_ts');
  const ackTs = c.numbers('ack_ts');
  // Receipt times (calibrate's response latency): absent in run directories written before them.
  const ackRecvTs = c.has('ack_recv_ts') ? c.numbers('ack_recv_ts') : null;
  const cancelTs = c.numbers('cancel_sent_ts');
  const doneTs = c.numbers('done_ts');
  const statuses = c.strings('status');
  const sentBid = c.numbers('sent_bid');
  const sentAsk = c.numbers('sent_ask');
  const filled = c.numbers('filled_qty');
  const rejectReasons = c.has('reject_reason') ? c.strings('reject_reason') : null;
  const replaces = c.has('replaces') ? c.strings('replaces') : null;
  const stepsKept = c.numberLists('steps_kept');
  const byChild = new Map<string, ChildRecord>();
  for (let i = 0; i < c.rows; i++) {
    const parent = byParent.get(parentIds[i]);
    if (!parent) throw new InputError(`${childrenPath}: row ${i}, field "client_order_id": ${parentIds[i]} is not in records.arrow`);
    const child: ChildRecord = {
      clientOrderId: childIds[i],
      step: step[i],
      stepsKept: stepsKept[i],
      isMarketStep: isMarket[i],
      limitPrice: limit[i],
      qty: qty[i],
      sentTsUs: sentTs[i],
      ackTsUs: nullable(ackTs[i]),
      ...(ackRecvTs ? { ackRecvTsUs: nullable(ackRecvTs[i]) } : {}),
      cancelSentTsUs: nullable(cancelTs[i]),
      doneTsUs: nullable(doneTs[i]),
      status: c.enumAt('status', statuses, i, CHILD_STATUSES),
      sentBid: sentBid[i],
      sentAsk: sentAsk[i],
      filledQty: Number.isFinite(filled[i]) ? filled[i] : 0,
      rejectReason: rejectReasons ? rejectReasons[i] : null,
      ...(replaces?.[i] ? { replaces: replaces[i]! } : {}),
      fills: [],
    };
    parent.children.push(child);
    byChild.set(child.clientOrderId, child);
  }
  const f = new ArrowFile(fillsPath);
  const fillChild = f.requiredStrings('child_id');
  const execIds = f.requiredStrings('exec_id');
  const ts = f.requiredNumbers('ts');
  const price = f.requiredNumbers('price');
  const fillQty = f.requiredNumbers('qty');
  const fillStep = f.requiredNumbers('step');
  const recvTs = f.has('recv_ts') ? f.numbers('recv_ts') : null;
  for (let i = 0; i < f.rows; i++) {
    const child = byChild.get(fillChild[i]);
    if (!child) throw new InputError(`${fillsPath}: row ${i}, field "child_id": ${fillChild[i]} is not in children.arrow`);
    const fill: FillRecord = { execId: execIds[i], tsUs: ts[i], price: price[i], qty: fillQty[i], step: fillStep[i] };
    if (recvTs && Number.isFinite(recvTs[i])) fill.recvTsUs = recvTs[i];
    child.fills.push(fill);
  }
}

function readRunJson(runDir: string): Record<string, unknown> {
  const path = join(runDir, 'run.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read (${(err as Error).message}); is ${runDir} a backtest output directory?`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new InputError(`${path}: invalid JSON (${(err as Error).message})`);
  }
}

function firstString(obj: Record<string, unknown>, keys: string[]): string | null {
  for (const k of keys) {
    const v = obj[k];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return null;
}

/** Everything a report needs from a run directory. */
export function loadRun(runDir: string): RunData {
  const dir = resolve(runDir);
  const runInfo = readRunJson(dir);
  const config = runInfo.config === undefined ? defaultConfig() : parseConfig(runInfo.config, join(dir, 'run.json#config'));
  const seedRaw = runInfo.seed;
  const seed = typeof seedRaw === 'number' || typeof seedRaw === 'string' ? seedRaw : config.seed;
  const dataDirRaw = firstString(runInfo, ['dataDir', 'data_dir', 'data']);
  const dataDir = dataDirRaw === null ? null : isAbsolute(dataDirRaw) ? dataDirRaw : resolve(dir, dataDirRaw);
  const records = readParents(join(dir, 'records.arrow'));
  attachChildren(records, join(dir, 'children.arrow'), join(dir, 'fills.arrow'));
  const baselinePath = join(dir, 'baseline.arrow');
  const baseline = existsSync(baselinePath) ? readParents(baselinePath) : null;
  // Runs written before the baseline kept its children have parents only.
  if (baseline && existsSync(join(dir, 'baseline_children.arrow'))) attachChildren(baseline, join(dir, 'baseline_children.arrow'), join(dir, 'baseline_fills.arrow'));
  const robustnessPath = join(dir, 'robustness.arrow');
  const robustness = existsSync(robustnessPath) ? readRobustness(robustnessPath) : null;
  return { runDir: dir, runInfo, config, seed, dataDir, records, baseline, robustness };
}
