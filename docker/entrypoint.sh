#!/usr/bin/env bash
# Sources ROS and the image's interface workspace, then runs the command (default: the robot launch).
set -e
source "/opt/ros/${ROS_DISTRO:-jazzy}/setup.bash"
source /opt/franka_ws/install/setup.bash
source /opt/vjepa2_ws/install/setup.bash
exec "$@"
