/**
 * A long corruption-fuzzing run of the bag reader and the DROID episode reader (see bagFuzz.ts):
 *
 *   node -r @swc-node/register test/fuzz/runBagFuzz.ts --mutants 20000 --seed 3
 *   node -r @swc-node/register test/fuzz/runBagFuzz.ts --seed 3 --only 1234 --save /tmp/m   # one mutant again
 *
 * The mutants run in a worker thread, in batches; a mutant that stops the worker's progress for
 * --hang-ms (a synchronous endless loop cannot be timed out in-process) is reported as a hang, the worker
 * is replaced and the run goes on after it. Prints counts by target and mutation kind, the failures (with
 * seed and index to reproduce them) and the findings outside src/bag; exits 1 when anything failed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Command, InvalidArgumentError } from "commander";
import {
  buildDroidFixture,
  buildMcapFixtures,
  loadDroidFixture,
  MCAP_MUTATIONS,
  mutateMcap,
  runDroidFuzz,
  runMcapFuzz,
  type FuzzReport,
  type McapMutation,
} from "./bagFuzz";

interface Batch {
  target: "mcap" | "droid";
  seed: number;
  first: number;
  count: number;
  /** DROID: MP4 mutants of this batch (its `count` is of h5 mutants). */
  videoCount: number;
  convertEvery: number;
  kinds: McapMutation[];
  droidDir: string;
  maxFailures: number;
}

type FromWorker = { type: "mutant"; what: string; index: number } | { type: "done"; report: FuzzReport } | { type: "error"; message: string };

// ---------------------------------------------------------------------------------------------------
// Worker: runs one batch and posts its report

async function runBatch(batch: Batch): Promise<FuzzReport> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bagfuzz-"));
  try {
    const onMutant = (what: string, index: number): void => parentPort?.postMessage({ type: "mutant", what, index } satisfies FromWorker);
    if (batch.target === "mcap") {
      const fixtures = await buildMcapFixtures(path.join(work, "fixtures"));
      return await runMcapFuzz(fixtures, path.join(work, "run"), {
        seed: batch.seed,
        first: batch.first,
        mutants: batch.count,
        kinds: batch.kinds,
        maxFailures: batch.maxFailures,
        onMutant: (i) => onMutant("mcap", i),
      });
    }
    const fixture = loadDroidFixture(batch.droidDir);
    return await runDroidFuzz(fixture, work, {
      seed: batch.seed,
      first: batch.first,
      h5Mutants: batch.count,
      videoMutants: batch.videoCount,
      convertEvery: batch.convertEvery,
      maxFailures: batch.maxFailures,
      onMutant,
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (!isMainThread) {
  runBatch(workerData as Batch).then(
    (report) => parentPort?.postMessage({ type: "done", report } satisfies FromWorker),
    (e: Error) => parentPort?.postMessage({ type: "error", message: e.stack ?? e.message } satisfies FromWorker),
  );
}

// ---------------------------------------------------------------------------------------------------
// Main thread

function merge(into: FuzzReport, r: FuzzReport): void {
  into.mutants += r.mutants;
  for (const [k, v] of Object.entries(r.counts)) into.counts[k] = (into.counts[k] ?? 0) + v;
  for (const [k, v] of Object.entries(r.damaged)) into.damaged[k] = (into.damaged[k] ?? 0) + v;
  for (const [k, v] of Object.entries(r.notes)) into.notes[k] = (into.notes[k] ?? 0) + v;
  into.failures.push(...r.failures);
  into.slowestMs = Math.max(into.slowestMs, r.slowestMs);
}

/**
 * Runs `batch` in a worker; a mutant without progress for `hangMs` is a hang: the worker is ended, and the
 * mutants before it (whose report went with the worker) and those after it run again in new workers.
 */
async function runWatched(batch: Batch, hangMs: number, total: FuzzReport, progress: (what: string, index: number) => void): Promise<void> {
  const queue: Batch[] = [batch];
  while (queue.length > 0) {
    const current = queue.shift() as Batch;
    await new Promise<void>((resolve, reject) => {
      const worker = new Worker(`require(${JSON.stringify(__filename)})`, { eval: true, workerData: current });
      let last: { what: string; index: number } | null = null;
      let lastAt = Date.now();
      const timer = setInterval(() => {
        if (Date.now() - lastAt < hangMs || last === null) return;
        clearInterval(timer);
        const hung = last;
        total.failures.push({
          target: hung.what,
          seed: current.seed,
          index: hung.index,
          kind: "?",
          description: "(see --only)",
          problems: [`hang: no progress for ${hangMs} ms`],
        });
        void worker.terminate();
        // (h5 and MP4 mutants of a DROID batch share the indices: they are split apart here)
        const { first, count, videoCount } = current;
        if (hung.what === "droid-mp4") {
          queue.unshift(
            { ...current, videoCount: hung.index - first },
            { ...current, count: 0, first: hung.index + 1, videoCount: first + videoCount - hung.index - 1 },
          );
        } else {
          queue.unshift(
            { ...current, count: hung.index - first, videoCount: 0 },
            { ...current, first: hung.index + 1, count: first + count - hung.index - 1, videoCount: 0 },
          );
          if (videoCount > 0) queue.splice(2, 0, { ...current, count: 0, videoCount });
        }
        resolve();
      }, 1000);
      worker.on("message", (m: FromWorker) => {
        if (m.type === "mutant") {
          last = { what: m.what, index: m.index };
          lastAt = Date.now();
          progress(m.what, m.index);
        } else {
          clearInterval(timer);
          void worker.terminate();
          if (m.type === "done") {
            merge(total, m.report);
            resolve();
          } else reject(new Error(`fuzz worker failed: ${m.message}`));
        }
      });
      worker.on("error", (e) => {
        clearInterval(timer);
        reject(e);
      });
    });
  }
}

function intFlag(name: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} expects a non-negative integer, got '${text}'`);
    return n;
  };
}

/** Writes mutant `index` of each MCAP variant (and its description) to `dir`. */
async function saveMcapMutant(seed: number, index: number, kinds: readonly McapMutation[], dir: string): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bagfuzz-save-"));
  try {
    const fixtures = await buildMcapFixtures(work);
    const f = fixtures[index % fixtures.length];
    const m = mutateMcap(f, seed, index, kinds);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(f.dir, "metadata.yaml"), path.join(dir, "metadata.yaml"));
    fs.writeFileSync(path.join(dir, f.fileName), m.bytes);
    fs.writeFileSync(path.join(dir, "original.mcap"), f.bytes);
    process.stdout.write(`saved mutant ${index} (${f.variant}: ${m.description}) to ${dir}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const program = new Command("runBagFuzz")
    .description("corruption fuzzing of BagReader (MCAP) and readDroidEpisode / convert-droid (DROID)")
    .option("--mutants <n>", "MCAP mutants", intFlag("--mutants"), 20000)
    .option("--seed <n>", "seed (with the index, reproduces a mutant)", intFlag("--seed"), 1)
    .option("--first <n>", "index of the first mutant", intFlag("--first"), 0)
    .option("--only <index>", "run only this mutant (MCAP, and DROID h5 / MP4 of that index)", intFlag("--only"))
    .option("--kinds <list>", `MCAP mutation kinds, comma-separated (${MCAP_MUTATIONS.join(", ")})`)
    .option("--droid-h5 <n>", "trajectory.h5 mutants (default mutants / 20)", intFlag("--droid-h5"))
    .option("--droid-mp4 <n>", "MP4 mutants (each a convert-droid run with ffmpeg)", intFlag("--droid-mp4"), 40)
    .option("--convert-every <n>", "also convert every n-th h5 mutant that reads (0: none)", intFlag("--convert-every"), 25)
    .option("--batch <n>", "MCAP mutants per worker batch", intFlag("--batch"), 2000)
    .option("--hang-ms <n>", "no progress for this long is a hang", intFlag("--hang-ms"), 30000)
    .option("--max-failures <n>", "stop a batch after this many failures", intFlag("--max-failures"), 50)
    .option("--save <dir>", "with --only: write the MCAP mutant (and the original) there")
    .parse();
  const o = program.opts<{
    mutants: number;
    seed: number;
    first: number;
    only?: number;
    kinds?: string;
    droidH5?: number;
    droidMp4: number;
    convertEvery: number;
    batch: number;
    hangMs: number;
    maxFailures: number;
    save?: string;
  }>();
  const kinds = (o.kinds?.split(",").map((k) => k.trim()) ?? [...MCAP_MUTATIONS]) as McapMutation[];
  for (const k of kinds) if (!MCAP_MUTATIONS.includes(k)) program.error(`--kinds: unknown kind '${k}' (expected ${MCAP_MUTATIONS.join(", ")})`);
  const only = o.only !== undefined;
  const first = only ? (o.only as number) : o.first;
  const mcapCount = only ? 1 : o.mutants;
  const h5Count = only ? 1 : (o.droidH5 ?? Math.ceil(o.mutants / 20));
  const mp4Count = only ? 1 : o.droidMp4;
  if (only && o.save !== undefined) await saveMcapMutant(o.seed, first, kinds, o.save);

  const started = performance.now();
  const total: FuzzReport = { mutants: 0, notes: {}, counts: {}, damaged: {}, failures: [], elapsedMs: 0, slowestMs: 0 };
  let shown = 0;
  const progress = (what: string, index: number): void => {
    if (++shown % 1000 === 0)
      process.stderr.write(`  ${what} ${index}, ${total.failures.length} failure(s) so far, ${Math.round((performance.now() - started) / 1000)} s\n`);
  };
  const base = { seed: o.seed, kinds, convertEvery: o.convertEvery, maxFailures: o.maxFailures, videoCount: 0, droidDir: "" };
  for (let at = first; at < first + mcapCount; at += o.batch) {
    await runWatched({ ...base, target: "mcap", first: at, count: Math.min(o.batch, first + mcapCount - at) }, o.hangMs, total, progress);
  }
  if (h5Count + mp4Count > 0) {
    const droidRoot = fs.mkdtempSync(path.join(os.tmpdir(), "bagfuzz-droid-"));
    try {
      const fixture = await buildDroidFixture(droidRoot);
      await runWatched(
        { ...base, target: "droid", first, count: h5Count, videoCount: mp4Count, droidDir: fixture.dir },
        Math.max(o.hangMs, 60000),
        total,
        progress,
      );
    } finally {
      fs.rmSync(droidRoot, { recursive: true, force: true });
    }
  }
  total.elapsedMs = performance.now() - started;

  const lines = [
    `seed ${o.seed}, mutants [${first}, ${first + mcapCount}) MCAP, ${h5Count} DROID h5, ${mp4Count} DROID MP4: ${total.mutants} run in ${(total.elapsedMs / 1000).toFixed(1)} s (slowest ${Math.round(total.slowestMs)} ms)`,
    "",
    "target/kind                       mutants  damage reported",
  ];
  for (const key of Object.keys(total.counts).sort())
    lines.push(`${key.padEnd(34)}${String(total.counts[key]).padStart(7)}  ${String(total.damaged[key] ?? 0).padStart(15)}`);
  for (const [name, n] of Object.entries(total.notes)) lines.push("", `outside src/bag (not failures): ${name} × ${n} (see KNOWN_OUTSIDE_BAG in bagFuzz.ts)`);
  lines.push("", `${total.failures.length} failure(s)`);
  for (const f of total.failures) {
    lines.push(`  FAIL ${f.target} seed ${f.seed} index ${f.index} (${f.kind}: ${f.description})`, ...f.problems.map((p) => `       ${p}`));
    lines.push(`       reproduce: node -r @swc-node/register test/fuzz/runBagFuzz.ts --seed ${f.seed} --only ${f.index}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  process.exitCode = total.failures.length > 0 ? 1 : 0;
}

if (isMainThread) {
  main().catch((e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exitCode = 2;
  });
}
