import { parse } from "@foxglove/rosmsg";
import { ros2humble, ros2jazzy } from "@foxglove/rosmsg-msgs-common";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ACTUATOR_CODES, PLAN_STATUS_CODES } from "../../src/nodes/messages";
import { interfaceMessageDir, loadInterfaceMessages } from "../../src/ros/interfacePackage";
import { MessageRegistry, ROS2MSG_DELIMITER } from "../../src/ros/MessageRegistry";
import { STANDARD_MESSAGE_TEXTS } from "../../src/ros/standardMessages";
import { fieldTypeDependencies, fullTypeName, shortTypeName } from "../../src/ros/typeNames";

const registry = MessageRegistry.withProjectMessages();

describe("standard message texts", () => {
  const distros = { jazzy: ros2jazzy as Record<string, { definitions: unknown[] }>, humble: ros2humble as Record<string, { definitions: unknown[] }> };
  for (const type of Object.keys(STANDARD_MESSAGE_TEXTS)) {
    it.each(Object.keys(distros))(`${type} matches ROS 2 %s field by field`, (distro) => {
      const ours = parse(registry.fullText(type), { ros2: true })[0].definitions;
      const reference = distros[distro as keyof typeof distros][shortTypeName(type)];
      expect(reference).toBeDefined();
      expect(ours).toEqual(reference.definitions);
    });
  }
});

describe("MessageRegistry.fullText", () => {
  it("writes the type, then each dependency once after rosbag2's delimiter", () => {
    const text = registry.fullText("sensor_msgs/msg/Image");
    const blocks = text.split(`\n${ROS2MSG_DELIMITER}\n`);
    expect(blocks[0]).toBe(STANDARD_MESSAGE_TEXTS["sensor_msgs/msg/Image"]);
    expect(blocks.slice(1)).toEqual([
      `MSG: std_msgs/Header\n${STANDARD_MESSAGE_TEXTS["std_msgs/msg/Header"]}`,
      `MSG: builtin_interfaces/Time\n${STANDARD_MESSAGE_TEXTS["builtin_interfaces/msg/Time"]}`,
    ]);
  });

  it("resolves bare names in the type's own package and lists shared dependencies once", () => {
    const text = registry.fullText("vjepa2_mpc_interfaces/msg/ActuatorStatus");
    const names = text
      .split("\n")
      .filter((l) => l.startsWith("MSG: "))
      .map((l) => l.slice(5));
    expect(names.sort()).toEqual(
      [
        "builtin_interfaces/Time",
        "geometry_msgs/Point",
        "geometry_msgs/Pose",
        "geometry_msgs/PoseStamped",
        "geometry_msgs/Quaternion",
        "std_msgs/Header",
        "vjepa2_mpc_interfaces/EndEffectorDelta",
      ].sort(),
    );
    // every block parses, and the parsed set holds each type once
    const defs = parse(text, { ros2: true });
    expect(defs.map((d) => d.name ?? "(root)").length).toBe(8);
  });

  it("names the known types when one is missing", () => {
    expect(() => registry.fullText("foo_msgs/msg/Bar")).toThrow(/unknown message type 'foo_msgs\/msg\/Bar'; known: .*sensor_msgs\/msg\/Image/);
  });

  it("rejects a text whose dependency is not registered, naming it", () => {
    const r = new MessageRegistry({ "a/msg/A": "b/B field\n" });
    expect(() => r.fullText("a/A")).toThrow(/unknown message type 'b\/msg\/B'/);
  });
});

describe("project interfaces", () => {
  it("are read from msg/msg/*.msg, the single source", () => {
    const dir = interfaceMessageDir();
    expect(fs.existsSync(path.join(dir, "PlanStatus.msg"))).toBe(true);
    const texts = loadInterfaceMessages(dir);
    expect(Object.keys(texts).sort()).toEqual([
      "vjepa2_mpc_interfaces/msg/ActuatorStatus",
      "vjepa2_mpc_interfaces/msg/EndEffectorDelta",
      "vjepa2_mpc_interfaces/msg/PlanStatus",
    ]);
    expect(registry.text("vjepa2_mpc_interfaces/PlanStatus")).toBe(fs.readFileSync(path.join(dir, "PlanStatus.msg"), "utf8"));
  });

  it("keep PlanStatus's constants, the codes the planner node publishes", () => {
    const root = registry.definitions("vjepa2_mpc_interfaces/msg/PlanStatus")[0];
    const constants = root.definitions.filter((f) => f.isConstant === true).map((f) => [f.name, f.value]);
    expect(constants).toEqual([
      ["PLANNED", 0],
      ["IDLE", 1],
      ["DONE", 2],
      ["INVALID_OBSERVATION", 3],
      ["ERROR", 4],
      ["PAUSED", 5],
      ["RETURNING", 6],
      ["DISCARDED", 7],
    ]);
    expect(Object.entries(PLAN_STATUS_CODES).map(([name, code]) => [name.toUpperCase(), code])).toEqual(expect.arrayContaining(constants));
    expect(Object.keys(PLAN_STATUS_CODES)).toHaveLength(constants.length);
  });

  it("keep ActuatorStatus's constants, the codes the actuator publishes and the planner waits for", () => {
    const root = registry.definitions("vjepa2_mpc_interfaces/msg/ActuatorStatus")[0];
    const constants = root.definitions.filter((f) => f.isConstant === true).map((f) => [f.name, f.value]);
    expect(Object.entries(ACTUATOR_CODES).map(([name, code]) => [name.toUpperCase(), code])).toEqual(constants);
  });

  it("follow edits of the .msg files (no copy elsewhere)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "msgs-"));
    fs.writeFileSync(path.join(dir, "Probe.msg"), "float64 value\n");
    const r = MessageRegistry.withProjectMessages(dir);
    expect(r.has("vjepa2_mpc_interfaces/msg/Probe")).toBe(true);
    expect(r.has("vjepa2_mpc_interfaces/msg/PlanStatus")).toBe(false);
  });
});

describe("type names", () => {
  it("normalise both spellings and reject others", () => {
    expect(fullTypeName("std_msgs/Header")).toBe("std_msgs/msg/Header");
    expect(shortTypeName("std_msgs/msg/Header")).toBe("std_msgs/Header");
    expect(() => fullTypeName("Header")).toThrow(/not a ROS 2 message type name/);
  });

  it("find field types, skipping primitives, arrays, bounds and comments", () => {
    const text = "# Point p\nstd_msgs/Header header\nPoint[3] corners  # x\nstring<=5 s\nuint8 A=1\nfloat64[] v\nVector3[<=4] w\n";
    expect(fieldTypeDependencies(text, "geometry_msgs")).toEqual(["std_msgs/msg/Header", "geometry_msgs/msg/Point", "geometry_msgs/msg/Vector3"]);
  });
});
