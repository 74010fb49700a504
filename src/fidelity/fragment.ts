/**
 * The calibrate output: a config fragment (only `sim:`) that `backtest --config` and `sweep
 * --config` take as is, with the fit's evidence as YAML comments — each parameter's 95 % interval,
 * the method, and the goodness of fit on the held-out parents. Validated by the one config parser
 * before it is written.
 */
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../config.ts';
import { fixed, percent } from '../reports/format.ts';
import type { Calibration } from './calibrate.ts';
import type { ChannelFit } from './latency-fit.ts';
import type { ParameterFit } from './fill-fit.ts';
import { TTF_QUANTILES } from './goodness.ts';

const g = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : 'n/a');

function parameterNote(p: ParameterFit): string {
  if (!p.identified) return `not identified: no child's outcome changes with it (kept at the middle of the range tried)`;
  return `95 % [${g(p.lo)}, ${g(p.hi)}]; reproduces ${percent(p.bestShare)} of ${p.children} children`;
}

/** A, k by the survival likelihood: bestShare is the share of the children that filled inside the spread. */
function intensityNote(p: ParameterFit): string {
  if (!p.identified) return `not identified: no inside-spread fill, or one distance only (k kept at 0)`;
  return `95 % [${g(p.lo)}, ${g(p.hi)}]; survival likelihood, ${p.children} inside-spread children, ${percent(p.bestShare)} filled there`;
}

function channelNote(f: ChannelFit): string {
  if (f.samples === 0) return 'no samples: the run\'s own setting kept';
  // Every delay exactly 0: a channel without latency, or both stamps one clock reading (a run
  // recorded before live kept the venue's `new` stamp took the ack from the REST answer).
  if (f.medianMs === 0 && f.sigma === 0) return `all ${f.samples} delays exactly 0: no latency, or both stamps taken at once (e.g. an ack from the REST answer, before live kept the venue's stamp)`;
  const median = `median ${g(f.medianMs)} ms [${g(f.medianMsLo)}, ${g(f.medianMsHi)}]`;
  return f.jitter === 'lognormal' ? `${median}, σ ${g(f.sigma)} [${g(f.sigmaLo)}, ${g(f.sigmaHi)}]; ${f.samples} samples` : `${median}, fixed (σ̂ ${g(f.sigma)}); ${f.samples} samples`;
}

/** sim.intensity: the fitted A and k with their notes, or why they were not fitted. */
function intensityLines(c: Calibration): string[] {
  const fit = c.fill.intensity;
  if (!fit) return [`  # intensity not fitted: no child rested inside the spread in the fit half`];
  return [
    '  intensity:',
    `    a_per_s: ${g(c.sim.intensity.a_per_s)}`.padEnd(61) + ` # ${intensityNote(fit.aPerS)}`,
    `    k_per_tick: ${g(c.sim.intensity.k_per_tick)}`.padEnd(61) + ` # ${intensityNote(fit.kPerTick)}`,
  ];
}

export function calibrationYaml(c: Calibration, replicates: number): string {
  const lat = c.sim.latency;
  const fits = Object.fromEntries(c.latency.map((f) => [f.channel, f]));
  const channelLine = (name: 'entry' | 'cancel' | 'response' | 'feed') => {
    const ch = lat[name];
    const body = ch.jitter === 'lognormal' ? `{ ms: ${g(ch.ms)}, jitter: lognormal, sigma: ${g(ch.sigma)} }` : `{ ms: ${g(ch.ms)}, jitter: none }`;
    return `    ${`${name}:`.padEnd(10)} ${body.padEnd(48)} # ${channelNote(fits[name])}`;
  };
  const shares = c.fill.modelShares.map((m) => `${m.model} ${percent(m.share)}`).join(', ');
  const gof = c.goodness;
  const lines = [
    '# ladderlab calibrate — a config fragment: ladderlab backtest --config FILE, ladderlab sweep --config FILE',
    `# fitted on the even parents (arrival order) of: ${c.runDirs.join(', ')} — ${c.fitParents} parents`,
    '# method: latency channels by maximum likelihood (lognormal, closed form) on the runs\' own',
    '#   timestamps (entry: ack − sent; cancel: canceled − cancel sent; response: receipt − venue time;',
    '#   feed: quote receipt − quote time). The fill model by simulated moments with the simulator',
    '#   itself: every child replayed at the venue when it reached the real one, scored on the same',
    `#   first fill time (within ${c.matchMs} ms) and quantity (the queue model is deterministic: no likelihood).`,
    '#   Intensity A, k by maximum likelihood on the inside-spread children\'s survival (each quote',
    '#   interval at a known distance δ, filled or not; a replay cannot redraw the venue\'s thresholds).',
    `# intervals: 95 % percentile bootstrap over parents, ${replicates} replicates`,
    'sim:',
    `  fill_model: ${c.sim.fill_model}`.padEnd(61) + ` # children reproduced: ${shares}`,
    `  queue_prob: ${c.sim.queue_prob}`.padEnd(61) + ` # ${c.sim.queue_prob === 'log' ? 'the log rule reproduces more children than the fitted power' : 'the log rule reproduces no more children'}`,
    `  queue_power: ${g(c.sim.queue_power)}`.padEnd(61) + ` # ${parameterNote(c.fill.queuePower)}${c.sim.queue_prob === 'log' ? ' (unused under log)' : ''}`,
    `  p_touch: ${g(c.sim.p_touch)}`.padEnd(61) + ` # ${parameterNote(c.fill.pTouch)}${c.sim.fill_model === 'intensity' ? ' (unused by intensity: inside the spread its clock decides)' : ''}`,
    ...intensityLines(c),
    `  include_ineligible: ${c.sim.include_ineligible}`,
    '  latency:',
    channelLine('entry'),
    channelLine('cancel'),
    channelLine('response'),
    channelLine('feed'),
    `# inside-spread children in the fit half (at the quote they were priced from): ${c.insideSpreadChildren}`,
    `# goodness of fit on the ${gof.parents} odd (held-out) parents, calibrated sim vs observed:`,
    '#   fill rate by step   observed  predicted',
    ...gof.stepRates.map((r) => `#   ${r.step.padEnd(18)} ${percent(r.observed).padStart(8)} ${percent(r.predicted).padStart(10)}`),
    `#   time to fill, s     ${TTF_QUANTILES.map((q) => `p${q * 100}`).join(' / ')}`,
    `#     observed          ${gof.ttfObservedS.map((x) => fixed(x, 2)).join(' / ')}`,
    `#     predicted         ${gof.ttfPredictedS.map((x) => fixed(x, 2)).join(' / ')}`,
    '#   fill step agrees per parent (reconcile):',
    ...c.comparison.map((s) => `#     ${s.label.padEnd(16)} ${percent(s.stepAgreeRate).padStart(5)} [${percent(s.stepAgreeLo)}, ${percent(s.stepAgreeHi)}] of ${s.parents}`),
  ];
  const text = `${lines.join('\n')}\n`;
  parseConfig(parseYaml(text), 'calibrate output'); // never write a fragment the config loader would refuse
  return text;
}
