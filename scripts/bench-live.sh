#!/usr/bin/env bash
# Figures of the ROS side, live (test/live/bench_live.py): launch to first PLANNED, frame-to-target
# latency with the paper's CEM, camera node throughput on 640x480 rgb8. Needs what test-live.sh needs.
set -eo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source scripts/live-env.sh
if [ -n "$LIVE_PROBLEM" ]; then echo "bench-live: $LIVE_PROBLEM" >&2; exit 1; fi
export ROS_DOMAIN_ID=$((120 + RANDOM % 100))
python3 test/live/bench_live.py
ros2 daemon stop >/dev/null 2>&1 || true
