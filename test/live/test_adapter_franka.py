"""The franka_ros2-style cell: pose targets plus franka_gripper's Move (opening) and Grasp (closing) action
servers, including servers that reject or abort the goal."""

import time

import pytest

from adapters import CLOSING, goals, set_goal
from cell_session import CellSession
from harness import ros2, wait_until


@pytest.fixture(scope='module')
def franka_cell(workdir):
    """pose_target adapter + franka_gripper Move / Grasp."""
    with CellSession(workdir, 'franka', config={'planner': CLOSING}, cell={'pose_reliable': True}) as s:
        yield s
    assert s.left == []


def test_franka_grasp_goals_when_closing(franka_cell):
    t0 = time.time()
    set_goal()
    found = wait_until(lambda: goals(franka_cell, 'grasp', 'succeeded', t0), 60, 'a Grasp goal')
    g = found[0].goal
    assert 0.0 <= g.width < 0.08 and g.speed == pytest.approx(0.1) and g.force == pytest.approx(20.0)
    assert g.epsilon.inner == pytest.approx(0.005) and g.epsilon.outer == pytest.approx(0.08)


def test_franka_move_goals_when_opening(franka_cell):
    # The start time is taken before the change: the Move goal can arrive before `ros2 param set` returns.
    t0 = time.time()
    assert 'Set parameter successful' in ros2('param', 'set', '/planner', 'planner.fix_gripper', '-0.5')
    found = wait_until(lambda: goals(franka_cell, 'move', 'succeeded', t0), 60, 'a Move goal')
    assert found[0].goal.width > 0.0 and found[0].goal.speed == pytest.approx(0.1)


@pytest.mark.parametrize('mode, word', [('reject', 'rejected'), ('abort', 'aborted')])
def test_failing_franka_servers_are_reported_and_retried(franka_cell, mode, word):
    robot = franka_cell.robot
    start = len(franka_cell.launch.text())
    robot.gripper_mode['move'] = mode
    with robot.lock:
        # 3/4 closed: the planner (fix_gripper -0.5) asks for 1/4, a target the actuator has not sent yet.
        robot.width = 0.02 if mode == 'reject' else 0.01
    t0 = time.time()
    try:
        wait_until(lambda: len(goals(franka_cell, 'move', word, t0)) >= 2, 60, f'two {word} Move goals')
    except AssertionError:
        print([(round(r.t - t0, 1), r.msg.code, r.msg.message[:60], list(r.msg.action)) for r in franka_cell.statuses()][-10:])
        print([(round(r.t - t0, 1), r.msg.code, r.msg.message[:80], r.msg.gripper_target) for r in franka_cell.actuator_statuses()][-10:])
        print([(g.action, g.outcome, round(g.t - t0, 1)) for g in franka_cell.robot.goals])
        raise
    franka_cell.launch.wait_for_log(rf'gripper goal failed[^\n]*{word}', 10, start=start)
    assert franka_cell.nodes_alive()
    robot.gripper_mode['move'] = 'succeed'
    wait_until(lambda: goals(franka_cell, 'move', 'succeeded', time.time() - 0.5) or
               goals(franka_cell, 'move', 'succeeded', t0), 60, 'a Move goal succeeding again')
