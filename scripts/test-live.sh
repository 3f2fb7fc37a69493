#!/usr/bin/env bash
# The live ROS 2 suite (test/live): `ros2 launch` of the real nodes over real DDS, checked by a stand-in
# Franka cell written in rclpy. Runs when a ROS 2 environment is available (sourced already, or the
# minimal install of ../shared/ros2 at /opt/ros2-jazzy) and scripts/build-ros.sh has been run; otherwise
# it says plainly that it skipped, except on CI, where that is an error. Arguments go to pytest.
set -eo pipefail
cd "$(dirname "$0")/.."
skip() {
  if [ -n "${CI:-}" ]; then echo "the live ROS 2 tests cannot run on CI: $1" >&2; exit 1; fi
  echo "SKIPPED live ROS 2 tests: $1"
  exit 0
}
if [ -z "${AMENT_PREFIX_PATH:-}" ]; then
  for setup in /opt/ros2-jazzy/ros2_env.sh /opt/ros/jazzy/setup.bash; do
    # shellcheck disable=SC1090
    if [ -f "$setup" ]; then source "$setup"; break; fi
  done
fi
[ -n "${AMENT_PREFIX_PATH:-}" ] || skip "no ROS 2 environment (source your ROS 2, or run ../shared/ros2/install.sh)"
ws=${VJEPA2_ROS_WS:-$PWD/ros_ws}
# shellcheck disable=SC1091
[ -f "$ws/install/setup.bash" ] && source "$ws/install/setup.bash"
python3 -c "import rclpy, vjepa2_mpc_interfaces.msg" 2>/dev/null || skip "vjepa2_mpc_interfaces is not built: run scripts/build-ros.sh"
node -e "require('rclnodejs')" 2>/dev/null || skip "rclnodejs is not built against this ROS 2: run scripts/build-ros.sh"
# Whatever ROS 2 was sourced, the tests' DDS traffic stays on this machine's loopback interface.
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
unset ROS_STATIC_PEERS
if [ "${RMW_IMPLEMENTATION:-}" = rmw_cyclonedds_cpp ] && [ -z "${CYCLONEDDS_URI:-}" ]; then
  export CYCLONEDDS_URI='<CycloneDDS><Domain><General><Interfaces><NetworkInterface name="lo" multicast="false"/></Interfaces><AllowMulticast>false</AllowMulticast></General><Discovery><ParticipantIndex>auto</ParticipantIndex><MaxAutoParticipantIndex>100</MaxAutoParticipantIndex><Peers><Peer address="127.0.0.1"/></Peers></Discovery></Domain></CycloneDDS>'
fi
if [ $# -eq 0 ]; then set -- test/live; fi
exec python3 -m pytest -q -p no:cacheprovider "$@"
