"""Figures of the ROS side, measured live (`npm run bench:live`): launch to the first PLANNED status,
frame-to-target latency, and the camera frames per second the camera node encodes from 640x480 rgb8
without falling behind. Same stand-in cell and launch as the live tests; prints one JSON object."""

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import rclpy
from diagnostic_msgs.msg import DiagnosticArray

sys.path.insert(0, str(Path(__file__).parent))
from cell_session import CellSession, position  # noqa: E402
from harness import wait_until  # noqa: E402
from standin import RECORD  # noqa: E402
from vjepa2_mpc_interfaces.srv import SetGoal  # noqa: E402

PAPER_PLANNER = {'samples': 800, 'iterations': 10, 'topk': 10, 'settle_timeout': 5.0}


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def planning_figures(workdir, steps=8):
    """Launch → first PLANNED, and per step: camera frame stamp → first pose target of its plan."""
    t_launch = time.time()
    with CellSession(workdir, 'bench', config={'planner': PAPER_PLANNER}) as s:
        ready = time.time() - t_launch
        client = s.robot.create_client(SetGoal, '/planner/set_goal')
        request = SetGoal.Request()
        request.image_paths, request.step_budgets = ['goal_a.png'], [100]
        future = client.call_async(request)
        wait_until(lambda: future.done(), 30, 'the SetGoal response')
        first = s.wait_planned(1, timeout=120)[0]
        s.wait_planned(steps + 1, timeout=60 * steps)
        latencies = []
        targets = s.targets()
        for action in list(s.robot.actions)[1:steps + 1]:
            stamp = action.msg.header.stamp.sec + action.msg.header.stamp.nanosec * 1e-9
            before = [r for r in targets if r.t < action.t]
            after = [r for r in targets if r.t >= action.t and (not before or position(r.msg) != position(before[-1].msg))]
            if after:
                latencies.append(after[0].t - stamp)
        step_ms = [r.msg.latency_ms for r in s.planned()][1:steps + 1]
    return {
        'planner': PAPER_PLANNER,
        'launch_to_services_s': round(ready, 2),
        'launch_to_first_planned_s': round(first.t - t_launch, 2),
        'frame_to_target_s': {'median': round(statistics.median(latencies), 3), 'p90': round(percentile(latencies, 0.9), 3),
                              'n': len(latencies)},
        'planning_step_ms': {'median': round(statistics.median(step_ms), 1), 'p90': round(percentile(step_ms, 0.9), 1)},
    }


def camera_throughput(workdir, rates=(10, 20, 30, 60), seconds=6.0):
    """Publishes 640x480 rgb8 frames at each rate; reads the camera node's /diagnostics."""
    out = []
    with CellSession(workdir, 'camera', cell={'camera_hz': 0, 'camera_size': (640, 480)}) as s:
        reports = []
        s.robot.create_subscription(DiagnosticArray, '/diagnostics', lambda m: reports.append((time.time(), m)), RECORD)
        pixels = s.robot.frame_pixels()
        for rate in rates:
            stop = threading.Event()

            def publish():
                next_at = time.monotonic()
                while not stop.is_set():
                    s.robot.publish_frame(pixels)
                    next_at += 1.0 / rate
                    time.sleep(max(0.0, next_at - time.monotonic()))
            t0 = time.time()
            sent0 = len(s.robot.frames_sent)
            thread = threading.Thread(target=publish)
            thread.start()
            time.sleep(seconds)
            stop.set()
            thread.join()
            sent = len(s.robot.frames_sent) - sent0
            time.sleep(1.5)
            camera = [dict((kv.key, kv.value) for kv in st.values) for t, m in reports if t > t0 + 1.5
                      for st in m.status if st.name.endswith(': camera')]
            per_s = [float(c['encoded_per_s']) for c in camera[:-1]]
            ages = [float(c['frame_age_ms']) for c in camera[:-1] if c.get('frame_age_ms')]
            out.append({'published_per_s': round(sent / seconds, 1), 'encoded_per_s': round(statistics.median(per_s), 1),
                        'received_per_s': round(statistics.median(float(c['received_per_s']) for c in camera[:-1]), 1),
                        'frame_age_at_encode_ms': round(statistics.median(ages), 1) if ages else None,
                        'dropped_superseded': int(camera[-1]['dropped_superseded']),
                        'dropped_stale': int(camera[-1]['dropped_stale'])})
    return out


def main():
    rclpy.init()
    with tempfile.TemporaryDirectory(prefix='vjepa2-bench-live-') as d:
        figures = {'planning': planning_figures(Path(d)), 'camera_640x480_rgb8': camera_throughput(Path(d))}
    print(json.dumps(figures, indent=1))


if __name__ == '__main__':
    main()
