"""Faults a lab meets: the planner process dies mid-motion (the actuator must hold on its plan watchdog, and
a planner restarted by launch's respawn must take goals and plan again), and Ctrl-C (every node stops
within seconds, nothing is left running, the embeddings socket file is removed)."""

import os
import signal
import time

import pytest

from cell_session import CellSession, position
from harness import HOLDING, alive, service_call, wait_until

# Streaming mode with a slow arm: a motion is pending almost all the time, so a dead planner shows as a
# plan that stopped coming while its motion was unfinished.
CONFIG = {'planner': {'mode': 'streaming', 'max_frame_age': 2.0},
          'actuator': {'plan_timeout': 1.0, 'max_linear_speed': 0.02, 'max_linear_acceleration': 0.1}}


@pytest.fixture(scope='module')
def cell(workdir):
    with CellSession(workdir, 'faults', config=CONFIG, launch_arguments=['respawn:=true']) as s:
        yield s


def set_goal():
    r = service_call('/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal',
                     {'image_paths': ['goal_b.png'], 'step_budgets': [10000], 'energy_threshold': 0.0})
    assert r['success'] is True, r


def test_a_killed_planner_makes_the_actuator_hold_and_a_respawned_one_resumes(cell):
    t0 = time.time()
    set_goal()
    cell.wait_planned(3, since=t0)
    wait_until(lambda: len(cell.targets(t0)) > 10, 20, 'the arm moving')
    planner = cell.pids['planner']
    os.kill(planner, signal.SIGKILL)
    t_kill = time.time()
    held = wait_until(lambda: [s for s in cell.actuator_statuses(t_kill)
                               if s.msg.code == HOLDING and 'plan_timeout' in s.msg.message], 10,
                      'the actuator holding on its plan watchdog')
    assert held[0].t - t_kill < 1.0 + 1.5, 'held later than plan_timeout allows'
    time.sleep(0.3)
    t_held = time.time()
    time.sleep(1.0)
    # Holding: whatever the actuator still streams is the pose where it stopped.
    held_at = {position(r.msg) for r in cell.targets(t_held)}
    assert len(held_at) <= 1, f'the arm kept moving with no planner: {sorted(held_at)[:3]}'
    # launch respawns the planner (respawn:=true); goals lived in the dead process and are set again.
    new = wait_until(lambda: (lambda p: p.get('planner') if p.get('planner') not in (None, planner) else None)(
        cell.launch.node_pids()), 30, 'a respawned planner')
    assert alive(new) and not alive(planner)
    cell.pids['planner'] = new
    t_back = time.time()
    wait_until(lambda: _try_set_goal(), 60, 'SetGoal on the respawned planner')
    cell.wait_planned(2, since=t_back, timeout=60)
    wait_until(lambda: len(cell.targets(t_back)) > 0, 30, 'the actuator following the new planner')


def _try_set_goal():
    try:
        set_goal()
        return True
    except AssertionError:
        return False


def test_sigint_stops_every_node_and_leaves_nothing_behind(cell):
    pids = cell.launch.node_pids()
    assert set(pids) == {'camera', 'planner', 'actuator'} and all(alive(p) for p in pids.values())
    assert cell.endpoint_path.exists(), 'the camera node binds its embeddings socket file'
    took = cell.launch.interrupt(timeout=15)
    wait_until(lambda: not any(alive(p) for p in pids.values()), 5, 'every node process gone')
    assert took < 8, f'ros2 launch took {took:.1f} s to stop'
    assert not cell.endpoint_path.exists(), 'the embeddings socket file was left behind'
    text = cell.launch.text()
    assert 'process has died' not in text.split('user interrupted')[-1], 'a node died instead of stopping cleanly'
    print(f'\nSIGINT to every node gone: {took:.2f} s')
