#!/usr/bin/env bash
# The live ROS 2 suite (test/live): `ros2 launch` of the real nodes over real DDS, checked by a stand-in
# Franka cell written in rclpy. Runs when a ROS 2 environment is available (see live-env.sh) and
# scripts/build-ros.sh has been run; otherwise it says plainly that it skipped, except on CI, where that
# is an error. Arguments go to pytest (default: the whole of test/live).
set -eo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source scripts/live-env.sh
if [ -n "$LIVE_PROBLEM" ]; then
  if [ -n "${CI:-}" ]; then echo "the live ROS 2 tests cannot run on CI: $LIVE_PROBLEM" >&2; exit 1; fi
  echo "SKIPPED live ROS 2 tests: $LIVE_PROBLEM"
  exit 0
fi
if [ $# -eq 0 ]; then set -- test/live; fi
exec python3 -m pytest -q -p no:cacheprovider "$@"
