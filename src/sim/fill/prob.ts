/**
 * The queue model's probability rule as its own one-method interface (hftbacktest's
 * `Probability`), so variants are a few lines each. Chosen by `sim.queue_prob` (power | log).
 */
export interface QueueProb {
  /** Share of a non-trade size decrease taken from the `ahead` shares rather than the `behind` ones. */
  shareAhead(ahead: number, behind: number): number;
}

/**
 * `queue_prob: power` (default) — hftbacktest's power rule:
 *   share from ahead = f(ahead) / (f(ahead) + f(behind)),  f(x) = xⁿ,  n = `sim.queue_power`.
 * n = 1 splits in proportion to size; larger n pushes cancellations to the longer side
 * (queue ends cancel more than the middle). An empty level (0/0) takes nothing from ahead.
 */
export class PowerQueueProb implements QueueProb {
  constructor(readonly n: number) {}
  shareAhead(ahead: number, behind: number): number {
    // n = 2 (the default) as products: the same bits as ** (fdlibm's pow, V8's, returns x·x for
    // y = 2), without a call to pow on every size decrease at a child's level.
    const square = this.n === 2;
    const fa = square ? ahead * ahead : ahead ** this.n;
    const fb = square ? behind * behind : behind ** this.n;
    const total = fa + fb;
    return total > 0 ? fa / total : 0;
  }
}

/**
 * `queue_prob: log` — hftbacktest's log rule:
 *   share from ahead = f(ahead) / (f(ahead) + f(behind)),  f(x) = ln(1 + x).
 * Flatter than any power n ≥ 1: a long side takes less than its proportional share, so an order
 * joining a deep queue advances more slowly on cancellations. `sim.queue_power` is not used.
 */
export class LogQueueProb implements QueueProb {
  shareAhead(ahead: number, behind: number): number {
    const fa = Math.log1p(ahead);
    const fb = Math.log1p(behind);
    const total = fa + fb;
    return total > 0 ? fa / total : 0;
  }
}
