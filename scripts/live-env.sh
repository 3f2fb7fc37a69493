# Sourced by test-live.sh and bench-live.sh: finds a ROS 2 environment (sourced already, or the minimal
# install of ../shared/ros2 at /opt/ros2-jazzy, or /opt/ros/jazzy), sources the project's interface
# workspace, and keeps DDS on the loopback interface whatever ROS 2 was sourced. Sets LIVE_PROBLEM to why
# the live tools cannot run here, or leaves it empty.
LIVE_PROBLEM=
if [ -z "${AMENT_PREFIX_PATH:-}" ]; then
  for setup in /opt/ros2-jazzy/ros2_env.sh /opt/ros/jazzy/setup.bash; do
    # shellcheck disable=SC1090
    if [ -f "$setup" ]; then source "$setup"; break; fi
  done
fi
if [ -z "${AMENT_PREFIX_PATH:-}" ]; then
  LIVE_PROBLEM="no ROS 2 environment (source your ROS 2, or run ../shared/ros2/install.sh)"
  return 0
fi
ws=${VJEPA2_ROS_WS:-$PWD/ros_ws}
# shellcheck disable=SC1091
[ -f "$ws/install/setup.bash" ] && source "$ws/install/setup.bash"
if ! python3 -c "import rclpy, vjepa2_mpc_interfaces.msg" 2>/dev/null; then
  LIVE_PROBLEM="vjepa2_mpc_interfaces is not built: run scripts/build-ros.sh"
elif ! node -e "require('rclnodejs')" 2>/dev/null; then
  LIVE_PROBLEM="rclnodejs is not built against this ROS 2: run scripts/build-ros.sh"
fi
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
unset ROS_STATIC_PEERS
if [ "${RMW_IMPLEMENTATION:-}" = rmw_cyclonedds_cpp ] && [ -z "${CYCLONEDDS_URI:-}" ]; then
  export CYCLONEDDS_URI='<CycloneDDS><Domain><General><Interfaces><NetworkInterface name="lo" multicast="false"/></Interfaces><AllowMulticast>false</AllowMulticast></General><Discovery><ParticipantIndex>auto</ParticipantIndex><MaxAutoParticipantIndex>100</MaxAutoParticipantIndex><Peers><Peer address="127.0.0.1"/></Peers></Discovery></Domain></CycloneDDS>'
fi
