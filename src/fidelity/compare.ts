/**
 * Parent by parent and child by child: a simulated record beside the observed one.
 *   step agreement     sim fill_step = live fill_step (−1 = nothing filled, so two unfilled agree)
 *   price difference   D · (P_sim − P_live) / M₀ · 10⁴ bps (positive: the simulator paid more;
 *                      reports/metrics.ts priceVsReferenceBps with the live price as the reference)
 *   time-to-fill diff  ttf_sim − ttf_live, s (both filled)
 *   shortfall diff     IS_sim − IS_live, bps: implementation shortfall as reports/metrics.ts defines it
 *                      (unfilled quantity at the mid when the parent ended, from the run's tape)
 *   child agreement    children matched by their place in the parent's sequence (1st with 1st …);
 *                      a pair agrees when both filled something or neither did
 */
import type { ExecutionRecord } from '../engine/types.ts';
import type { ReconcileRow } from '../records/reconcile.ts';
import { implementationShortfallBps, priceVsReferenceBps, type MidAt } from '../reports/metrics.ts';

export function compareParent(variant: string, live: ExecutionRecord, sim: ExecutionRecord, midAt: MidAt): ReconcileRow {
  const mid = (live.arrivalBid + live.arrivalAsk) / 2;
  const bothFilled = live.filledQty > 0 && sim.filledQty > 0;
  const liveShortfall = implementationShortfallBps(live, midAt);
  const simShortfall = implementationShortfallBps(sim, midAt);
  const compared = Math.min(live.children.length, sim.children.length);
  let childAgree = 0;
  for (let i = 0; i < compared; i++) if (live.children[i].filledQty > 0 === sim.children[i].filledQty > 0) childAgree++;
  const liveTtfMs = Number.isFinite(live.timeToFillUs) && live.filledQty > 0 ? live.timeToFillUs / 1000 : Number.NaN;
  const simTtfMs = Number.isFinite(sim.timeToFillUs) && sim.filledQty > 0 ? sim.timeToFillUs / 1000 : Number.NaN;
  return {
    variant,
    clientOrderId: live.clientOrderId,
    symbol: live.symbol,
    side: live.side,
    arrivalTsUs: live.arrivalTsUs,
    liveStatus: live.status,
    simStatus: sim.status,
    liveFillStep: live.fillStep,
    simFillStep: sim.fillStep,
    stepAgree: live.fillStep === sim.fillStep,
    liveAvgPrice: live.filledQty > 0 ? live.avgPrice : Number.NaN,
    simAvgPrice: sim.filledQty > 0 ? sim.avgPrice : Number.NaN,
    priceDiffBps: bothFilled && mid > 0 ? priceVsReferenceBps(live.side, sim.avgPrice, live.avgPrice, mid) : Number.NaN,
    liveTtfMs,
    simTtfMs,
    ttfDiffMs: simTtfMs - liveTtfMs,
    liveShortfallBps: liveShortfall,
    simShortfallBps: simShortfall,
    shortfallDiffBps: simShortfall - liveShortfall,
    childrenLive: live.children.length,
    childrenSim: sim.children.length,
    childrenCompared: compared,
    childrenAgree: childAgree,
  };
}
