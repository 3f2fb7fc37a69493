import { FRANKA_HAND_TCP_OFFSET, flangeToTcp, tcpOffsetFrom, tcpToFlange } from "../../../src/nodes/actuator/tcpFlange";
import { expectPoseClose, expectSameRotation, pose } from "./helpers";

describe("TCP ↔ flange", () => {
  const hand = tcpOffsetFrom(FRANKA_HAND_TCP_OFFSET.xyz, FRANKA_HAND_TCP_OFFSET.rpy);

  it("defaults to the Franka Hand: 0.1034 m along the flange z, rotated −45° about z", () => {
    expect(FRANKA_HAND_TCP_OFFSET).toEqual({ xyz: [0, 0, 0.1034], rpy: [0, 0, -Math.PI / 4] });
    expect(hand.position).toEqual([0, 0, 0.1034]);
    expectSameRotation(hand.orientation, [0, 0, -Math.sin(Math.PI / 8), Math.cos(Math.PI / 8)], 15);
  });

  it("puts the TCP 0.1034 m below a flange pointing down (the usual tabletop pose)", () => {
    const flange = pose(0.5, 0.0, 0.4, Math.PI, 0, 0); // z axis of the flange points down
    const tcp = flangeToTcp(flange, hand);
    expect(tcp.position[0]).toBeCloseTo(0.5, 14);
    expect(tcp.position[1]).toBeCloseTo(0, 14);
    expect(tcp.position[2]).toBeCloseTo(0.4 - 0.1034, 14);
    expectSameRotation(tcp.orientation, pose(0, 0, 0, Math.PI, 0, Math.PI / 4).orientation, 14); // Rx(π)·Rz(−π/4) = Rz(π/4)·Rx(π)
  });

  it("round-trips in both directions for arbitrary poses and offsets", () => {
    const offsets = [hand, tcpOffsetFrom([0.01, -0.02, 0.2], [0.1, -0.3, 0.5])];
    const poses = [pose(0.5, 0.1, 0.3, 0.3, -0.2, 1.1), pose(-0.2, 0.6, 0.9, -2.9, 1.4, -0.3)];
    for (const o of offsets) {
      for (const p of poses) {
        expectPoseClose(tcpToFlange(flangeToTcp(p, o), o), p, 14);
        expectPoseClose(flangeToTcp(tcpToFlange(p, o), o), p, 14);
      }
    }
  });
});
