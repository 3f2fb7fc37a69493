"""The launch files build their description (against stand-ins for ROS's launch packages, which are not
installable here): every argument declared once, the three nodes started with the CLI and remappings."""

import importlib.util
import os
import sys
import types

import pytest

LAUNCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Action:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


@pytest.fixture(autouse=True)
def fake_launch(monkeypatch):
    mods = {
        "launch": types.SimpleNamespace(LaunchDescription=lambda items: list(items)),
        "launch.actions": types.SimpleNamespace(DeclareLaunchArgument=type("DeclareLaunchArgument", (_Action,), {}),
                                                ExecuteProcess=type("ExecuteProcess", (_Action,), {}),
                                                OpaqueFunction=type("OpaqueFunction", (_Action,), {}),
                                                TimerAction=type("TimerAction", (_Action,), {})),
        "launch.conditions": types.SimpleNamespace(IfCondition=type("IfCondition", (_Action,), {})),
        "launch.substitutions": types.SimpleNamespace(LaunchConfiguration=type("LaunchConfiguration", (_Action,), {})),
        "launch_ros": types.SimpleNamespace(),
        "launch_ros.actions": types.SimpleNamespace(Node=type("Node", (_Action,), {})),
        "launch_ros.parameter_descriptions": types.SimpleNamespace(ParameterValue=type("ParameterValue", (_Action,), {})),
    }
    for name, mod in mods.items():
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.delitem(sys.modules, "_vjepa2_nodes", raising=False)


def load(name):
    spec = importlib.util.spec_from_file_location(name.replace(".", "_"), os.path.join(LAUNCH, name))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.generate_launch_description()


@pytest.mark.parametrize("name, extra", [("vjepa2_mpc.launch.py", {"use_sim_time", "target_pose_topic"}), ("replay.launch.py", {"bag", "clock_hz"})])
def test_launch_description(name, extra):
    items = load(name)
    args = [i.args[0] for i in items if type(i).__name__ == "DeclareLaunchArgument"]
    assert len(args) == len(set(args)), "an argument declared twice"
    assert {"config", "namespace", "log_level", "node_executable"} | extra <= set(args)
    nodes = [i for i in items if type(i).__name__ == "Node"]
    assert [n.kwargs["name"] for n in nodes] == ["camera", "planner", "actuator"]
    for n in nodes:
        assert n.kwargs["arguments"][1:3] == ["node", n.kwargs["name"]]
        assert n.kwargs["arguments"][0].endswith(os.path.join("bin", "vjepa2-mpc.js"))


def _node_names():
    """name -> kind of every default name in src/nodes/topics.ts (the nodes' one table of names)."""
    import re
    text = open(os.path.join(os.path.dirname(LAUNCH), "src", "nodes", "topics.ts")).read()
    names = {}
    for table, body in re.findall(r"export const (NODE_\w+) = \{(.*?)\} as const;", text, re.S):
        for name in re.findall(r'^\s+\w+: "([^"]+)",', body, re.M):
            names[name] = table
    return names


def test_remapping_tables_match_the_nodes_names():
    sys.path.insert(0, LAUNCH)
    try:
        import _vjepa2_nodes as nodes
    finally:
        sys.path.remove(LAUNCH)
    names = _node_names()
    assert len(names) >= 17, names
    for table in (nodes.CAMERA_REMAPS, nodes.STATE_REMAPS, nodes.ACTUATOR_REMAPS):
        for name in table:
            assert name in names, f"{name} is remapped by the launch files but the nodes do not use it"
    # Relative, so that a namespace moves them; everything the robot side provides can be renamed.
    assert all(not n.startswith("/") for n in names)
    robot_side = {"camera/image_raw", "camera/image_raw/compressed", "robot/ee_pose", "robot/gripper",
                  "actuator/target_pose", "actuator/delta_twist_cmds", "actuator/gripper/move",
                  "actuator/gripper/grasp", "actuator/gripper/gripper_command"}
    assert robot_side <= set(nodes.CAMERA_REMAPS) | set(nodes.STATE_REMAPS) | set(nodes.ACTUATOR_REMAPS)


def test_robot_launch_defaults_are_relative():
    items = load("vjepa2_mpc.launch.py")
    defaults = {i.args[0]: i.kwargs.get("default_value") for i in items if type(i).__name__ == "DeclareLaunchArgument"}
    for arg in ("camera_topic", "state_topic", "gripper_state_topic", "target_pose_topic", "twist_topic",
                "gripper_move_action", "gripper_grasp_action", "gripper_command_action"):
        assert not defaults[arg].startswith("/"), f"{arg} defaults to an absolute name: a namespace cannot move it"


def test_installed_launch_files_run_the_checkout_they_were_built_from(tmp_path):
    """share/vjepa2_mpc/launch (colcon build of ament/vjepa2_mpc) holds _vjepa2_checkout.py naming the checkout."""
    import shutil
    installed = tmp_path / "share" / "vjepa2_mpc" / "launch"
    shutil.copytree(LAUNCH, installed, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    checkout = os.path.dirname(LAUNCH)
    (installed / "_vjepa2_checkout.py").write_text(f"CHECKOUT = {checkout!r}\n")
    spec = importlib.util.spec_from_file_location("installed_launch", installed / "vjepa2_mpc.launch.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # it puts its own folder first on sys.path, as under ros2 launch
    try:
        nodes = [i for i in mod.generate_launch_description() if type(i).__name__ == "Node"]
        assert nodes[0].kwargs["arguments"][0] == os.path.join(checkout, "bin", "vjepa2-mpc.js")
    finally:
        sys.path.remove(str(installed))
