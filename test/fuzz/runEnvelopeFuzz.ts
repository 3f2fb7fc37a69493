/**
 * Long runs of the safety-envelope fuzz (test/fuzz/envelopeFuzz.ts) from the command line:
 *
 *   node -r @swc-node/register test/fuzz/runEnvelopeFuzz.ts --plans 1000000 --seed 7
 *   node -r @swc-node/register test/fuzz/runEnvelopeFuzz.ts --seed 7 --first-episode 1234 --episodes 1 --trace
 *
 * Prints the counts and every violation (seed, episode and event index: replay one with the second form);
 * exits 1 on any violation.
 */
import * as os from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { formatReport, runEnvelopeFuzz, type FuzzReport } from "./envelopeFuzz";
import { runEnvelopeFuzzInWorkers } from "./envelopeFuzzWorkers";

function integer(min: number): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    return n;
  };
}

interface Flags {
  plans: number;
  seed: number;
  firstEpisode: number;
  episodes?: number;
  conformanceEvery: number;
  workers: number;
  maxViolations: number;
  trace: boolean;
  json: boolean;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name("runEnvelopeFuzz")
    .description(
      "Seeded random plans, states, e-stops, watchdog trips and clock jumps through the actuator's command path; every command checked against the safety envelope",
    )
    .option("--plans <n>", "plans to send in all", integer(1), 1_000_000)
    .option("--seed <n>", "run seed (any safe integer)", integer(Number.MIN_SAFE_INTEGER), 7)
    .option("--first-episode <n>", "index of the first episode", integer(0), 0)
    .option("--episodes <n>", "run only this many episodes (replay: --first-episode N --episodes 1); runs in this thread", integer(1))
    .option("--conformance-every <n>", "also drive the real ActuatorNode on every n-th episode and require the same commands (0: never)", integer(0), 20)
    .option("--workers <n>", "worker threads (1: this thread)", integer(1), Math.min(8, os.cpus().length))
    .option("--max-violations <n>", "violations to print (all are counted)", integer(0), 50)
    .option("--trace", "print every event (use with --episodes 1)", false)
    .option("--json", "print the report as JSON", false)
    .parse(argv);
  const f = program.opts<Flags>();
  const common = {
    seed: f.seed,
    plans: f.episodes === undefined ? f.plans : Infinity,
    firstEpisode: f.firstEpisode,
    conformanceEvery: f.conformanceEvery,
    maxViolations: f.maxViolations,
  };
  let report: FuzzReport;
  if (f.episodes !== undefined || f.trace || f.workers === 1) {
    report = runEnvelopeFuzz({ ...common, episodes: f.episodes, trace: f.trace ? (line) => console.log(line) : undefined });
  } else {
    let last = Date.now();
    const started = Date.now();
    report = await runEnvelopeFuzzInWorkers(common, f.workers, (c) => {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      const s = (Date.now() - started) / 1000;
      process.stderr.write(`${c.plans} plans, ${c.ticks} ticks, ${s.toFixed(0)} s (${Math.round(c.plans / s)} plans/s)\n`);
    });
  }
  console.log(f.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return Object.keys(report.violationCounts).length === 0 ? 0 : 1;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 2;
  },
);
