import { drawPath, episodeCaptions, episodePicture } from "../../src/demo/episodePicture";
import type { EpisodeResult } from "../../src/demo/runDemo";
import { drawText, FONT_CHARACTERS, GLYPH_HEIGHT, textWidth, wrapText } from "../../src/sim/bitmapFont";
import { imageStrip } from "../../src/sim/imageStrip";
import type { RawImage } from "../../src/worldmodel/preprocess";

const solid = (size: number, v: number): RawImage => ({ width: size, height: size, encoding: "rgb8", data: new Uint8Array(size * size * 3).fill(v) });

/** Pixels of `img` in rows [y0, y1) and columns [x0, x1) that are not white. */
function inked(img: RawImage, [x0, x1]: [number, number], [y0, y1]: [number, number]): number {
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) if (img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3).some((c) => c !== 255)) n++;
  return n;
}

function episode(over: Partial<EpisodeResult> = {}): EpisodeResult {
  return {
    seed: 42,
    task: "reach",
    success: true,
    steps: 5,
    finalDistance: 0.0123,
    path: [
      [0.45, 0, 0.3],
      [0.5, 0.05, 0.25],
    ],
    latencyMs: [],
    energies: [],
    distances: [],
    grasped: false,
    lifted: false,
    goalsReached: 1,
    start: solid(64, 100),
    goals: [solid(64, 150)],
    goalLabels: ["reach"],
    final: solid(64, 200),
    simSeconds: 1,
    ...over,
  };
}

describe("bitmap font", () => {
  it("draws every character the captions use, each differently, and '?' for others", () => {
    for (const ch of "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .:/-%()") expect(FONT_CHARACTERS).toContain(ch);
    const drawn = new Map<string, string>();
    for (const ch of FONT_CHARACTERS) {
      const img = solid(8, 255);
      drawText(img, ch, 1, 0);
      const key = Buffer.from(img.data).toString("hex");
      expect(drawn.get(key)).toBeUndefined(); // no two glyphs alike
      drawn.set(key, ch);
      expect(inked(img, [0, 8], [0, 8]) > 0).toBe(ch !== " ");
      expect(inked(img, [6, 8], [0, 8]) + inked(img, [0, 8], [GLYPH_HEIGHT, 8])).toBe(0); // within its 5×7 cell
    }
    const unknown = solid(8, 255);
    drawText(unknown, "→", 1, 0);
    expect(drawn.get(Buffer.from(unknown.data).toString("hex"))).toBe("?");
  });

  it("measures, scales, clips and wraps text", () => {
    expect(textWidth("")).toBe(0);
    expect(textWidth("ab")).toBe(11);
    expect(textWidth("ab", 2)).toBe(22);
    const img = solid(10, 255);
    drawText(img, "W", 5, 5, { scale: 2, colour: [255, 0, 0] }); // mostly outside: no throw, only in-bounds pixels
    expect(inked(img, [0, 5], [0, 10]) + inked(img, [0, 10], [0, 5])).toBe(0);
    expect(inked(img, [5, 10], [5, 10])).toBeGreaterThan(0);
    expect(wrapText("final: 1.2 cm to goal", textWidth("final: 1.2 cm"))).toEqual(["final: 1.2 cm", "to goal"]);
    expect(wrapText("unbreakable", 5)).toEqual(["unbreakable"]);
    expect(wrapText("", 5)).toEqual([""]);
  });
});

describe("imageStrip captions", () => {
  it("adds a band under the panels, grown to the longest caption, with each caption under its panel", () => {
    const images = [solid(16, 0), solid(16, 0)];
    const plain = imageStrip(images, { scale: 2, gap: 4 });
    expect([plain.width, plain.height]).toEqual([68, 32]);
    const one = imageStrip(images, { scale: 2, gap: 4, captions: [["a"], []] });
    expect(one.width).toBe(68);
    expect(one.height).toBe(32 + 13); // one line: 7 px glyphs, 3 px leading, 3 px margin
    expect(one.data.subarray(0, 32 * 68 * 3)).toEqual(plain.data); // the panels themselves are untouched
    expect(inked(one, [0, 32], [32, 45])).toBeGreaterThan(0);
    expect(inked(one, [32, 68], [32, 45])).toBe(0);
    const two = imageStrip(images, { scale: 2, gap: 4, captions: [["a"], ["b", "c"]], textScale: 2 });
    expect(two.height).toBe(32 + 2 * 20 + 6);
    const other = imageStrip(images, { scale: 2, gap: 4, captions: [["a"], ["b", "d"]], textScale: 2 });
    expect(Buffer.compare(two.data, other.data)).not.toBe(0); // the pixels follow the text
    expect(() => imageStrip(images, { captions: [["a"]] })).toThrow("1 captions for 2 images");
  });

  it("wraps a caption wider than its panel onto more lines", () => {
    const strip = imageStrip([solid(32, 0)], { captions: [["final: 1.2 cm to goal"]] });
    expect(strip.height).toBe(32 + 4 * 10 + 3); // 5 characters to a 32 px panel: 4 lines
  });
});

describe("episode picture captions", () => {
  it("say start and seed, the goal, and the outcome with the distance to the goal", () => {
    expect(episodeCaptions(episode())).toEqual([["start", "seed 42"], ["goal"], ["final: success", "1.2 cm to goal"]]);
  });

  it("number reach sub-goals before the goal itself", () => {
    const e = episode({
      goals: [solid(64, 1), solid(64, 2), solid(64, 3)],
      goalLabels: ["sub-goal 1/2", "sub-goal 2/2", "reach"],
      success: false,
      finalDistance: 0.05,
    });
    expect(episodeCaptions(e)).toEqual([["start", "seed 42"], ["sub-goal 1/2"], ["sub-goal 2/2"], ["goal"], ["final: failure", "5.0 cm to goal"]]);
  });

  it("name pick_place's grasp, lift and place, and the cube's distance to the place", () => {
    const e = episode({ task: "pick_place", goals: [solid(64, 1), solid(64, 2), solid(64, 3)], goalLabels: ["grasp", "lift", "place"], finalDistance: 0.021 });
    expect(episodeCaptions(e)).toEqual([
      ["start", "seed 42"],
      ["sub-goal 1/3 (grasp)"],
      ["sub-goal 2/3 (lift)"],
      ["sub-goal 3/3 (place)"],
      ["final: success", "cube 2.1 cm to place"],
    ]);
  });

  it("are drawn in a band under the panels, each line on one row at the default scale", () => {
    const e = episode({ task: "pick_place", goals: [solid(64, 1), solid(64, 2), solid(64, 3)], goalLabels: ["grasp", "lift", "place"] });
    const picture = episodePicture(e);
    const panels = 5;
    expect(picture.width).toBe(panels * 256 + (panels - 1) * 4);
    expect(picture.height).toBe(256 + 2 * 20 + 6); // two caption lines at text scale 2: no caption wraps
    for (let p = 0; p < panels; p++) expect(inked(picture, [p * 260, p * 260 + 256], [256, picture.height])).toBeGreaterThan(0);
    // only the final panel's caption changes with the outcome
    const failed = episodePicture({ ...e, success: false });
    for (let p = 0; p < panels - 1; p++) {
      const band = (img: RawImage) => {
        const rows: number[] = [];
        for (let y = 256; y < img.height; y++) rows.push(...img.data.subarray((y * img.width + p * 260) * 3, (y * img.width + p * 260 + 256) * 3));
        return rows;
      };
      expect(band(failed)).toEqual(band(picture));
    }
    expect(Buffer.compare(failed.data, picture.data)).not.toBe(0);
  });
});

describe("episode path", () => {
  const PATH_COLOUR = [0, 200, 255];
  /** Columns of `img` holding a pixel of the path colour. */
  const pathColumns = (img: RawImage): Set<number> => {
    const cols = new Set<number>();
    for (let i = 0; i < img.width * img.height; i++) {
      if (img.data[i * 3] === PATH_COLOUR[0] && img.data[i * 3 + 1] === PATH_COLOUR[1] && img.data[i * 3 + 2] === PATH_COLOUR[2]) cols.add(i % img.width);
    }
    return cols;
  };

  it("is drawn on the final frame through the camera; in each view of a two-view frame, within it", () => {
    const one = drawPath(solid(64, 200), episode().path, 2);
    expect(pathColumns(one).size).toBeGreaterThan(0);
    const wide: RawImage = { width: 128, height: 64, encoding: "rgb8", data: new Uint8Array(128 * 64 * 3).fill(200) };
    const two = drawPath(wide, episode().path, 2);
    expect([two.width, two.height]).toEqual([256, 128]);
    const cols = [...pathColumns(two)];
    const left = cols.filter((c) => c < 128);
    const right = cols.filter((c) => c >= 128);
    // The left view shows the path as the one-view frame does; the right view, through the second camera, elsewhere.
    expect(new Set(left)).toEqual(pathColumns(one));
    expect(right.length).toBeGreaterThan(0);
    expect(right.map((c) => c - 128).sort()).not.toEqual(left.sort());
  });
});
