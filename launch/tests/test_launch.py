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
