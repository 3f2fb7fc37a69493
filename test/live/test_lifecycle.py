"""Managed (lifecycle) nodes: launched with start_state:=unconfigured, a supervisor (here `ros2 lifecycle`)
takes camera, planner and actuator through every transition, and the stand-in cell checks what each state
does: nothing served or commanded until active, no command after deactivate, goals kept across deactivate
and activate, a failed configure left unconfigured with its reason, shutdown from any state."""

import re
import time

import pytest

from cell_session import CellSession, position
from harness import PLANNED, ros2, service_call, wait_until

ROLES = ('camera', 'planner', 'actuator')
GOAL = {'image_paths': ['goal_a.png'], 'step_budgets': [200], 'energy_threshold': 0.0}


def lifecycle_get(node):
    out = ros2('lifecycle', 'get', f'/{node}')
    m = re.match(r'(\w+) \[(\d+)\]', out.strip())
    assert m, out
    return m.group(1)


def lifecycle_set(node, transition):
    out = ros2('lifecycle', 'set', f'/{node}', transition, timeout=60, check=False)
    return 'Transitioning successful' in out


@pytest.fixture(scope='module')
def cell(workdir):
    with CellSession(workdir, 'lifecycle', start_state='unconfigured') as s:
        yield s
    assert s.left == []


def test_the_nodes_come_up_unconfigured_and_list_their_transitions(cell):
    nodes = ros2('lifecycle', 'nodes').split()
    assert {f'/{r}' for r in ROLES} <= set(nodes)
    for role in ROLES:
        assert lifecycle_get(role) == 'unconfigured'
    listed = ros2('lifecycle', 'list', '/planner')
    assert '- configure [1]' in listed and '- shutdown [5]' in listed
    assert '/planner/set_goal' not in ros2('service', 'list').split()
    assert lifecycle_set('planner', 'activate') is False  # not from unconfigured


def test_configure_loads_and_waits_inactive_without_commanding(cell):
    t0 = time.time()
    for role in ROLES:
        assert lifecycle_set(role, 'configure'), role
        assert lifecycle_get(role) == 'inactive'
    assert cell.launch.wait_for_log(r'lifecycle: inactive', 5)
    time.sleep(1.0)
    assert cell.targets(t0) == [] and cell.statuses(since=t0) == []
    assert '/planner/set_goal' not in ros2('service', 'list').split()


def test_activate_serves_plans_and_commands(cell):
    for role in ROLES:
        assert lifecycle_set(role, 'activate'), role
        assert lifecycle_get(role) == 'active'
    t0 = time.time()
    assert service_call('/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal', GOAL)['success'] is True
    cell.wait_planned(2, since=t0)
    wait_until(lambda: len({position(r.msg) for r in cell.targets(t0)}) > 3, 20, 'the arm moving')


def test_deactivate_of_the_actuator_stops_every_command_and_activate_resumes(cell):
    assert lifecycle_set('actuator', 'deactivate')
    assert lifecycle_get('actuator') == 'inactive'
    t_quiet = time.time() + 0.3
    time.sleep(2.0)
    assert cell.targets(t_quiet) == [], 'a target went out from an inactive actuator'
    assert '/actuator/estop' not in ros2('service', 'list').split()
    assert lifecycle_set('actuator', 'activate')
    t1 = time.time()
    wait_until(lambda: cell.targets(t1), 20, 'targets again after activate')


def test_deactivated_planner_plans_nothing_and_keeps_its_goals(cell):
    assert lifecycle_set('planner', 'deactivate')
    t_quiet = time.time() + 0.5
    time.sleep(2.0)
    assert cell.planned(t_quiet) == [], 'an inactive planner planned'
    assert lifecycle_set('planner', 'activate')
    t1 = time.time()
    # No new SetGoal: the goal set before deactivate is still being pursued.
    planned = cell.wait_planned(1, since=t1)
    assert planned[0].msg.goal_count == 1


def test_cleanup_releases_and_configure_again_works(cell):
    assert lifecycle_set('camera', 'deactivate') and lifecycle_set('camera', 'cleanup')
    assert lifecycle_get('camera') == 'unconfigured'
    assert lifecycle_set('camera', 'configure') and lifecycle_set('camera', 'activate')
    t1 = time.time()
    cell.wait_planned(1, since=t1)


def test_shutdown_from_active_finalizes(cell):
    assert lifecycle_set('actuator', 'shutdown')
    assert lifecycle_get('actuator') == 'finalized'
    t0 = time.time() + 0.3
    time.sleep(1.0)
    assert cell.targets(t0) == []
    assert cell.nodes_alive(), 'a finalized node still runs until it is stopped, as rclcpp nodes do'


def test_a_configure_that_fails_stays_unconfigured_with_the_reason(workdir):
    # In a namespace of its own: the module's cell (and its nodes' names) is still up.
    with CellSession(workdir, 'badmodel', config={'world_model': {'model': str(workdir / 'no-such-model')}},
                     ready='lifecycle', namespace='bad') as s:
        wait_until(lambda: re.search(r'configure failed: .*no-such-model', s.launch.text()), 30,
                   'the configure failure in the log')
        assert lifecycle_get('bad/planner') == 'unconfigured'
        assert lifecycle_get('bad/actuator') == 'active'  # needs no model
        assert s.nodes_alive()
        assert lifecycle_set('bad/planner', 'configure') is False
    assert s.left == []
