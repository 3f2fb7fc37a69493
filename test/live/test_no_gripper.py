"""A cell without a gripper (actuator.gripper_adapter: none): no finger joint states at all, yet the
planner plans and the actuator moves the arm."""

import time

import pytest

from cell_session import CellSession
from harness import service_call, wait_until


@pytest.fixture(scope='module')
def cell(workdir):
    with CellSession(workdir, 'nogripper', config={'actuator': {'gripper_adapter': 'none'}},
                     cell={'gripper_names': []}) as s:
        yield s
    assert s.left == []


def test_a_cell_without_a_gripper_plans_and_moves(cell):
    r = service_call('/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal',
                     {'image_paths': ['goal_a.png'], 'step_budgets': [20], 'energy_threshold': 0.0})
    assert r['success'] is True
    t0 = time.time()
    cell.wait_planned(2, since=t0)
    wait_until(lambda: len(cell.targets(t0)) > 10, 20, 'pose targets')
    assert not [s for s in cell.actuator_statuses(t0) if 'finite' in s.msg.message], 'plans refused for a NaN gripper'
    assert cell.robot.goals == []
