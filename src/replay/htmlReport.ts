/**
 * Renders a {@link ReplayReport} as one self-contained HTML page: inline CSS and inline SVG, no scripts
 * and no external resources (it works offline and can be mailed or attached to a CI run), readable in
 * light and dark browsers (`prefers-color-scheme`). Sections: header with the settings, summary tables,
 * problems, action agreement over time, energy per step, the (dx, dz) energy landscape and a
 * collapsible per-step table. Every value may be null or NaN; such values show as "–", never as text
 * like "NaN". All report text is escaped. Pure function (no `node:` imports).
 */
import { cosineXyz } from "./agreement";
import type { ReplayReport, ReplayStep } from "./ReplayReport";
import { escapeXml, formatNumber, heatmap, isFiniteNumber, linePlot, tickDecimals, type PlotSeries, type VerticalMarker } from "./svgPlots";

/** Width (px) of the plots; the page scales them down on narrow windows. */
const PLOT_WIDTH = 1120;

/** Series colours: Okabe–Ito (colour-blind safe), lighter variants in dark mode via CSS variables. */
const C = {
  planned: "var(--c-planned, #D55E00)",
  recorded: "var(--c-recorded, #0072B2)",
  commanded: "var(--c-commanded, #009E73)",
  cosine: "var(--c-cosine, #CC79A7)",
  current: "var(--c-recorded, #0072B2)",
  best: "var(--c-best, #E69F00)",
  model: "var(--c-commanded, #009E73)",
} as const;

const CSS = `
:root { color-scheme: light dark; --bg:#ffffff; --fg:#1d2026; --muted:#5d6570; --card:#f5f6f8; --border:#dce0e5;
  --bad:#b42318; --bad-bg:#fef3f2; --bad-border:#f3b8b2; --ok:#067647; --accent:#1f5fbf;
  --c-planned:#D55E00; --c-recorded:#0072B2; --c-commanded:#009E73; --c-cosine:#CC79A7; --c-best:#E69F00; }
@media (prefers-color-scheme: dark) { :root { --bg:#15171b; --fg:#e4e7eb; --muted:#9aa3ae; --card:#1e2127; --border:#323741;
  --bad:#ff8a80; --bad-bg:#3a1f1d; --bad-border:#7a3530; --ok:#6ce9a6; --accent:#7fb0ff;
  --c-planned:#FF8C42; --c-recorded:#56B4E9; --c-commanded:#3DD6A3; --c-cosine:#E89AC7; --c-best:#F0C850; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 14px; margin: 14px 0 6px; }
p.note, .muted { color: var(--muted); }
p.note { margin: 4px 0 10px; font-size: 13px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 10px 0 0; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; }
.card h3 { margin-top: 2px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.card td:first-child { color: var(--muted); }
.bar { display: inline-block; width: 60px; height: 6px; border-radius: 3px; background: var(--border); vertical-align: middle; margin-left: 8px; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--accent); }
.warn { color: var(--bad); font-weight: 600; }
.problems { margin-top: 28px; background: var(--bad-bg); border: 1px solid var(--bad-border); border-left: 5px solid var(--bad); border-radius: 8px; padding: 8px 16px 12px; }
.problems h2 { color: var(--bad); border-bottom-color: var(--bad-border); margin-top: 6px; }
.problems td, .problems th { border-bottom-color: var(--bad-border); }
.problems th.num { width: 6em; }
.ok { color: var(--ok); }
figure { margin: 8px 0 20px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.landscape { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
details > summary { cursor: pointer; font-weight: 600; margin: 8px 0; }
.steps { font-size: 12px; overflow-x: auto; }
.steps th, .steps td { padding: 3px 5px; }
.steps .mono { font-size: 11.5px; }
.steps td { white-space: nowrap; }
.steps td.limits { white-space: normal; min-width: 100px; font-size: 11px; color: var(--muted); }
.steps tr.bad td { background: var(--bad-bg); }
.chip { display: inline-block; padding: 0 6px; border-radius: 9px; border: 1px solid var(--border); font-size: 12px; margin: 0 3px 2px 0; }
.status-planned, .status-done { color: var(--ok); }
.status-other { color: var(--bad); font-weight: 600; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
`;

const esc = escapeXml;

/** Integer count, "–" if not finite. */
const int = (v: number | null | undefined): string => (isFiniteNumber(v) ? String(Math.round(v)) : "–");

/** Fraction as a percentage with a small bar, "–" for null. */
function fraction(v: number | null | undefined): string {
  if (!isFiniteNumber(v)) return "–";
  const p = Math.max(0, Math.min(1, v)) * 100;
  return `${formatNumber(v * 100, 0)} %<span class="bar"><span style="width:${p.toFixed(1)}%"></span></span>`;
}

/** Signed number with a fixed width-friendly sign ("+1.2", "−3.4"). */
function signed(v: number | null | undefined, decimals: number): string {
  if (!isFiniteNumber(v)) return "–";
  const s = formatNumber(v, decimals);
  return s.startsWith("\u2212") || /^0\.?0*$/.test(s) ? s : `+${s}`;
}

/** xyz in mm and the gripper delta of a 7-vector, e.g. "+12.3 −4.0 +0.5 | −0.74". */
function actionText(a: readonly number[] | null): string {
  if (a === null || a.length < 7) return "–";
  return `${signed(a[0] * 1000, 1)} ${signed(a[1] * 1000, 1)} ${signed(a[2] * 1000, 1)} | ${signed(a[6], 2)}`;
}

/** ISO time as "YYYY-MM-DD HH:MM:SS UTC" (the text itself when it does not parse). */
function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? `${d.toISOString().slice(0, 19).replace("T", " ")} UTC` : iso;
}

/** Last path component of a bag path (the path itself when it has none). */
function baseName(p: string): string {
  const parts = p.split(/[\\/]+/).filter((s) => s !== "");
  return parts.length > 0 ? parts[parts.length - 1] : p;
}

/** Steps that have a finite time, in time order (steps whose frame was not found have NaN time). */
function timedSteps(report: ReplayReport): ReplayStep[] {
  return report.steps.filter((s) => isFiniteNumber(s.time)).sort((a, b) => a.time - b.time);
}

/** Median interval between consecutive step times (1 s when there are fewer than two). */
function frameInterval(steps: readonly ReplayStep[]): number {
  const d = steps
    .slice(1)
    .map((s, i) => s.time - steps[i].time)
    .filter((v) => v > 0)
    .sort((a, b) => a - b);
  return d.length > 0 ? d[Math.floor(d.length / 2)] : 1;
}

/** Best (lowest) energy of the last CEM iteration, null when there is none. */
function bestLastIteration(s: ReplayStep): number | null {
  const e = s.energyPerIteration.at(-1);
  return isFiniteNumber(e) ? e : null;
}

function header(r: ReplayReport): string {
  const goal =
    r.settings.goalEvery !== null ? `every ${int(r.settings.goalEvery)} frames (sub-goals)` : r.settings.goalFrame === "last" ? "the last frame" : "–";
  const s = r.settings;
  return `<header>
<h1>Replay report: ${esc(baseName(r.bag))}</h1>
<dl class="meta">
<dt>Bag</dt><dd class="mono">${esc(r.bag)}</dd>
<dt>Model</dt><dd class="mono">${esc(r.model)}</dd>
<dt>Created</dt><dd>${esc(formatDate(r.createdAt))}</dd>
<dt>Goal</dt><dd>${esc(goal)}</dd>
<dt>Planner</dt><dd><span class="chip">CEM ${esc(int(s.samples))} samples</span><span class="chip">${esc(int(s.iterations))} iterations</span><span class="chip">horizon ${esc(int(s.horizon))}</span><span class="chip">maxnorm ${esc(formatNumber(s.maxnorm * 1000, 1))} mm</span></dd>
</dl>
</header>`;
}

function summary(r: ReplayReport): string {
  const f = r.frames;
  const a = r.agreement;
  const l = r.latencyMs;
  const planned = r.steps.filter((s) => s.planned !== null);
  const modelMs = planned
    .map((s) => s.modelMs)
    .filter(isFiniteNumber)
    .sort((x, y) => x - y);
  const modelMedian = modelMs.length > 0 ? (modelMs[(modelMs.length - 1) >> 1] + modelMs[modelMs.length >> 1]) / 2 : null;
  const short = isFiniteNumber(f.planned) && isFiniteNumber(f.read) && f.planned < f.read;
  const row = (label: string, value: string, cls = ""): string => `<tr><td>${esc(label)}</td><td class="num${cls}">${value}</td></tr>`;
  const frames = `<div class="card"><h3>Frames</h3><table>
${row("read", int(f.read))}
${row("encoded", int(f.encoded))}
${row("dropped: stale", int(f.droppedStale), f.droppedStale > 0 ? " warn" : "")}
${row("dropped: superseded", int(f.droppedSuperseded), f.droppedSuperseded > 0 ? " warn" : "")}
${row("rejected", int(f.rejected), f.rejected > 0 ? " warn" : "")}
${row("planned", `${int(f.planned)}${isFiniteNumber(f.read) && f.read > 0 ? ` <span class="muted">of ${int(f.read)}</span>` : ""}`, short ? " warn" : "")}
</table></div>`;
  const agreement = `<div class="card"><h3>Agreement with the recorded actions</h3><table>
${row("steps compared", int(a.steps))}
${row("mean cosine similarity (xyz)", signed(a.meanCosine, 3))}
${row("sign agreement, all axes", fraction(a.signAgreement))}
${row("sign agreement, x", fraction(a.signAgreementPerAxis[0]))}
${row("sign agreement, y", fraction(a.signAgreementPerAxis[1]))}
${row("sign agreement, z", fraction(a.signAgreementPerAxis[2]))}
${row("gripper agreement", fraction(a.gripperAgreement))}
</table></div>`;
  const latency = `<div class="card"><h3>Planning latency</h3><table>
${row("median", l ? `${formatNumber(l.median, 1)} ms` : "–")}
${row("p10", l ? `${formatNumber(l.p10, 1)} ms` : "–")}
${row("p90", l ? `${formatNumber(l.p90, 1)} ms` : "–")}
${row("min / max", l ? `${formatNumber(l.min, 1)} / ${formatNumber(l.max, 1)} ms` : "–")}
${row("model, median", modelMedian !== null ? `${formatNumber(modelMedian, 1)} ms` : "–")}
</table></div>`;
  return `<section id="summary"><h2>Summary</h2><div class="cards">${frames}${agreement}${latency}</div></section>`;
}

function problems(r: ReplayReport): string {
  const damage = new Set(r.damage);
  // Damage is also listed among the problems (frame null); show it once, under "bag damage".
  const rows = r.problems.filter((p) => !(p.frameIndex === null && damage.has(p.reason)));
  const total = rows.length + r.damage.length;
  if (total === 0) return `<section id="problems"><h2>Problems</h2><p class="ok">None: every frame was read, encoded and planned.</p></section>`;
  const parts = [`<section id="problems" class="problems"><h2>Problems (${total})</h2>`];
  if (r.damage.length > 0) {
    parts.push(`<h3>Bag damage</h3><ul>${r.damage.map((d) => `<li class="mono">${esc(d)}</li>`).join("")}</ul>`);
  }
  if (rows.length > 0) {
    parts.push(`<table><thead><tr><th class="num">frame</th><th class="num">time (s)</th><th>reason</th></tr></thead><tbody>`);
    for (const p of rows) {
      parts.push(
        `<tr><td class="num">${p.frameIndex === null || p.frameIndex < 0 ? "–" : int(p.frameIndex)}</td><td class="num">${formatNumber(p.time, 2)}</td><td>${esc(p.reason)}</td></tr>`,
      );
    }
    parts.push(`</tbody></table>`);
  }
  parts.push(`</section>`);
  return parts.join("");
}

function agreementPlots(r: ReplayReport): string {
  const steps = timedSteps(r);
  const dt = frameInterval(steps);
  const xDomain: [number, number] | undefined = steps.length > 0 ? [steps[0].time, steps[steps.length - 1].time + dt] : undefined;
  const stepEnd = xDomain?.[1];
  const axisNames = ["dx", "dy", "dz"];
  const series = (axis: number, scale: number): PlotSeries[] => [
    { label: "recorded", color: C.recorded, kind: "step", stepEnd, width: 2, points: steps.map((s) => [s.time, s.recorded ? s.recorded[axis] * scale : null]) },
    { label: "planned", color: C.planned, kind: "step", stepEnd, width: 2, points: steps.map((s) => [s.time, s.planned ? s.planned[axis] * scale : null]) },
    {
      label: "commanded (after the safety envelope)",
      color: C.commanded,
      kind: "step",
      stepEnd,
      width: 1.3,
      dash: "4 3",
      points: steps.map((s) => [s.time, s.commanded ? s.commanded[axis] * scale : null]),
    },
  ];
  const empty = steps.length === 0 ? "no planning steps" : "no actions";
  const panels = [0, 1, 2].map((axis, k) =>
    linePlot({
      width: PLOT_WIDTH,
      height: k === 0 ? 150 : 118,
      series: series(axis, 1000),
      legend: k === 0,
      xTickLabels: false,
      yLabel: `${axisNames[axis]} (mm)`,
      hLines: [0],
      xDomain,
      emptyText: empty,
      yTicks: 3,
    }),
  );
  panels.push(
    linePlot({
      width: PLOT_WIDTH,
      height: 118,
      series: series(6, 1),
      legend: false,
      xTickLabels: false,
      yLabel: "dgripper",
      hLines: [0],
      xDomain,
      emptyText: empty,
      yTicks: 3,
    }),
  );
  const cos = steps.map((s): [number, number | null] => [s.time, s.planned && s.recorded ? cosineXyz(s.planned, s.recorded) : null]);
  panels.push(
    linePlot({
      width: PLOT_WIDTH,
      height: 150,
      series: [{ label: "cosine similarity of planned and recorded xyz", color: C.cosine, points: cos, dots: true, width: 1.2 }],
      legend: true,
      yLabel: "cosine",
      xLabel: "time (s)",
      yDomain: [-1, 1],
      hLines: [0],
      xDomain,
      emptyText: steps.length === 0 ? "no planning steps" : "no step with both a planned and a recorded motion",
      yTicks: 4,
    }),
  );
  return `<section id="agreement"><h2>Action agreement over time</h2>
<p class="note">Each action holds from its frame to the next. Recorded = the motion between this frame's and the next frame's recorded states; planned = the first action of the plan; commanded = what the actuator would have sent.</p>
<figure>${panels.join("")}<figcaption>Planned vs recorded end-effector deltas (mm) and gripper delta, and the per-step cosine similarity of the xyz deltas (blank where either is zero).</figcaption></figure></section>`;
}

/** A marker at every step where the goal frame changes (and at the first step). */
function goalMarkers(steps: readonly ReplayStep[]): VerticalMarker[] {
  const out: VerticalMarker[] = [];
  steps.forEach((s, i) => {
    if (i === 0 || s.goalFrameIndex !== steps[i - 1].goalFrameIndex) out.push({ x: s.time, label: `goal ${int(s.goalFrameIndex)}` });
  });
  return out;
}

function energyPlots(r: ReplayReport): string {
  const steps = timedSteps(r);
  const dt = frameInterval(steps);
  const xDomain: [number, number] | undefined = steps.length > 0 ? [steps[0].time, steps[steps.length - 1].time + dt / 2] : undefined;
  const markers = goalMarkers(steps);
  const empty = steps.length === 0 ? "no planning steps" : "no finite energies";
  const energy = linePlot({
    width: PLOT_WIDTH,
    height: 250,
    xLabel: "time (s)",
    yLabel: "energy (L1 to goal)",
    xDomain,
    xMarkers: markers,
    emptyText: empty,
    series: [
      { label: "current frame", color: C.current, dots: true, decimals: 4, points: steps.map((s) => [s.time, s.currentEnergy]) },
      { label: "planned (predicted)", color: C.planned, dots: true, decimals: 4, points: steps.map((s) => [s.time, s.plannedEnergy]) },
      { label: "best of the last CEM iteration", color: C.best, dash: "5 3", decimals: 4, points: steps.map((s) => [s.time, bestLastIteration(s)]) },
    ],
  });
  const latency = linePlot({
    width: PLOT_WIDTH,
    height: 160,
    xLabel: "time (s)",
    yLabel: "ms",
    xDomain,
    hLines: [0],
    emptyText: steps.length === 0 ? "no planning steps" : "no latencies",
    series: [
      { label: "planning step", color: C.cosine, dots: true, decimals: 1, points: steps.map((s) => [s.time, s.latencyMs]) },
      { label: "inside the model", color: C.model, dash: "4 3", decimals: 1, points: steps.map((s) => [s.time, s.modelMs]) },
    ],
  });
  return `<section id="energy"><h2>Energy per step</h2>
<p class="note">Energy of the current frame's embedding to the goal, the energy the plan predicts, and the lowest energy CEM found in its last iteration. Dashed vertical lines: the goal frame changes.</p>
<figure>${energy}<figcaption>Energy per planning step.</figcaption></figure>
<figure>${latency}<figcaption>Planning latency per step (ms).</figcaption></figure></section>`;
}

function landscapeSection(r: ReplayReport): string {
  const l = r.landscape;
  if (l === null)
    return `<section id="landscape"><h2>Energy landscape</h2><p class="muted">No energy landscape in this report (it was switched off, or the first planned frame had no recorded state).</p></section>`;
  // Grid minimum over the finite energies.
  let min: { i: number; j: number; e: number } | null = null;
  l.energy.forEach((row, i) =>
    row.forEach((e, j) => {
      if (isFiniteNumber(e) && (min === null || e < min.e)) min = { i, j, e };
    }),
  );
  const m = min as { i: number; j: number; e: number } | null;
  const markers = [
    ...(l.recorded ? [{ x: l.recorded[0] * 1000, y: l.recorded[1] * 1000, label: "recorded action", shape: "circle" as const, color: "#ffffff" }] : []),
    ...(l.planned ? [{ x: l.planned[0] * 1000, y: l.planned[1] * 1000, label: "planned action", shape: "diamond" as const, color: "#D55E00" }] : []),
    ...(m ? [{ x: l.dx[m.j] * 1000, y: l.dz[m.i] * 1000, label: "grid minimum", shape: "star" as const, color: "#F0E442" }] : []),
  ];
  const svg = heatmap({
    width: 600,
    height: 540,
    x: l.dx.map((v) => v * 1000),
    y: l.dz.map((v) => v * 1000),
    z: l.energy,
    xLabel: "dx (mm)",
    yLabel: "dz (mm)",
    colorLabel: "energy",
    markers,
  });
  const xz = (p: readonly [number, number] | null): string => (p ? `(${signed(p[0] * 1000, 1)}, ${signed(p[1] * 1000, 1)}) mm` : "–");
  const finite = l.energy.flat().filter(isFiniteNumber);
  const max = finite.length > 0 ? Math.max(...finite) : null;
  // Enough decimals to tell the minimum from the maximum (landscapes of small models are flat).
  const eDec = m !== null && max !== null && max > m.e ? Math.min(8, Math.max(4, tickDecimals((max - m.e) / 100))) : 4;
  const side = `<div class="card" style="min-width:280px"><h3>Frame ${esc(int(l.frameIndex))} towards goal frame ${esc(int(l.goalFrameIndex))}</h3><table>
<tr><td>grid</td><td class="num">${esc(int(l.dx.length))} × ${esc(int(l.dz.length))}</td></tr>
<tr><td>grid minimum (dx, dz)</td><td class="num">${m ? esc(xz([l.dx[m.j], l.dz[m.i]])) : "–"}</td></tr>
<tr><td>minimum energy</td><td class="num">${m ? formatNumber(m.e, eDec) : "–"}</td></tr>
<tr><td>maximum energy</td><td class="num">${formatNumber(max, eDec)}</td></tr>
<tr><td>recorded action</td><td class="num">${esc(xz(l.recorded))}</td></tr>
<tr><td>planned action</td><td class="num">${esc(xz(l.planned))}</td></tr>
</table></div>`;
  return `<section id="landscape"><h2>Energy landscape</h2>
<p class="note">Energy to the goal after one step of (dx, 0, dz), rotations and gripper held, over a grid spanning ±maxnorm, as in the upstream energy-landscape notebook. Low energy is dark.</p>
<figure class="landscape">${svg}${side}</figure></section>`;
}

function stepTable(r: ReplayReport): string {
  if (r.steps.length === 0) return `<section id="steps"><h2>Steps</h2><p class="muted">No planning steps.</p></section>`;
  const rows = r.steps.map((s) => {
    const ok = s.status === "planned" || s.status === "done" || s.status === "returning";
    const cos = s.planned && s.recorded ? cosineXyz(s.planned, s.recorded) : null;
    return `<tr${ok ? "" : ' class="bad"'}>
<td class="num">${s.frameIndex < 0 ? "–" : int(s.frameIndex)}</td><td class="num">${formatNumber(s.time, 2)}</td><td class="num">${int(s.goalFrameIndex)}</td>
<td class="${ok ? `status-${esc(s.status)}` : "status-other"}" title="${esc(s.message)}">${esc(s.status)}</td>
<td class="num mono">${actionText(s.planned)}</td><td class="num mono">${actionText(s.recorded)}</td><td class="num mono">${actionText(s.commanded)}</td>
<td class="num">${signed(cos, 2)}</td>
<td class="limits">${s.limitsApplied.length > 0 ? esc(s.limitsApplied.join(", ")) : '<span class="muted">–</span>'}</td>
<td class="num">${formatNumber(s.currentEnergy, 4)}</td><td class="num">${formatNumber(s.plannedEnergy, 4)}</td><td class="num">${formatNumber(bestLastIteration(s), 4)}</td>
<td class="num" title="inside the model: ${formatNumber(s.modelMs, 1)} ms">${formatNumber(s.latencyMs, 1)}</td></tr>`;
  });
  return `<section id="steps"><h2>Steps</h2><details${r.steps.length <= 40 ? " open" : ""}><summary>Per-step table (${r.steps.length} steps)</summary>
<p class="note">Actions: dx dy dz in mm | gripper delta. Hover a status for the planner's message, a latency for the time inside the model.</p>
<div class="steps"><table><thead><tr><th class="num">frame</th><th class="num">t (s)</th><th class="num">goal</th><th>status</th><th class="num">planned</th><th class="num">recorded</th><th class="num">commanded</th><th class="num">cos</th><th>limits applied</th><th class="num">E now</th><th class="num">E plan</th><th class="num">E best</th><th class="num">ms</th></tr></thead>
<tbody>${rows.join("")}</tbody></table></div></details></section>`;
}

/**
 * The report as one HTML document (UTF-8 text, starting with `<!DOCTYPE html>`). Never throws for a
 * well-typed report, including one with no steps, no landscape, null agreement and NaN energies.
 */
export function renderReplayHtml(report: ReplayReport): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Replay report: ${esc(baseName(report.bag))}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${header(report)}
${summary(report)}
${problems(report)}
${agreementPlots(report)}
${energyPlots(report)}
${landscapeSection(report)}
${stepTable(report)}
<footer>Generated by <code>vjepa2-mpc replay</code>. Self-contained: no scripts, no external resources.</footer>
</main>
</body>
</html>
`;
}
