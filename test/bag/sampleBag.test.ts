import * as fs from "node:fs";
import * as path from "node:path";
import { BagReader } from "../../src/bag/BagReader";
import { DEFAULT_TOPICS } from "../../src/bag/topics";
import type { EndEffectorDelta, Image, JointState, PoseStamped } from "../../src/ros/messages";
import { timeToNanoseconds } from "../../src/ros/messages";
import { posesToDiff } from "../../src/pose/poseMath";
import { SAMPLE_BAG_DIR, SAMPLE_FRAMES, sampleFrame, sampleStamp, sampleState } from "./sampleBag";

describe("committed sample bag (test/fixtures/bags/sample)", () => {
  it("is small", () => {
    const bytes = fs.readdirSync(SAMPLE_BAG_DIR).reduce((a, f) => a + fs.statSync(path.join(SAMPLE_BAG_DIR, f)).size, 0);
    expect(bytes).toBeLessThan(400 * 1024);
  });

  it("holds what its generator writes, in the recording convention", async () => {
    const reader = await BagReader.open(SAMPLE_BAG_DIR);
    expect(reader.damage).toEqual([]);
    expect(reader.topics().map((t) => [t.name, t.type, t.messageCount])).toEqual([
      [DEFAULT_TOPICS.image, "sensor_msgs/msg/Image", SAMPLE_FRAMES],
      [DEFAULT_TOPICS.action, "vjepa2_mpc_interfaces/msg/EndEffectorDelta", SAMPLE_FRAMES - 1],
      [DEFAULT_TOPICS.eePose, "geometry_msgs/msg/PoseStamped", SAMPLE_FRAMES],
      [DEFAULT_TOPICS.gripper, "sensor_msgs/msg/JointState", SAMPLE_FRAMES],
    ]);
    const perTopic = new Map<string, number>();
    for await (const m of reader.messages()) {
      const k = perTopic.get(m.topic) ?? 0;
      perTopic.set(m.topic, k + 1);
      expect(m.logTime).toBe(sampleStamp(k));
      const s = sampleState(k);
      switch (m.topic) {
        case DEFAULT_TOPICS.image: {
          const img = m.message as unknown as Image;
          expect(timeToNanoseconds(img.header.stamp)).toBe(sampleStamp(k));
          expect(img.data).toEqual(sampleFrame(k));
          break;
        }
        case DEFAULT_TOPICS.eePose:
          expect((m.message as unknown as PoseStamped).pose.position).toEqual({ x: s[0], y: s[1], z: s[2] });
          break;
        case DEFAULT_TOPICS.gripper:
          expect(Array.from((m.message as unknown as JointState).position)).toEqual([s[6]]);
          break;
        case DEFAULT_TOPICS.action: {
          const d = m.message as unknown as EndEffectorDelta;
          expect([d.dx, d.dy, d.dz, d.droll, d.dpitch, d.dyaw, d.dgripper]).toEqual(posesToDiff(s, sampleState(k + 1)));
          break;
        }
        default:
          throw new Error(`unexpected topic ${m.topic}`);
      }
    }
    expect(perTopic.get(DEFAULT_TOPICS.image)).toBe(SAMPLE_FRAMES);
    await reader.close();
  });
});
