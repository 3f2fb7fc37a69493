/**
 * The ROS 2 transport, through rclnodejs. rclnodejs is an optional dependency compiled against a sourced
 * ROS 2 install, so it is loaded lazily here and only here; without it a clear error says how to get it.
 */
import type { Logger } from "../../log";
import { rosDescriptors, type ParameterTable } from "../../config/parameter";
import type { Clock, Qos, Transport } from "./Transport";

type Rclnodejs = typeof import("rclnodejs");
type RclNode = import("rclnodejs").Node;

/** How to get rclnodejs working, for the error message. */
export const RCLNODEJS_HELP =
  "rclnodejs is not usable here. It needs a ROS 2 install: `source /opt/ros/jazzy/setup.bash`, then " +
  "`npm rebuild rclnodejs --ignore-scripts=false` in the vjepa2-mpc folder (and build msg/ with colcon so " +
  "vjepa2_mpc_interfaces is found). Without ROS, use the in-process commands (demo, replay).";

/** Loads rclnodejs, or throws an Error with RCLNODEJS_HELP and the underlying reason. */
export function loadRclnodejs(env: NodeJS.ProcessEnv = process.env): Rclnodejs {
  // Without a sourced ROS, requiring rclnodejs tries (and fails) to compile itself: say why up front.
  if (!env.AMENT_PREFIX_PATH) throw new Error(`${RCLNODEJS_HELP} (no ROS 2 environment: AMENT_PREFIX_PATH is not set)`);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("rclnodejs") as Rclnodejs;
  } catch (e) {
    throw new Error(`${RCLNODEJS_HELP} (${(e as Error).message.split("\n")[0]})`);
  }
}

// rclnodejs QoS policy values (rmw enums).
const KEEP_LAST = 1;
const RELIABLE = 1;
const BEST_EFFORT = 2;
const TRANSIENT_LOCAL = 1;
const VOLATILE = 2;

// rcl_interfaces ParameterType values.
const PARAMETER_TYPES = { bool: 1, integer: 2, double: 3, string: 4, double_array: 8 } as const;

export class RosTransport implements Transport {
  readonly clock: Clock;
  private readonly cleanups: Array<() => void> = [];

  private constructor(
    private readonly rcl: Rclnodejs,
    private readonly node: RclNode,
    readonly nodeName: string,
    readonly log: Logger,
  ) {
    this.clock = {
      // node.now() follows /clock when use_sim_time is set.
      now: () => Number(this.node.now().nanoseconds) / 1e9,
      every: (periodS, callback) => {
        const timer = this.node.createTimer(BigInt(Math.round(periodS * 1e9)), () => callback());
        return () => timer.cancel();
      },
    };
  }

  /**
   * Initialises rclnodejs (with the process's `--ros-args`), creates the node, declares the parameters of
   * the given table sections (descriptions, ranges, read-only flags from the table) and starts spinning.
   */
  static async create(nodeName: string, log: Logger, argv: string[] = process.argv): Promise<RosTransport> {
    const rcl = loadRclnodejs();
    await rcl.init(undefined, argv);
    const node = rcl.createNode(nodeName);
    node.spin();
    return new RosTransport(rcl, node, nodeName, log);
  }

  /**
   * Declares every parameter of `sections` with its descriptor and returns the values ROS resolved (the
   * defaults, overridden by --ros-args / params files), as flat `section.name` overrides.
   */
  declareParameters(table: ParameterTable, sections: string[]): Record<string, unknown> {
    const rcl = this.rcl;
    const out: Record<string, unknown> = {};
    for (const d of rosDescriptors(table, sections)) {
      const [g, k] = d.name.split(".");
      const p = table[g][k];
      if (p.default === null) continue; // ROS parameters cannot be null: nullable ones stay YAML-only until set
      const type = PARAMETER_TYPES[p.type];
      const descriptor = new rcl.ParameterDescriptor(d.name, type as never, d.description, d.read_only);
      descriptor.additionalConstraints = d.additional_constraints;
      const param = this.node.declareParameter(new rcl.Parameter(d.name, type as never, p.type === "integer" ? BigInt(p.default as number) : p.default), descriptor);
      out[d.name] = p.type === "integer" ? Number(param.value) : param.value;
    }
    return out;
  }

  private qos(q: Qos): import("rclnodejs").QoS {
    switch (q) {
      case "sensor_data":
        return new this.rcl.QoS(KEEP_LAST, 5, BEST_EFFORT as never, VOLATILE as never);
      case "reliable":
        return new this.rcl.QoS(KEEP_LAST, 10, RELIABLE as never, VOLATILE as never);
      case "latched":
        return new this.rcl.QoS(KEEP_LAST, 1, RELIABLE as never, TRANSIENT_LOCAL as never);
    }
  }

  publisher<T>(type: string, topic: string, qos: Qos = "reliable"): (msg: T) => void {
    const pub = this.node.createPublisher(type as never, topic, { qos: this.qos(qos) });
    return (msg: T) => pub.publish(msg as never);
  }

  subscribe<T>(type: string, topic: string, qos: Qos, callback: (msg: T) => void): () => void {
    const sub = this.node.createSubscription(type as never, topic, { qos: this.qos(qos) }, (msg: unknown) => {
      try {
        callback(msg as T);
      } catch (e) {
        this.log.error({ topic, err: (e as Error).message }, "subscription callback threw");
      }
    });
    const off = (): void => this.node.destroySubscription(sub);
    this.cleanups.push(off);
    return off;
  }

  service<Req, Res>(type: string, name: string, handler: (req: Req) => Promise<Res> | Res): void {
    this.node.createService(type as never, name, (request: unknown, response: { send(r: unknown): void }) => {
      Promise.resolve()
        .then(() => handler(request as Req))
        .then((res) => response.send(res))
        .catch((e: Error) => {
          this.log.error({ service: name, err: e.message }, "service handler failed");
          response.send({});
        });
    });
  }

  async sendGoal<Goal, Result>(type: string, name: string, goal: Goal): Promise<Result> {
    const client = new this.rcl.ActionClient(this.node, type as never, name);
    try {
      if (!(await client.waitForServer(2000))) throw new Error(`action server ${name} (${type}) is not available`);
      const handle = await client.sendGoal(goal as never);
      if (!handle.isAccepted()) throw new Error(`goal to ${name} was rejected`);
      return (await handle.getResult()) as unknown as Result;
    } finally {
      client.destroy();
    }
  }

  async close(): Promise<void> {
    for (const c of this.cleanups.splice(0)) c();
    this.node.destroy();
    this.rcl.shutdown();
  }
}
