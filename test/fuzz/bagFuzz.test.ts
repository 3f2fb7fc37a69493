/**
 * Corruption fuzzing of the bag reader and the DROID episode reader with fixed seeds (bagFuzz.ts says
 * what is mutated and checked; runBagFuzz.ts runs longer campaigns), and proof that the checks can fail.
 */
import * as path from "node:path";
import { ffmpegAvailable } from "../../src/bag/videoFrames";
import { tempDir } from "../bag/tempDir";
import {
  buildDroidFixture,
  buildMcapFixtures,
  checkDroidEpisode,
  MCAP_MUTATIONS,
  MCAP_VARIANTS,
  MEMORY_LIMIT_BYTES,
  readWithBagReader,
  runDroidFuzz,
  runMcapFuzz,
  type Failure,
  type FuzzReport,
  type McapFixture,
  type ReadBag,
} from "./bagFuzz";

const SEED = 20_240_917;
const MCAP_MUTANTS = 2100;

/** Failures as lines (so a failing run prints what to reproduce). */
const lines = (failures: readonly Failure[]): string[] =>
  failures.map((f) => `${f.target} seed ${f.seed} index ${f.index} (${f.kind}: ${f.description}): ${f.problems.join("; ")}`);

describe("MCAP corruption fuzzing", () => {
  const root = tempDir("bagfuzz");
  let fixtures: McapFixture[];
  beforeAll(async () => {
    fixtures = await buildMcapFixtures(path.join(root, "fixtures"));
  });

  it(`${MCAP_MUTANTS} mutants: no crash, hang or unbounded allocation; what precedes the damage comes back; every loss is reported`, async () => {
    const report = await runMcapFuzz(fixtures, path.join(root, "mcap"), { seed: SEED, mutants: MCAP_MUTANTS });
    expect(lines(report.failures)).toEqual([]);
    expect(report.mutants).toBe(MCAP_MUTANTS);
    for (const variant of MCAP_VARIANTS) for (const kind of MCAP_MUTATIONS) expect(report.counts[`mcap-${variant}/${kind}`]).toBeGreaterThan(40);
    // nearly every mutant is damage the reader must notice (a flip in a string of the header need not be)
    const damaged = Object.values(report.damaged).reduce((a, b) => a + b, 0);
    expect(damaged).toBeGreaterThan(0.85 * MCAP_MUTANTS);
  }, 180_000);

  describe("the checks fail a reader that", () => {
    /** Runs a few mutants of `kinds` with `read`, returning all problems seen. */
    async function problemsWith(
      read: ReadBag,
      kinds: Parameters<typeof runMcapFuzz>[2]["kinds"] = ["truncate"],
      extra: Partial<Parameters<typeof runMcapFuzz>[2]> = {},
    ): Promise<string[]> {
      const report: FuzzReport = await runMcapFuzz(fixtures, path.join(root, "stub"), { seed: 7, mutants: 12, kinds, read, ...extra });
      return report.failures.flatMap((f) => f.problems);
    }

    it("drops a message before the damage", async () => {
      const problems = await problemsWith(async (p) => {
        const o = await readWithBagReader(p);
        o.messages.shift();
        return o;
      });
      expect(problems.join("\n")).toMatch(/lost before the damage \(first changed byte \d+\): 1 message/);
    });

    it("hides the damage report", async () => {
      const problems = await problemsWith(async (p) => ({ ...(await readWithBagReader(p)), damage: [] }));
      expect(problems.join("\n")).toMatch(/message\(s\) lost without a damage report/);
    });

    it("returns a changed message, or messages out of order", async () => {
      const changed = await problemsWith(
        async (p) => {
          const o = await readWithBagReader(p);
          o.messages[0].data = Uint8Array.from(o.messages[0].data, (b, i) => (i === 8 ? b ^ 1 : b));
          return o;
        },
        ["bitflip"],
      );
      expect(changed.join("\n")).toMatch(/returned 1 message\(s\) that are not in the original/);
      const reversed = await problemsWith(async (p) => {
        const o = await readWithBagReader(p);
        o.messages.reverse();
        return o;
      });
      expect(reversed.join("\n")).toMatch(/out of log-time order/);
    });

    it("miscounts what was lost", async () => {
      const problems = await problemsWith(async (p) => {
        const o = await readWithBagReader(p);
        return { ...o, damage: o.damage.map((d) => ({ ...d, messagesLost: (d.messagesLost ?? 0) + 1 })) };
      });
      expect(problems.join("\n")).toMatch(/damage\.messagesLost \d+, truly lost \d+/);
    });

    it("throws, hangs or asks for a huge buffer", async () => {
      const thrown = await problemsWith(async () => {
        throw new RangeError("Offset is outside the bounds of the DataView");
      });
      expect(thrown.join("\n")).toMatch(/crash: the read itself threw RangeError/);
      const slow = await problemsWith(
        async (p) => {
          await new Promise((r) => setTimeout(r, 120));
          return readWithBagReader(p);
        },
        ["truncate"],
        { mutants: 2, timeLimitMs: 50 },
      );
      expect(slow.join("\n")).toMatch(/hang: (took \d+ ms|.*no answer)/);
      const greedy = await problemsWith(
        async (p) => {
          void new ArrayBuffer(MEMORY_LIMIT_BYTES + 1);
          return readWithBagReader(p);
        },
        ["truncate"],
        { mutants: 2 },
      );
      expect(greedy.join("\n")).toMatch(/memory: asked for one buffer of 256\.0 MiB/);
    });
  });
});

const describeWithFfmpeg = ffmpegAvailable() ? describe : describe.skip;

describeWithFfmpeg("DROID episode corruption fuzzing", () => {
  const root = tempDir("droidfuzz");

  it("trajectory.h5 and MP4 mutants: an episode whose arrays agree, or an error naming the file; no crash or hang", async () => {
    const fixture = await buildDroidFixture(path.join(root, "fixture"));
    const report = await runDroidFuzz(fixture, path.join(root, "run"), { seed: SEED, h5Mutants: 200, convertEvery: 50, videoMutants: 8 });
    expect(lines(report.failures)).toEqual([]);
    expect(report.mutants).toBe(208);

    // the episode check fails an inconsistent episode
    const e = fixture.episode;
    expect(checkDroidEpisode(e, "x.h5")).toEqual([]);
    const action = e.action as NonNullable<typeof e.action>;
    const bad = { ...e, action: { ...action, gripper: action.gripper.slice(1) }, stepTimes: () => [BigInt(Math.floor(NaN))] };
    expect(checkDroidEpisode(bad, "x.h5")).toEqual([
      `action has ${e.length} / ${e.length - 1} rows, T = ${e.length}`,
      ...[...e.cameras.map((c) => c.serial), null].map(
        (s) => `stepTimes(${s}) threw RangeError: The number NaN cannot be converted to a BigInt because it is not an integer`,
      ),
    ]);
  }, 180_000);
});
