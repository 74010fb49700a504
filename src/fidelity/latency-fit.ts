/**
 * Latency channels from a run's own timestamps, by maximum likelihood (closed form): each message's
 * delay is observed directly, so no simulation is needed.
 *   entry     venue ack time − local send time               (children.arrow ack_ts − sent_ts)
 *   cancel    venue cancel time − local cancel send time      (done_ts − cancel_sent_ts of children
 *             canceled with the cancel sent after the ack: a cancel sent earlier waits for its order)
 *   response  local receipt − venue time, acks and fills      (ack_recv_ts − ack_ts, recv_ts − ts)
 *   feed      local quote receipt − quote time                (feed.arrow recv_ts − ts)
 * Each channel is fitted as the simulator models it (sim/latency.ts: median ms, lognormal σ, and a
 * channel never lets a message overtake the one before): a message delivered together with the one
 * before it was held back, so its delay only bounds its sample — stats.ts censoredLognormalFit.
 * A channel whose σ̂ is below FIXED_SIGMA is written as fixed (jitter none).
 * Intervals: percentile bootstrap over parents (a parent's messages resampled together).
 */
import type { ExecutionRecord } from '../engine/types.ts';
import { makeRng } from '../core/rng.ts';
import { censoredLognormalFit } from './stats.ts';
import { quantile } from '../core/quantile.ts';

export const LATENCY_CHANNELS = ['entry', 'cancel', 'response', 'feed'] as const;
export type LatencyChannelName = (typeof LATENCY_CHANNELS)[number];

/** σ̂ below this is a fixed latency measured with µs rounding, not jitter. */
export const FIXED_SIGMA = 0.02;

export interface ChannelFit {
  channel: LatencyChannelName;
  samples: number;
  medianMs: number;
  sigma: number;
  jitter: 'none' | 'lognormal';
  medianMsLo: number;
  medianMsHi: number;
  sigmaLo: number;
  sigmaHi: number;
}

/** One message's delay; `heldBack`: delivered together with the message before it, so the sample is at most this. */
export interface Delay {
  ms: number;
  heldBack: boolean;
}

interface Message {
  group: number;
  sentUs: number;
  deliveredUs: number;
}

/**
 * Delays in send order, each flagged held back when its delivery equals the latest delivery before
 * it on the channel (the channel kept order by holding it: only sample ≤ delay is known).
 */
export function delaysOf(messages: readonly Message[]): { group: number; delay: Delay }[] {
  const sorted = [...messages].sort((a, b) => a.sentUs - b.sentUs || a.deliveredUs - b.deliveredUs);
  let latest = -Infinity;
  return sorted.map((m) => {
    const heldBack = Math.abs(m.deliveredUs - latest) < 0.5;
    latest = Math.max(latest, m.deliveredUs);
    return { group: m.group, delay: { ms: (m.deliveredUs - m.sentUs) / 1000, heldBack } };
  });
}

function groupBy(items: readonly { group: number; delay: Delay }[], keep: (group: number) => boolean): Delay[][] {
  const groups = new Map<number, Delay[]>();
  for (const { group, delay } of items) {
    if (!keep(group)) continue;
    const list = groups.get(group);
    if (list) list.push(delay);
    else groups.set(group, [delay]);
  }
  return [...groups.values()];
}

/**
 * Each order-message channel of a run, as delays grouped by parent. `records` in arrival order;
 * held-back flags are decided on every message (the channel carried all of them), then only the
 * parents `keep` accepts are returned.
 */
export function latencyDelays(records: readonly ExecutionRecord[], keep: (parentIndex: number) => boolean): Record<Exclude<LatencyChannelName, 'feed'>, Delay[][]> {
  const entry: Message[] = [];
  const cancel: Message[] = [];
  const response: Message[] = [];
  records.forEach((r, group) => {
    for (const c of r.children) {
      if (c.ackTsUs !== null) entry.push({ group, sentUs: c.sentTsUs, deliveredUs: c.ackTsUs });
      if (c.ackTsUs !== null && c.ackRecvTsUs != null) response.push({ group, sentUs: c.ackTsUs, deliveredUs: c.ackRecvTsUs });
      for (const f of c.fills) if (f.recvTsUs !== undefined) response.push({ group, sentUs: f.tsUs, deliveredUs: f.recvTsUs });
      if (c.status === 'canceled' && c.cancelSentTsUs !== null && c.doneTsUs !== null && c.ackTsUs !== null && c.cancelSentTsUs >= c.ackTsUs) {
        cancel.push({ group, sentUs: c.cancelSentTsUs, deliveredUs: c.doneTsUs });
      }
    }
  });
  return { entry: groupBy(delaysOf(entry), keep), cancel: groupBy(delaysOf(cancel), keep), response: groupBy(delaysOf(response), keep) };
}

/** Feed delays per symbol stream (each symbol's quotes keep their own order), one group each. */
export function feedDelays(receipts: readonly { symbol: string; tsUs: number; recvTsUs: number }[]): Delay[][] {
  const symbols = [...new Set(receipts.map((r) => r.symbol))];
  const out: Delay[][] = [];
  for (const symbol of symbols) {
    const messages = receipts.filter((r) => r.symbol === symbol).map((r) => ({ group: 0, sentUs: r.tsUs, deliveredUs: r.recvTsUs }));
    for (const { delay } of delaysOf(messages)) out.push([delay]);
  }
  return out;
}

function fit(delays: readonly Delay[]): { median: number; sigma: number; used: number } {
  return censoredLognormalFit(
    delays.filter((d) => !d.heldBack).map((d) => d.ms),
    delays.filter((d) => d.heldBack).map((d) => d.ms),
  );
}

export function fitChannel(channel: LatencyChannelName, groups: readonly Delay[][], replicates: number, seed: number | string): ChannelFit {
  const all = groups.flat();
  const point = fit(all);
  const medians: number[] = [];
  const sigmas: number[] = [];
  const rng = makeRng(seed, `calibrate:latency:${channel}`);
  for (let b = 0; b < replicates && groups.length > 0; b++) {
    const drawn: Delay[] = [];
    for (let i = 0; i < groups.length; i++) for (const d of groups[Math.floor(rng() * groups.length)]) drawn.push(d);
    const f = fit(drawn);
    if (f.used > 0) {
      medians.push(f.median);
      sigmas.push(f.sigma);
    }
  }
  const zeroOnly = point.used === 0 && all.length > 0;
  return {
    channel,
    samples: all.length,
    // every delay 0 (a channel the venue does not delay): fixed 0 ms
    medianMs: zeroOnly ? 0 : point.median,
    sigma: zeroOnly ? 0 : point.sigma,
    jitter: zeroOnly || !(point.sigma >= FIXED_SIGMA) ? 'none' : 'lognormal',
    medianMsLo: quantile(medians, 0.025),
    medianMsHi: quantile(medians, 0.975),
    sigmaLo: quantile(sigmas, 0.025),
    sigmaHi: quantile(sigmas, 0.975),
  };
}
