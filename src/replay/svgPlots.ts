/**
 * Small SVG plotting helpers for self-contained HTML reports: line/step/dot plots with axes, ticks,
 * labels and a legend, and a heatmap with a colour bar. Pure functions returning well-formed SVG text
 * (no scripts, no external resources, no element ids, so several plots can share one page). All text is
 * escaped. Axes and labels are drawn in `currentColor`, so a plot follows the page's light or dark text
 * colour; series colours are CSS colours (a `var(--name, #fallback)` works inside a page).
 * Non-finite values (NaN, ±Infinity) and nulls are gaps, never text.
 * Sizes are in SVG user units (px at 100 % zoom).
 */

/** Escapes text for XML/HTML element content and attribute values (& < > " '). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** Whether `v` is a finite number (not null, NaN or ±Infinity). */
export function isFiniteNumber(v: number | null | undefined): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** Rounds a coordinate to 0.1 px for compact output. */
const px = (v: number): string => (Math.round(v * 10) / 10).toString();

/** Formats `v` with `decimals` digits after the point, with a typographic minus; "–" for non-finite. */
export function formatNumber(v: number | null | undefined, decimals: number): string {
  if (!isFiniteNumber(v)) return "–";
  const s = v.toFixed(Math.max(0, Math.min(20, decimals)));
  // Avoid "−0.00".
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s.replace(/^-/, "\u2212");
}

/** Digits after the point that show the difference between ticks `step` apart. */
export function tickDecimals(step: number): number {
  return step > 0 && Number.isFinite(step) ? Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)) : 0;
}

/**
 * "Nice" tick values (1, 2 or 5 × 10^k apart) covering [lo, hi] with about `count` ticks. The first and
 * last ticks enclose the range. Degenerate ranges are widened; non-finite ends give [0, 1].
 */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; step: number; min: number; max: number } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return niceTicks(0, 1, count);
  if (lo > hi) [lo, hi] = [hi, lo];
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(lo))) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.01;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * 0.999) ?? 10 * mag;
  const min = Math.floor(lo / step + 1e-9) * step;
  const max = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let k = 0; min + k * step <= max + step * 1e-6; k++) ticks.push(Number((min + k * step).toPrecision(12)));
  return { ticks, step, min, max };
}

/** One series of a {@link linePlot}. */
export interface PlotSeries {
  /** Legend text. */
  label: string;
  /** CSS colour of the line and dots. */
  color: string;
  /** (x, y) points in x order; a null or non-finite y is a gap. */
  points: ReadonlyArray<readonly [number, number | null]>;
  /**
   * "line" joins points; "step" holds each y until the next point's x (the last until `stepEnd`);
   * "dots" draws points only. Default "line".
   */
  kind?: "line" | "step" | "dots";
  /** x where the last step ends (default: the last x plus the previous interval). */
  stepEnd?: number;
  /** Also draw a dot at each point (lines); dots carry a tooltip with the value. */
  dots?: boolean;
  /** SVG stroke-dasharray, e.g. "4 3". */
  dash?: string;
  /** Line width (px), default 1.6. */
  width?: number;
  /** Decimals of the values in dot tooltips (default 3). */
  decimals?: number;
}

/** A labelled vertical line at `x` (e.g. a goal change). */
export interface VerticalMarker {
  x: number;
  label?: string;
}

/** Options of {@link linePlot}. */
export interface LinePlotOptions {
  /** Size of the whole SVG (px). */
  width: number;
  height: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  series: readonly PlotSeries[];
  /** Fixed axis ranges (default: the data's, rounded out to ticks). */
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  /** Horizontal reference lines (e.g. 0). */
  hLines?: readonly number[];
  xMarkers?: readonly VerticalMarker[];
  /** Draw the legend above the plot (default true). */
  legend?: boolean;
  /** Draw x tick labels (default true; false for stacked panels sharing an axis). */
  xTickLabels?: boolean;
  /** Left margin (px) so stacked panels line up; default 58. */
  marginLeft?: number;
  /** Text shown in the plot area when no series has a finite point. */
  emptyText?: string;
  /** Approximate tick counts (default 8 on x, 4 on y). */
  xTicks?: number;
  yTicks?: number;
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="11"';
/** Approximate width (px) of `text` at 11 px. */
const textWidth = (text: string): number => text.length * 6.2;

function svgOpen(width: number, height: number, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(label)}" ${FONT} fill="currentColor">`;
}

/** Range of the finite values (null when none). */
function extent(values: Iterable<number | null | undefined>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!isFiniteNumber(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Legend items in one row: a swatch per item and its label. */
function legendRow(items: ReadonlyArray<{ label: string; swatch: (x: number, y: number) => string }>, x0: number, y: number): string {
  let x = x0;
  const parts: string[] = [];
  for (const it of items) {
    parts.push(it.swatch(x, y), `<text x="${px(x + 24)}" y="${px(y + 4)}">${escapeXml(it.label)}</text>`);
    x += 24 + textWidth(it.label) + 16;
  }
  return `<g class="legend">${parts.join("")}</g>`;
}

/** A line swatch for a series in a legend. */
function lineSwatch(s: PlotSeries): (x: number, y: number) => string {
  return (x, y) =>
    s.kind === "dots"
      ? `<circle cx="${px(x + 10)}" cy="${px(y)}" r="3" style="fill:${escapeXml(s.color)}"/>`
      : `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + 20)}" y2="${px(y)}" style="stroke:${escapeXml(s.color)}" stroke-width="${s.width ?? 1.6}"${s.dash ? ` stroke-dasharray="${escapeXml(s.dash)}"` : ""}/>`;
}

/**
 * A line/step/dot plot with axes, ticks, grid lines, axis labels, an optional title and legend,
 * reference lines and vertical markers. Returns one `<svg>` element.
 */
export function linePlot(o: LinePlotOptions): string {
  const { width, height, series, legend = true, xTickLabels = true, marginLeft = 58 } = o;
  const top = 6 + (o.title ? 16 : 0) + (legend && series.length > 0 ? 18 : 0) + ((o.xMarkers?.length ?? 0) > 0 ? 12 : 0);
  const bottom = 6 + (xTickLabels ? 16 : 0) + (o.xLabel ? 16 : 0);
  const left = marginLeft;
  const right = 14;
  const pw = Math.max(10, width - left - right);
  const ph = Math.max(10, height - top - bottom);

  const xs = series.flatMap((s) => [...s.points.map((p) => p[0]), ...(s.kind === "step" && s.stepEnd !== undefined ? [s.stepEnd] : [])]);
  const ysFinite = series.flatMap((s) => s.points.map((p) => p[1]));
  const hasData = ysFinite.some(isFiniteNumber);
  const xExt = o.xDomain ?? extent([...xs, ...(o.xMarkers ?? []).map((m) => m.x)]) ?? [0, 1];
  const yExt = o.yDomain ?? extent([...ysFinite, ...(o.hLines ?? [])]) ?? [0, 1];
  const xt = niceTicks(xExt[0], xExt[1], o.xTicks ?? 8);
  const yt = niceTicks(yExt[0], yExt[1], o.yTicks ?? 4);
  const [x0, x1] = o.xDomain ? [o.xDomain[0], o.xDomain[1] === o.xDomain[0] ? o.xDomain[0] + 1 : o.xDomain[1]] : [xt.min, xt.max];
  const [y0, y1] = o.yDomain ? [o.yDomain[0], o.yDomain[1] === o.yDomain[0] ? o.yDomain[0] + 1 : o.yDomain[1]] : [yt.min, yt.max];
  const sx = (x: number): number => left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number): number => top + ph - ((Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)) * ph;
  const out: string[] = [svgOpen(width, height, o.title ?? o.yLabel ?? "plot")];
  if (o.title) out.push(`<text x="${left}" y="13" font-weight="600" font-size="12">${escapeXml(o.title)}</text>`);
  if (legend && series.length > 0)
    out.push(
      legendRow(
        series.map((s) => ({ label: s.label, swatch: lineSwatch(s) })),
        left,
        (o.title ? 16 : 0) + 12,
      ),
    );

  // Grid, axes, ticks.
  const xDec = tickDecimals(xt.step);
  const yDec = tickDecimals(yt.step);
  const g: string[] = [];
  for (const t of yt.ticks) {
    if (t < y0 - 1e-12 || t > y1 + 1e-12) continue;
    g.push(`<line x1="${left}" y1="${px(sy(t))}" x2="${left + pw}" y2="${px(sy(t))}" stroke="currentColor" stroke-opacity="0.12"/>`);
    g.push(`<text x="${left - 6}" y="${px(sy(t) + 3.5)}" text-anchor="end" fill-opacity="0.8">${escapeXml(formatNumber(t, yDec))}</text>`);
  }
  for (const t of xt.ticks) {
    if (t < x0 - 1e-12 || t > x1 + 1e-12) continue;
    g.push(`<line x1="${px(sx(t))}" y1="${top + ph}" x2="${px(sx(t))}" y2="${top + ph + 4}" stroke="currentColor" stroke-opacity="0.6"/>`);
    g.push(`<line x1="${px(sx(t))}" y1="${top}" x2="${px(sx(t))}" y2="${top + ph}" stroke="currentColor" stroke-opacity="0.06"/>`);
    if (xTickLabels) g.push(`<text x="${px(sx(t))}" y="${top + ph + 15}" text-anchor="middle" fill-opacity="0.8">${escapeXml(formatNumber(t, xDec))}</text>`);
  }
  for (const h of o.hLines ?? []) {
    if (h >= y0 && h <= y1) g.push(`<line x1="${left}" y1="${px(sy(h))}" x2="${left + pw}" y2="${px(sy(h))}" stroke="currentColor" stroke-opacity="0.45"/>`);
  }
  g.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="currentColor" stroke-opacity="0.35"/>`);
  out.push(`<g class="axes">${g.join("")}</g>`);
  if (o.yLabel) out.push(`<text transform="translate(13 ${px(top + ph / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  if (o.xLabel) out.push(`<text x="${px(left + pw / 2)}" y="${height - 4}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);

  // Vertical markers.
  for (const m of o.xMarkers ?? []) {
    if (!isFiniteNumber(m.x) || m.x < x0 || m.x > x1) continue;
    out.push(
      `<line x1="${px(sx(m.x))}" y1="${top - 4}" x2="${px(sx(m.x))}" y2="${top + ph}" stroke="currentColor" stroke-opacity="0.55" stroke-dasharray="3 3"/>`,
    );
    if (m.label) out.push(`<text x="${px(sx(m.x) + 3)}" y="${top - 4}" font-size="10" fill-opacity="0.75">${escapeXml(m.label)}</text>`);
  }

  // Series.
  for (const s of series) out.push(seriesPath(s, sx, sy));
  if (!hasData)
    out.push(
      `<text x="${px(left + pw / 2)}" y="${px(top + ph / 2 + 4)}" text-anchor="middle" fill-opacity="0.6">${escapeXml(o.emptyText ?? "no data")}</text>`,
    );
  out.push("</svg>");
  return out.join("");
}

/** The path (and dots) of one series; gaps at null/non-finite values. */
function seriesPath(s: PlotSeries, sx: (x: number) => number, sy: (y: number) => number): string {
  const color = escapeXml(s.color);
  const kind = s.kind ?? "line";
  const pts = s.points.filter((p) => isFiniteNumber(p[0]));
  const parts: string[] = [];
  if (kind !== "dots") {
    let d = "";
    let pen = false;
    pts.forEach(([x, y], i) => {
      if (!isFiniteNumber(y)) {
        pen = false;
        return;
      }
      if (kind === "step") {
        const next = i + 1 < pts.length ? pts[i + 1][0] : (s.stepEnd ?? (i > 0 ? x + (x - pts[i - 1][0]) : x));
        d += `${pen ? "L" : "M"}${px(sx(x))} ${px(sy(y))}H${px(sx(next))}`;
      } else d += `${pen ? "L" : "M"}${px(sx(x))} ${px(sy(y))}`;
      pen = true;
    });
    if (d !== "")
      parts.push(
        `<path d="${d}" fill="none" style="stroke:${color}" stroke-width="${s.width ?? 1.6}" stroke-linejoin="round"${s.dash ? ` stroke-dasharray="${escapeXml(s.dash)}"` : ""}/>`,
      );
  }
  if (kind === "dots" || s.dots) {
    for (const [x, y] of pts) {
      if (!isFiniteNumber(y)) continue;
      const tip = `${s.label}: ${formatNumber(y, s.decimals ?? 3)} at ${formatNumber(x, 2)}`;
      parts.push(`<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="2.6" style="fill:${color}"><title>${escapeXml(tip)}</title></circle>`);
    }
  }
  return `<g class="series">${parts.join("")}</g>`;
}

/** Viridis colour map (perceptually uniform, readable on light and dark pages) at t ∈ [0, 1]. */
export function viridis(t: number): string {
  const stops = [
    [68, 1, 84],
    [72, 40, 120],
    [62, 74, 137],
    [49, 104, 142],
    [38, 130, 142],
    [31, 158, 137],
    [53, 183, 121],
    [110, 206, 88],
    [181, 222, 43],
    [253, 231, 37],
  ];
  const u = Math.min(1, Math.max(0, isFiniteNumber(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const c = stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * f));
  return `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

/** A point marked on a {@link heatmap}. */
export interface HeatmapMarker {
  x: number;
  y: number;
  label: string;
  shape: "circle" | "diamond" | "star";
  /** Fill colour (CSS). */
  color: string;
}

/** Options of {@link heatmap}. */
export interface HeatmapOptions {
  /** Size of the whole SVG (px). */
  width: number;
  height: number;
  title?: string;
  /** Cell centres along x (columns) and y (rows), ascending. */
  x: readonly number[];
  y: readonly number[];
  /** z[i][j] at (x[j], y[i]); null or non-finite cells are drawn hatched grey. */
  z: ReadonlyArray<ReadonlyArray<number | null>>;
  xLabel?: string;
  yLabel?: string;
  /** Label of the colour bar. */
  colorLabel?: string;
  /** Decimals of z in cell tooltips (default: from the colour-bar ticks, + 1). */
  zDecimals?: number;
  markers?: readonly HeatmapMarker[];
}

/** Edges of cells centred on sorted `c` (midpoints, the ends extended by half a cell). */
function cellEdges(c: readonly number[]): number[] {
  if (c.length === 1) return [c[0] - 0.5, c[0] + 0.5];
  const e = [c[0] - (c[1] - c[0]) / 2];
  for (let i = 0; i + 1 < c.length; i++) e.push((c[i] + c[i + 1]) / 2);
  e.push(c[c.length - 1] + (c[c.length - 1] - c[c.length - 2]) / 2);
  return e;
}

/** SVG of a marker shape centred at (cx, cy). */
function markerShape(shape: HeatmapMarker["shape"], cx: number, cy: number, color: string, r = 6): string {
  const style = `style="fill:${escapeXml(color)}" stroke="#000" stroke-width="1.2"`;
  if (shape === "circle") return `<circle cx="${px(cx)}" cy="${px(cy)}" r="${r}" ${style}/>`;
  if (shape === "diamond")
    return `<polygon points="${px(cx)},${px(cy - r - 1)} ${px(cx + r + 1)},${px(cy)} ${px(cx)},${px(cy + r + 1)} ${px(cx - r - 1)},${px(cy)}" ${style}/>`;
  const pts: string[] = [];
  for (let k = 0; k < 10; k++) {
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    const rr = k % 2 === 0 ? r + 2 : (r + 2) * 0.45;
    pts.push(`${px(cx + rr * Math.cos(a))},${px(cy + rr * Math.sin(a))}`);
  }
  return `<polygon points="${pts.join(" ")}" ${style}/>`;
}

/**
 * A heatmap of z over a (x, y) grid (y up), with axes, a colour bar (viridis, low = dark) and markers
 * with a legend. Each cell is a `<rect class="cell">` with a tooltip; markers outside the grid are drawn
 * at its edge and their legend says "off grid". Returns one `<svg>` element.
 */
export function heatmap(o: HeatmapOptions): string {
  const { width, height, x, y, z, markers = [] } = o;
  const top = 8 + (o.title ? 16 : 0);
  const bottom = 36 + (markers.length > 0 ? 20 : 0);
  const left = 58;
  const zs = z.flatMap((row) => row.map((v) => v));
  const zExt = extent(zs);
  const zt = niceTicks(zExt?.[0] ?? 0, zExt?.[1] ?? 1, 5);
  const zDecTicks = tickDecimals(zt.step);
  const zTickWidth = Math.max(...zt.ticks.map((t) => textWidth(formatNumber(t, zDecTicks))));
  const bar = 18 + 14 + 6 + zTickWidth + (o.colorLabel ? 22 : 4); // gap, bar, tick, labels, colour label
  const side = Math.max(20, Math.min(width - left - bar - 4, height - top - bottom));
  const out: string[] = [svgOpen(width, height, o.title ?? "heatmap")];
  if (o.title) out.push(`<text x="${left}" y="13" font-weight="600" font-size="12">${escapeXml(o.title)}</text>`);
  if (x.length === 0 || y.length === 0 || zExt === null) {
    out.push(`<rect x="${left}" y="${top}" width="${side}" height="${side}" fill="none" stroke="currentColor" stroke-opacity="0.35"/>`);
    out.push(`<text x="${px(left + side / 2)}" y="${px(top + side / 2)}" text-anchor="middle" fill-opacity="0.6">no finite energies</text></svg>`);
    return out.join("");
  }
  const xe = cellEdges(x);
  const ye = cellEdges(y);
  const [xa, xb] = [xe[0], xe[xe.length - 1]];
  const [ya, yb] = [ye[0], ye[ye.length - 1]];
  const sx = (v: number): number => left + ((v - xa) / (xb - xa)) * side;
  const sy = (v: number): number => top + side - ((v - ya) / (yb - ya)) * side;
  const zSpan = zExt[1] - zExt[0];
  const norm = (v: number): number => (zSpan > 0 ? (v - zExt[0]) / zSpan : 0.5);
  const zDec = o.zDecimals ?? tickDecimals(zt.step) + 1;

  const cells: string[] = [];
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < x.length; j++) {
      const v = z[i]?.[j] ?? null;
      const [cx0, cx1, cy0, cy1] = [sx(xe[j]), sx(xe[j + 1]), sy(ye[i + 1]), sy(ye[i])];
      const fill = isFiniteNumber(v) ? viridis(norm(v)) : "#888888";
      const tip = `${o.xLabel ?? "x"} ${formatNumber(x[j], 1)}, ${o.yLabel ?? "y"} ${formatNumber(y[i], 1)}: ${isFiniteNumber(v) ? formatNumber(v, zDec) : "no value"}`;
      cells.push(
        `<rect class="cell" x="${px(cx0)}" y="${px(cy0)}" width="${px(cx1 - cx0 + 0.4)}" height="${px(cy1 - cy0 + 0.4)}" fill="${fill}"${isFiniteNumber(v) ? "" : ' fill-opacity="0.5"'}><title>${escapeXml(tip)}</title></rect>`,
      );
    }
  }
  out.push(`<g class="cells" shape-rendering="crispEdges">${cells.join("")}</g>`);
  out.push(`<rect x="${left}" y="${top}" width="${side}" height="${side}" fill="none" stroke="currentColor" stroke-opacity="0.5"/>`);

  // Axes.
  const axes: string[] = [];
  const xt = niceTicks(xa, xb, 6);
  const yt = niceTicks(ya, yb, 6);
  for (const t of xt.ticks) {
    if (t < xa - 1e-12 || t > xb + 1e-12) continue;
    axes.push(`<line x1="${px(sx(t))}" y1="${top + side}" x2="${px(sx(t))}" y2="${top + side + 4}" stroke="currentColor" stroke-opacity="0.6"/>`);
    axes.push(
      `<text x="${px(sx(t))}" y="${top + side + 15}" text-anchor="middle" fill-opacity="0.8">${escapeXml(formatNumber(t, tickDecimals(xt.step)))}</text>`,
    );
  }
  for (const t of yt.ticks) {
    if (t < ya - 1e-12 || t > yb + 1e-12) continue;
    axes.push(`<line x1="${left - 4}" y1="${px(sy(t))}" x2="${left}" y2="${px(sy(t))}" stroke="currentColor" stroke-opacity="0.6"/>`);
    axes.push(`<text x="${left - 6}" y="${px(sy(t) + 3.5)}" text-anchor="end" fill-opacity="0.8">${escapeXml(formatNumber(t, tickDecimals(yt.step)))}</text>`);
  }
  if (o.xLabel) axes.push(`<text x="${px(left + side / 2)}" y="${top + side + 30}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  if (o.yLabel) axes.push(`<text transform="translate(13 ${px(top + side / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  out.push(`<g class="axes">${axes.join("")}</g>`);

  // Colour bar.
  const bx = left + side + 18;
  const bw = 14;
  const n = 48;
  const barParts: string[] = [];
  for (let k = 0; k < n; k++) {
    const y0 = top + side - ((k + 1) / n) * side;
    barParts.push(`<rect x="${bx}" y="${px(y0)}" width="${bw}" height="${px(side / n + 0.5)}" fill="${viridis((k + 0.5) / n)}"/>`);
  }
  barParts.push(`<rect x="${bx}" y="${top}" width="${bw}" height="${side}" fill="none" stroke="currentColor" stroke-opacity="0.5"/>`);
  const zy = (v: number): number => top + side - norm(v) * side;
  for (const t of zSpan > 0 ? zt.ticks.filter((t) => t >= zExt[0] - 1e-12 && t <= zExt[1] + 1e-12) : [zExt[0]]) {
    barParts.push(`<line x1="${bx + bw}" y1="${px(zy(t))}" x2="${bx + bw + 4}" y2="${px(zy(t))}" stroke="currentColor" stroke-opacity="0.6"/>`);
    barParts.push(`<text x="${bx + bw + 6}" y="${px(zy(t) + 3.5)}" fill-opacity="0.8">${escapeXml(formatNumber(t, zDecTicks))}</text>`);
  }
  if (o.colorLabel)
    barParts.push(
      `<text transform="translate(${px(bx + bw + 6 + zTickWidth + 16)} ${px(top + side / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(o.colorLabel)}</text>`,
    );
  out.push(`<g class="colorbar">${barParts.join("")}</g>`);

  // Markers, drawn at the grid edge when outside, and their legend.
  const clampX = (v: number): number => Math.min(xb, Math.max(xa, v));
  const clampY = (v: number): number => Math.min(yb, Math.max(ya, v));
  const shown = markers.filter((m) => isFiniteNumber(m.x) && isFiniteNumber(m.y));
  for (const m of shown)
    out.push(
      `<g class="marker">${markerShape(m.shape, sx(clampX(m.x)), sy(clampY(m.y)), m.color)}<title>${escapeXml(`${m.label}: ${formatNumber(m.x, 1)}, ${formatNumber(m.y, 1)}`)}</title></g>`,
    );
  if (shown.length > 0) {
    const items = shown.map((m) => ({
      label: `${m.label}${m.x < xa || m.x > xb || m.y < ya || m.y > yb ? " (off grid)" : ""}`,
      swatch: (lx: number, ly: number) => markerShape(m.shape, lx + 10, ly, m.color, 5),
    }));
    out.push(legendRow(items, left, height - 10));
  }
  out.push("</svg>");
  return out.join("");
}
