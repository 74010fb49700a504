/**
 * `queue`: the child's place in the displayed queue at its price, estimated from the tape —
 * hftbacktest's `ProbQueueModel` on top-of-book data (DESIGN §3).
 *
 * A child that joins at the touch has the whole displayed size ahead of it (it joined last).
 * Prints at its price eat the queue from the front; once nothing is ahead, the excess of a print
 * fills the child. Displayed-size decreases NOT explained by those prints are cancellations and are
 * split in expectation — no random draw — between the shares ahead and behind.
 *
 * Top of book only shows the child's level while it is the touch, so:
 *   · behind the touch (buy L < bid): the level is invisible; the estimate waits (Infinity until
 *     the level is first seen, so a child that joined behind assumes everything shown then is ahead);
 *   · better than the touch (buy L > bid, inside the spread): nothing is displayed at L, so nothing
 *     is ahead — but a print at L there is more likely a hidden or midpoint execution than one that
 *     met the child, so it behaves as `touch`, in expectation: each print of s shares makes
 *     p_touch · s shares fillable (fractions carried to the next print), no random draw.
 * Deterministic: the same tape gives the same fills whatever the seed.
 */
import type { FillModel, NearTouch, RestingChild } from './model.ts';
import { levelRelation, PRICE_EPSILON } from './model.ts';
import type { QueueProb } from './prob.ts';

/** The queue model's per-order fields (hftbacktest's `QueuePos` in `order.q`). */
export class QueuePosition implements RestingChild {
  /** Estimated displayed shares ahead of the child at its price; Infinity while the level was never seen. */
  queueAhead = Infinity;
  /** Displayed size at the child's price at the last quote; NaN while that level is not visible. */
  levelQty = Number.NaN;
  /** Print volume at the child's price since the last depth update (already taken off queueAhead). */
  tradedAtLevel = 0;
  /** Shares the last print at the child's price made fillable: set by `trade`, taken by `takeFillable`. */
  fillable = 0;
  /** Fractional expected shares carried between prints (inside the spread). */
  expectedCarry = 0;
  /** The child's price is better than the displayed near touch: it is alone at its level. */
  insideSpread = false;

  constructor(
    readonly isBuy: boolean,
    readonly limitPrice: number,
    readonly tickUnits: number,
  ) {}
}

export class QueueFillModel implements FillModel<QueuePosition> {
  readonly name = 'queue' as const;
  readonly usesDepth = true;
  readonly fillsOnQuote = false;
  constructor(
    private readonly prob: QueueProb,
    private readonly pTouch: number,
  ) {}

  /** Joining: queue ahead = displayed size at the child's price (all of it was there first). */
  newOrder(child: RestingChild, near: NearTouch): QueuePosition {
    const order = new QueuePosition(child.isBuy, child.limitPrice, child.tickUnits);
    const nearPrice = near.price;
    const nearSize = near.size;
    const relation = levelRelation(order, nearPrice);
    if (relation === 0) {
      order.queueAhead = nearSize;
      order.levelQty = nearSize;
    } else if (relation === 1) {
      order.queueAhead = 0;
      order.levelQty = 0;
      order.insideSpread = true;
    }
    // relation −1: behind the touch; queueAhead stays Infinity until the level shows.
    return order;
  }

  trade(order: QueuePosition, size: number): void {
    if (order.insideSpread) {
      // Inside the spread: touch in expectation — fillable += p_touch · s, whole shares only.
      const expected = order.expectedCarry + this.pTouch * size;
      const whole = Math.floor(expected + 1e-9);
      order.expectedCarry = expected - whole;
      order.fillable = whole;
      return;
    }
    // A print at our price takes from the front of the queue ...
    order.queueAhead -= size;
    // ... and is remembered, so the size decrease it causes is not counted again in `depth`.
    order.tradedAtLevel += size;
    if (order.queueAhead < 0) {
      // The print went past everyone ahead: the excess met the child.
      order.fillable = Math.floor(-order.queueAhead + 1e-9);
      order.queueAhead = 0;
    }
  }

  depth(order: QueuePosition, near: NearTouch): void {
    const nearPrice = near.price;
    const nearSize = near.size;
    const relation = levelRelation(order, nearPrice);
    if (relation === -1) {
      // Behind the touch: our level is not displayed; keep the estimate, forget the level size.
      order.levelQty = Number.NaN;
      order.tradedAtLevel = 0;
      order.insideSpread = false;
      quietWhile(near, order, -1);
      return;
    }
    if (relation === 1) {
      // Better than the touch: everyone else at our price has gone; nothing is ahead.
      order.queueAhead = 0;
      order.levelQty = 0;
      order.tradedAtLevel = 0;
      order.insideSpread = true;
      quietWhile(near, order, 1);
      return;
    }
    order.insideSpread = false;
    const prevQty = order.levelQty;
    order.levelQty = nearSize;
    if (Number.isNaN(prevQty)) {
      // The level shows again (or for the first time): at most what is displayed can be ahead.
      order.queueAhead = Math.min(order.queueAhead, nearSize);
      order.tradedAtLevel = 0;
      return;
    }
    // Δ = prev − new − trades already applied: the part of the decrease that was cancellations.
    const change = prevQty - nearSize - order.tradedAtLevel;
    order.tradedAtLevel = 0;
    if (change <= 0) {
      // Growth joins behind us; the front only shrinks to what is displayed.
      order.queueAhead = Math.min(order.queueAhead, nearSize);
      return;
    }
    const ahead = order.queueAhead;
    const behind = Math.max(prevQty - ahead, 0);
    // share from ahead s = f(ahead)/(f(ahead)+f(behind));
    // ahead' = ahead − s·Δ + min(behind − (1 − s)·Δ, 0)   (what the back cannot absorb came from the front)
    const share = this.prob.shareAhead(ahead, behind);
    const estimate = ahead - share * change + Math.min(behind - (1 - share) * change, 0);
    order.queueAhead = Math.min(Math.max(estimate, 0), nearSize);
  }

  takeFillable(order: QueuePosition): number {
    const shares = order.fillable;
    order.fillable = 0;
    return shares;
  }
}

/**
 * Behind the touch and alone inside the spread, `depth` only rewrites the same fields whatever the
 * near size: quiet while the near price keeps that relation (levelRelation's test, solved for the
 * near price p: buy behind p > L + ε, buy inside p < L − ε; sell behind 0 < p < L − ε, sell inside
 * p > L + ε). A buy's missing bid (p ≤ 0) is inside too, so its band runs down to −∞.
 */
function quietWhile(near: NearTouch, order: QueuePosition, relation: 1 | -1): void {
  const above = order.limitPrice + PRICE_EPSILON;
  const below = order.limitPrice - PRICE_EPSILON;
  const nearAboveLimit = order.isBuy === (relation === -1);
  near.quietLo = nearAboveLimit ? above : order.isBuy ? -Infinity : 0;
  near.quietHi = nearAboveLimit ? Infinity : below;
}
