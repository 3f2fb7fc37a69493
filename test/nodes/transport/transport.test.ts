import { actionFromMsg, endEffectorDeltaMsg } from "../../../src/nodes/messages";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SimClock } from "../../../src/nodes/transport/clocks";
import { InProcessBus, InProcessTransport } from "../../../src/nodes/transport/InProcessTransport";
import { secondsFromTime, timeFromSeconds } from "../../../src/ros/messages";
import { decodeFrameMessage, ZmqEmbeddingPublisher, ZmqEmbeddingSubscriber } from "../../../src/nodes/transport/ZmqEmbeddingChannel";
import type { EncodedFrame } from "../../../src/nodes/embeddingChannel";

describe("ROS time conversion", () => {
  it("round-trips seconds through builtin_interfaces/Time, with carry and no negatives", () => {
    expect(timeFromSeconds(1.5)).toEqual({ sec: 1, nanosec: 500_000_000 });
    expect(timeFromSeconds(1.9999999999)).toEqual({ sec: 2, nanosec: 0 });
    expect(timeFromSeconds(-0.25)).toEqual({ sec: 0, nanosec: 0 });
    expect(timeFromSeconds(Number.NaN)).toEqual({ sec: 0, nanosec: 0 });
    expect(secondsFromTime(timeFromSeconds(1731234567.123456))).toBeCloseTo(1731234567.123456, 6);
    expect(secondsFromTime({ sec: 3, nanosec: 250_000_000 })).toBe(3.25);
  });
});

describe("SimClock", () => {
  it("fires timers in time order, each at its due time, only when advanced", () => {
    const c = new SimClock(10);
    const seen: string[] = [];
    c.every(0.5, () => seen.push(`a@${c.now()}`));
    const cancel = c.every(0.3, () => seen.push(`b@${c.now()}`));
    c.advanceTo(11);
    expect(seen).toEqual(["b@10.3", "a@10.5", "b@10.6", "b@10.9", "a@11"]);
    cancel();
    c.advanceTo(11.6);
    expect(seen.at(-1)).toBe("a@11.5");
    expect(() => c.advanceTo(1)).toThrow(/cannot go back/);
  });
});

describe("InProcessTransport", () => {
  it("delivers asynchronously by reference, checks types, serves services and actions", async () => {
    const bus = new InProcessBus();
    const a = new InProcessTransport(bus, "a");
    const b = new InProcessTransport(bus, "b");
    const got: unknown[] = [];
    b.subscribe("std_msgs/msg/String", "/t", "reliable", (m) => got.push(m));
    const msg = { data: "x" };
    a.publisher("std_msgs/msg/String", "/t")(msg);
    expect(got).toEqual([]); // not synchronous
    await Promise.resolve();
    expect(got[0]).toBe(msg);
    expect(() => a.publisher("std_msgs/msg/Int32", "/t")({ data: 1 })).toThrow(/topic \/t has type std_msgs\/msg\/String/);
    a.service("std_srvs/srv/Trigger", "/s", () => ({ success: true, message: "ok" }));
    expect(await b.call("std_srvs/srv/Trigger", "/s", {})).toEqual({ success: true, message: "ok" });
    await expect(b.call("std_srvs/srv/SetBool", "/s", {})).rejects.toThrow(/has type std_srvs\/srv\/Trigger/);
    a.actionServer("franka_msgs/action/Move", "/move", (g: { width: number }) => ({ success: g.width > 0 }));
    expect(await b.sendGoal("franka_msgs/action/Move", "/move", { width: 0.04 })).toEqual({ success: true });
    await a.close();
    await expect(b.call("std_srvs/srv/Trigger", "/s", {})).rejects.toThrow(/no service server/);
  });

  it("keeps running when a subscriber throws", async () => {
    const bus = new InProcessBus();
    const t = new InProcessTransport(bus, "n");
    const got: number[] = [];
    t.subscribe("x/msg/X", "/t", "reliable", () => {
      throw new Error("boom");
    });
    t.subscribe("x/msg/X", "/t", "reliable", (m: { v: number }) => got.push(m.v));
    t.publisher("x/msg/X", "/t")({ v: 1 });
    await Promise.resolve();
    expect(got).toEqual([1]);
  });
});

describe("ZeroMQ embedding channel", () => {
  it("carries embeddings between sockets as raw float32 bytes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-zmq-"));
    const endpoint = `ipc://${path.join(dir, "emb")}`;
    const pub = await ZmqEmbeddingPublisher.bind(endpoint);
    const sub = ZmqEmbeddingSubscriber.connect(endpoint);
    const received: EncodedFrame[] = [];
    sub.subscribe((f) => received.push(f));
    const data = Float32Array.from({ length: 256 * 64 }, (_, i) => Math.sin(i));
    // PUB/SUB drops messages sent before the subscription is established: keep sending until one arrives.
    for (let i = 0; i < 100 && received.length === 0; i++) {
      pub.publish({ stamp: 12.5, frameId: "cam", encodedAt: 12.6, embedding: { data, dims: [1, 256, 64] } });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(received.length).toBeGreaterThan(0);
    const f = received[0];
    expect(f).toMatchObject({ stamp: 12.5, frameId: "cam", encodedAt: 12.6 });
    expect(f.embedding.dims).toEqual([1, 256, 64]);
    expect(Array.from(f.embedding.data)).toEqual(Array.from(data));
    expect(fs.existsSync(path.join(dir, "emb"))).toBe(true);
    await pub.close();
    await sub.close();
    expect(fs.existsSync(path.join(dir, "emb"))).toBe(false); // no socket file left for the next run
  });

  it("rejects a payload that does not match its header", () => {
    const header = Buffer.from(JSON.stringify({ stamp: 1, frameId: "c", encodedAt: 1, dims: [1, 4, 4] }));
    expect(() => decodeFrameMessage(header, Buffer.alloc(60))).toThrow(/payload has 60 bytes, header dims \[1,4,4\] need 64/);
    expect(() => decodeFrameMessage(Buffer.from("{"), Buffer.alloc(4))).toThrow(/header is not JSON/);
  });
});

describe("project message builders", () => {
  it("EndEffectorDelta: every field, and the 7-vector back", () => {
    const m = endEffectorDeltaMsg([1, 2, 3, 4, 5, 6, 7], 2, "panda_link0");
    expect(m).toStrictEqual({
      header: { stamp: { sec: 2, nanosec: 0 }, frame_id: "panda_link0" },
      dx: 1,
      dy: 2,
      dz: 3,
      droll: 4,
      dpitch: 5,
      dyaw: 6,
      dgripper: 7,
    });
    expect(actionFromMsg(m)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(() => endEffectorDeltaMsg([1, 2], 0, "x")).toThrow(/an action has 7 values, got 2/);
  });
});
