"""A stand-in Franka cell in rclpy, written independently of the TypeScript nodes it checks.

It publishes what a Franka cell publishes (camera frames as sensor_msgs/Image or CompressedImage, the TCP
pose as geometry_msgs/PoseStamped the way franka_robot_state_broadcaster does, franka_gripper finger
JointStates), serves the gripper actions (franka_msgs Move / Grasp, control_msgs GripperCommand) with a
behaviour the test chooses (succeed, reject, abort), and records everything the nodes send with the time
it arrived. The arm follows the pose targets it is sent (or integrates the twists), so the actuator sees
the motion it commanded settle.

Nothing here imports the project's code: its conventions (TCP pose, finger width / 2, flange offset) are
those of the Franka drivers, written out again below.
"""

import math
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field

import numpy as np
import rclpy
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy, HistoryPolicy, DurabilityPolicy

from control_msgs.action import GripperCommand
from diagnostic_msgs.msg import DiagnosticArray
from franka_msgs.action import Grasp, Move
from geometry_msgs.msg import PoseStamped, TwistStamped
from sensor_msgs.msg import CompressedImage, Image, JointState
from vjepa2_mpc_interfaces.msg import ActuatorStatus, EndEffectorDelta, PlanStatus

BEST_EFFORT = QoSProfile(depth=5, reliability=ReliabilityPolicy.BEST_EFFORT, history=HistoryPolicy.KEEP_LAST,
                         durability=DurabilityPolicy.VOLATILE)
RELIABLE = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST,
                      durability=DurabilityPolicy.VOLATILE)
# Recorders keep every message: a deep reliable queue so none is dropped under load.
RECORD = QoSProfile(depth=1000, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST,
                    durability=DurabilityPolicy.VOLATILE)

FRANKA_HAND_MAX_WIDTH = 0.08
# Franka Hand TCP in the flange frame (franka_description): 0.1034 m along z, rotated -pi/4 about z.
TCP_Z = 0.1034


@dataclass
class CellTopics:
    """Where the cell publishes and listens (the launch file's remapping arguments point here)."""
    camera: str = '/cell/camera/color/image_raw'
    camera_compressed: str = '/cell/camera/color/image_raw/compressed'
    pose: str = '/cell/franka_robot_state_broadcaster/current_pose'
    gripper_state: str = '/cell/franka_gripper/joint_states'
    target_pose: str = '/cell/target_pose'
    twist: str = '/cell/servo_node/delta_twist_cmds'
    gripper_move: str = '/cell/franka_gripper/move'
    gripper_grasp: str = '/cell/franka_gripper/grasp'
    gripper_command: str = '/cell/franka_gripper/gripper_action'
    plan_status: str = '/planner/status'
    planner_action: str = '/planner/action'
    actuator_status: str = '/actuator/status'

    @classmethod
    def under(cls, namespace):
        """The names a namespaced cell uses when vjepa2_mpc.launch.py runs with namespace:=NAMESPACE and its
        default (relative) topic arguments, written out here rather than taken from the launch file."""
        ns = f'/{namespace}'
        return cls(camera=f'{ns}/camera/image_raw', camera_compressed=f'{ns}/camera/image_raw/compressed',
                   pose=f'{ns}/franka_robot_state_broadcaster/current_pose',
                   gripper_state=f'{ns}/franka_gripper/joint_states', target_pose=f'{ns}/target_pose',
                   twist=f'{ns}/servo_node/delta_twist_cmds', gripper_move=f'{ns}/franka_gripper/move',
                   gripper_grasp=f'{ns}/franka_gripper/grasp', gripper_command=f'{ns}/franka_gripper/gripper_action',
                   plan_status=f'{ns}/planner/status', planner_action=f'{ns}/planner/action',
                   actuator_status=f'{ns}/actuator/status')

    def launch_arguments(self):
        """ros2 launch arguments that point vjepa2_mpc.launch.py at this cell."""
        return [f'camera_topic:={self.camera}', f'camera_compressed_topic:={self.camera_compressed}',
                f'state_topic:={self.pose}', f'gripper_state_topic:={self.gripper_state}',
                f'target_pose_topic:={self.target_pose}', f'twist_topic:={self.twist}',
                f'gripper_move_action:={self.gripper_move}', f'gripper_grasp_action:={self.gripper_grasp}',
                f'gripper_command_action:={self.gripper_command}']


@dataclass
class Received:
    """One message the stand-in received, with its arrival time (wall clock, s)."""
    t: float
    msg: object


@dataclass
class GoalRecord:
    action: str
    goal: object
    outcome: str  # 'succeeded', 'rejected', 'aborted'
    t: float = field(default_factory=time.time)


def quat_from_rpy(roll, pitch, yaw):
    """Quaternion (x, y, z, w) of extrinsic xyz Euler angles (R = Rz(yaw) Ry(pitch) Rx(roll))."""
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    cy, sy = math.cos(yaw / 2), math.sin(yaw / 2)
    return (sr * cp * cy - cr * sp * sy, cr * sp * cy + sr * cp * sy, cr * cp * sy - sr * sp * cy,
            cr * cp * cy + sr * sp * sy)


def png_bytes(rgb):
    """A PNG file of an (H, W, 3) uint8 array (zlib only, no imaging library)."""
    h, w, _ = rgb.shape
    raw = b''.join(b'\x00' + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(raw, 6)) + chunk(b'IEND', b''))


def scene_image(x, y, z, width=128, height=96):
    """A synthetic camera frame: a table with a bright block whose place follows the TCP position."""
    img = np.zeros((height, width, 3), np.uint8)
    img[:, :] = (90, 110, 90)
    img[height // 2:, :] = (150, 120, 90)
    cx = int(width / 2 + (y / 0.4) * width / 2)
    cy = int(height / 2 - ((z - 0.3) / 0.4) * height / 2 + (x - 0.5) * 40)
    s = max(4, int(10 + (x - 0.5) * 20))
    img[max(0, cy - s):max(0, cy + s), max(0, cx - s):max(0, cx + s)] = (230, 230, 240)
    return img


class StandInRobot(Node):
    """The cell: camera, arm (TCP pose), gripper and gripper action servers, and recorders."""

    def __init__(self, topics=None, *, camera='raw', camera_hz=5.0, pose_reliable=False, pose_hz=50.0,
                 start_tcp=(0.5, 0.0, 0.35), camera_size=(128, 96),
                 gripper_names=('panda_finger_joint1', 'panda_finger_joint2'), node_name='standin_cell'):
        super().__init__(node_name)
        self.topics = topics or CellTopics()
        self.lock = threading.Lock()
        self.tcp = list(start_tcp)
        self.tcp_rpy = (math.pi, 0.0, 0.0)  # hand pointing down, as a Franka at its ready pose
        self.width = FRANKA_HAND_MAX_WIDTH
        self.camera_kind = camera
        self.camera_size = camera_size
        # franka_gripper's finger joints (width / 2 each), or ['gripper'] carrying closedness 0..1 (the
        # recording convention of the project's bags).
        self.gripper_names = list(gripper_names)
        self.publish_pose_enabled = True
        self.nan_pose = False
        self.pose_stamp_offset = 0.0
        self.gripper_mode = {'move': 'succeed', 'grasp': 'succeed', 'gripper_command': 'succeed'}
        self.goals = []
        self.targets, self.twists, self.statuses, self.actions, self.actuator = [], [], [], [], []
        self.diagnostics = []
        self.frames_sent = []  # (stamp, wall time)
        group = ReentrantCallbackGroup()

        self.image_pub = self.create_publisher(Image, self.topics.camera, BEST_EFFORT)
        self.compressed_pub = self.create_publisher(CompressedImage, self.topics.camera_compressed, BEST_EFFORT)
        self.pose_pub = self.create_publisher(PoseStamped, self.topics.pose, RELIABLE if pose_reliable else BEST_EFFORT)
        self.gripper_pub = self.create_publisher(JointState, self.topics.gripper_state, BEST_EFFORT)
        self.create_subscription(PoseStamped, self.topics.target_pose, self._on_target, RECORD)
        self.create_subscription(TwistStamped, self.topics.twist, self._on_twist, RECORD)
        self.create_subscription(PlanStatus, self.topics.plan_status, lambda m: self._record(self.statuses, m), RECORD)
        self.create_subscription(EndEffectorDelta, self.topics.planner_action, lambda m: self._record(self.actions, m),
                                 RECORD)
        self.create_subscription(ActuatorStatus, self.topics.actuator_status,
                                 lambda m: self._record(self.actuator, m), RECORD)
        self.create_subscription(DiagnosticArray, '/diagnostics', lambda m: self._record(self.diagnostics, m), RECORD)
        self._servers = [
            ActionServer(self, Move, self.topics.gripper_move, execute_callback=self._execute('move'),
                         goal_callback=self._accept('move'), cancel_callback=lambda _: CancelResponse.ACCEPT,
                         callback_group=group),
            ActionServer(self, Grasp, self.topics.gripper_grasp, execute_callback=self._execute('grasp'),
                         goal_callback=self._accept('grasp'), cancel_callback=lambda _: CancelResponse.ACCEPT,
                         callback_group=group),
            ActionServer(self, GripperCommand, self.topics.gripper_command,
                         execute_callback=self._execute('gripper_command'), goal_callback=self._accept('gripper_command'),
                         cancel_callback=lambda _: CancelResponse.ACCEPT, callback_group=group),
        ]
        self.create_timer(1.0 / pose_hz, self._publish_state)
        self.camera_timer = self.create_timer(1.0 / camera_hz, self.publish_frame) if camera_hz > 0 else None

    # ---- what the cell publishes -------------------------------------------------------------------
    def stamp_now(self):
        return self.get_clock().now().to_msg()

    def _publish_state(self):
        if not self.publish_pose_enabled:
            return
        with self.lock:
            x, y, z = self.tcp
            width = self.width
        pose = PoseStamped()
        pose.header.stamp = self.stamp_now()
        pose.header.stamp.sec += int(self.pose_stamp_offset)
        pose.header.frame_id = 'panda_link0'
        if self.nan_pose:
            x = float('nan')
        pose.pose.position.x, pose.pose.position.y, pose.pose.position.z = x, y, z
        q = quat_from_rpy(*self.tcp_rpy)
        pose.pose.orientation.x, pose.pose.orientation.y, pose.pose.orientation.z, pose.pose.orientation.w = q
        self.pose_pub.publish(pose)
        if not self.gripper_names:
            return  # a cell without a gripper
        js = JointState()
        js.header.stamp = pose.header.stamp
        js.name = self.gripper_names
        if self.gripper_names == ['gripper']:
            js.position = [1.0 - width / FRANKA_HAND_MAX_WIDTH]
        else:
            js.position = [width / 2] * len(self.gripper_names)
        self.gripper_pub.publish(js)

    def frame_pixels(self):
        with self.lock:
            x, y, z = self.tcp
        w, h = self.camera_size
        return scene_image(x, y, z, w, h)

    def publish_frame(self, pixels=None, *, encoding='rgb8', step=None, data=None, kind=None, stamp=None):
        """Publishes one camera frame (the current scene unless `pixels` or raw `data` are given)."""
        kind = kind or self.camera_kind
        if kind is None:
            return None
        stamp = stamp or self.stamp_now()
        if kind == 'compressed':
            msg = CompressedImage()
            msg.header.stamp, msg.header.frame_id = stamp, 'camera_color_optical_frame'
            msg.format = 'png'
            msg.data = data if data is not None else png_bytes(pixels if pixels is not None else self.frame_pixels())
            self.compressed_pub.publish(msg)
        else:
            rgb = pixels if pixels is not None else self.frame_pixels()
            msg = Image()
            msg.header.stamp, msg.header.frame_id = stamp, 'camera_color_optical_frame'
            msg.height, msg.width = rgb.shape[0], rgb.shape[1]
            msg.encoding = encoding
            msg.step = step if step is not None else rgb.shape[1] * 3
            msg.data = data if data is not None else rgb.tobytes()
            self.image_pub.publish(msg)
        self.frames_sent.append((stamp.sec + stamp.nanosec * 1e-9, time.time()))
        return stamp

    # ---- what the cell receives --------------------------------------------------------------------
    def _record(self, into, msg):
        into.append(Received(time.time(), msg))

    def _on_target(self, msg):
        self._record(self.targets, msg)
        p = msg.pose.position
        if all(math.isfinite(v) for v in (p.x, p.y, p.z)):
            with self.lock:  # an ideal arm: it is where it was told to be
                self.tcp = [p.x, p.y, p.z]

    def _on_twist(self, msg):
        self._record(self.twists, msg)
        v = msg.twist.linear
        with self.lock:  # integrate over the twist adapter's command period (one message per tick)
            self.tcp = [self.tcp[0] + v.x * 0.01, self.tcp[1] + v.y * 0.01, self.tcp[2] + v.z * 0.01]

    def _accept(self, name):
        def callback(goal):
            if self.gripper_mode[name] == 'reject':
                self.goals.append(GoalRecord(name, goal, 'rejected'))
                return GoalResponse.REJECT
            return GoalResponse.ACCEPT
        return callback

    def _execute(self, name):
        def callback(handle):
            goal = handle.request
            if self.gripper_mode[name] == 'abort':
                self.goals.append(GoalRecord(name, goal, 'aborted'))
                handle.abort()
                result = {'move': Move, 'grasp': Grasp, 'gripper_command': GripperCommand}[name].Result()
                if name != 'gripper_command':
                    result.success, result.error = False, 'stand-in aborted the goal'
                return result
            if name == 'gripper_command':
                width = 2 * goal.command.position  # franka_gripper reads position as width / 2
            else:
                width = goal.width
            with self.lock:
                self.width = min(max(width, 0.0), FRANKA_HAND_MAX_WIDTH)
            self.goals.append(GoalRecord(name, goal, 'succeeded'))
            handle.succeed()
            if name == 'gripper_command':
                result = GripperCommand.Result()
                result.position, result.reached_goal = goal.command.position, True
                return result
            result = {'move': Move, 'grasp': Grasp}[name].Result()
            result.success = True
            return result
        return callback

    # ---- helpers for tests -------------------------------------------------------------------------
    def tcp_position(self):
        with self.lock:
            return tuple(self.tcp)

    def set_tcp(self, xyz):
        with self.lock:
            self.tcp = list(xyz)


class Cell:
    """Runs a StandInRobot on its own executor thread; `with Cell(...) as robot:`."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def __enter__(self):
        if not rclpy.ok():
            rclpy.init()
        self.robot = StandInRobot(**self.kwargs)
        self.executor = MultiThreadedExecutor(num_threads=4)
        self.executor.add_node(self.robot)
        self.thread = threading.Thread(target=self.executor.spin, daemon=True)
        self.thread.start()
        return self.robot

    def __exit__(self, *exc):
        self.executor.shutdown(timeout_sec=2)
        self.robot.destroy_node()
        self.thread.join(timeout=5)
