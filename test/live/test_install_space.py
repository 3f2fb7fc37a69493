"""The ament package: after scripts/build-ros.sh (colcon build of msg/ and ament/vjepa2_mpc), a lab with the
install space sourced runs `ros2 launch vjepa2_mpc vjepa2_mpc.launch.py` and `ros2 launch vjepa2_mpc
replay.launch.py` and `ros2 run vjepa2_mpc vjepa2-mpc`, from any directory."""

import subprocess
import threading
import time
from pathlib import Path

import rclpy
from rclpy.node import Node
from rosgraph_msgs.msg import Clock

from cell_session import CellSession, replay_launch
from harness import (CLI, INSTALLED_REPLAY_LAUNCH, INSTALLED_ROBOT_LAUNCH, PLANNED, REPO, ros2, service_call,
                     wait_until)
from standin import BEST_EFFORT, RECORD
from vjepa2_mpc_interfaces.msg import PlanStatus


def test_the_package_is_installed_with_its_launch_files_and_command(tmp_path):
    prefix = Path(ros2('pkg', 'prefix', 'vjepa2_mpc').strip())
    assert (prefix / 'share' / 'vjepa2_mpc' / 'launch' / 'vjepa2_mpc.launch.py').is_file()
    assert (prefix / 'share' / 'vjepa2_mpc' / 'config' / 'default.yaml').is_file()
    assert 'vjepa2-mpc' in ros2('pkg', 'executables', 'vjepa2_mpc')
    r = subprocess.run(['ros2', 'run', 'vjepa2_mpc', 'vjepa2-mpc', 'config'], capture_output=True, text=True,
                       timeout=60, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert 'planner:' in r.stdout
    out = ros2('launch', 'vjepa2_mpc', 'vjepa2_mpc.launch.py', '--show-args')
    assert 'namespace' in out and 'camera_topic' in out


def test_the_robot_launch_from_the_install_space_plans_and_moves(workdir):
    with CellSession(workdir, 'installed', launch_file=INSTALLED_ROBOT_LAUNCH) as cell:
        t0 = time.time()
        r = service_call('/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal',
                         {'image_paths': ['goal_a.png'], 'step_budgets': [20], 'energy_threshold': 0.0})
        assert r['success'] is True
        cell.wait_planned(2, since=t0)
        wait_until(lambda: len(cell.targets(t0)) > 5, 20, 'pose targets')
        # The nodes run the checkout's program, whatever directory launch was started from.
        assert all(Path(f'/proc/{pid}/cmdline').read_bytes().split(b'\0')[1] == str(CLI).encode()
                   for pid in cell.pids.values())
    assert cell.left == []


def test_the_replay_launch_from_the_install_space_plans_on_sim_time(workdir):
    bag = workdir / 'installed_sim_bag'
    subprocess.run(['node', str(CLI), 'sim-bag', '--out', str(bag), '--seed', '11', '--steps', '20'], check=True,
                   cwd=REPO, timeout=120, capture_output=True, stdin=subprocess.DEVNULL)
    launch = replay_launch(workdir, 'installed_replay', bag, INSTALLED_REPLAY_LAUNCH)
    if not rclpy.ok():
        rclpy.init()
    node = Node('installed_replay_observer')
    statuses, clock = [], []
    node.create_subscription(PlanStatus, '/planner/status', lambda m: statuses.append(m), RECORD)
    node.create_subscription(Clock, '/clock', lambda m: clock.append(m.clock.sec), BEST_EFFORT)
    executor = rclpy.executors.SingleThreadedExecutor()
    executor.add_node(node)
    threading.Thread(target=executor.spin, daemon=True).start()
    launch.start()
    try:
        wait_until(lambda: clock, 60, f'/clock from ros2 bag play\n{launch.text()[-3000:]}')
        r = service_call('/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal',
                         {'image_paths': ['goal.png'], 'step_budgets': [100], 'energy_threshold': 0.0}, timeout=60)
        assert r['success'] is True, r
        wait_until(lambda: [m for m in statuses if m.code == PLANNED], 60, f'PLANNED\n{launch.text()[-3000:]}')
    finally:
        left = launch.stop()
        executor.shutdown()
        node.destroy_node()
    assert left == []
