#!/usr/bin/env bash
# Builds the ROS 2 side of vjepa2-mpc against the ROS 2 sourced in this shell, non-interactively:
#   1. with colcon, into $VJEPA2_ROS_WS (default ./ros_ws): the interfaces package (msg/: vjepa2_mpc_interfaces)
#      and the vjepa2_mpc package (ament/vjepa2_mpc: launch files, config, `ros2 run vjepa2_mpc vjepa2-mpc`);
#   2. rclnodejs: its native addon and JavaScript bindings for every interface package on AMENT_PREFIX_PATH
#      (uses the prebuilt binary where rclnodejs ships one: Ubuntu 24.04 + Jazzy; compiles it elsewhere).
# Run it again after every `npm ci` (which reinstalls rclnodejs unbuilt) or change to msg/.
# Then `source $VJEPA2_ROS_WS/install/setup.bash` in every shell that runs the nodes.
# README ("On a lab robot"), docker/Dockerfile and .ci/run all use this script.
set -eo pipefail
cd "$(dirname "$0")/.."
if [ -z "${AMENT_PREFIX_PATH:-}" ]; then
  echo "build-ros: no ROS 2 environment: source your ROS 2 first (e.g. source /opt/ros/jazzy/setup.bash)" >&2
  exit 1
fi
ws=${VJEPA2_ROS_WS:-$PWD/ros_ws}
echo "build-ros: vjepa2_mpc_interfaces, vjepa2_mpc -> $ws/install"
colcon --log-base "$ws/log" build --base-paths msg ament --build-base "$ws/build" --install-base "$ws/install" \
  --cmake-args -DBUILD_TESTING=OFF
# shellcheck disable=SC1091
source "$ws/install/setup.bash"
echo "build-ros: rclnodejs against ROS 2 ${ROS_DISTRO:-?}"
# rclnodejs's build-from-source step runs `npx rimraf`: rimraf is an optional dependency of this package so
# that npx finds it locally instead of prompting (which fails without a terminal).
npm rebuild rclnodejs --ignore-scripts=false </dev/null
node -e "require('rclnodejs')"
echo "build-ros: done; in each shell that runs the nodes: source $ws/install/setup.bash"
