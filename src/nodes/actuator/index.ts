/** The actuator's pure logic: safety envelope, target streaming, twist, settle detection, message builders. */
export * from "./stage";
export * from "./rigidPose";
export * from "./estopLatch";
export * from "./finiteCheck";
export * from "./watchdogs";
export * from "./stepLimits";
export * from "./workspaceBox";
export * from "./gripperLimits";
export * from "./tcpFlange";
export * from "./safetyEnvelope";
export * from "./targetStreamer";
export * from "./twistCommand";
export * from "./SettleDetector";
export * from "./gripperWidth";
export * from "./messages";
export * from "./actuatorSettings";
