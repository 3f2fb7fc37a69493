/**
 * The ROS 2 transport, through rclnodejs. rclnodejs is an optional dependency compiled against a sourced
 * ROS 2 install, so it is loaded lazily here and only here; without it a clear error says how to get it.
 */
import type { Logger } from "../../log";
import { checkValue, fromRosValue, rosDescriptors, toRosValue, type Parameter, type ParameterTable, type RosParameterDescriptor } from "../../config/parameter";
import { paramsFileOverrides, paramsFilePaths } from "./paramsFiles";
import { rosLogger, type RclLogger } from "./rosLogger";
import type { Clock, Qos, Transport } from "./Transport";

type Rclnodejs = typeof import("rclnodejs");
type RclNode = import("rclnodejs").Node;

/** How to get rclnodejs working, for the error message. */
export const RCLNODEJS_HELP =
  "rclnodejs is not usable here. It needs a ROS 2 install: `source /opt/ros/jazzy/setup.bash`, then " +
  "`scripts/build-ros.sh` in the vjepa2-mpc folder (it builds msg/ with colcon and runs " +
  "`npm rebuild rclnodejs --ignore-scripts=false`) and `source ros_ws/install/setup.bash`. Without ROS, " +
  "use the in-process commands (demo, replay).";

/** Loads rclnodejs, or throws an Error with RCLNODEJS_HELP and the underlying reason. */
export function loadRclnodejs(env: NodeJS.ProcessEnv = process.env): Rclnodejs {
  // Without a sourced ROS, requiring rclnodejs tries (and fails) to compile itself: say why up front.
  if (!env.AMENT_PREFIX_PATH) throw new Error(`${RCLNODEJS_HELP} (no ROS 2 environment: AMENT_PREFIX_PATH is not set)`);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("rclnodejs") as Rclnodejs;
  } catch (e) {
    throw new Error(`${RCLNODEJS_HELP} (${(e as Error).message.split("\n")[0]})`, { cause: e });
  }
}

/** How long a goal waits for its action server to appear (discovery can take a second or two). */
const ACTION_SERVER_WAIT_MS = 5000;

/** `: error` from a result that carries one (franka_msgs results have `error`). */
function errorText(result: unknown): string {
  const e = (result as { error?: unknown } | null)?.error;
  return typeof e === "string" && e !== "" ? `: ${e}` : "";
}

// rclnodejs QoS policy values (rmw enums).
const KEEP_LAST = 1;
const RELIABLE = 1;
const BEST_EFFORT = 2;
const TRANSIENT_LOCAL = 1;
const VOLATILE = 2;

// rcl_interfaces ParameterType values.
const PARAMETER_TYPES = { bool: 1, integer: 2, double: 3, string: 4, double_array: 8 } as const;
const PARAMETER_NOT_SET = 0;
const TYPE_NAMES: Record<number, string> = {
  0: "not set",
  1: "bool",
  2: "integer",
  3: "double",
  4: "string",
  5: "byte array",
  6: "bool array",
  7: "integer array",
  8: "double array",
  9: "string array",
};
/** Parameters every rclnodejs node has of its own. */
const NODE_OWN_PARAMETERS = ["use_sim_time", "start_type_description_service"];

/**
 * A ROS parameter value as the configuration value of `p` (ints from BigInt, NaN / -1 as null for
 * nullable ones). Throws naming the parameter when the ROS type is not the declared one.
 */
function configValue(name: string, p: Parameter, rosType: number, value: unknown): unknown {
  if (rosType !== PARAMETER_TYPES[p.type]) {
    const hint = p.type === "double" && rosType === PARAMETER_TYPES.integer ? ` (write ${String(value)}.0)` : "";
    throw new Error(`${name} is a ${p.type} parameter, got a ${TYPE_NAMES[rosType] ?? `type ${rosType}`} value${hint}`);
  }
  const v = p.type === "integer" ? Number(value as bigint) : p.type === "double_array" ? Array.from(value as ArrayLike<number>) : value;
  return fromRosValue(p, v);
}

/** A params-file value as the configuration value of `p`, checked by its declaration (YAML integers are fine for doubles there). */
function fileValue(name: string, p: Parameter, v: unknown): unknown {
  const value = fromRosValue(p, v);
  const problem = checkValue(name, p, value);
  if (problem !== null) throw new Error(`parameter file: ${problem}`);
  return value;
}

/**
 * ParameterDescriptor whose message carries our ranges: rclnodejs 2.2's `toMessage` reads a field it
 * never sets and so drops every range. Validation is left to the set-parameters callback (the table's
 * checks, with messages that name the limit); rclnodejs's own reports every failure as "does not
 * readonly".
 */
function descriptorClass(rcl: Rclnodejs) {
  return class TableDescriptor extends rcl.ParameterDescriptor {
    constructor(
      private readonly table: RosParameterDescriptor,
      type: number,
    ) {
      super(table.name, type as never, table.description, table.read_only);
      this.additionalConstraints = table.additional_constraints;
    }
    override validateParameter(): void {}
    override toMessage(): ReturnType<InstanceType<Rclnodejs["ParameterDescriptor"]>["toMessage"]> {
      const big = (r: { from_value: number; to_value: number; step: number }) => ({
        from_value: BigInt(r.from_value),
        to_value: BigInt(r.to_value),
        step: BigInt(r.step),
      });
      return {
        name: this.table.name,
        type: this.type,
        description: this.table.description,
        additional_constraints: this.table.additional_constraints,
        read_only: this.table.read_only,
        dynamic_typing: false,
        floating_point_range: this.table.floating_point_range,
        integer_range: this.table.integer_range.map(big),
      } as never;
    }
  };
}

export class RosTransport implements Transport {
  readonly clock: Clock;
  private readonly cleanups: Array<() => void> = [];
  private closed = false;
  private readonly actionClients = new Map<string, { client: InstanceType<Rclnodejs["ActionClient"]>; resolved: string }>();

  private constructor(
    private readonly rcl: Rclnodejs,
    private readonly node: RclNode,
    readonly nodeName: string,
    readonly log: Logger,
    /** What the `--params-file` files give this node (see paramsFiles.ts). */
    private readonly fileParameters: Record<string, unknown> = {},
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
   * Initialises rclnodejs (with the process's `--ros-args`: remappings, namespace, params files, log
   * level), creates the node and starts spinning. The transport's logger writes through the node's ROS
   * logger (launch output, /rosout).
   */
  static async create(nodeName: string, argv: string[] = process.argv): Promise<RosTransport> {
    const rcl = loadRclnodejs();
    // rclnodejs shuts every context down on SIGINT by itself; the node command stops its nodes first
    // (a plan in flight, sockets, the model's worker) and closes the transport last.
    rcl.removeSignalHandlers();
    await rcl.init(undefined, argv);
    const node = rcl.createNode(nodeName);
    // rclnodejs 2.2's hasParameterDescriptor is true for any name (it makes up an unset descriptor), so
    // `ros2 param set` of an undeclared parameter fails as "does not readonly"; answer from the declared ones.
    node.hasParameterDescriptor = (name: string) => (node.getParameterDescriptor(name)?.type as number | undefined) !== PARAMETER_NOT_SET;
    const fromFiles = paramsFileOverrides(paramsFilePaths(argv), node.getFullyQualifiedName());
    const log = rosLogger(node.getLogger() as unknown as RclLogger);
    if (typeof fromFiles.use_sim_time === "boolean" && fromFiles.use_sim_time !== node.getParameter("use_sim_time").value) {
      // The node's clock follows /clock from here on (rclnodejs's TimeSource watches this parameter).
      node.setParameter(new rcl.Parameter("use_sim_time", rcl.ParameterType.PARAMETER_BOOL as never, fromFiles.use_sim_time as never));
    }
    node.spin();
    return new RosTransport(rcl, node, nodeName, log, fromFiles);
  }

  /**
   * Declares the parameters `names` of `table` with their descriptors (description, units, range,
   * read-only) and the values in use (`current`: the resolved YAML configuration), so that
   * `ros2 param get` reads back what the node runs with. ROS overrides (params files, `-p`) replace those
   * values; the values ROS ends up with are returned as flat `section.name` configuration values.
   * Throws for an override of the wrong type, naming it. Overrides for parameters this node does not
   * declare are logged, not silently dropped.
   */
  declareParameters(table: ParameterTable, names: readonly string[], current: Record<string, Record<string, unknown>>): Record<string, unknown> {
    const Descriptor = descriptorClass(this.rcl);
    const out: Record<string, unknown> = {};
    for (const d of rosDescriptors(table, Object.keys(table), names)) {
      const [g, k] = d.name.split(".");
      const p = table[g][k];
      const type = PARAMETER_TYPES[p.type];
      const descriptor = new Descriptor(d, type);
      const value = toRosValue(p, d.name in this.fileParameters ? fileValue(d.name, p, this.fileParameters[d.name]) : current[g][k]);
      const param = this.node.declareParameter(
        new this.rcl.Parameter(d.name, type as never, (p.type === "integer" ? BigInt(value as number) : value) as never),
        descriptor as never,
      );
      out[d.name] = configValue(d.name, p, param.type as number, param.value);
    }
    const given = [...this.node.getParameterOverrides().map((o) => o.name), ...Object.keys(this.fileParameters)];
    const ignored = [...new Set(given)].filter((n) => !names.includes(n) && !NODE_OWN_PARAMETERS.includes(n));
    if (ignored.length > 0) this.log.warn({ ignored }, `parameters given for ${this.nodeName} that it does not use`);
    return out;
  }

  /**
   * Routes `ros2 param set` of the declared table parameters to `handler` with the new values (flat,
   * configuration form). The handler applies them and returns null, or returns the reason to refuse the
   * whole set. A value of the wrong type is refused here with the type it needs.
   */
  onParametersSet(table: ParameterTable, handler: (changes: Record<string, unknown>) => string | null): void {
    this.node.addOnSetParametersCallback((params: Array<{ name: string; type: number; value: unknown }>) => {
      const changes: Record<string, unknown> = {};
      try {
        for (const param of params) {
          const [g, k] = param.name.split(".");
          const p = table[g]?.[k];
          if (p === undefined) continue; // the node's own (use_sim_time, ...): rclnodejs handles them
          changes[param.name] = configValue(param.name, p, param.type, param.value);
        }
      } catch (e) {
        return { successful: false, reason: (e as Error).message } as never;
      }
      const reason = Object.keys(changes).length === 0 ? null : handler(changes);
      if (reason !== null) this.log.warn({ changes, reason }, "parameter change refused");
      else if (Object.keys(changes).length > 0) this.log.info({ changes }, "parameters changed");
      return { successful: reason === null, reason: reason ?? "" } as never;
    });
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
    return (msg: T) => {
      if (!this.closed) pub.publish(msg as never); // a late status during shutdown goes nowhere
    };
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

  service<Req, Res>(type: string, name: string, handler: (req: Req) => Promise<Res> | Res): () => void {
    const service = this.node.createService(type as never, name, (request: unknown, response: { send(r: unknown): void }) => {
      Promise.resolve()
        .then(() => handler(request as Req))
        .then((res) => response.send(res))
        .catch((e: Error) => {
          this.log.error({ service: name, err: e.message }, "service handler failed");
          response.send({});
        });
    });
    let served = true;
    return () => {
      if (served && !this.closed) this.node.destroyService(service);
      served = false;
    };
  }

  async sendGoal<Goal, Result>(type: string, name: string, goal: Goal): Promise<Result> {
    const { client, resolved } = this.actionClient(type, name);
    if (!(await client.waitForServer(ACTION_SERVER_WAIT_MS))) throw new Error(`action server ${resolved} (${type}) is not available`);
    const handle = await client.sendGoal(goal as never);
    if (!handle.isAccepted()) throw new Error(`goal to ${resolved} was rejected`);
    const result = await handle.getResult();
    if (handle.isAborted()) throw new Error(`goal to ${resolved} was aborted${errorText(result)}`);
    if (handle.isCanceled()) throw new Error(`goal to ${resolved} was canceled`);
    return result as unknown as Result;
  }

  /**
   * One action client per action, created on first use. The name is remapped here: rclnodejs 2.2's
   * action clients ignore `-r` remapping rules (topics and services honour them).
   */
  private actionClient(type: string, name: string): { client: InstanceType<Rclnodejs["ActionClient"]>; resolved: string } {
    const key = `${type} ${name}`;
    let entry = this.actionClients.get(key);
    if (entry === undefined) {
      const resolved = this.node.resolveTopicName(name);
      entry = { client: new this.rcl.ActionClient(this.node, type as never, resolved), resolved };
      this.actionClients.set(key, entry);
    }
    return entry;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const { client } of this.actionClients.values()) client.destroy();
    this.actionClients.clear();
    for (const c of this.cleanups.splice(0)) c();
    this.node.destroy();
    this.rcl.shutdown();
  }
}
