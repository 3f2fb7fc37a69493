#!/usr/bin/env node
"use strict";
/**
 * Plan quality against model evaluations per action, CEM and iCEM, on the embedded demo's reach task:
 *
 *   node scripts/optimizer-sweep.js --out DIR [--seeds 424242,577215] [--episodes 20] [--budgets 1000,2000,4000,8000]
 *   node scripts/optimizer-sweep.js --out DIR --plot-only       # re-render DIR's plot and table from its results
 *
 * Each (seed set, optimiser, budget) runs `vjepa2-mpc demo --json` once with the demo's defaults and a
 * config that sets the optimiser and its population: CEM S × 10 iterations with S = budget / 10 (the
 * paper: 800 × 10 = 8000); iCEM S × 3 iterations with S = 0.4 × budget (populations S, 0.8 S, 0.64 S and
 * the mean: 800 → 1954, a little under the budget). Results go to DIR/<set>_<optimizer>_<budget>.json; the plot (success rate and
 * mean final distance against evaluations per action) to DIR/optimizer-budget.svg, a Markdown table to
 * stdout. A run whose JSON is already there is not repeated.
 */
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { parseArgs } = require("node:util");

const root = path.join(__dirname, "..");
require("@swc-node/register");
const { linePlot } = require(path.join(root, "src", "replay", "svgPlots.ts"));

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    seeds: { type: "string", default: "424242,577215" },
    episodes: { type: "string", default: "20" },
    budgets: { type: "string", default: "1000,2000,4000,8000" },
    "plot-only": { type: "boolean", default: false },
  },
});
if (!values.out) {
  process.stderr.write("usage: node scripts/optimizer-sweep.js --out DIR [--seeds A,B] [--episodes N] [--budgets 1000,2000,4000,8000] [--plot-only]\n");
  process.exit(2);
}
const out = path.resolve(values.out);
fs.mkdirSync(out, { recursive: true });

/** Population and iterations for a budget: CEM S × 10; iCEM S × 3 with decay 1.25 (S + 0.8 S + 0.64 S + 1 ≈ 2.44 S). */
const POPULATION = {
  cem: (budget) => ({ samples: Math.round(budget / 10), iterations: 10 }),
  icem: (budget) => ({ samples: Math.round(0.4 * budget), iterations: 3 }),
};

if (!values["plot-only"]) {
  for (const seed of values.seeds.split(",")) {
    for (const budget of values.budgets.split(",").map(Number)) {
      for (const optimizer of Object.keys(POPULATION)) {
        const file = path.join(out, `${seed}_${optimizer}_${budget}.json`);
        if (fs.existsSync(file) && fs.statSync(file).size > 0) continue;
        const { samples, iterations } = POPULATION[optimizer](budget);
        const config = path.join(out, `${optimizer}_${budget}.yaml`);
        fs.writeFileSync(config, `planner:\n  optimizer: ${optimizer}\n  samples: ${samples}\n  iterations: ${iterations}\n`);
        process.stderr.write(`seed ${seed}: ${optimizer} ${samples} × ${iterations}\n`);
        const json = execFileSync(
          process.execPath,
          [path.join(root, "bin", "vjepa2-mpc.js"), "demo", "--episodes", values.episodes, "--seed", seed, "--config", config, "--json"],
          { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "inherit"] },
        );
        fs.writeFileSync(file, json);
      }
    }
  }
}

// Every result in DIR: <set>_<optimizer>_<budget>.json (the set is a seed or a name).
const rows = [];
for (const name of fs.readdirSync(out).sort()) {
  const m = /^(.+)_(cem|icem)_(\d+)\.json$/.exec(name);
  if (!m) continue;
  const text = fs.readFileSync(path.join(out, name), "utf8").trim();
  if (text === "") continue;
  const r = JSON.parse(text);
  rows.push({
    set: m[1],
    optimizer: m[2],
    budget: Number(m[3]),
    evaluations: r.settings.evaluations_per_action,
    successes: r.summary.successes,
    episodes: r.summary.episodes,
    finalCm: 100 * r.summary.meanFinalDistance,
    steps: r.summary.meanSteps,
    stepS: r.summary.latencyMs ? r.summary.latencyMs.median / 1000 : NaN,
    seconds: r.seconds,
  });
}
rows.sort((a, b) => (a.set < b.set ? -1 : a.set > b.set ? 1 : a.optimizer < b.optimizer ? -1 : a.optimizer > b.optimizer ? 1 : a.budget - b.budget));

const sets = [...new Set(rows.map((r) => r.set))];
const colours = { cem: "#1f77b4", icem: "#d62728" };
const dashes = ["", "5 3", "2 2"];
const series = (y) =>
  sets.flatMap((set, i) =>
    ["cem", "icem"]
      .map((optimizer) => ({
        label: `${optimizer.toUpperCase()}, set ${set}`,
        color: colours[optimizer],
        dash: dashes[i % dashes.length] || undefined,
        dots: true,
        decimals: 1,
        points: rows.filter((r) => r.set === set && r.optimizer === optimizer).map((r) => [r.evaluations, y(r)]),
      }))
      .filter((s) => s.points.length > 0),
  );
const common = { width: 640, height: 260, xLabel: "model evaluations per action", xTicks: 8 };
const svg = [
  linePlot({
    ...common,
    title: "Reach success (%), embedded demo",
    yLabel: "success %",
    yDomain: [0, 100],
    series: series((r) => (100 * r.successes) / r.episodes),
  }),
  linePlot({ ...common, title: "Mean final distance (cm)", yLabel: "cm", series: series((r) => r.finalCm), legend: false }),
];
// Two plots stacked in one file.
const [a, b] = svg.map((s) => s.replace(/^<svg /, '<svg y="0" '));
const combined = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 520" width="640" height="520" style="background:#fff;color:#222">${a}${b.replace('<svg y="0" ', '<svg y="260" ')}</svg>\n`;
fs.writeFileSync(path.join(out, "optimizer-budget.svg"), combined);

process.stdout.write(
  "| set | optimiser | population × iterations | evaluations / action | successes | final distance (mean) | steps (mean) |\n|---|---|---|---|---|---|---|\n",
);
for (const r of rows) {
  const { samples, iterations } = POPULATION[r.optimizer](r.budget);
  process.stdout.write(
    `| ${r.set} | ${r.optimizer} | ${samples} × ${iterations} | ${r.evaluations} | ${r.successes} / ${r.episodes} | ${r.finalCm.toFixed(1)} cm | ${r.steps.toFixed(1)} |\n`,
  );
}
