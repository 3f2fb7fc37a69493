"""Parameters through the ros2 CLI: every parameter listed with its description, range and read-only flag,
`get` answers the value in use (the YAML file's, not the declared default), and `set` is either applied
(seen in what the nodes do next) or refused with the reason, never accepted and ignored."""

import math
import re
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from cell_session import CellSession
from harness import REPO, ros2, service_call, wait_until

DEFAULTS = yaml.safe_load((REPO / 'config' / 'default.yaml').read_text())


@pytest.fixture(scope='module')
def cell(workdir):
    with CellSession(workdir, 'params', config={'planner': {'samples': 32, 'iterations': 2}}) as s:
        yield s
    assert s.left == []


def param_list(node):
    return [line.strip() for line in ros2('param', 'list', node).splitlines() if line.startswith('  ')]


def param_set(node, name, value):
    """`ros2 param set`: it prints a refusal on stderr and still exits 0."""
    r = subprocess.run(['ros2', 'param', 'set', node, name, value], capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    return (r.stdout + r.stderr).strip()


def test_every_parameter_is_declared_on_the_nodes_that_use_it(cell):
    documented = {f'{g}.{k}' for g, group in DEFAULTS.items() for k in group}
    lists = {n: set(param_list(f'/{n}')) for n in ('camera', 'planner', 'actuator')}
    assert documented <= set().union(*lists.values())
    assert {p for p in documented if p.startswith('planner.')} <= lists['planner']
    assert {p for p in documented if p.startswith('actuator.')} <= lists['actuator']
    assert 'nodes.camera_compressed' in lists['camera']
    # A node lists only what it reads: the camera plans nothing, the actuator loads no model.
    assert not any(p.startswith('planner.') or p.startswith('actuator.') for p in lists['camera'])
    assert not any(p.startswith('world_model.') for p in lists['actuator'])


def test_describe_shows_description_units_range_and_read_only(cell):
    out = ros2('param', 'describe', '/planner', 'planner.samples', 'planner.maxnorm', 'world_model.model',
               'planner.fix_dx')
    blocks = dict(re.findall(r'Parameter name: (\S+)\n(.*?)(?=Parameter name:|\Z)', out, re.S))
    assert 'Type: integer' in blocks['planner.samples']
    assert 'action sequences sampled' in blocks['planner.samples']
    assert 'Min value: 2' in blocks['planner.samples'] and 'Max value: 100000' in blocks['planner.samples']
    assert '[m]' in blocks['planner.maxnorm']
    assert 'Min value: 0.0' in blocks['planner.maxnorm'] and 'Max value: 0.5' in blocks['planner.maxnorm']
    assert 'Read only: true' in blocks['world_model.model']
    assert 'Read only' not in blocks['planner.samples']
    assert 'unset: .nan' in blocks['planner.fix_dx']


def test_get_answers_the_value_in_use(cell):
    assert 'Integer value is: 32' in ros2('param', 'get', '/planner', 'planner.samples')
    assert 'Integer value is: 2' in ros2('param', 'get', '/planner', 'planner.iterations')
    assert 'Double value is: nan' in ros2('param', 'get', '/planner', 'planner.fix_dx')
    goal_root = ros2('param', 'get', '/planner', 'nodes.goal_root')
    assert str(cell.goal_root) in goal_root


def test_a_live_change_is_applied_from_the_next_step(cell):
    r = service_call('/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal',
                     {'image_paths': ['goal_a.png'], 'step_budgets': [200], 'energy_threshold': 0.0})
    assert r['success'] is True
    cell.wait_planned(1, since=time.time())
    assert all(len(p.msg.energy_per_iteration) == 2 for p in cell.planned())
    assert 'Set parameter successful' in param_set('/planner', 'planner.iterations', '3')
    t_set = time.time()
    assert 'Integer value is: 3' in ros2('param', 'get', '/planner', 'planner.iterations')
    later = cell.wait_planned(2, since=t_set)
    # The step in flight when the change came may finish with 2; every later one runs 3 iterations.
    assert len(later[-1].msg.energy_per_iteration) == 3


@pytest.mark.parametrize('node, name, value, reason', [
    ('/planner', 'planner.samples', '1', 'planner.samples: 1 is not an integer in [2, 100000]'),
    ('/planner', 'planner.topk', '64', 'planner.topk (64) exceeds planner.samples (32)'),
    ('/planner', 'planner.maxnorm', '1', 'planner.maxnorm is a double parameter, got a integer value (write 1.0)'),
    ('/planner', 'planner.mode', 'streaming', 'read'),
    ('/planner', 'world_model.model', '/elsewhere', 'read'),
    ('/planner', 'planner.horizon', '9', 'planner.horizon 9 needs 10 frames of context'),
    ('/actuator', 'actuator.workspace_min', '[0.3, -0.4, 0.9]', 'actuator.workspace_min[2] (z = 0.9 m) must be below'),
    ('/actuator', 'actuator.max_linear_speed', '-1.0', 'actuator.max_linear_speed: -1 is not a number in [0.001, 2]'),
    ('/camera', 'planner.samples', '64', 'has not been declared'),
])
def test_a_change_that_cannot_apply_is_refused_with_the_reason(cell, node, name, value, reason):
    before = ros2('param', 'get', node, name, check=False)
    out = param_set(node, name, value)
    assert 'Setting parameter failed' in out, out
    assert reason in out, out
    assert ros2('param', 'get', node, name, check=False) == before


def test_actuator_limits_apply_to_the_next_plan(cell):
    assert 'Set parameter successful' in param_set('/actuator', 'actuator.max_step_translation', '0.01')
    t_set = time.time()
    def received_after_change(s):  # `commanded` is stamped with the time the actuator received the plan
        return s.msg.commanded.header.stamp.sec + s.msg.commanded.header.stamp.nanosec * 1e-9 > t_set
    limited = wait_until(lambda: [s for s in cell.actuator_statuses(t_set)
                                  if received_after_change(s) and 'step_translation' in s.msg.limits_applied],
                         30, 'a plan scaled down to the new step limit')
    assert limited
    for s in filter(received_after_change, cell.actuator_statuses(t_set)):
        c = s.msg.commanded
        assert math.sqrt(c.dx ** 2 + c.dy ** 2 + c.dz ** 2) <= 0.01 + 1e-9
    assert 'Double value is: 0.01' in ros2('param', 'get', '/actuator', 'actuator.max_step_translation')
