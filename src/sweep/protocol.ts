/**
 * Messages between the sweep's main thread and its workers (structured-clone friendly: the same
 * messages go to a worker thread's port or a child process's `advanced` IPC channel).
 */
import type { LadderConfig } from '../config.ts';
import type { ParentOrder } from '../engine/types.ts';
import type { SweepRow } from '../records/sweep-results.ts';

export interface WorkerInit {
  dataDir: string;
  /** The prescreened parents, identical in every cell (common random numbers). */
  parents: ParentOrder[];
  /** Analysis inputs (sweep/analysis.ts): the config seed, bootstrap replicates, arrival minutes. */
  seed: string | number;
  replicates: number;
  arrivalMinute: Float64Array;
}

export interface CellJob {
  index: number;
  id: string;
  assignments: Record<string, string | number | boolean>;
  config: LadderConfig;
}

/** Per-parent outcomes, aligned with WorkerInit.parents; NaN where undefined (nothing filled). */
export interface CellOutcome {
  index: number;
  id: string;
  filledQty: Float64Array;
  shortfallBps: Float64Array;
  vsFarTouchBps: Float64Array;
  timeToFillMs: Float64Array;
  fillStep: Int32Array;
  /** Wall time the cell took, ms (progress/ETA only; never written to results). */
  wallMs: number;
}

export type WorkerRequest =
  | { type: 'init'; init: WorkerInit }
  /** The baseline's outcome: from now on the worker analyzes each cell it runs. */
  | { type: 'baseline'; outcome: CellOutcome }
  | { type: 'cell'; job: CellJob }
  /** Analyze an outcome run before the baseline was known, resumed, or shared by two cells. */
  | { type: 'analyze'; job: CellJob; outcome: CellOutcome };

export type WorkerReply =
  | { type: 'ready' }
  /** `row` is null when the worker did not know the baseline yet (or for the baseline itself). */
  | { type: 'result'; outcome: CellOutcome; row: SweepRow | null }
  | { type: 'row'; row: SweepRow }
  | { type: 'error'; message: string; /** the user's input is at fault (InputError): no stack, exit 2 */ badInput: boolean };
