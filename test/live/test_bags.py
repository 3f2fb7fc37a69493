"""Bags both ways: the bags the project writes (convert-droid, sim-bag) pass `ros2 bag info` and play with
`ros2 bag play`; launch/replay.launch.py plays a converted DROID episode with --clock and the nodes plan on
sim time; and a bag recorded with `ros2 bag record` (MCAP) from live topics replays through
`vjepa2-mpc replay`."""

import json
import re
import subprocess
import threading
import time

import pytest
import rclpy
from rclpy.node import Node
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Image

from cell_session import replay_launch
from harness import CLI, PLANNED, REPO, ros2, service_call, wait_until
from standin import BEST_EFFORT, RECORD, Cell, CellTopics
from vjepa2_mpc_interfaces.msg import PlanStatus


def run_cli(*args, timeout=120):
    r = subprocess.run(['node', str(CLI), *args], capture_output=True, text=True, timeout=timeout, cwd=REPO,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, f'vjepa2-mpc {" ".join(args)} exited {r.returncode}:\n{r.stderr[-3000:]}'
    return r.stdout


@pytest.fixture(scope='module')
def droid_bag(workdir):
    """A synthetic DROID episode (h5 + MP4s, the test fixture) converted with `vjepa2-mpc convert-droid`."""
    episode = workdir / 'droid_episode'
    subprocess.run(['node', '-e', "require('@swc-node/register');"
                    "require('./test/bag/droidFixture').writeSyntheticDroidEpisode(process.argv[1], 45)", str(episode)],
                   check=True, cwd=REPO, timeout=120)
    bag = workdir / 'droid_bag'
    run_cli('convert-droid', str(episode), '--out', str(bag), '--fps', '15')
    return bag


@pytest.fixture(scope='module')
def sim_bag(workdir):
    bag = workdir / 'sim_bag'
    run_cli('sim-bag', '--out', str(bag), '--seed', '7', '--steps', '12')
    return bag


class Listener(Node):
    """Counts what a bag play publishes."""

    def __init__(self, topics):
        super().__init__('bag_listener')
        self.counts = {t: 0 for t in topics}
        self.clock = []
        for topic, kind in topics.items():
            self.create_subscription(kind, topic, lambda m, t=topic: self._count(t), RECORD)
        self.create_subscription(Clock, '/clock', lambda m: self.clock.append(m.clock.sec + m.clock.nanosec * 1e-9), 10)

    def _count(self, topic):
        self.counts[topic] += 1


def spin_in_background(node):
    executor = rclpy.executors.SingleThreadedExecutor()
    executor.add_node(node)
    thread = threading.Thread(target=executor.spin, daemon=True)
    thread.start()
    return executor, thread


@pytest.mark.parametrize('which', ['droid_bag', 'sim_bag'])
def test_project_bags_pass_ros2_bag_info_and_play(which, request):
    bag = request.getfixturevalue(which)
    info = ros2('bag', 'info', str(bag))
    assert 'Storage id:        mcap' in info or re.search(r'Storage id:\s+mcap', info), info
    images = int(re.search(r'Topic: /camera/image_raw \| Type: sensor_msgs/msg/Image \| Count: (\d+)', info).group(1))
    assert images > 0
    assert re.search(r'Topic: /robot/ee_pose \| Type: geometry_msgs/msg/PoseStamped \| Count: \d+', info)
    if not rclpy.ok():
        rclpy.init()
    listener = Listener({'/camera/image_raw': Image})
    executor, thread = spin_in_background(listener)
    try:
        time.sleep(1.0)  # discovery before the first message
        ros2('bag', 'play', str(bag), '--rate', '4', timeout=60)
        wait_until(lambda: listener.counts['/camera/image_raw'] >= images, 10, f'{images} images played')
    finally:
        executor.shutdown()
        listener.destroy_node()


def test_replay_launch_plans_on_sim_time(workdir, droid_bag):
    launch = replay_launch(workdir, 'replay', droid_bag)
    if not rclpy.ok():
        rclpy.init()
    node = Node('replay_observer')
    statuses, clock = [], []
    node.create_subscription(PlanStatus, '/planner/status', lambda m: statuses.append((time.time(), m)), RECORD)
    node.create_subscription(Clock, '/clock', lambda m: clock.append((time.time(), m.clock.sec + m.clock.nanosec * 1e-9)),
                             BEST_EFFORT)
    executor, thread = spin_in_background(node)
    launch.start()
    try:
        wait_until(lambda: clock, 60, '/clock from ros2 bag play')
        t_call = time.time()
        r = service_call('/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal',
                         {'image_paths': ['goal.png'], 'step_budgets': [100], 'energy_threshold': 0.0}, timeout=60)
        assert r['success'] is True, r
        assert time.time() - t_call < 30
        planned = wait_until(lambda: [m for t, m in statuses if m.code == PLANNED], 60,
                             f'PLANNED on sim time\n{launch.text()[-3000:]}')
        # Statuses carry the bag's clock (its frames' capture times, 2023), not the wall clock.
        stamp = planned[0].header.stamp.sec
        assert abs(stamp - 1_700_000_000) < 3600, stamp
        # loop:=true replays the bag again without sleeping `delay` before each loop: /clock jumps back
        # to the bag's start with no 3 s gap of silence.
        wait_until(lambda: any(b[1] < a[1] - 1.0 for a, b in zip(clock, clock[1:])), 60, 'a second loop')
        jump = next(i for i, (a, b) in enumerate(zip(clock, clock[1:])) if b[1] < a[1] - 1.0)
        assert clock[jump + 1][0] - clock[jump][0] < 2.0, 'the player slept before looping'
    finally:
        left = launch.stop()
        executor.shutdown()
        node.destroy_node()
    assert left == []


def test_a_bag_recorded_with_ros2_bag_record_replays(workdir):
    topics = CellTopics(camera='/camera/image_raw', pose='/robot/ee_pose', gripper_state='/robot/gripper')
    bag = workdir / 'recorded'
    with Cell(topics=topics, camera_hz=4.0, gripper_names=['gripper']) as robot:
        recorder = subprocess.Popen(['ros2', 'bag', 'record', '-s', 'mcap', '-o', str(bag),
                                     '/camera/image_raw', '/robot/ee_pose', '/robot/gripper'],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True)
        try:
            time.sleep(2.0)
            for i in range(12):  # the arm moves between frames, as in a teleoperated recording
                robot.set_tcp((0.45 + 0.01 * i, -0.05 + 0.005 * i, 0.35 - 0.004 * i))
                time.sleep(0.25)
        finally:
            import os
            import signal
            os.killpg(recorder.pid, signal.SIGINT)
            out, _ = recorder.communicate(timeout=20)
    assert recorder.returncode == 0, out
    assert list(bag.glob('*.mcap'))
    report = json.loads(run_cli('replay', str(bag), '--goal-every', '3', '--samples', '16', '--iterations', '2',
                                '--landscape-grid', '0', '--json', timeout=300))
    assert report['frames']['read'] >= 8
    assert report['frames']['planned'] >= 3
