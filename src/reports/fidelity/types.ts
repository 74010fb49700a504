/** What the fidelity report renders (src/fidelity computes it; the report only lays it out). */

/** One simulator configuration's agreement with the live run (src/fidelity/reconcile.ts summarize). */
export interface FidelitySummary {
  label: string;
  fillModel: string;
  parents: number;
  stepAgree: number;
  stepAgreeRate: number;
  stepAgreeLo: number;
  stepAgreeHi: number;
  childrenCompared: number;
  childrenAgree: number;
  childAgreeRate: number;
  childAgreeLo: number;
  childAgreeHi: number;
  ksTimeToFill: number;
  /** Quantiles 5, 25, 50, 75, 95 % of sim − live. */
  ttfDiffS: number[];
  priceDiffBps: number[];
  shortfallDiffBps: number[];
  meanShortfallDiffBps: number;
}

export interface TimelineChild {
  fromUs: number;
  toUs: number;
  limitPrice: number;
}

export interface TimelineFill {
  tsUs: number;
  price: number;
  qty: number;
}

/** One of the worst parents: the market around it, our children's limits, live vs simulated fills. */
export interface ParentTimeline {
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  arrivalTsUs: number;
  /** One line saying why it is listed (e.g. "live filled at step 0, sim at step 2"). */
  caption: string;
  quotes: { tsUs: number; bid: number; ask: number }[];
  liveChildren: TimelineChild[];
  simChildren: TimelineChild[];
  liveFills: TimelineFill[];
  simFills: TimelineFill[];
}
