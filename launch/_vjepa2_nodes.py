"""Shared pieces of the vjepa2-mpc launch files (not a launch file itself).

The three nodes are TypeScript programs, not executables of a ROS package, so they are started with
launch_ros' ``Node`` *without* ``package``: launch_ros then runs ``executable`` as given (looked up on
PATH) followed by ``arguments``, and appends ``--ros-args -r __node:=NAME --params-file ... -r FROM:=TO``
itself. The command line of each node is therefore::

    node <repo>/bin/vjepa2-mpc.js node camera|planner|actuator --config <yaml> --ros-args ...

``--config`` takes the project's own YAML (config/default.yaml layout, validated against
src/config/parameters.ts); ROS parameters given here (use_sim_time, overrides) come after ``--ros-args``.

The nodes' default names (src/nodes/topics.ts, the one table of them) are relative: they resolve in the
node's namespace, so ``namespace:=arm1`` moves every topic, service and action under /arm1 and two arms
run side by side. Without a namespace they are the recording convention of DESIGN.md section 5. The
launch files remap them to the names given as launch arguments; a relative argument value resolves in
the namespace too, an absolute one (leading /) does not. launch/tests checks these remapping tables
against src/nodes/topics.ts.
"""

import os
import runpy

from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue

# In an install space (colcon build of ament/vjepa2_mpc), share/vjepa2_mpc/launch holds _vjepa2_checkout.py
# naming the checkout it was built from; in the checkout, the launch folder's parent is it.
_HERE = os.path.dirname(os.path.abspath(__file__))
if os.path.exists(os.path.join(_HERE, '_vjepa2_checkout.py')):
    REPO = runpy.run_path(os.path.join(_HERE, '_vjepa2_checkout.py'))['CHECKOUT']
else:
    REPO = os.path.dirname(_HERE)
CLI = os.path.join(REPO, 'bin', 'vjepa2-mpc.js')
DEFAULT_CONFIG = os.path.join(REPO, 'config', 'default.yaml')

# Default names inside the nodes (relative; src/nodes/topics.ts) -> launch argument that renames them.
CAMERA_REMAPS = {
    'camera/image_raw': 'camera_topic',
    'camera/image_raw/compressed': 'camera_compressed_topic',
}
STATE_REMAPS = {
    'robot/ee_pose': 'state_topic',
    'robot/gripper': 'gripper_state_topic',
}
ACTUATOR_REMAPS = {
    'actuator/target_pose': 'target_pose_topic',
    'actuator/delta_twist_cmds': 'twist_topic',
    'actuator/gripper/move': 'gripper_move_action',
    'actuator/gripper/grasp': 'gripper_grasp_action',
    'actuator/gripper/gripper_command': 'gripper_command_action',
}


def common_arguments():
    """Launch arguments every vjepa2-mpc launch file takes: config, namespace, log_level, node_executable,
    start_state, respawn."""
    return [
        DeclareLaunchArgument('config', default_value=DEFAULT_CONFIG,
                              description='project YAML configuration (config/default.yaml layout)'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='ROS namespace of the nodes and of every relative name they use '
                                          '(e.g. arm1: /arm1/planner/set_goal)'),
        DeclareLaunchArgument('log_level', default_value='info',
                              choices=['debug', 'info', 'warn', 'error', 'fatal'],
                              description='ROS log level of the nodes'),
        DeclareLaunchArgument('node_executable', default_value='node',
                              description='Node.js binary (>= 20) that runs bin/vjepa2-mpc.js'),
        DeclareLaunchArgument('start_state', default_value='active',
                              choices=['active', 'inactive', 'unconfigured'],
                              description='lifecycle state the nodes bring themselves to (inactive: model '
                                          'loaded, waiting for ros2 lifecycle set NODE activate; '
                                          'unconfigured: a supervisor configures them)'),
        DeclareLaunchArgument('respawn', default_value='false', choices=['true', 'false'],
                              description='restart a node that died (after 1 s); the actuator holds '
                                          'position meanwhile (plan and state watchdogs)'),
    ]


def remaps(table):
    """Remapping rules (default name, launch argument value) for one table."""
    return [(name, LaunchConfiguration(arg)) for name, arg in table.items()]


def vjepa2_node(role, remappings, extra_parameters=None, use_sim_time=None, **kwargs):
    """A vjepa2-mpc node (role: camera, planner or actuator) as a launch_ros Node without a package.

    use_sim_time: a bool, or None for the 'use_sim_time' launch argument. extra_parameters: ROS parameter
    overrides ({'actuator.state_is_tcp': False}). kwargs go to Node (e.g. condition=IfCondition(...)).
    """
    if use_sim_time is None:
        use_sim_time = ParameterValue(LaunchConfiguration('use_sim_time'), value_type=bool)
    parameters = {'use_sim_time': use_sim_time}
    parameters.update(extra_parameters or {})
    return Node(
        executable=LaunchConfiguration('node_executable'),
        respawn=LaunchConfiguration('respawn'),
        respawn_delay=1.0,
        arguments=[CLI, 'node', role, '--config', LaunchConfiguration('config'),
                   '--start-state', LaunchConfiguration('start_state')],
        name=role,
        namespace=LaunchConfiguration('namespace'),
        parameters=[parameters],
        remappings=remappings,
        ros_arguments=['--log-level', LaunchConfiguration('log_level')],
        output='screen',
        emulate_tty=True,
        **kwargs,
    )
