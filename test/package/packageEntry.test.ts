/**
 * The package as a user gets it: built, packed with `npm pack`, unpacked into another folder's
 * node_modules, then required by plain Node (no TypeScript loader) and type-checked against its .d.ts.
 * Its dependencies come from this checkout's node_modules through NODE_PATH, the one shortcut: installing
 * them afresh would need the registry.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../helpers/reference";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

describe("the built package, required from another folder", () => {
  let app: string;
  let installed: string;
  let packed: string[];
  const env = { ...process.env, NODE_PATH: path.join(repoRoot, "node_modules"), NODE_OPTIONS: "" };

  beforeAll(() => {
    execFileSync(npm, ["run", "--silent", "build"], { cwd: repoRoot, stdio: "pipe" });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-pkg-"));
    // --ignore-scripts: `prepare` would build again; the build above is the one under test.
    const out = execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const info = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packed = info[0].files.map((f) => f.path);
    app = path.join(tmp, "app");
    installed = path.join(app, "node_modules", "vjepa2-mpc");
    fs.mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", path.join(tmp, path.basename(info[0].filename)), "-C", installed, "--strip-components=1"]);
  }, 180000);

  it("ships the build, the embedded models, the launch files and the export tool, not the sources or tests", () => {
    for (const f of [
      "dist/index.js",
      "dist/index.d.ts",
      "dist/cli/main.js",
      "dist/worldmodel/sessionHost.js",
      "bin/vjepa2-mpc.js",
      "models/vjepa2-ac-sim/model.json",
      "models/vjepa2-ac-sim-2view/model.json",
      "models/vjepa2-ac-sim-2view/predictor.weights",
      "launch/vjepa2_mpc.launch.py",
      "config/default.yaml",
      "tools/export/export.py",
    ]) {
      expect(packed).toContain(f);
    }
    expect(packed.filter((f) => f.startsWith("src/") || f.startsWith("test/"))).toEqual([]);
  });

  it("exports the public API and plans with the embedded model under plain Node", () => {
    fs.writeFileSync(
      path.join(app, "main.js"),
      `const m = require("vjepa2-mpc");
(async () => {
  const names = ["OnnxWorldModel", "RecedingHorizonPlanner", "GoalSchedule", "MpcController", "planCem", "posesToDiff", "computeNewPose",
    "BagReader", "BagWriter", "convertDroidEpisode", "applySafetyEnvelope", "tickGuards", "resolveConfig", "preprocessImage", "EMBEDDED_MODEL", "EMBEDDED_TWO_VIEW_MODEL"];
  const missing = names.filter((n) => m[n] === undefined);
  const model = await m.OnnxWorldModel.load(m.EMBEDDED_MODEL);
  try {
    const size = model.info.imageSize;
    const img = { width: size, height: size, encoding: "rgb8", step: size * 3, data: new Uint8Array(size * size * 3).map((_, i) => i % 251) };
    const opts = m.preprocessOptionsFor(model.pkg, "squash");
    const frame = await model.encode(m.imagesToBatch([img], opts));
    const state = m.tensor(new Float32Array([0.5, 0, 0.3, Math.PI, 0, 0, 0]), [1, 7]);
    const result = await m.planCem(async (actions, samples, horizon) => (await model.rolloutEnergy(frame, frame, state, m.tensor(actions, [samples, horizon, 7]))).energy,
      { samples: 16, iterations: 2, topk: 4, seed: 1 });
    const corner = m.computeNewPose([0.5, 0, 0.3, Math.PI, 0, 0, 0], [0.01, 0, 0, 0, 0, 0, 0]);
    console.log(JSON.stringify({ missing, embedded: m.EMBEDDED_MODEL, dims: frame.dims, plan: Array.from(result.plan), corner, sim: typeof m.sim.TabletopSim, ros: typeof m.ros.CdrCodec }));
  } finally {
    await model.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    const out = JSON.parse(execFileSync(process.execPath, ["main.js"], { cwd: app, env, encoding: "utf8" }));
    expect(out.missing).toEqual([]);
    expect(fs.realpathSync(out.embedded)).toBe(fs.realpathSync(path.join(installed, "models", "vjepa2-ac-sim")));
    expect(out.dims[0]).toBe(1);
    expect(out.plan).toHaveLength(7);
    expect(out.plan.every(Number.isFinite)).toBe(true);
    expect(out.corner[0]).toBeCloseTo(0.51, 12);
    expect(out).toMatchObject({ sim: "function", ros: "function" });
  }, 120000);

  it("type-checks a TypeScript user of the package against its declarations", () => {
    fs.writeFileSync(
      path.join(app, "user.ts"),
      `import { planCem, resolveConfig, type Config, type WorldModel, sim } from "vjepa2-mpc";
const config: Config = resolveConfig([], { "planner.samples": 32 });
export const samples: number = config.planner.samples;
export const plan = (energy: (a: Float32Array, s: number, h: number) => Float32Array) => planCem(energy, { samples });
export const world = (m: WorldModel) => m.info.embedDim;
export const SimClass: typeof sim.TabletopSim = sim.TabletopSim;
// @ts-expect-error: the option is a number, and the declarations say so
planCem(() => new Float32Array(1), { samples: "many" });
`,
    );
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    execFileSync(
      process.execPath,
      [
        tsc,
        "--noEmit",
        "--strict",
        "--module",
        "commonjs",
        "--moduleResolution",
        "node10",
        "--target",
        "es2022",
        "--types",
        "node",
        "--typeRoots",
        path.join(repoRoot, "node_modules", "@types"),
        "--skipLibCheck",
        "user.ts",
      ],
      { cwd: app, env, stdio: "pipe" },
    );
  }, 120000);

  it("runs the installed command from dist (no TypeScript loader in the package)", () => {
    const out = execFileSync(process.execPath, [path.join(installed, "bin", "vjepa2-mpc.js"), "--help"], { cwd: app, env, encoding: "utf8" });
    expect(out).toMatch(/demo/);
    expect(out).toMatch(/plan/);
  });
});
