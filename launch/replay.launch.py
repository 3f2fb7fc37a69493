"""vjepa2-mpc on a recorded bag: ros2 bag play with a /clock, and the three nodes on sim time.

    ros2 launch <repo>/launch/replay.launch.py bag:=/data/episode_0001

The bag follows the recording convention (DESIGN.md section 5: /camera/image_raw or
/camera/image_raw/compressed, /robot/ee_pose as the flange pose, /robot/gripper as closedness), so no
topic needs remapping by default; the actuator is told the state is already the flange
(actuator.state_is_tcp false). The actuator's commands go to topics no robot listens to: they show what
it would have sent (record them with ros2 bag record, or watch /actuator/status).

Arguments:

- bag: the rosbag2 folder or .mcap file to play (required).
- rate: playback rate (1.0 = recorded speed; planning on a slow machine keeps up better below 1).
- delay: seconds to wait before playing, so the nodes (and the world model) are up first.
- clock_hz: rate of the /clock messages ros2 bag play publishes (its --clock); above the actuator's
  command rate so sim time advances smoothly.
- loop: true to play the bag over and over.
- config, namespace, log_level, node_executable: as in vjepa2_mpc.launch.py (the bag's topics below are
  absolute, so a namespaced replay still reads them).
- camera_topic / camera_compressed_topic / state_topic / gripper_state_topic: the bag's topics, when they
  differ from the recording convention.
- with_actuator: false to run only camera and planner (planning alone).
"""

import os
import sys

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess, OpaqueFunction, TimerAction
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _vjepa2_nodes import CAMERA_REMAPS, STATE_REMAPS, common_arguments, remaps, vjepa2_node  # noqa: E402


def generate_launch_description():
    args = common_arguments() + [
        DeclareLaunchArgument('bag', description='rosbag2 folder or .mcap file to play'),
        DeclareLaunchArgument('rate', default_value='1.0', description='playback rate'),
        DeclareLaunchArgument('delay', default_value='5.0',
                              description='seconds before playback starts (let the nodes come up)'),
        DeclareLaunchArgument('clock_hz', default_value='200',
                              description='/clock publication rate of ros2 bag play --clock (Hz)'),
        DeclareLaunchArgument('loop', default_value='false', choices=['true', 'false'],
                              description='replay the bag in a loop'),
        DeclareLaunchArgument('camera_topic', default_value='/camera/image_raw',
                              description="the bag's sensor_msgs/Image topic"),
        DeclareLaunchArgument('camera_compressed_topic', default_value='/camera/image_raw/compressed',
                              description="the bag's sensor_msgs/CompressedImage topic"),
        DeclareLaunchArgument('state_topic', default_value='/robot/ee_pose',
                              description="the bag's flange geometry_msgs/PoseStamped topic"),
        DeclareLaunchArgument('gripper_state_topic', default_value='/robot/gripper',
                              description="the bag's gripper sensor_msgs/JointState topic"),
        DeclareLaunchArgument('with_actuator', default_value='true', choices=['true', 'false'],
                              description='also run the actuator node (its commands reach no robot)'),
    ]
    # Recorded state is the flange already (recording convention); every node runs on the bag's clock.
    recorded_state = {'actuator.state_is_tcp': False}
    nodes = [
        vjepa2_node('camera', remaps(CAMERA_REMAPS), use_sim_time=True),
        vjepa2_node('planner', remaps(STATE_REMAPS), recorded_state, use_sim_time=True),
        vjepa2_node('actuator', remaps(STATE_REMAPS), recorded_state, use_sim_time=True,
                    condition=IfCondition(LaunchConfiguration('with_actuator'))),
    ]
    return LaunchDescription(args + [OpaqueFunction(function=_bag_play)] + nodes)


def _bag_play(context):
    """ros2 bag play with --clock, started `delay` seconds after launch; built at launch time so that
    --loop is present only when asked. The delay is launch's, not the player's --delay: with --loop the
    player would sleep it again before every loop, and the nodes' clock would stall meanwhile."""
    arg = lambda name: LaunchConfiguration(name).perform(context)  # noqa: E731
    cmd = ['ros2', 'bag', 'play', arg('bag'), '--clock', arg('clock_hz'), '--rate', arg('rate')]
    if arg('loop') == 'true':
        cmd.append('--loop')
    return [TimerAction(period=float(arg('delay')), actions=[ExecuteProcess(cmd=cmd, output='screen')])]
