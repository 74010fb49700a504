/**
 * Vega-Lite spec → inline SVG, in Node: compile to Vega, run a headless View (renderer "none",
 * no DOM, no canvas, no network: the data is inlined in the spec), and serialize with toSVG().
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { VegaLiteSpec } from './charts.ts';

/** Fonts every browser has; text is measured by vega's estimate, so keep to a plain sans-serif. */
export const CHART_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, labelLimit: 320 },
  title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start' },
} as const;

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vegaSpec = compile(spec as unknown as TopLevelSpec, { config: CHART_CONFIG as never }).spec;
  // A loader that refuses every URL: a report must never fetch anything.
  const loader = vega.loader();
  loader.load = async (uri: string) => {
    throw new Error(`chart tried to load ${uri}; report data must be inline`);
  };
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', loader });
  try {
    return withTitles(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Every drawn mark carries its values as an SVG <title> (a hover tooltip in every browser, no
 * script): vega writes them as the mark's aria-label; self-closing marks get the title as a child.
 */
export function withTitles(svg: string): string {
  return svg.replace(/<(path|rect|line|circle|text|image)( aria-label="([^"]*)"[^>]*?role="graphics-symbol"[^>]*?)\/>/g, '<$1$2><title>$3</title></$1>');
}
