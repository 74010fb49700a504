/** Messages between the sweep's main thread and its workers (structured-clone friendly). */
import type { LadderConfig } from '../config.ts';
import type { ParentOrder } from '../engine/types.ts';

export interface WorkerInit {
  dataDir: string;
  /** The prescreened parents, identical in every cell (common random numbers). */
  parents: ParentOrder[];
}

export interface CellJob {
  index: number;
  id: string;
  config: LadderConfig;
}

/** Per-parent outcomes, aligned with WorkerInit.parents; NaN where undefined (nothing filled). */
export interface CellOutcome {
  index: number;
  id: string;
  filledQty: Float64Array;
  shortfallBps: Float64Array;
  improvementBps: Float64Array;
  timeToFillMs: Float64Array;
  fillStep: Int32Array;
  /** Wall time the cell took, ms (progress/ETA only; never written to results). */
  wallMs: number;
}

export type WorkerReply = { type: 'ready' } | { type: 'result'; outcome: CellOutcome } | { type: 'error'; message: string };
