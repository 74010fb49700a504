/**
 * The account and position bodies (Alpaca's /v2/account and /v2/positions shapes, every money
 * field a decimal string) from the portfolio, the open orders and mark prices.
 *
 *   market_value = qty · current      cost_basis = Σ cost of the open shares (average cost)
 *   unrealized_pl = market_value − cost_basis      unrealized_plpc = unrealized_pl / |cost_basis|
 *   change_today = (current − lastday) / lastday   (lastday = the day's first print: the tape has
 *                                                   no previous close)
 *   equity = cash + long market value + short market value (negative)
 *   buying_power = cash − Σ open buy orders' remaining qty · their price  (a cash account)
 */
import { isOpen, assetId, type OrderRecord } from './orders.ts';
import { Portfolio } from './portfolio.ts';
import { decimalString, rfc3339Micros } from './wire.ts';

export interface MarkPrices {
  /** Current price (latest print, else mid); NaN when unknown. */
  mark(symbol: string): number;
  /** Reference ("last day") price; NaN when unknown. */
  reference(symbol: string): number;
}

export function positionsJson(portfolio: Portfolio, prices: MarkPrices): Record<string, unknown>[] {
  return portfolio.open().map((p) => {
    const avg = Portfolio.avgEntryPrice(p);
    const mark = prices.mark(p.symbol);
    const current = Number.isFinite(mark) ? mark : avg;
    const reference = prices.reference(p.symbol);
    const lastday = Number.isFinite(reference) ? reference : current;
    const costBasis = p.costUnits / 10_000;
    const marketValue = p.qty * current;
    const unrealized = marketValue - costBasis;
    const change = lastday > 0 ? (current - lastday) / lastday : 0;
    return {
      asset_id: assetId(p.symbol),
      symbol: p.symbol,
      exchange: '',
      asset_class: 'us_equity',
      asset_marginable: false,
      qty: String(p.qty),
      qty_available: String(p.qty),
      avg_entry_price: decimalString(avg),
      side: p.qty > 0 ? 'long' : 'short',
      market_value: decimalString(marketValue),
      cost_basis: decimalString(costBasis),
      unrealized_pl: decimalString(unrealized),
      unrealized_plpc: decimalString(costBasis !== 0 ? unrealized / Math.abs(costBasis) : 0),
      unrealized_intraday_pl: decimalString(p.qty * (current - lastday)),
      unrealized_intraday_plpc: decimalString(change),
      current_price: decimalString(current),
      lastday_price: decimalString(lastday),
      change_today: decimalString(change),
    };
  });
}

export interface AccountInputs {
  id: string;
  day: string;
  createdAtUs: number;
  startingCash: number;
  portfolio: Portfolio;
  orders: readonly OrderRecord[];
  prices: MarkPrices;
}

export function accountJson(a: AccountInputs): Record<string, unknown> {
  let longValue = 0;
  let shortValue = 0;
  for (const p of a.portfolio.open()) {
    const mark = a.prices.mark(p.symbol);
    const value = p.qty * (Number.isFinite(mark) ? mark : Portfolio.avgEntryPrice(p));
    if (value >= 0) longValue += value;
    else shortValue += value;
  }
  const cash = a.portfolio.cash;
  const equity = cash + longValue + shortValue;
  let committed = 0;
  for (const o of a.orders) {
    if (o.side === 'buy' && isOpen(o)) committed += (o.qty - o.filledQty) * (o.limitPrice ?? o.venuePrice);
  }
  const buyingPower = decimalString(Math.max(0, cash - committed));
  return {
    id: a.id,
    account_number: 'PALADDERLAB',
    status: 'ACTIVE',
    crypto_status: 'INACTIVE',
    currency: 'USD',
    cash: decimalString(cash),
    buying_power: buyingPower,
    regt_buying_power: buyingPower,
    daytrading_buying_power: '0',
    effective_buying_power: buyingPower,
    non_marginable_buying_power: buyingPower,
    options_buying_power: '0',
    portfolio_value: decimalString(equity),
    equity: decimalString(equity),
    last_equity: decimalString(a.startingCash),
    long_market_value: decimalString(longValue),
    short_market_value: decimalString(shortValue),
    initial_margin: '0',
    maintenance_margin: '0',
    last_maintenance_margin: '0',
    sma: '0',
    multiplier: '1',
    daytrade_count: 0,
    pattern_day_trader: false,
    trading_blocked: false,
    transfers_blocked: false,
    account_blocked: false,
    trade_suspended_by_user: false,
    shorting_enabled: true,
    accrued_fees: '0',
    pending_transfer_in: '0',
    pending_transfer_out: '0',
    balance_asof: a.day,
    created_at: rfc3339Micros(a.createdAtUs),
  };
}
