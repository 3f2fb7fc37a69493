import { loadRclnodejs, RCLNODEJS_HELP } from "../../../src/nodes/transport/RosTransport";

describe("RosTransport without ROS", () => {
  it("fails fast with a message saying how to install rclnodejs against ROS 2", () => {
    expect(() => loadRclnodejs({})).toThrow(`${RCLNODEJS_HELP} (no ROS 2 environment: AMENT_PREFIX_PATH is not set)`);
    expect(RCLNODEJS_HELP).toContain("source /opt/ros/jazzy/setup.bash");
    expect(RCLNODEJS_HELP).toContain("npm rebuild rclnodejs --ignore-scripts=false");
  });
});
