/**
 * Pre-trade risk checks (DESIGN §2), pure: a parent order and a snapshot of the world in, one
 * decision out. Every rejection carries a machine-readable reason and a human detail.
 *
 * Checks, in this order (the first that fails decides):
 *   invalid_qty                qty must be a positive whole number of shares
 *   duplicate_client_order_id  a client order id may be used once per run
 *   duplicate_working          one working parent per symbol + side (risk.one_working_per_symbol_side)
 *   market_closed              regular session only (or queue to the next open when configured)
 *   session_end                now + worst-case ladder duration must be ≤ close − buffer
 *   no_quote                   nothing to price or to check the spread against
 *   spread_too_wide            spreadPct(bid, ask) > max_spread_pct
 *   max_qty                    qty ≤ max_qty
 *   max_notional               qty · far touch ≤ max_notional
 *   max_position               |position + working + D·qty| ≤ max_position
 */
import type { RiskConfig } from './config.ts';
import { spreadPct } from './ladder.ts';
import type { SessionInfo } from './ports.ts';
import type { ParentOrder, Quote, RejectReason } from './types.ts';
import { sideSign } from './types.ts';

export interface RiskContext {
  nowUs: number;
  quote: Quote | undefined;
  session: SessionInfo;
  /** Signed filled position in the symbol (+ long). */
  positionQty: number;
  /** Signed remaining quantity of the symbol's working parents. */
  workingQty: number;
  /** Is a parent on the same symbol and side working? (false when the rule is off) */
  sameSideWorking: boolean;
  /** Has this client order id been seen before in this run? */
  clientOrderIdSeen: boolean;
  /** Longest the ladder can take before its market step, seconds. */
  worstCaseLadderS: number;
}

export type RiskDecision =
  | { kind: 'accept' }
  | { kind: 'reject'; reason: RejectReason; detail: string }
  /** Market closed with `queue_when_closed`: submit again at `untilUs`. */
  | { kind: 'queue'; untilUs: number };

export function checkParent(parent: ParentOrder, ctx: RiskContext, risk: RiskConfig): RiskDecision {
  const reject = (reason: RejectReason, detail: string): RiskDecision => ({ kind: 'reject', reason, detail });

  if (!Number.isInteger(parent.qty) || parent.qty <= 0) return reject('invalid_qty', `qty ${parent.qty} is not a positive whole number`);
  if (ctx.clientOrderIdSeen) return reject('duplicate_client_order_id', `client order id ${parent.clientOrderId} was used before`);
  if (ctx.sameSideWorking && risk.one_working_per_symbol_side) return reject('duplicate_working', `a ${parent.side} order for ${parent.symbol} is already working`);

  const { session } = ctx;
  if (!session.isOpen) {
    if (risk.queue_when_closed && session.openUs !== null && session.openUs > ctx.nowUs) {
      return { kind: 'queue', untilUs: session.openUs };
    }
    return reject('market_closed', 'the regular session is closed');
  }
  if (session.closeUs !== null) {
    const latestStartUs = session.closeUs - risk.session_end_buffer_s * 1e6 - ctx.worstCaseLadderS * 1e6;
    if (ctx.nowUs > latestStartUs) {
      return reject('session_end', `a ${ctx.worstCaseLadderS} s ladder cannot finish ${risk.session_end_buffer_s} s before the close`);
    }
  }

  const quote = ctx.quote;
  if (!quote || !(quote.bid > 0) || !(quote.ask > 0)) return reject('no_quote', `no quote for ${parent.symbol}`);
  const spread = spreadPct(quote.bid, quote.ask);
  if (spread > risk.max_spread_pct) {
    return reject('spread_too_wide', `spread ${spread.toFixed(2)} % > ${risk.max_spread_pct} %`);
  }

  if (parent.qty > risk.max_qty) return reject('max_qty', `qty ${parent.qty} > ${risk.max_qty}`);
  const farTouch = parent.side === 'buy' ? quote.ask : quote.bid;
  const notional = parent.qty * farTouch;
  if (notional > risk.max_notional) {
    return reject('max_notional', `notional ${notional.toFixed(2)} > ${risk.max_notional}`);
  }
  const projected = ctx.positionQty + ctx.workingQty + sideSign(parent.side) * parent.qty;
  if (Math.abs(projected) > risk.max_position) {
    return reject('max_position', `position would reach ${projected} (limit ${risk.max_position})`);
  }
  return { kind: 'accept' };
}
