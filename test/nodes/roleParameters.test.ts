/**
 * Each node declares exactly the parameters it reads: checked by recording which configuration keys the
 * option builders of each role read (a parameter declared on a node that ignores it would be accepted by
 * `ros2 param set` and do nothing).
 */
import { defaultConfig } from "../../src/config/configFile";
import type { Config } from "../../src/config/parameters";
import { plannerSettingsFromConfig } from "../../src/mpc/plannerSettings";
import { actuatorNodeOptions, cameraNodeOptions, plannerNodeOptions } from "../../src/nodes/nodeOptions";
import { parametersOf, ROLE_PARAMETERS } from "../../src/nodes/roleParameters";
import type { PreprocessOptions } from "../../src/worldmodel/preprocess";

/** A configuration that records every `section.name` read from it. */
function recording(config: Config): { config: Config; read: Set<string> } {
  const read = new Set<string>();
  const proxy = new Proxy(config, {
    get(target, section: string) {
      const group = (target as unknown as Record<string, Record<string, unknown>>)[section];
      return new Proxy(group, {
        get(g, name: string) {
          read.add(`${section}.${name}`);
          return g[name];
        },
      });
    },
  });
  return { config: proxy, read };
}

const PRE: PreprocessOptions = { size: 64, resize: "center_crop", mean: [0, 0, 0], std: [1, 1, 1] };
// What the role's process reads besides its node options: the model loader and the channel endpoint.
const MODEL = [
  "world_model.model",
  "world_model.provider",
  "world_model.provider_required",
  "world_model.device_id",
  "world_model.threads",
  "world_model.max_batch",
  "world_model.resize",
];

describe("ROLE_PARAMETERS", () => {
  it.each([
    ["camera", (c: Config) => cameraNodeOptions(c, PRE), [...MODEL, "nodes.embeddings_endpoint"]],
    [
      "planner",
      (c: Config) => [
        plannerNodeOptions(c, PRE).poseToState({ position: { x: 0.5, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } }),
        plannerNodeOptions(c, PRE).gripperClosedness({
          header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" },
          name: ["f_finger_joint1"],
          position: [0.01],
          velocity: [],
          effort: [],
        }),
        plannerSettingsFromConfig(c.planner),
      ],
      [...MODEL, "nodes.embeddings_endpoint"],
    ],
    ["actuator", (c: Config) => actuatorNodeOptions(c), []],
  ] as const)("%s: declares what its options read, and nothing else", (role, build, besides) => {
    const { config, read } = recording(defaultConfig());
    build(config);
    const used = new Set([...read, ...besides]);
    expect([...ROLE_PARAMETERS[role]].sort()).toEqual([...used].sort());
  });

  it("lists every parameter for a process running all three, once", () => {
    const all = parametersOf(["camera", "planner", "actuator"]);
    expect(new Set(all).size).toBe(all.length);
    const everything = Object.entries(defaultConfig()).flatMap(([g, group]) => Object.keys(group).map((k) => `${g}.${k}`));
    expect(all.sort()).toEqual(everything.sort());
  });
});
