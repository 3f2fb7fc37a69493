import { quatBetween, quatToRotationVector, rotateVector } from "../../../src/nodes/actuator/rigidPose";
import { flangeToTcpLever, twistAtPoint, twistToward, zeroTwist, type TwistLimits } from "../../../src/nodes/actuator/twistCommand";
import { pose } from "./helpers";

const limits: TwistLimits = { gain: 2, maxLinearSpeed: 0.1, maxAngularSpeed: 0.5, positionTolerance: 0.0005, rotationTolerance: 0.003 };

describe("twist adapter", () => {
  it("is proportional to the error below the limits", () => {
    const t = twistToward(pose(0.5, 0, 0.4), pose(0.51, -0.02, 0.4, 0, 0, 0.1), limits);
    expect(t.linear[0]).toBeCloseTo(0.02, 15);
    expect(t.linear[1]).toBeCloseTo(-0.04, 15);
    expect(t.linear[2]).toBeCloseTo(0, 15);
    expect(t.angular[2]).toBeCloseTo(0.2, 14);
  });

  it("scales translation and rotation together to the speed limits", () => {
    const t = twistToward(pose(0.5, 0, 0.4), pose(0.7, 0, 0.4, 0, 0, 0.2), limits);
    // 2·0.2 = 0.4 m/s → 0.1: factor 0.25 applies to the rotation too (2·0.2·0.25 = 0.1 rad/s)
    expect(Math.hypot(...t.linear)).toBeCloseTo(0.1, 14);
    expect(t.angular[2]).toBeCloseTo(0.1, 14);
  });

  it("uses the base-frame rotation error target · current⁻¹", () => {
    const cur = pose(0.5, 0, 0.4, Math.PI, 0, 0.3);
    const tgt = pose(0.5, 0, 0.4, Math.PI, 0.05, 0.35);
    const t = twistToward(cur, tgt, { ...limits, gain: 1, maxAngularSpeed: 10 });
    const r = quatToRotationVector(quatBetween(cur.orientation, tgt.orientation));
    for (let i = 0; i < 3; i++) expect(t.angular[i]).toBeCloseTo(r[i], 15);
  });

  it("is zero within the tolerances, for non-finite input and when holding", () => {
    expect(twistToward(pose(0.5, 0, 0.4), pose(0.5001, 0, 0.4), limits)).toEqual(zeroTwist());
    expect(twistToward(pose(0.5, 0, 0.4), pose(Number.NaN, 0, 0.4), limits)).toEqual(zeroTwist());
    expect(zeroTwist()).toEqual({ linear: [0, 0, 0], angular: [0, 0, 0] });
  });

  it("describes the same motion at the TCP: v + ω × r", () => {
    const flange = pose(0.5, 0, 0.4, Math.PI, 0, 0);
    const r = flangeToTcpLever(flange, [0, 0, 0.1034]);
    expect(r[2]).toBeCloseTo(-0.1034, 15);
    const t = twistAtPoint({ linear: [0, 0, 0], angular: [1, 0, 0] }, r);
    // rotating about x at the flange swings a point 0.1034 m below it along +y: ω × r = (1,0,0)×(0,0,-0.1034)
    expect(t.linear[1]).toBeCloseTo(0.1034, 15);
    expect(rotateVector([0, 0, 0, 1], [1, 2, 3])).toEqual([1, 2, 3]);
  });

  it("is zero, not NaN, when gain × error overflows (a garbage pose, however finite)", () => {
    expect(twistToward(pose(0, 0, 0.4), pose(1.7e308, 0, 0.4), limits)).toEqual(zeroTwist());
    expect(twistToward(pose(-1e308, 0, 0.4), pose(1e308, 1e308, 0.4), limits)).toEqual(zeroTwist());
  });
});
