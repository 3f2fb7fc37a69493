/**
 * Runs `runEnvelopeFuzz` in worker threads: episodes are dealt round-robin (worker k of n runs episodes
 * k, k + n, ...), so a run is the same whatever the machine, and the reports are summed.
 *
 * Workers also take the run out of Jest's sandbox, where every `Math.*` / `Number.*` lookup goes through
 * the context's global interceptor and the envelope's pure math runs about five times slower than in Node.
 */
import * as os from "node:os";
import { Worker } from "node:worker_threads";
import { worseExcess, type FuzzCounts, type FuzzOptions, type FuzzReport, type ViolationKind } from "./envelopeFuzz";

/** Options a worker can take (no functions cross a thread). */
export type WorkerFuzzOptions = Omit<FuzzOptions, "parts" | "trace" | "onEpisode" | "stride" | "episodes">;

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
require(workerData.register);
const { runEnvelopeFuzz } = require(workerData.harness);
let last = Date.now();
const report = runEnvelopeFuzz({
  ...workerData.options,
  onEpisode: (counts) => {
    if (Date.now() - last >= 1000) {
      last = Date.now();
      parentPort.postMessage({ progress: counts });
    }
  },
});
parentPort.postMessage({ report });
`;

/** Sums numeric leaves of two count records (in place into `a`). */
function addInto(a: Record<string, unknown>, b: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(b)) {
    if (typeof v === "number") a[k] = ((a[k] as number | undefined) ?? 0) + v;
    else if (v !== null && typeof v === "object") {
      a[k] ??= {};
      addInto(a[k] as Record<string, unknown>, v as Record<string, unknown>);
    }
  }
}

/** Sums the reports of the workers of one run. */
export function mergeReports(reports: FuzzReport[], maxViolations: number, seconds: number): FuzzReport {
  const counts = {} as FuzzCounts;
  const violationCounts: FuzzReport["violationCounts"] = {};
  const excess: FuzzReport["excess"] = {};
  for (const r of reports) {
    addInto(counts as unknown as Record<string, unknown>, r.counts as unknown as Record<string, unknown>);
    addInto(violationCounts, r.violationCounts);
    for (const [k, v] of Object.entries(r.excess) as Array<[ViolationKind, { excess: number; tolerance: number }]>) worseExcess(excess, k, v);
  }
  const violations = reports
    .flatMap((r) => r.violations)
    .sort((a, b) => a.episode - b.episode || a.event - b.event)
    .slice(0, maxViolations);
  return { seed: reports[0].seed, counts, violationCounts, violations, excess, seconds };
}

/**
 * `runEnvelopeFuzz(options)` on `workers` threads (default: the CPU count, at most 8): the plans are split
 * evenly, episodes dealt round-robin. `onProgress` gets the summed counts about once a second.
 */
export async function runEnvelopeFuzzInWorkers(
  options: WorkerFuzzOptions,
  workers = Math.min(8, os.cpus().length),
  onProgress?: (counts: FuzzCounts) => void,
): Promise<FuzzReport> {
  const started = Date.now();
  const n = Math.max(1, Math.floor(workers));
  const first = options.firstEpisode ?? 0;
  const latest: FuzzCounts[] = [];
  const register = require.resolve("@swc-node/register");
  const harness = require.resolve("./envelopeFuzz");
  const reports = await Promise.all(
    Array.from({ length: n }, (_, k) => {
      const plans = Math.floor(options.plans / n) + (k < options.plans % n ? 1 : 0);
      const workerOptions: FuzzOptions = { ...options, plans, firstEpisode: first + k, stride: n };
      return new Promise<FuzzReport>((resolve, reject) => {
        const w = new Worker(WORKER, { eval: true, workerData: { register, harness, options: workerOptions } });
        w.on("message", (m: { progress?: FuzzCounts; report?: FuzzReport }) => {
          if (m.progress !== undefined) {
            latest[k] = m.progress;
            if (onProgress !== undefined) {
              const sum = {} as FuzzCounts;
              for (const c of latest) if (c !== undefined) addInto(sum as unknown as Record<string, unknown>, c as unknown as Record<string, unknown>);
              onProgress(sum);
            }
          }
          if (m.report !== undefined) resolve(m.report);
        });
        w.on("error", reject);
        w.on("exit", (code) => {
          if (code !== 0) reject(new Error(`fuzz worker ${k} exited with code ${code}`));
        });
      });
    }),
  );
  return mergeReports(reports, options.maxViolations ?? 50, (Date.now() - started) / 1000);
}
