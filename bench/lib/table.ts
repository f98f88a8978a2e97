/** Plain-text tables for the terminal and Markdown tables for BENCHMARKS.md. */

export interface FigureRow {
  id: string;
  name: string;
  value: string;
  baseline: string;
  /** Subject relative to its baseline, 1.0 = as good as the baseline (see BENCHMARKS.md). */
  ratio: number | null;
  target: string;
  /** null when the figure has no target or could not be measured. */
  met: boolean | null;
  details?: unknown;
}

const HEADERS = ['figure', 'value', 'baseline', 'ratio', 'target', 'met?'];

function cells(row: FigureRow): string[] {
  return [
    `${row.id} ${row.name}`,
    row.value,
    row.baseline,
    row.ratio === null || !Number.isFinite(row.ratio) ? '—' : row.ratio.toFixed(2),
    row.target,
    row.met === null ? '—' : row.met ? 'yes' : 'NO',
  ];
}

export function textTable(rows: FigureRow[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function markdownTable(rows: FigureRow[]): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  return [
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

/** A small table of latency summaries, e.g. B1's per-call p50/p99 next to the baseline's. */
export function latencyTable(title: string, columns: string[], rows: Array<[string, ...string[]]>): string {
  const head = [title, ...columns];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}
