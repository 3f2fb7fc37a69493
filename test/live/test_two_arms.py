"""Two arms side by side: vjepa2_mpc.launch.py launched twice, with namespace:=arm1 and namespace:=arm2 and
nothing else renamed. Every topic, service and action of each launch resolves under its namespace, so each
stand-in cell (publishing where a franka_ros2 bringup with that namespace would) is driven by its own
nodes only."""

import time

import pytest

from cell_session import CellSession, position
from harness import ESTOPPED, ros2, service_call, wait_until

GOAL = {'image_paths': ['goal_a.png'], 'step_budgets': [30], 'energy_threshold': 0.0}


@pytest.fixture(scope='module')
def arms(workdir):
    with CellSession(workdir, 'arm1', namespace='arm1') as a, \
            CellSession(workdir, 'arm2', namespace='arm2', cell={'start_tcp': (0.45, 0.05, 0.4)}) as b:
        yield a, b
    assert a.left == [] and b.left == []


def test_every_name_of_each_launch_lives_under_its_namespace(arms):
    nodes = ros2('node', 'list').split()
    for ns in ('arm1', 'arm2'):
        for role in ('camera', 'planner', 'actuator'):
            assert f'/{ns}/{role}' in nodes
    services = ros2('service', 'list').split()
    for name in ('planner/set_goal', 'planner/clear_goals', 'planner/pause', 'actuator/estop', 'actuator/reset'):
        assert f'/arm1/{name}' in services and f'/arm2/{name}' in services
        assert f'/{name}' not in services
    topics = ros2('topic', 'list').split()
    for name in ('planner/status', 'planner/action', 'actuator/status', 'target_pose', 'camera/image_raw',
                 'franka_robot_state_broadcaster/current_pose'):
        assert f'/arm1/{name}' in topics and f'/arm2/{name}' in topics
    outside = [t for t in topics if t.split('/')[1] in ('planner', 'actuator', 'camera', 'robot')]
    assert outside == [], f'names outside the namespaces: {outside}'


def test_a_goal_for_one_arm_moves_that_arm_only(arms):
    a, b = arms
    t0 = time.time()
    assert service_call('/arm1/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal', GOAL)['success'] is True
    a.wait_planned(2, since=t0)
    wait_until(lambda: len(a.targets(t0)) > 5, 20, 'arm1 pose targets')
    assert b.planned(t0) == [], 'arm2 planned on a goal set for arm1'
    # The actuator streams its hold target without a plan: arm2's may repeat, never move.
    assert len({position(r.msg) for r in b.targets(t0)}) <= 1, 'arm2 moved on a goal set for arm1'

    t1 = time.time()
    assert service_call('/arm2/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal', GOAL)['success'] is True
    b.wait_planned(2, since=t1)
    wait_until(lambda: len({position(r.msg) for r in b.targets(t1)}) > 5, 20, 'arm2 moving')


def test_an_e_stop_of_one_arm_leaves_the_other_moving(arms):
    a, b = arms
    assert service_call('/arm1/actuator/estop', 'std_srvs/srv/Trigger', {})['success'] is True
    t0 = time.time()
    stopped = wait_until(lambda: [s for s in a.actuator_statuses(t0) if s.msg.code == ESTOPPED], 10, 'arm1 ESTOPPED')
    time.sleep(0.5)
    t1 = time.time()
    wait_until(lambda: len({position(r.msg) for r in b.targets(t1)}) > 5, 20, 'arm2 still moving')
    assert [s for s in b.actuator_statuses(t1) if s.msg.code == ESTOPPED] == []
    # Judged by the stamps, not by arrival: on a loaded machine targets sent before the e-stop arrive late.
    def seconds(stamp):
        return stamp.sec + stamp.nanosec * 1e-9
    latched = seconds(stopped[0].msg.header.stamp)
    assert [r for r in a.targets(t1) if seconds(r.msg.header.stamp) >= latched] == [], 'arm1 commanded while e-stopped'
    assert service_call('/arm1/actuator/reset', 'std_srvs/srv/Trigger', {})['success'] is True
