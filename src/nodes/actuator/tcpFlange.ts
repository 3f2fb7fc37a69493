/**
 * TCP ↔ flange conversion. The model's state is the flange (`*_link8`, DROID convention) while
 * franka_robot_state_broadcaster's `~/current_pose` is O_T_EE, the end-effector (TCP) frame configured in
 * Desk. The fixed flange→TCP transform F_T_EE is configurable; the default is the Franka Hand's, from
 * franka_description (end_effectors/franka_hand/franka_hand_arguments.xacro and common/franka_hand.xacro):
 * `<arm>_hand_joint` (link8 → hand) has rpy_ee "0 0 -π/4" and xyz_ee "0 0 0"; `<arm>_hand_tcp_joint`
 * (hand → hand_tcp) has tcp_xyz "0 0 0.1034" and tcp_rpy "0 0 0". Since the hand's rotation is about z,
 * F_T_EE = translation (0, 0, 0.1034) m, rotation Rz(−π/4) — also libfranka's default F_T_EE for the hand.
 * Pure.
 */
import { composePoses, invertPose, quatFromEuler, type RigidPose, type Vec3 } from "./rigidPose";

/** Pose of the TCP in the flange frame (F_T_EE). */
export type TcpOffset = RigidPose;

/** The Franka Hand's F_T_EE (see the module comment for the source). */
export const FRANKA_HAND_TCP_OFFSET: Readonly<{ xyz: Vec3; rpy: Vec3 }> = { xyz: [0, 0, 0.1034], rpy: [0, 0, -Math.PI / 4] };

/** F_T_EE from a translation (m, flange frame) and extrinsic 'xyz' Euler angles (rad), as the parameters hold it. */
export function tcpOffsetFrom(xyz: readonly number[], rpy: readonly number[]): TcpOffset {
  return { position: [xyz[0], xyz[1], xyz[2]], orientation: quatFromEuler(rpy[0], rpy[1], rpy[2]) };
}

/** TCP pose in the base frame of a flange pose: O_T_EE = O_T_F · F_T_EE. */
export function flangeToTcp(flange: RigidPose, offset: TcpOffset): RigidPose {
  return composePoses(flange, offset);
}

/** Flange pose in the base frame of a TCP pose: O_T_F = O_T_EE · (F_T_EE)⁻¹. */
export function tcpToFlange(tcp: RigidPose, offset: TcpOffset): RigidPose {
  return composePoses(tcp, invertPose(offset));
}
