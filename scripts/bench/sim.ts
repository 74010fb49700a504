/**
 * Simulator throughput against an honest floor, interleaved in one process (harness.ts):
 *
 *   · floor: a merged quote + trade scan of the same tape in time order, with a resting-limit
 *     check per event (buy and sell: does the quote or the print reach the limit?) — the least
 *     any replay of this tape must do;
 *   · replay: SimMarket on that tape driven as an engine drives it, through the Market port: an
 *     engine timer every second reads the quote and keeps a child at each touch under the `queue`
 *     model (its depth hook on every quote, queue depletion by prints, fills), canceling one the
 *     touch left two cents behind; 1 s in every 40 s the quote feed delivers each quote to a
 *     listener (as an executor waiting for a usable quote at a step start). Its events: quotes and
 *     prints applied at the venue plus quotes delivered to the engine;
 *   · bytes allocated per tape event under V8's sampling heap profiler (objects collected by GC
 *     included): with children resting and the feed listening but no fills — the per-event path,
 *     which must allocate nothing — and for the whole replay (orders, acks and fills make a few
 *     objects each: reported per child sent);
 *   · the same replay with the children resting far from the touch (no fills): the loop's speed;
 *   · backtest parents/s: whole ladders (engine + simulator, default config).
 * Rates are per CPU second of this process (harness.ts cpuSecondsSync): each case runs on one
 * core, and on a shared machine wall time is mostly other processes' turns.
 * Gates: replay with fills ≥ 1/4 of the floor (median of three paired rounds); ~0 bytes per tape
 * event on the per-event path.
 */
import { Session } from 'node:inspector/promises';
import { parseConfig } from '../../src/config.ts';
import { regularSession } from '../../src/core/calendar.ts';
import { runBacktest } from '../../src/sim/backtest.ts';
import { EventClass, VirtualClock } from '../../src/sim/clock.ts';
import { SimMarket } from '../../src/sim/market.ts';
import type { OrderEvent } from '../../src/engine/ports.ts';
import { generateParentOrders } from '../../src/data/orders.ts';
import { allocQuoteColumns, allocTradeColumns, type SymbolDay } from '../../src/data/tape/tape.ts';
import { cpuSecondsSync, type BenchSection } from './harness.ts';

const QUOTES = 2_000_000;
const TRADE_EVERY = 4;
const DAY = '2024-03-05';
const SYMBOL = 'BENCH';

/** A mean-reverting walk around $100, 1–3 cent spreads, new sizes on every quote, a print every 4 quotes at the bid or ask. */
function generateTape(): SymbolDay {
  const { openUs, closeUs } = regularSession(DAY);
  const stepUs = Math.floor((closeUs - openUs) / QUOTES);
  const quotes = allocQuoteColumns(QUOTES);
  const trades = allocTradeColumns(Math.ceil(QUOTES / TRADE_EVERY));
  let seed = 12345;
  const rand = () => {
    // xorshift32: a cheap deterministic stream for data generation only
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  let midCents = 10_000;
  let spread = 2;
  let t = 0;
  for (let i = 0; i < QUOTES; i++) {
    if (rand() < 0.05) midCents += rand() < 0.5 ? -1 : 1;
    if (midCents > 10_050) midCents--;
    if (midCents < 9_950) midCents++;
    if (rand() < 0.05) spread = 1 + Math.floor(rand() * 3);
    const bidCents = midCents - Math.floor(spread / 2);
    const ts = openUs + i * stepUs;
    quotes.ts[i] = ts;
    quotes.bid[i] = bidCents / 100;
    quotes.ask[i] = (bidCents + spread) / 100;
    quotes.bidSize[i] = 100 * (1 + Math.floor(rand() * 20));
    quotes.askSize[i] = 100 * (1 + Math.floor(rand() * 20));
    if (i % TRADE_EVERY === 0) {
      trades.ts[t] = ts + 1;
      trades.price[t] = rand() < 0.5 ? quotes.bid[i] : quotes.ask[i];
      trades.size[t] = 100 * (1 + Math.floor(rand() * 5));
      trades.exchange[t] = 0;
      trades.eligible[t] = rand() < 0.8 ? 1 : 0;
      t++;
    }
  }
  quotes.length = QUOTES;
  trades.length = t;
  return { symbol: SYMBOL, day: DAY, quotes, trades: { ...trades, ts: trades.ts.subarray(0, t) } };
}

/**
 * The floor: quotes and trades merged in time order (trades first at equal times, as the
 * simulator orders them); per quote, does the ask reach the buy limit / the bid the sell limit;
 * per eligible print, does it reach either limit. Returns events scanned.
 */
function mergedScan(tape: SymbolDay, buyLimit: number, sellLimit: number): { events: number; hits: number } {
  const { ts: qTs, bid, ask, bidSize, askSize } = tape.quotes;
  const { ts: tTs, price, size, eligible } = tape.trades;
  const qn = tape.quotes.length;
  const tn = tape.trades.length;
  let qi = 0;
  let ti = 0;
  let hits = 0;
  let volume = 0;
  while (qi < qn || ti < tn) {
    if (ti < tn && (qi >= qn || tTs[ti] <= qTs[qi])) {
      if (eligible[ti] !== 0) {
        const p = price[ti];
        if (p <= buyLimit + 1e-7) hits++;
        if (p >= sellLimit - 1e-7) hits++;
        volume += size[ti];
      }
      ti++;
    } else {
      const b = bid[qi];
      const a = ask[qi];
      if (a - b > 1e-7 && a <= buyLimit + 1e-7) hits++;
      if (a - b > 1e-7 && b >= sellLimit - 1e-7) hits++;
      volume += bidSize[qi] + askSize[qi];
      qi++;
    }
  }
  return { events: qn + tn, hits: hits + (volume === -1 ? 1 : 0) };
}

interface SideState {
  /** Client id of the working child, '' when none. */
  id: string;
  price: number;
  canceling: boolean;
}

const REQUOTE_US = 20_000_000;
/** The quote feed listens 1 s in every 40 s (an executor waiting for a usable quote at a step start). */
const FEED_EVERY_US = 2 * REQUOTE_US;
const FEED_LISTEN_US = 1_000_000;

/**
 * Replay the tape as an engine would drive it: every 20 s (an engine timer) a two-sided quoter
 * reads the quote (`latestQuote`) and places a 500-share child at each touch where it has none,
 * or cancels a child two cents or more from its touch; for 1 s in every 40 s it also listens to
 * the quote feed (as an executor waiting for a usable quote at a step start does). With `resting: 'far'` the children
 * rest 10 % away instead (never fill): the per-event path alone. Returns tape events consumed,
 * fills, orders sent and feed deliveries.
 */
function replay(tape: SymbolDay, resting: 'touch' | 'far' = 'touch'): { events: number; fills: number; orders: number; feeds: number } {
  const { openUs, closeUs } = regularSession(DAY);
  const config = parseConfig({ sim: { fill_model: 'queue' } });
  const clock = new VirtualClock(openUs);
  const market = new SimMarket({ clock, sim: config.sim, seed: config.seed, tapes: [tape] });
  const buy: SideState = { id: '', price: 0, canceling: false };
  const sell: SideState = { id: '', price: 0, canceling: false };
  let seq = 0;
  let fills = 0;
  let feeds = 0;
  market.setOrderListener(function onEvent(e: OrderEvent) {
    const side = e.clientOrderId.charCodeAt(0) === 98 ? buy : sell; // 'b…' / 's…'
    if (side.id !== e.clientOrderId) return;
    if (e.type === 'fill') {
      fills++;
      if (e.cumQty >= 500) side.id = '';
    } else if (e.type === 'canceled' || e.type === 'rejected' || e.type === 'cancel_rejected') {
      side.id = '';
    }
  });
  const requote = (side: SideState, name: 'buy' | 'sell', touch: number) => {
    if (side.id === '') {
      side.id = `${name[0]}${++seq}`;
      side.price = touch;
      side.canceling = false;
      market.submit({ clientOrderId: side.id, symbol: SYMBOL, side: name, qty: 500, limitPrice: touch, timeInForce: 'day' });
    } else if (!side.canceling && Math.abs(side.price - touch) >= 0.02 - 1e-9) {
      side.canceling = true;
      market.cancel(side.id);
    }
  };
  let unsubscribe: (() => void) | null = null;
  const listen = () => {
    feeds++;
  };
  const tick = () => {
    const nowUs = clock.nowUs();
    const q = market.latestQuote(SYMBOL);
    if (q !== undefined && q.ask > q.bid) {
      requote(buy, 'buy', resting === 'far' ? Math.round(q.bid * 90) / 100 : q.bid);
      requote(sell, 'sell', resting === 'far' ? Math.round(q.ask * 110) / 100 : q.ask);
    }
    if ((nowUs - openUs) % FEED_EVERY_US === 0 && unsubscribe === null) {
      unsubscribe = market.subscribeQuotes(SYMBOL, listen);
      clock.setTimer(nowUs + FEED_LISTEN_US, stopListening);
    }
    if (nowUs + REQUOTE_US < closeUs) clock.setTimer(nowUs + REQUOTE_US, tick);
  };
  const stopListening = () => {
    unsubscribe?.();
    unsubscribe = null;
  };
  clock.setTimer(openUs, tick);
  market.run(Infinity, EventClass.trade);
  const stats = market.stats;
  // Work on tape rows: quotes and prints applied at the venue, quotes delivered to the engine.
  return { events: stats.quoteEvents + stats.tradeEvents + stats.feedEvents, fills, orders: seq, feeds };
}

/**
 * Sampled bytes allocated while `fn` runs (GC'd objects included), split by whether the stack
 * passes through a per-order frame. Turning the sampler on makes V8 drop optimized code once, so
 * `fn` runs twice under the sampler and only the second run (`measuredRun`) is counted.
 */
async function sampleAllocations(fn: () => void, perOrder: RegExp): Promise<{ eventPathBytes: number; perOrderBytes: number }> {
  const session = new Session();
  session.connect();
  function warmRun() {
    fn();
  }
  function measuredRun() {
    fn();
  }
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.collectGarbage');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    warmRun();
    measuredRun();
    const { profile } = await session.post('HeapProfiler.stopSampling');
    let eventPathBytes = 0;
    let perOrderBytes = 0;
    type Node = (typeof profile)['head'];
    const walk = (node: Node, underOrder: boolean) => {
      // Anonymous frames on this path are the clock's message callbacks and the fill sink.
      const here = underOrder || node.callFrame.functionName === '' || perOrder.test(node.callFrame.functionName);
      if (here) perOrderBytes += node.selfSize;
      else eventPathBytes += node.selfSize;
      for (const child of node.children) walk(child, here);
    };
    const roots: Node[] = [];
    const findRoots = (node: Node) => {
      if (node.callFrame.functionName === measuredRun.name) roots.push(node);
      else for (const child of node.children) findRoots(child);
    };
    findRoots(profile.head);
    for (const root of roots) walk(root, false);
    if (process.env.BENCH_ALLOC_DETAIL) {
      const byFrame = new Map<string, number>();
      const collect = (node: Node, path: string) => {
        const p = `${path} > ${node.callFrame.functionName}:${node.callFrame.lineNumber}`;
        if (node.selfSize > 0) byFrame.set(p, (byFrame.get(p) ?? 0) + node.selfSize);
        for (const c of node.children) collect(c, p.split(' > ').slice(-4).join(' > '));
      };
      for (const root of roots) collect(root, '');
      for (const [k, v] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.error(v, k);
    }
    return { eventPathBytes, perOrderBytes };
  } finally {
    await session.post('HeapProfiler.disable');
    session.disconnect();
  }
}

/** Frames whose allocations are per order, ack, cancel or fill — not per tape event. */
const PER_ORDER_FRAMES = /^(runNext|stopListening|submit|cancel|queryOrder|onOrderArrival|onCancelArrival|fill|respond|schedule|setTimer|onEvent|requote|tick|startResting|newOrder|compactResting|refreshActive|subscribeQuotes)$/;

export async function section(): Promise<BenchSection> {
  const tape = generateTape();
  const tapeEvents = tape.quotes.length + tape.trades.length;
  let sink = 0;
  let last = { events: 0, fills: 0, orders: 0, feeds: 0 };
  const config = parseConfig({});
  const parentCount = 2000;
  const parents = generateParentOrders({ count: parentCount, seed: 1, orders: config.orders, tapes: [{ symbol: SYMBOL, day: DAY }] });
  let accepted = 0;

  const replayCase = function replayBench() {
    last = replay(tape);
  };
  const restingCase = function restingBench() {
    last = replay(tape, 'far');
  };
  const FLOOR = `floor: merged quote+trade scan, limit check per event (${(tapeEvents / 1e6).toFixed(1)} M events)`;
  const REPLAY = 'replay: queue model at the touch, fills, orders, quote feed';
  const RESTING = 'replay: children resting (no fills), quote feed, depth path';
  const EVENT_BYTES = 'replay: bytes allocated per tape event on the event path (children resting, feed)';
  return {
    cases: [
      {
        name: FLOOR,
        unit: 'events/CPU-s',
        measure: () => {
          let events = 0;
          const s = cpuSecondsSync(() => {
            const r = mergedScan(tape, 99.9, 100.1);
            events = r.events;
            sink += r.hits;
          });
          return events / s;
        },
      },
      {
        name: REPLAY,
        unit: 'events/CPU-s',
        measure: () => {
          const s = cpuSecondsSync(replayCase);
          if (last.events < tapeEvents * 0.1) throw new Error(`bench: replay consumed ${last.events} of ${tapeEvents} tape events`);
          if (last.fills < 500) throw new Error(`bench: replay made only ${last.fills} fills`);
          return last.events / s;
        },
      },
      { name: 'replay: fills per run', unit: 'fills', warmup: false, measure: () => last.fills },
      { name: 'replay: children sent per run', unit: 'orders', warmup: false, measure: () => last.orders },
      { name: 'replay: quotes delivered to the engine per run', unit: 'quotes', warmup: false, measure: () => last.feeds },
      {
        name: 'replay: bytes allocated per tape event, all (orders and fills amortized)',
        unit: 'bytes/event',
        warmup: false,
        measure: async () => {
          const { eventPathBytes, perOrderBytes } = await sampleAllocations(replayCase, PER_ORDER_FRAMES);
          return (eventPathBytes + perOrderBytes) / last.events;
        },
      },
      {
        name: 'replay: bytes allocated per child sent (its acks, cancels, fills)',
        unit: 'bytes/order',
        warmup: false,
        measure: async () => {
          const { perOrderBytes } = await sampleAllocations(replayCase, PER_ORDER_FRAMES);
          return perOrderBytes / last.orders;
        },
      },
      {
        name: RESTING,
        unit: 'events/CPU-s',
        measure: () => {
          const s = cpuSecondsSync(restingCase);
          if (last.fills !== 0) throw new Error('bench: far children filled');
          return last.events / s;
        },
      },
      {
        name: EVENT_BYTES,
        unit: 'bytes/event',
        warmup: false,
        measure: async () => {
          const { eventPathBytes } = await sampleAllocations(restingCase, PER_ORDER_FRAMES);
          return eventPathBytes / last.events;
        },
      },
      {
        name: `backtest parents/s (${parentCount} parents, whole ladders)`,
        unit: 'parents/CPU-s',
        measure: () => {
          const s = cpuSecondsSync(() => {
            const { records } = runBacktest({ config, tapes: [tape], parents, pathChecks: false });
            accepted = records.filter((r) => r.status !== 'rejected').length;
          });
          if (accepted < parentCount / 2) throw new Error(`bench: only ${accepted} parents ran a ladder`);
          return parentCount / s;
        },
      },
    ],
    ratios: [
      { name: 'replay with fills / floor (paired per round)', numerator: REPLAY, denominator: FLOOR, atLeast: 0.25 },
      { name: 'replay, children resting / floor (paired per round)', numerator: RESTING, denominator: FLOOR },
    ],
    // Sampled, so not exactly 0 even when nothing is allocated per event (JIT, one-off objects);
    // one boxed time per event would show as 16.
    gates: [{ caseName: EVENT_BYTES, atMost: 0.5 }],
    teardown: () => {
      if (sink === 42) console.log('');
    },
  };
}
