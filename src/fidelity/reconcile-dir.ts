/**
 * `ladderlab reconcile RUN_DIR`: load the run, build the variants, re-simulate and compare, then
 * write OUT/reconcile.arrow and OUT/fidelity.html together (temp names, then renamed: never one
 * without the other). OUT defaults to RUN_DIR.
 */
import { basename, join, resolve } from 'node:path';
import { writeFilesAtomic } from '../core/atomic-write.ts';
import { loadSymbolDay, listTapes, type SymbolDay } from '../data/tape/tape.ts';
import { reconcileToArrow } from '../records/reconcile.ts';
import { buildFidelityReport } from '../reports/fidelity/report.ts';
import { loadObservedRun } from './observed.ts';
import { reconcileRun, worstParents, type ReconcileResult } from './reconcile.ts';
import type { ParentHalf } from './split.ts';
import { buildTimeline } from './timeline.ts';
import { buildVariants } from './variants.ts';

export interface ReconcileDirOptions {
  out?: string;
  configs?: readonly string[];
  models?: readonly string[];
  half?: ParentHalf;
  /** Worst parents shown with a timeline. */
  worst?: number;
  onProgress?: (done: number, total: number, stage: string) => void;
}

export interface ReconcileDirResult extends ReconcileResult {
  arrowPath: string;
  htmlPath: string;
}

export async function reconcileDir(runDir: string, options: ReconcileDirOptions = {}): Promise<ReconcileDirResult> {
  const run = loadObservedRun(runDir);
  const variants = buildVariants(run.config, { configs: options.configs, models: options.models });
  const result = reconcileRun(run, variants, { half: options.half, onProgress: options.onProgress });
  const primary = variants[0].label;
  const available = new Set(listTapes(run.tapeDir).map((t) => `${t.symbol}\u0000${t.day}`));
  const cache = new Map<string, SymbolDay | null>();
  const loadTape = (symbol: string, day: string) => {
    const key = `${symbol}\u0000${day}`;
    if (!cache.has(key)) cache.set(key, available.has(key) ? loadSymbolDay(run.tapeDir, symbol, day) : null);
    return cache.get(key)!;
  };
  const liveById = new Map(result.live.map((r) => [r.clientOrderId, r]));
  const simById = result.simulated.get(primary)!;
  const worst = worstParents(result.rows, primary, options.worst ?? 5).map((row) => ({
    row,
    timeline: buildTimeline(row, liveById.get(row.clientOrderId)!, simById.get(row.clientOrderId)!, loadTape, run.config.execution.progressive_steps),
  }));
  const html = await buildFidelityReport({
    title: `ladderlab fidelity — ${basename(run.runDir)}`,
    meta: [
      ['run', run.runDir],
      ['recorded by', run.command],
      ['tape', run.tapeDir],
      ['parents', `${result.live.length} (${options.half ?? 'all'})`],
      ['worst parents under', primary],
    ],
    summaries: result.summaries,
    rows: result.rows,
    progressiveSteps: run.config.execution.progressive_steps,
    worst,
    run: { runJson: run.runInfo, variants: variants.map((v) => ({ label: v.label, sim: v.config.sim })) },
  });
  const outDir = resolve(options.out ?? run.runDir);
  const arrowPath = join(outDir, 'reconcile.arrow');
  const htmlPath = join(outDir, 'fidelity.html');
  writeFilesAtomic({ [arrowPath]: reconcileToArrow(result.rows), [htmlPath]: html });
  return { ...result, arrowPath, htmlPath };
}
