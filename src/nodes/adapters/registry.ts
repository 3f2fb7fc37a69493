/**
 * The actuator's adapters, by the names the parameters take: actuator.adapter (the arm controller) and
 * actuator.gripper_adapter (the gripper). ActuatorNode asks for its two by name and knows nothing else
 * about them.
 *
 * Adding a controller: write src/nodes/adapters/<name>Adapter.ts, a class implementing CommandAdapter
 * (CommandAdapter.ts: `send` one tick's streamed target, `hold` while a guard holds the arm, `stop` at
 * rest; create publishers from the context's transport in the constructor and count what you send in
 * `context.sent`), and register it with one line in COMMAND_ADAPTERS below. The parameter table
 * (src/config/parameters.ts) sits in a layer below this one and cannot import it, so the name also goes
 * into actuator.adapter's `choices` there (with a word in its description); tsc refuses a registry and a
 * choices list that differ either way, and test/nodes/adapters/registry.test.ts checks them again. Then
 * regenerate config/default.yaml (`vjepa2-mpc config --defaults`) and the README's table
 * (`npm run docs:parameters`), which their tests compare. A new topic or action name goes into topics.ts,
 * and into launch/_vjepa2_nodes.py's ACTUATOR_REMAPS so that launch files can rename it. A gripper is
 * added the same way: GripperAdapter.ts, GRIPPER_ADAPTERS, actuator.gripper_adapter.
 */
import type { CommandAdapterName, GripperAdapterName } from "../actuator/actuatorSettings";
import type { AdapterContext, CommandAdapter, CommandAdapterFactory } from "./CommandAdapter";
import { FrankaGripperAdapter } from "./frankaGripperAdapter";
import type { GripperAdapter, GripperAdapterFactory } from "./GripperAdapter";
import { GripperCommandAdapter } from "./gripperCommandAdapter";
import { NoGripperAdapter } from "./noGripperAdapter";
import { PoseTargetAdapter } from "./poseTargetAdapter";
import { TwistAdapter } from "./twistAdapter";

/** actuator.adapter: name -> factory. */
export const COMMAND_ADAPTERS = {
  pose_target: (c) => new PoseTargetAdapter(c),
  twist: (c) => new TwistAdapter(c),
} as const satisfies Readonly<Record<CommandAdapterName, CommandAdapterFactory>>;

/** actuator.gripper_adapter: name -> factory. */
export const GRIPPER_ADAPTERS = {
  franka: (c) => new FrankaGripperAdapter(c),
  gripper_command: (c) => new GripperCommandAdapter(c),
  none: () => new NoGripperAdapter(),
} as const satisfies Readonly<Record<GripperAdapterName, GripperAdapterFactory>>;

function factory<F>(parameter: string, table: Readonly<Record<string, F>>, name: string): F {
  if (!Object.prototype.hasOwnProperty.call(table, name)) {
    throw new Error(`${parameter}: no adapter is registered as ${JSON.stringify(name)} (registered: ${Object.keys(table).join(", ")})`);
  }
  return table[name];
}

/** The arm command adapter registered as `name`; throws naming the registered ones for any other name. */
export function createCommandAdapter(name: string, context: AdapterContext): CommandAdapter {
  return factory<CommandAdapterFactory>("actuator.adapter", COMMAND_ADAPTERS, name)(context);
}

/** The gripper adapter registered as `name`; throws naming the registered ones for any other name. */
export function createGripperAdapter(name: string, context: AdapterContext): GripperAdapter {
  return factory<GripperAdapterFactory>("actuator.gripper_adapter", GRIPPER_ADAPTERS, name)(context);
}
