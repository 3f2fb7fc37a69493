import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resolveConfig } from "../../src/config/configFile";
import type { PlanStatusMsg } from "../../src/nodes/messages";
import { startRole } from "../../src/nodes/startRoles";
import { NODE_SERVICES, NODE_TOPICS } from "../../src/nodes/topics";
import { SimClock } from "../../src/nodes/transport/clocks";
import { InProcessBus, InProcessTransport } from "../../src/nodes/transport/InProcessTransport";
import { timeFromSeconds } from "../../src/ros/messages";
import { AnalyticWorldModel } from "../helpers/analyticWorldModel";
import { flush } from "../helpers/nodeFixtures";

const PRE = { size: 8, resize: "squash" as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };

describe("startRole", () => {
  it("runs camera and planner as separate 'processes' joined by the ZeroMQ embedding channel", async () => {
    const endpoint = `ipc://${path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-roles-")), "emb")}`;
    const config = resolveConfig([], {
      "nodes.embeddings_endpoint": endpoint,
      "planner.mode": "streaming",
      "planner.samples": 16,
      "planner.iterations": 1,
      "planner.topk": 4,
      "actuator.state_is_tcp": false,
    });
    const clock = new SimClock(100);
    const busA = new InProcessBus(); // the camera's process
    const busB = new InProcessBus(); // the planner's process
    const deps = { loadModel: async () => ({ model: new AnalyticWorldModel(), preprocess: PRE }) };
    const camera = await startRole("camera", new InProcessTransport(busA, "camera", clock), config, deps);
    const planner = await startRole("planner", new InProcessTransport(busB, "planner", clock), config, deps);
    expect([camera.camera !== null, camera.planner, planner.planner !== null, planner.camera]).toEqual([true, null, true, null]);
    const b = new InProcessTransport(busB, "operator", clock);
    const statuses: PlanStatusMsg[] = [];
    b.subscribe<PlanStatusMsg>("vjepa2_mpc_interfaces/msg/PlanStatus", NODE_TOPICS.planStatus, "reliable", (m) => statuses.push(m));
    const goal = AnalyticWorldModel.renderState([0.55, 0, 0.3]);
    const set = await b.call<unknown, { success: boolean }>("vjepa2_mpc_interfaces/srv/SetGoal", NODE_SERVICES.setGoal, {
      images: [{ header: { stamp: timeFromSeconds(0), frame_id: "" }, height: 8, width: 8, encoding: "rgb8", is_bigendian: 0, step: 24, data: goal.data }],
      image_paths: [],
      step_budgets: [],
      energy_threshold: 0,
      append: false,
    });
    expect(set.success).toBe(true);
    const pose = b.publisher<unknown>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.eePose);
    const grip = b.publisher<unknown>("sensor_msgs/msg/JointState", NODE_TOPICS.gripper);
    const image = new InProcessTransport(busA, "driver", clock).publisher<unknown>("sensor_msgs/msg/Image", NODE_TOPICS.image);
    const frame = AnalyticWorldModel.renderState([0.5, 0, 0.3]);
    // PUB/SUB needs a moment to connect: keep sending frames until the planner has planned one.
    for (let i = 0; i < 100 && statuses.length === 0; i++) {
      const header = { stamp: timeFromSeconds(clock.now()), frame_id: "panda_link0" };
      pose({ header, pose: { position: { x: 0.5, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } } });
      grip({ header, name: ["gripper"], position: [0], velocity: [], effort: [] });
      image({ header, height: 8, width: 8, encoding: "rgb8", is_bigendian: 0, step: 24, data: frame.data });
      await flush(3);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(statuses[0]).toMatchObject({ code: 0, goal_count: 1 });
    expect(statuses[0].action[0]).toBeGreaterThan(0); // towards x = 0.55
    await camera.stop();
    await planner.stop();
  });

  it("runs the actuator alone without loading a model", async () => {
    let loads = 0;
    const r = await startRole("actuator", new InProcessTransport(new InProcessBus(), "actuator", new SimClock(0)), resolveConfig(), {
      loadModel: async () => {
        loads++;
        return { model: new AnalyticWorldModel(), preprocess: PRE };
      },
    });
    expect(loads).toBe(0);
    expect(r.actuator).not.toBeNull();
    await r.stop();
  });
});
