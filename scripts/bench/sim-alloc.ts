/**
 * Simulator allocations, in a section of its own so the sampler never runs between the timed
 * rounds of sim.ts: starting V8's sampling heap profiler drops optimized code, and a replay timed
 * just after it measures the JIT warming up again (about 3 M events/CPU-s instead of 10–20 M
 * here), not the replay.
 *
 *   · bytes allocated per tape event under V8's sampling heap profiler (objects collected by GC
 *     included): with children resting and the feed listening but no fills — the per-event path,
 *     which must allocate nothing — and for the whole replay (orders, acks and fills make a few
 *     objects each: reported per child sent).
 * Gate: 0 bytes per tape event on the per-event path (≤ 0.01: sampling noise).
 */
import { Session } from 'node:inspector/promises';
import { type BenchSection } from './harness.ts';
import { generateTape, replay } from './sim.ts';

/**
 * Sampled bytes allocated while `fn` runs (GC'd objects included), split by whether the stack
 * passes through a per-order frame. Turning the sampler on makes V8 drop optimized code once, so
 * `fn` runs twice under the sampler and only the second run (`measuredRun`) is counted.
 */
async function sampleAllocations(fn: () => void, perOrder: RegExp): Promise<{ eventPathBytes: number; perOrderBytes: number }> {
  const session = new Session();
  session.connect();
  function warmRun() {
    for (let k = 0; k < WARM_RUNS_UNDER_SAMPLER; k++) fn();
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
    // The event path is what runs under the market's `run`; the rest of the replay (making the
    // market, its latency streams) is once per run and counted with the orders.
    const walk = (node: Node, underOrder: boolean, underRun: boolean) => {
      const name = node.callFrame.functionName;
      // Anonymous frames on this path are the clock's message callbacks and the fill sink.
      const here = underOrder || name === '' || perOrder.test(name);
      const inRun = underRun || name === 'run';
      if (here || !inRun) perOrderBytes += node.selfSize;
      else eventPathBytes += node.selfSize;
      for (const child of node.children) walk(child, here, inRun);
    };
    const roots: Node[] = [];
    const findRoots = (node: Node) => {
      if (node.callFrame.functionName === measuredRun.name) roots.push(node);
      else for (const child of node.children) findRoots(child);
    };
    findRoots(profile.head);
    for (const root of roots) walk(root, false, false);
    if (process.env.BENCH_ALLOC_DETAIL) {
      const byFrame = new Map<string, number>();
      const collect = (node: Node, path: string, underOrder: boolean, underRun: boolean) => {
        const name = node.callFrame.functionName;
        const here = underOrder || name === '' || perOrder.test(name);
        const inRun = underRun || name === 'run';
        const p = `${path} > ${name}:${node.callFrame.lineNumber}`;
        const key = `${here || !inRun ? 'order' : 'EVENT'} ${p}`;
        if (node.selfSize > 0) byFrame.set(key, (byFrame.get(key) ?? 0) + node.selfSize);
        for (const c of node.children) collect(c, p.split(' > ').slice(-4).join(' > '), here, inRun);
      };
      for (const root of roots) collect(root, '', false, false);
      console.error(`── ${fn.name}`);
      for (const [k, v] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.error(v, k);
    }
    return { eventPathBytes, perOrderBytes };
  } finally {
    await session.post('HeapProfiler.disable');
    session.disconnect();
  }
}

/**
 * Runs before the measured one, under the sampler: starting it drops optimized code, and code
 * below the optimizing tier boxes every float it touches (that is the interpreter, not the replay).
 */
const WARM_RUNS_UNDER_SAMPLER = Number(process.env.BENCH_ALLOC_WARM ?? 20);

/**
 * Frames whose allocations are per order, ack, cancel or fill — not per tape event (the market's
 * message handlers are anonymous under tsx, named when compiled). Map `set` and
 * `delete` are the clock's pending timers and the venue's order map (the event path uses no Map);
 * they are named because the optimizer inlines runNext into the loop's `step`, hiding its frame.
 */
const PER_ORDER_FRAMES = /^(delete|set|runNext|orderArrives|cancelArrives|queryArrives|deliverToEngine|stopListening|submit|cancel|queryOrder|onOrderArrival|onCancelArrival|fill|respond|schedule|setTimer|onEvent|requote|tick|startResting|newOrder|compactResting|refreshActive|subscribeQuotes)$/;

export async function section(): Promise<BenchSection> {
  const tape = generateTape();
  let last = { events: 0, fills: 0, orders: 0, feeds: 0 };
  const replayCase = function replayBench() {
    last = replay(tape);
  };
  const restingCase = function restingBench() {
    last = replay(tape, 'far');
  };
  const EVENT_BYTES = 'replay: bytes allocated per tape event on the event path (children resting, feed)';
  return {
    cases: [
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
        name: EVENT_BYTES,
        unit: 'bytes/event',
        warmup: false,
        measure: async () => {
          const { eventPathBytes } = await sampleAllocations(restingCase, PER_ORDER_FRAMES);
          return eventPathBytes / last.events;
        },
      },
    ],
    // Sampled (one sample per 256 bytes on average), so a one-off object can still show as a few
    // thousandths; one boxed float per event would show as 16.
    gates: [{ caseName: EVENT_BYTES, atMost: 0.01 }],
  };
}
