"""What the two adapter modules share: the planner setting that makes every plan move the gripper, and
helpers to set a goal and to read the goals the stand-in's action servers saw."""

from harness import service_call

# The planner holds the gripper delta at this value, so every plan asks the gripper to move.
CLOSING = {'fix_gripper': 0.5}


def set_goal(budget=200):
    r = service_call('/planner/set_goal', 'vjepa2_mpc_interfaces/srv/SetGoal',
                     {'image_paths': ['goal_a.png'], 'step_budgets': [budget], 'energy_threshold': 0.0})
    assert r['success'] is True, r


def goals(cell, action, outcome=None, since=0.0):
    return [g for g in list(cell.robot.goals) if g.action == action and g.t >= since
            and (outcome is None or g.outcome == outcome)]
