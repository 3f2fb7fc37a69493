"""The MoveIt Servo-style cell: the twist adapter against a TwistStamped subscriber and the GripperCommand
adapter against a control_msgs action server (one that succeeds, one that rejects). Camera frames come
as CompressedImage and the pose from a reliable publisher."""

import math
import time

import pytest

from adapters import CLOSING, goals, set_goal
from cell_session import CellSession
from harness import ros2, wait_until

MAX_SPEED = 0.1


@pytest.fixture(scope='module')
def servo_cell(workdir):
    """twist adapter + GripperCommand, compressed camera frames, reliable pose publisher."""
    config = {'planner': CLOSING, 'nodes': {'camera_compressed': True},
              'actuator': {'adapter': 'twist', 'gripper_adapter': 'gripper_command'}}
    with CellSession(workdir, 'servo', config=config, cell={'camera': 'compressed', 'pose_reliable': True}) as s:
        yield s
    assert s.left == []


def test_compressed_frames_and_a_reliable_pose_publisher_lead_to_plans(servo_cell):
    assert 'Subscription count: 1' in ros2('topic', 'info', servo_cell.topics.camera_compressed)
    t0 = time.time()
    set_goal()
    servo_cell.wait_planned(2, since=t0, timeout=60)


def test_twist_adapter_streams_fresh_bounded_twists(servo_cell):
    t0 = time.time()
    wait_until(lambda: len([r for r in servo_cell.robot.twists if r.t >= t0]) > 50, 30, 'TwistStamped commands')
    twists = [r for r in servo_cell.robot.twists if r.t >= t0]
    moving = 0
    for r in twists:
        stamp = r.msg.header.stamp.sec + r.msg.header.stamp.nanosec * 1e-9
        assert abs(r.t - stamp) < 0.1, 'MoveIt Servo halts on commands older than 0.1 s'
        v = r.msg.twist.linear
        speed = math.sqrt(v.x ** 2 + v.y ** 2 + v.z ** 2)
        assert speed <= MAX_SPEED * 1.0001
        moving += speed > 0
        assert r.msg.header.frame_id == 'panda_link0'
    assert moving > 0, 'every twist was zero'
    assert servo_cell.targets(t0) == [], 'the twist adapter also published pose targets'


def test_gripper_command_goals_reach_the_server(servo_cell):
    found = wait_until(lambda: goals(servo_cell, 'gripper_command', 'succeeded'), 60, 'a GripperCommand goal')
    goal = found[0].goal
    # control_msgs GripperCommand as franka_gripper reads it: position is width / 2 (m), effort the force.
    assert 0.0 <= goal.command.position <= 0.04
    assert goal.command.max_effort == pytest.approx(20.0)


def test_a_rejecting_gripper_command_server_is_reported_and_retried(servo_cell):
    start = len(servo_cell.launch.text())
    servo_cell.robot.gripper_mode['gripper_command'] = 'reject'
    servo_cell.robot.set_tcp((0.5, 0.0, 0.35))
    with servo_cell.robot.lock:
        servo_cell.robot.width = 0.08  # the hand opened by hand: the planner closes it again
    t0 = time.time()
    # Refused goals are not taken for sent: the next plans ask again.
    wait_until(lambda: len(goals(servo_cell, 'gripper_command', 'rejected', t0)) >= 2, 60, 'two rejected goals')
    servo_cell.launch.wait_for_log(r'gripper goal failed[^\n]*rejected', 10, start=start)
    assert servo_cell.nodes_alive()
    servo_cell.robot.gripper_mode['gripper_command'] = 'succeed'
