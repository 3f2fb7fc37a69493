"""vjepa2-mpc on a robot: camera, planner and actuator nodes.

    ros2 launch <repo>/launch/vjepa2_mpc.launch.py \\
        camera_topic:=/camera/color/image_raw target_pose_topic:=/target_pose

Arguments (``ros2 launch ... --show-args`` lists them with their defaults):

- config: the project's YAML configuration (default: <repo>/config/default.yaml); pass your own copy
  with only the keys you change merged over the defaults by the nodes, e.g. actuator.adapter,
  actuator.workspace_min / workspace_max, world_model.model, world_model.provider.
- use_sim_time: true to run on /clock (simulation); false on the real robot.
- namespace: ROS namespace of the three nodes ('' = none). Their own topics, services and actions and
  every relative name below resolve in it: namespace:=arm1 gives /arm1/planner/set_goal and reads
  /arm1/franka_robot_state_broadcaster/current_pose, as a franka_ros2 bringup launched with namespace:=arm1
  publishes it. Two arms: launch twice, with two namespaces. Absolute names (leading /) stay as given.
- log_level: ROS log level of the nodes (debug, info, warn, error).
- node_executable: the Node.js binary (default: node on PATH; Node 20 or newer).
- start_state: active (default), inactive or unconfigured: how far the managed nodes take themselves
  through their lifecycle at start (ros2 lifecycle set /planner activate, ... for the rest).
- respawn: true to restart a node that died (1 s later); the actuator holds position while the planner
  is away (plan watchdog), and a restarted planner needs its goals set again.
- camera_topic / camera_compressed_topic: sensor_msgs/Image and sensor_msgs/CompressedImage topics of the
  camera (which one is read is the camera node's configuration).
- state_topic: geometry_msgs/PoseStamped of the end effector in the base frame. Default: the Franka
  state broadcaster's current_pose, which is the TCP (O_T_EE): keep actuator.state_is_tcp true then.
- gripper_state_topic: sensor_msgs/JointState of the gripper (franka_gripper joint_states: finger joints
  at width / 2 each; or a joint named "gripper" holding closedness 0..1).
- target_pose_topic: geometry_msgs/PoseStamped targets of the pose_target adapter (CRISP target_pose,
  cartesian_controllers <controller>/target_frame, MoveIt Servo ~/pose_target_cmds).
- twist_topic: geometry_msgs/TwistStamped of the twist adapter (MoveIt Servo ~/delta_twist_cmds).
- gripper_move_action / gripper_grasp_action: franka_msgs/action/Move and Grasp (franka_gripper).
- gripper_command_action: control_msgs/action/GripperCommand (gripper_adapter: gripper_command).
"""

import os
import sys

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _vjepa2_nodes import (  # noqa: E402
    ACTUATOR_REMAPS, CAMERA_REMAPS, STATE_REMAPS, common_arguments, remaps, vjepa2_node)


def generate_launch_description():
    args = common_arguments() + [
        DeclareLaunchArgument('use_sim_time', default_value='false', choices=['true', 'false'],
                              description='use /clock (simulation) instead of the wall clock'),
        DeclareLaunchArgument('camera_topic', default_value='camera/image_raw',
                              description='camera sensor_msgs/Image topic'),
        DeclareLaunchArgument('camera_compressed_topic', default_value='camera/image_raw/compressed',
                              description='camera sensor_msgs/CompressedImage topic'),
        DeclareLaunchArgument('state_topic',
                              default_value='franka_robot_state_broadcaster/current_pose',
                              description='end-effector geometry_msgs/PoseStamped (TCP on a Franka: '
                                          'actuator.state_is_tcp true)'),
        DeclareLaunchArgument('gripper_state_topic', default_value='franka_gripper/joint_states',
                              description='gripper sensor_msgs/JointState'),
        DeclareLaunchArgument('target_pose_topic', default_value='target_pose',
                              description='pose_target adapter: geometry_msgs/PoseStamped targets'),
        DeclareLaunchArgument('twist_topic', default_value='servo_node/delta_twist_cmds',
                              description='twist adapter: geometry_msgs/TwistStamped commands'),
        DeclareLaunchArgument('gripper_move_action', default_value='franka_gripper/move',
                              description='franka_msgs/action/Move server'),
        DeclareLaunchArgument('gripper_grasp_action', default_value='franka_gripper/grasp',
                              description='franka_msgs/action/Grasp server'),
        DeclareLaunchArgument('gripper_command_action', default_value='franka_gripper/gripper_action',
                              description='control_msgs/action/GripperCommand server'),
    ]
    nodes = [
        vjepa2_node('camera', remaps(CAMERA_REMAPS)),
        vjepa2_node('planner', remaps(STATE_REMAPS)),
        vjepa2_node('actuator', remaps(STATE_REMAPS) + remaps(ACTUATOR_REMAPS)),
    ]
    return LaunchDescription(args + nodes)
