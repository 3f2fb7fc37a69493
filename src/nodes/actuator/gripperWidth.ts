/**
 * Gripper closedness (DROID: 0 open .. 1 closed) ↔ finger width (m). The Franka Hand opens to 0.08 m
 * between the fingers: closedness 0 = `maxWidth`, 1 = 0 m, linear in between. franka_gripper's
 * `~/joint_states` reports each finger joint at width / 2 (gripper_action_server.cpp pushes
 * `width / 2` twice), and its GripperCommand action reads `command.position` as that per-finger value
 * (target width = 2 · position). Pure.
 */

/** Franka Hand total opening (m). */
export const FRANKA_HAND_MAX_WIDTH = 0.08;

function clip01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Finger width (m) for a closedness, clipped to [0, maxWidth]. */
export function closednessToWidth(closedness: number, maxWidth: number = FRANKA_HAND_MAX_WIDTH): number {
  return maxWidth * (1 - clip01(closedness));
}

/** Closedness in [0, 1] for a finger width (m); widths outside [0, maxWidth] clip. */
export function widthToClosedness(width: number, maxWidth: number = FRANKA_HAND_MAX_WIDTH): number {
  return clip01(1 - width / maxWidth);
}

/** Per-finger joint position (m) for a width: width / 2. */
export function widthToFingerPosition(width: number): number {
  return width / 2;
}

/**
 * Width (m) from a gripper JointState's finger positions: their sum for two fingers (each is width / 2),
 * twice the one for a single finger. Null when there is none or one is non-finite.
 */
export function fingerPositionsToWidth(positions: readonly number[]): number | null {
  if (positions.length === 0 || positions.length > 2 || !positions.every((p) => Number.isFinite(p))) return null;
  return positions.length === 2 ? positions[0] + positions[1] : 2 * positions[0];
}

/** Closedness from franka_gripper JointState finger positions (null when unusable). */
export function fingerPositionsToClosedness(positions: readonly number[], maxWidth: number = FRANKA_HAND_MAX_WIDTH): number | null {
  const w = fingerPositionsToWidth(positions);
  return w === null ? null : widthToClosedness(w, maxWidth);
}

/** Finger positions (both fingers, m) for a closedness: what franka_gripper would report. */
export function closednessToFingerPositions(closedness: number, maxWidth: number = FRANKA_HAND_MAX_WIDTH): [number, number] {
  const half = widthToFingerPosition(closednessToWidth(closedness, maxWidth));
  return [half, half];
}

/**
 * Closedness from a sensor_msgs/JointState, whichever convention it follows: a joint named `gripper`
 * carries the closedness itself (the recording convention, /robot/gripper); otherwise the finger joints
 * (names containing `finger_joint`, e.g. `fr3_finger_joint1`, as franka_gripper publishes) carry
 * width / 2 each. Null when neither is present or the values are unusable.
 */
export function closednessFromJointState(names: readonly string[], positions: readonly number[], maxWidth: number = FRANKA_HAND_MAX_WIDTH): number | null {
  const direct = names.indexOf("gripper");
  if (direct >= 0) {
    const v = positions[direct];
    return typeof v === "number" && Number.isFinite(v) ? clip01(v) : null;
  }
  const fingers: number[] = [];
  names.forEach((n, i) => {
    if (n.includes("finger_joint")) fingers.push(positions[i]);
  });
  return fingers.length === 0 ? null : fingerPositionsToClosedness(fingers, maxWidth);
}
