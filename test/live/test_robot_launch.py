"""vjepa2_mpc.launch.py on a stand-in Franka cell: remapped topics, SetGoal through `ros2 service call`,
pose targets inside the envelope, pause / clear / e-stop / reset, and bad input that must not take a node
down. The cell publishes raw sensor_msgs/Image and the TCP pose best-effort, as franka_robot_state_broadcaster
does."""

import math
import time

import numpy as np
import pytest

from cell_session import CellSession, distance, position
from harness import ESTOPPED, HOLDING, IDLE, ros2, service_call, wait_until

SET_GOAL = ('/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal')
# The envelope the default configuration promises (config/default.yaml, written out again here).
BOX_MIN, BOX_MAX = (0.3, -0.4, 0.05), (0.8, 0.4, 0.7)
MAX_STEP = 0.075
MAX_SPEED = 0.1
COMMAND_RATE = 100.0


@pytest.fixture(scope='module')
def cell(workdir):
    with CellSession(workdir, 'robot', config={'actuator': {'plan_timeout': 30.0}}) as s:
        yield s
    assert s.left == [], f'processes left after SIGINT: {s.left}'


def set_goal(request):
    return service_call(*SET_GOAL, {'energy_threshold': 0.0, **request})


def test_launch_brings_up_three_nodes_on_the_remapped_topics(cell):
    nodes = ros2('node', 'list').split()
    assert {'/camera', '/planner', '/actuator'} <= set(nodes)
    t = cell.topics
    info = ros2('topic', 'info', t.pose)
    assert 'Subscription count: 2' in info, info  # planner and actuator read the TCP pose
    assert 'Subscription count: 1' in ros2('topic', 'info', t.camera)
    assert 'Subscription count: 2' in ros2('topic', 'info', t.gripper_state)
    assert 'Publisher count: 1' in ros2('topic', 'info', t.target_pose)
    # The default names are gone: everything was remapped onto the cell's topics.
    assert '/camera/image_raw' not in ros2('topic', 'list').split()


def test_each_node_reports_on_diagnostics(cell):
    def latest():
        out = {}
        for r in list(cell.robot.diagnostics):
            for st in r.msg.status:
                out[st.name] = (st, {kv.key: kv.value for kv in st.values})
        return out
    seen = wait_until(lambda: (lambda d: d if len(d) >= 3 else None)(latest()), 10, 'diagnostics of the three nodes')
    camera, planner, actuator = (seen[f'vjepa2_mpc: {n}'][1] for n in ('camera', 'planner', 'actuator'))
    assert int(camera['received']) > 0 and 'encoded_per_s' in camera and 'dropped_superseded' in camera
    assert {'status', 'latency_ms', 'paused', 'frames_planned'} <= set(planner)
    assert actuator['estopped'] == 'false' and {'mode', 'state_fresh', 'plan_fresh'} <= set(actuator)


def test_actuator_holds_the_measured_pose_before_any_plan(cell):
    wait_until(lambda: any(r.msg.code == HOLDING and r.msg.state_fresh for r in cell.actuator_statuses()), 20,
               'a HOLDING status with fresh state')


def test_set_goal_from_a_file_plans_and_streams_targets_inside_the_envelope(cell):
    t0 = time.time()
    r = set_goal({'image_paths': ['goal_a.png'], 'step_budgets': [40]})
    assert r['success'] is True, r
    assert r['goal_count'] == 1
    planned = cell.wait_planned(3, since=t0, timeout=60)
    for p in planned:
        assert p.msg.goal_count == 1 and len(p.msg.action) == 7
        assert len(p.msg.energy_per_iteration) == 2  # planner.iterations from the YAML file
    wait_until(lambda: len(cell.targets(t0)) > 20, 20, 'pose targets on the remapped controller topic')
    targets = cell.targets(t0)
    for r in targets:
        assert r.msg.header.frame_id == 'panda_link0'
        p = position(r.msg)
        assert all(BOX_MIN[i] - 1e-9 <= p[i] <= BOX_MAX[i] + 1e-9 for i in range(3)), p
    # Streamed at the command rate, never faster than the speed limit between two targets.
    step = MAX_SPEED / COMMAND_RATE
    for a, b in zip(targets, targets[1:]):
        assert distance(position(a.msg), position(b.msg)) <= step * 1.05 + 1e-6
    # Each planned step moves the target at most max_step_translation from where it started.
    actions = [r.t for r in list(cell.robot.actions) if r.t >= t0]
    for start, end in zip(actions, actions[1:] + [time.time()]):
        segment = [position(r.msg) for r in targets if start <= r.t < end]
        if segment:
            assert max(distance(segment[0], p) for p in segment) <= MAX_STEP + 2 * step


def test_set_goal_with_an_inline_image(cell):
    pixels = np.full((48, 64, 3), 120, np.uint8)
    pixels[10:30, 20:40] = (240, 240, 240)
    image = {'header': {'frame_id': 'goal'}, 'height': 48, 'width': 64, 'encoding': 'rgb8', 'step': 64 * 3,
             'data': pixels.flatten().tolist()}
    t0 = time.time()
    r = set_goal({'images': [image], 'image_paths': ['goal_b.png'], 'step_budgets': [30, 30]})
    assert r['success'] is True, r
    assert r['goal_count'] == 2
    new = wait_until(lambda: [p for p in cell.planned(t0) if p.msg.goal_count == 2], 30, 'a plan for the new goals')
    assert new[0].msg.goal_index == 0 and new[0].msg.planning_step == 0
    time.sleep(2)
    # Once the new schedule plans, nothing planned for the replaced one comes after it.
    assert all(p.msg.goal_count == 2 for p in cell.planned(new[0].t))


def test_pause_stops_planning_and_resume_restarts_it(cell):
    r = service_call('/planner/pause', 'std_srvs/srv/SetBool', {'data': True})
    assert r['success'] is True and 'paused' in r['message']
    time.sleep(4)  # a step in flight finishes, its motion settles
    t_quiet = time.time()
    time.sleep(3)
    assert cell.planned(t_quiet) == [], 'planned while paused'
    r = service_call('/planner/pause', 'std_srvs/srv/SetBool', {'data': False})
    assert r['success'] is True and 'resumed' in r['message']
    cell.wait_planned(1, since=t_quiet)


def test_clear_goals_makes_the_planner_idle(cell):
    # Before the call: the IDLE status may arrive before `ros2 service call` has exited.
    t_clear = time.time()
    r = service_call('/planner/clear_goals', 'std_srvs/srv/Trigger', {})
    assert r['success'] is True
    wait_until(lambda: cell.statuses(IDLE, t_clear), 20, 'an IDLE status after clear_goals')
    time.sleep(2)
    t_quiet = time.time()
    time.sleep(3)
    assert cell.planned(t_quiet) == []
    # Nothing more is sent: the last target stays where it was.
    late = cell.targets(t_quiet + 1.0)
    assert len({position(r.msg) for r in late}) <= 1


def test_estop_latches_holds_and_reset_releases(cell):
    r = set_goal({'image_paths': ['goal_b.png'], 'step_budgets': [50]})
    assert r['success'] is True
    t0 = time.time()
    cell.wait_planned(1, since=t0)
    r = service_call('/actuator/estop', 'std_srvs/srv/Trigger', {})
    assert r['success'] is True and 'latched' in r['message']
    t_stop = time.time()
    wait_until(lambda: any(s.msg.code == ESTOPPED and s.msg.estopped for s in cell.actuator_statuses(t_stop)), 5,
               'an ESTOPPED actuator status')
    time.sleep(0.5)
    t_held = time.time()
    cell.wait_planned(1, since=t_held, timeout=30)  # the planner goes on planning...
    time.sleep(1.0)
    assert cell.targets(t_held) == [], 'a pose target went out while the e-stop was latched'
    assert all(s.msg.estopped for s in cell.actuator_statuses(t_held))
    r = service_call('/actuator/reset', 'std_srvs/srv/Trigger', {})
    assert r['success'] is True
    t_reset = time.time()
    wait_until(lambda: any(not s.msg.estopped for s in cell.actuator_statuses(t_reset)), 5, 'the latch released')
    wait_until(lambda: len(cell.targets(t_reset)) > 0, 30, 'targets again after reset and a new plan')


def test_malformed_frames_are_rejected_with_a_reason_and_the_camera_stays_up(cell):
    robot = cell.robot
    start = len(cell.launch.text())
    pixels = np.zeros((48, 64, 3), np.uint8)
    robot.publish_frame(pixels, step=10)  # row stride shorter than a row
    robot.publish_frame(pixels, encoding='32FC1')
    robot.publish_frame(pixels, data=pixels.tobytes()[:1000])  # truncated
    robot.publish_frame(kind='compressed', data=b'\x89PNG\r\n\x1a\nnot really')  # not the camera's type: ignored
    for what in ('step', '32FC1', 'bytes'):
        cell.launch.wait_for_log(rf'camera frame rejected[^\n]*{what}', 10, f'a rejection mentioning {what}', start)
    assert cell.nodes_alive()
    t0 = time.time()
    set_goal({'image_paths': ['goal_a.png'], 'step_budgets': [5]})
    cell.wait_planned(1, since=t0)


def test_nan_poses_are_ignored_and_the_actuator_holds_on_stale_state(cell):
    robot = cell.robot
    start = len(cell.launch.text())
    robot.nan_pose = True
    try:
        cell.launch.wait_for_log(r'non-finite robot pose|ignoring robot pose', 10, 'a log of the NaN pose', start)
        t_nan = time.time()
        wait_until(lambda: any(s.msg.code == HOLDING and not s.msg.state_fresh for s in cell.actuator_statuses(t_nan)),
                   10, 'the actuator holding on stale state')
        assert cell.nodes_alive()
    finally:
        robot.nan_pose = False
    t_back = time.time()
    wait_until(lambda: any(s.msg.state_fresh for s in cell.actuator_statuses(t_back)), 10, 'fresh state again')


@pytest.mark.parametrize('request_, expected', [
    ({'image_paths': ['../../etc/passwd']}, 'outside the goal root'),
    ({'image_paths': ['/etc/hostname']}, 'outside the goal root'),
    ({'image_paths': ['missing.png']}, 'not found'),
    ({'image_paths': ['goal_a.png'] * 17}, 'exceed the limit'),
    ({'image_paths': ['goal_a.png', 'goal_b.png'], 'step_budgets': [3]}, 'step_budgets has 1 entries'),
    ({'image_paths': ['goal_a.png'], 'step_budgets': [0]}, 'budgets are integers'),
    ({'image_paths': ['goal_a.png'], 'energy_threshold': float('nan')}, 'energy_threshold'),
    ({'images': [{'height': 5000, 'width': 5000, 'encoding': 'rgb8', 'step': 15000, 'data': [1, 2, 3]}]},
     'exceeds the limit'),
    ({'images': [{'height': 20, 'width': 20, 'encoding': 'rgb8', 'step': 60, 'data': [1, 2, 3]}]}, 'bytes'),
    ({'images': [{'height': 2, 'width': 2, 'encoding': 'yuv422', 'step': 4, 'data': [0] * 8}]}, 'yuv422'),
    ({'image_paths': ['not_an_image.png']}, 'not a JPEG or PNG'),
    ({}, 'no goal images'),
], ids=['dotdot', 'absolute', 'missing', 'too-many', 'budget-count', 'budget-zero', 'nan-threshold', 'oversized',
        'truncated', 'encoding', 'not-image', 'empty'])
def test_hostile_set_goal_requests_are_refused_and_change_nothing(cell, request_, expected):
    (cell.goal_root / 'not_an_image.png').write_text('hello')
    good = set_goal({'image_paths': ['goal_a.png', 'goal_b.png'], 'step_budgets': [100, 100]})
    assert good['success'] is True and good['goal_count'] == 2
    r = set_goal(request_)
    assert r['success'] is False, r
    assert expected in r['message'], r
    assert r['goal_count'] == 2  # the goals set before are still there
    assert cell.nodes_alive()
    t0 = time.time()
    planned = cell.wait_planned(1, since=t0)
    assert planned[-1].msg.goal_count == 2
