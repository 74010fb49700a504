/**
 * Parameters of the generated top-of-book market (see generate.ts for the process they drive).
 *
 * The process is a queue-reactive model at the touch (Huang, Lehalle & Rosenbaum, "Simulating and
 * analyzing order book data: the queue-reactive model", 2015): every event type arrives as a
 * Poisson process whose intensity depends on the current state — the spread in ticks and, for
 * events on one side, that side's displayed size — times an intraday activity profile (the
 * U-shape). A one-side event's intensity factors as
 *
 *   λ_kind(s, q, t) = perSecBySpread[s̄] · factorByQueue[q] · u(t)
 *
 * with s̄ = min(s, S) (index 0 unused: the generator never locks or crosses) and q the side's queue
 * bucket (displayed shares ≤ queueBucketMaxShares[0], ≤ [1], …, above the last). Thin levels
 * are hit, topped up and abandoned several times faster than thick ones (IBM 2013-10-07: a side
 * showing one lot fell back 0.47 times a second, one showing more than three lots 0.05), which is
 * what keeps real displayed sizes off the one-lot floor.
 *
 * The IBM-like parameters are fitted from the real day by `npm run sample:fit` (fit.ts) and
 * committed as fitted-ibm.json; the other sample symbols are derived from them (symbols.ts).
 */
import { z } from 'zod';

/** A discrete distribution: `values[i]` with relative weight `weights[i]` (need not sum to 1). */
export const histogramSchema = z
  .object({ values: z.array(z.number()).min(1), weights: z.array(z.number().nonnegative()).min(1) })
  .strict()
  .refine((h) => h.values.length === h.weights.length, 'values and weights differ in length')
  .refine((h) => h.weights.some((w) => w > 0), 'all weights are zero');
export type Histogram = z.infer<typeof histogramSchema>;

const rates = () => z.array(z.number().nonnegative()).min(2);
const sideRates = () => z.object({ perSecBySpread: rates(), factorByQueue: rates() }).strict();

export const sampleModelSchema = z
  .object({
    /** Where the parameters come from, for people reading the JSON. */
    description: z.string(),
    /** Mid price at the open, dollars. */
    startMidDollars: z.number().positive(),
    /** Round lot: displayed sizes are whole lots. */
    lotShares: z.number().int().positive(),
    /** S: the largest spread (ticks) with its own row of rates. */
    maxSpreadTicks: z.number().int().min(1),
    /** Width of one intraday profile bucket, minutes. */
    profileBucketMinutes: z.number().positive(),
    /** Intraday multiplier per bucket for trade events (mean 1 over the session). */
    tradeProfile: z.array(z.number().nonnegative()).min(1),
    /** Intraday multiplier per bucket for quote events (mean 1 over the session). */
    quoteProfile: z.array(z.number().nonnegative()).min(1),

    /** Upper bounds (shares, inclusive) of the queue buckets but the last. */
    queueBucketMaxShares: z.array(z.number().positive()).min(1),

    // Events on one side: per second at profile 1 by spread ticks, times a factor by queue bucket.
    /** Marketable orders hitting a side (each prints one or more lit trades at the touch). */
    marketOrders: sideRates(),
    /** Displayed size added at the touch. */
    adds: sideRates(),
    /** Displayed size cancelled at the touch, the level staying (only while more than a lot shows). */
    cancels: sideRates(),
    /** The whole touch level cancelled: the side falls back by a gap. */
    pulls: sideRates(),
    /** A new better price inside the spread, per side, by spread ticks. */
    improvesPerSec: rates(),

    // Both sides together, per second at profile 1, by spread ticks. These never move the quote.
    /** Off-exchange (FINRA, exchange D) prints at the bid or ask. */
    offExchangeTouchPerSec: rates(),
    /** Off-exchange prints strictly inside the spread. */
    offExchangeInsidePerSec: rates(),
    /** Exchange prints strictly inside the spread (hidden and midpoint orders). */
    hiddenInsidePerSec: rates(),

    /** Row s: distribution of the new spread (ticks, < s) after an improvement from s. */
    improveToSpread: z.array(histogramSchema.nullable()),
    /** Ticks a side falls back when its touch level clears. */
    clearGapTicks: histogramSchema,
    /** Prints per marketable order (one per venue it sweeps). */
    printsPerMarketOrder: histogramSchema,
    /** Shares per print (all prints). */
    printSize: histogramSchema,
    /** Displayed shares of a new touch level. */
    levelSize: histogramSchema,
    /** Displayed shares of a level replenished at the same price after prints took all of it. */
    refreshSize: histogramSchema,
    /** Shares added by an add event. */
    addSize: histogramSchema,
    /** Shares removed by a partial cancel. */
    cancelSize: histogramSchema,
    /**
     * By queue bucket of the side hit: P(the touch level clears | a market order hit it). Not
     * cleared, the displayed size falls by the order's volume, or, when less than a lot would
     * remain, is replenished at the same price (a reserve order refreshing, another venue).
     */
    clearAfterOrder: z.array(z.number().min(0).max(1)).min(2),
    /**
     * The market's fast reaction to a side falling back (pull or clearing), as probabilities per
     * fall-back: the opposite side improves in the same instant (sameRow), or after a delay the
     * opposite side follows (oppositeSide) or the same side refills (sameSide). Its new spread is
     * drawn from improveToSpread; any other price change first cancels a pending reaction.
     */
    reaction: z
      .object({
        sameRow: z.number().min(0).max(1),
        oppositeSide: z.number().min(0).max(1),
        sameSide: z.number().min(0).max(1),
        delayMs: histogramSchema,
      })
      .strict()
      .refine((r) => r.sameRow + r.oppositeSide + r.sameSide <= 1 + 1e-9, 'reaction probabilities add up to more than 1'),
    /** Exchange letters of lit prints with their weights. */
    litExchanges: z
      .object({ values: z.array(z.string().regex(/^[A-Z]$/)).min(1), weights: z.array(z.number().nonnegative()).min(1) })
      .strict(),
  })
  .strict();

export type SampleModel = z.infer<typeof sampleModelSchema>;
