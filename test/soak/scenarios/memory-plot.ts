/** Options of {@link plotMemory}. */
export interface MemoryPlotOptions {
  title: string;
  /** The second warm-up ends (a dashed line). */
  warmUp: number;
  /** RSS after warm-up (a line), and the band above it the curve must stay in. */
  reference: number;
  tolerance: number;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The RSS curve as a standalone SVG: seconds across, MB up, the warm-up line and the allowed band drawn in. */
export function plotMemory(samples: ReadonlyArray<{ second: number; rssMb: number }>, options: MemoryPlotOptions): string {
  const width = 900;
  const height = 420;
  const margin = { left: 64, right: 20, top: 40, bottom: 48 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const lastSecond = Math.max(1, ...samples.map((s) => s.second));
  const ceiling = Math.max(options.reference * (1 + options.tolerance), ...samples.map((s) => s.rssMb)) * 1.05;
  const x = (second: number) => margin.left + (second / lastSecond) * plotWidth;
  const y = (mb: number) => margin.top + plotHeight - (mb / ceiling) * plotHeight;
  const path = samples.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.second).toFixed(1)},${y(s.rssMb).toFixed(1)}`).join(' ');
  const band = options.reference * (1 + options.tolerance);
  const ticks = 5;
  const yTicks = Array.from({ length: ticks + 1 }, (_, i) => (ceiling / ticks) * i);
  const xTicks = Array.from({ length: ticks + 1 }, (_, i) => Math.round((lastSecond / ticks) * i));
  const text = (px: number, py: number, content: string, anchor = 'middle') =>
    `<text x="${px.toFixed(1)}" y="${py.toFixed(1)}" text-anchor="${anchor}" font-family="sans-serif" font-size="12">${escape(content)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    text(width / 2, 22, options.title),
    `<rect x="${margin.left}" y="${y(band).toFixed(1)}" width="${plotWidth}" height="${(y(options.reference) - y(band)).toFixed(1)}" fill="#e8f4e8"/>`,
    ...yTicks.map(
      (mb) =>
        `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(mb).toFixed(1)}" y2="${y(mb).toFixed(1)}" stroke="#eee"/>` +
        text(margin.left - 8, y(mb) + 4, `${Math.round(mb)} MB`, 'end'),
    ),
    ...xTicks.map((second) => text(x(second), height - margin.bottom + 18, `${second} s`)),
    `<line x1="${x(options.warmUp).toFixed(1)}" x2="${x(options.warmUp).toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#888" stroke-dasharray="4 4"/>`,
    text(x(options.warmUp) + 4, margin.top + 14, 'end of warm-up', 'start'),
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(options.reference).toFixed(1)}" y2="${y(options.reference).toFixed(1)}" stroke="#4a4"/>`,
    text(width - margin.right - 4, y(band) - 6, `+${Math.round(options.tolerance * 100)}% of the RSS after warm-up`, 'end'),
    `<path d="${path}" fill="none" stroke="#1f5fbf" stroke-width="1.5"/>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
    text(margin.left + plotWidth / 2, height - 10, 'seconds (a second stands for a minute)'),
    '</svg>',
    '',
  ].join('\n');
}
