import { CameraNode } from "../../src/nodes/CameraNode";
import { DIAGNOSTIC_LEVEL, diagnosticArrayMsg, publishDiagnostics, type DiagnosticArrayMsg } from "../../src/nodes/diagnostics";
import { InProcessEmbeddingChannel } from "../../src/nodes/embeddingChannel";
import { flush, meanEncoder, simWorld, solidImage } from "../helpers/nodeFixtures";

describe("diagnostics", () => {
  it("builds one DiagnosticStatus per node with key/value strings", () => {
    const m = diagnosticArrayMsg("camera", { level: DIAGNOSTIC_LEVEL.warn, message: "m", values: { a: 3, b: 0.123456, c: true, d: null, e: "x" } }, 12.5);
    expect(m).toEqual({
      header: { stamp: { sec: 12, nanosec: 500000000 }, frame_id: "" },
      status: [
        {
          level: 1,
          name: "vjepa2_mpc: camera",
          message: "m",
          hardware_id: "vjepa2_mpc",
          values: [
            { key: "a", value: "3" },
            { key: "b", value: "0.1235" },
            { key: "c", value: "true" },
            { key: "d", value: "" },
            { key: "e", value: "x" },
          ],
        },
      ],
    });
  });

  it("the camera reports rates over the last period and publishes on /diagnostics every period", async () => {
    const w = simWorld(100);
    const t = w.node("camera");
    const camera = new CameraNode(
      t,
      { topic: "/camera/image_raw", compressed: false, maxFrameAge: 1, preprocess: { size: 8, resize: "center_crop", mean: [0, 0, 0], std: [1, 1, 1] } },
      meanEncoder().encode,
      new InProcessEmbeddingChannel(),
    );
    camera.start();
    const got: DiagnosticArrayMsg[] = [];
    w.node("monitor").subscribe<DiagnosticArrayMsg>("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics", "reliable", (m) => got.push(m));
    const stop = publishDiagnostics(t, "camera", () => camera.health(), 1);
    expect(camera.health()).toMatchObject({ level: DIAGNOSTIC_LEVEL.warn, message: "no camera frame received yet" });
    const pub = w.node("cam").publisher("sensor_msgs/msg/Image", "/camera/image_raw");
    for (let i = 0; i < 4; i++) {
      pub(solidImage(100 + i * 0.25, [10, 20, 30]));
      await flush(5);
      w.clock.advanceTo(100 + (i + 1) * 0.25);
    }
    await flush(5);
    expect(got).toHaveLength(1);
    const values = Object.fromEntries(got[0].status[0].values.map((kv) => [kv.key, kv.value]));
    expect(values).toMatchObject({ received: "4", encoded: "4", rejected: "0", received_per_s: "4", encoded_per_s: "4" });
    pub(solidImage(101, [10, 20, 30]));
    await flush(5);
    w.clock.advanceTo(102);
    await flush(5);
    expect(got).toHaveLength(2);
    const second = Object.fromEntries(got[1].status[0].values.map((kv) => [kv.key, kv.value]));
    expect(second).toMatchObject({ received: "5", encoded: "5", received_per_s: "1", encoded_per_s: "1" }); // 1 frame in the second since
    w.clock.advanceTo(102.5);
    const idle = camera.health();
    expect(idle.level).toBe(DIAGNOSTIC_LEVEL.warn); // nothing encoded in the last period
    expect(idle.values.encoded_per_s).toBe(0);
    stop();
    await camera.stop();
  });
});
