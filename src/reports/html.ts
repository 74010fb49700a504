/**
 * The report page: ONE self-contained HTML file. Charts are inline SVG (rendered in Node), the
 * Vega-Lite specs and the run's config are embedded as JSON in <script type="application/json">
 * (data, never executed), and a Content-Security-Policy of default-src 'none' makes the browser
 * refuse any request the page might otherwise make.
 */
import type { Row } from './format.ts';
import type { Verdict } from './verdict.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside <script>: no "</script>", no "<!--", no U+2028/2029 surprises. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, null, 1)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface Column {
  label: string;
  cell: (row: Row) => string;
  numeric?: boolean;
}

export function htmlTable(rows: readonly Row[], columns: readonly Column[]): string {
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.cell(r))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

export interface Section {
  id: string;
  title: string;
  /** Plain text under the title: what the chart shows and how to read it. */
  lead: string;
  /** Inline SVG of the section's chart; a table-only section has none. */
  svg?: string;
  table: string;
  /** Optional plain-text note under the table. */
  note?: string;
}

export interface Page {
  title: string;
  /** [label, value] pairs describing the run. */
  meta: [string, string][];
  verdict: Verdict;
  /** HTML of the assumptions panel, shown first (run reports). */
  assumptions?: string;
  sections: Section[];
  /** [term, definition] pairs (plain text). */
  definitions: [string, string][];
  /** Embedded as JSON: chart specs by section id, and the run (config, run.json). */
  specs: Record<string, unknown>;
  run: unknown;
}

const STYLE = `
  :root { color-scheme: light; }
  body { font: 15px/1.5 Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
  main { max-width: 1060px; margin: 0 auto; padding: 24px 28px 60px; background: #fff; }
  h1 { font-size: 26px; margin: 0 0 4px; }
  h2 { font-size: 20px; margin: 40px 0 6px; border-top: 1px solid #e5e5e5; padding-top: 22px; }
  .meta { color: #555; font-size: 13px; margin: 0 0 18px; }
  .meta span { margin-right: 18px; white-space: nowrap; }
  .verdict { border-left: 5px solid #888; background: #f4f4f4; padding: 14px 18px; margin: 10px 0 8px; }
  .verdict.better { border-color: #1b7837; background: #eef7ee; }
  .verdict.worse { border-color: #b2182b; background: #fbeeee; }
  .verdict.unclear { border-color: #d08c00; background: #fdf6e6; }
  .verdict .headline { font-size: 18px; font-weight: bold; margin: 0 0 8px; }
  .verdict ul { margin: 8px 0 0; padding-left: 20px; }
  .verdict table.decomposition { margin: 0 0 6px; background: transparent; }
  .verdict table.decomposition td { border-bottom: 1px solid #ddd; padding: 2px 10px 2px 0; }
  .lead { color: #444; margin: 0 0 10px; }
  #assumptions h2 { margin-top: 8px; border-top: none; padding-top: 0; font-size: 17px; }
  table.assumptions th { background: none; white-space: nowrap; width: 170px; }
  table.assumptions tr.warning td, table.assumptions tr.warning th { color: #b2182b; font-weight: bold; }
  table.robustness tr.worse td { color: #b2182b; } table.robustness tr.better td { color: #1b7837; }
  .robustness-verdict { margin: 4px 0 6px; }
  figure { margin: 0 0 12px; overflow-x: auto; }
  figure svg { max-width: 100%; height: auto; }
  table { border-collapse: collapse; font-size: 13px; margin: 6px 0 4px; display: block; max-width: 100%; overflow-x: auto; }
  th, td { border-bottom: 1px solid #e2e2e2; padding: 4px 10px; text-align: left; vertical-align: top; }
  th { background: #f0f0f0; font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  .note { color: #666; font-size: 13px; margin: 4px 0 0; }
  dl { font-size: 14px; }
  dt { font-weight: bold; margin-top: 8px; }
  dd { margin-left: 18px; }
`;

function decompositionTable(lines: [string, string][] | undefined): string {
  if (!lines || lines.length === 0) return '';
  const rows = lines.map(([label, value]) => `<tr><td>${escapeHtml(label)}</td><td class="num">${escapeHtml(value)} bps</td></tr>`).join('\n');
  return `<table class="decomposition">\n<tbody>\n${rows}\n</tbody>\n</table>`;
}

export function renderPage(page: Page): string {
  const meta = page.meta.map(([k, v]) => `<span><b>${escapeHtml(k)}:</b> ${escapeHtml(v)}</span>`).join('\n');
  const points = page.verdict.points.map((p) => `<li>${escapeHtml(p)}</li>`).join('\n');
  const sections = page.sections
    .map(
      (s) => `<section id="${escapeHtml(s.id)}"${s.svg ? ' class="chart-section"' : ''}>
<h2>${escapeHtml(s.title)}</h2>
<p class="lead">${escapeHtml(s.lead)}</p>
${s.svg ? `<figure class="chart" data-chart="${escapeHtml(s.id)}">\n${s.svg}\n</figure>` : ''}
${s.table}
${s.note ? `<p class="note">${escapeHtml(s.note)}</p>` : ''}
</section>`,
    )
    .join('\n');
  const definitions = page.definitions.map(([t, d]) => `<dt>${escapeHtml(t)}</dt><dd>${escapeHtml(d)}</dd>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(page.title)}</h1>
<p class="meta">${meta}</p>
${page.assumptions ?? ''}
<section id="verdict" class="verdict ${page.verdict.call}">
<p class="headline">${escapeHtml(page.verdict.headline)}</p>
${decompositionTable(page.verdict.decomposition)}
<ul>
${points}
</ul>
</section>
${sections}
<section id="definitions">
<h2>Definitions</h2>
<dl>
${definitions}
</dl>
</section>
</main>
<script type="application/json" id="ladderlab-specs">${jsonForScript(page.specs)}</script>
<script type="application/json" id="ladderlab-run">${jsonForScript(page.run)}</script>
</body>
</html>
`;
}
