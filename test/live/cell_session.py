"""One launched vjepa2-mpc (camera, planner, actuator) against one stand-in cell, for a test module."""

import math
import time
from pathlib import Path

from harness import PLANNED, REPLAY_LAUNCH, ROBOT_LAUNCH, Launch, alive, wait_until, write_config
from standin import Cell, CellTopics, png_bytes, scene_image
from lifecycle_msgs.srv import GetState
from std_srvs.srv import Trigger
from vjepa2_mpc_interfaces.srv import SetGoal

# Small CEM so a planning step takes well under a second on 2 cores; the embedded demo model.
FAST_PLANNER = {'samples': 32, 'iterations': 2, 'topk': 4, 'settle_timeout': 3.0}


class CellSession:
    """Starts the cell, then `ros2 launch launch/vjepa2_mpc.launch.py` remapped onto it."""

    def __init__(self, workdir, name, config=None, cell=None, launch_arguments=(), namespace=None,
                 launch_file=ROBOT_LAUNCH, start_state='active', ready=None):
        self.dir = Path(workdir)
        self.name = name
        self.goal_root = self.dir / 'goals'
        self.goal_root.mkdir(exist_ok=True)
        self.endpoint_path = self.dir / f'{name}-embeddings.ipc'
        sections = {'planner': dict(FAST_PLANNER), 'actuator': {}, 'nodes': {}}
        for section, values in (config or {}).items():
            sections.setdefault(section, {}).update(values)
        sections['nodes'].setdefault('goal_root', str(self.goal_root))
        sections['nodes'].setdefault('embeddings_endpoint', f'ipc://{self.endpoint_path}')
        self.config = sections
        self.config_path = write_config(self.dir / f'{name}.yaml', sections)
        self.cell_options = dict(cell or {})
        # Namespaced: the launch file's defaults (relative names) under namespace:=NS, as a lab runs two arms.
        self.prefix = f'/{namespace}' if namespace else ''
        if namespace:
            self.topics = self.cell_options.setdefault('topics', CellTopics.under(namespace))
            self.cell_options.setdefault('node_name', f'standin_{namespace}')
            topic_arguments = [f'namespace:={namespace}']
        else:
            self.topics = self.cell_options.setdefault('topics', CellTopics())
            topic_arguments = self.topics.launch_arguments()
        self.start_state = start_state
        # What "up" means: the nodes' services (active), or only their lifecycle services.
        self.ready = ready or ('services' if start_state == 'active' else 'lifecycle')
        if start_state != 'active':
            topic_arguments.append(f'start_state:={start_state}')
        self.launch = Launch(launch_file, [f'config:={self.config_path}', *topic_arguments, *launch_arguments],
                             self.dir / f'{name}-launch.log')
        self.write_goal('goal_a.png', (0.55, 0.05, 0.30))
        self.write_goal('goal_b.png', (0.45, -0.05, 0.40))

    def write_goal(self, name, tcp):
        (self.goal_root / name).write_bytes(png_bytes(scene_image(*tcp)))

    def __enter__(self):
        self._cell = Cell(**self.cell_options)
        self.robot = self._cell.__enter__()
        self.launch.start()
        if self.ready == 'services':
            clients = [self.robot.create_client(SetGoal, f'{self.prefix}/planner/set_goal'),
                       self.robot.create_client(Trigger, f'{self.prefix}/actuator/estop')]
        else:  # not active: only the lifecycle services are up
            clients = [self.robot.create_client(GetState, f'{self.prefix}/{role}/get_state')
                       for role in ('camera', 'planner', 'actuator')]
        ok = all(c.wait_for_service(timeout_sec=60) for c in clients)
        if not ok:
            self.__exit__(None, None, None)
            raise AssertionError(f'the nodes did not come up:\n{self.launch.text()[-4000:]}')
        self.ready_at = time.monotonic()
        self.pids = wait_until(lambda: (lambda p: p if len(p) == 3 else None)(self.launch.node_pids()), 10,
                               'three node processes')
        return self

    def __exit__(self, *exc):
        try:
            self.left = self.launch.stop(getattr(self, 'pids', None))
        finally:
            self._cell.__exit__(*exc)

    # ---- what the tests look at ----------------------------------------------------------------------
    def statuses(self, code=None, since=0.0):
        return [r for r in list(self.robot.statuses) if r.t >= since and (code is None or r.msg.code == code)]

    def planned(self, since=0.0):
        return self.statuses(PLANNED, since)

    def targets(self, since=0.0):
        return [r for r in list(self.robot.targets) if r.t >= since]

    def actuator_statuses(self, since=0.0):
        return [r for r in list(self.robot.actuator) if r.t >= since]

    def wait_planned(self, count=1, since=0.0, timeout=30):
        return wait_until(lambda: (lambda p: p if len(p) >= count else None)(self.planned(since)), timeout,
                          f'{count} PLANNED statuses\n{self.launch.text()[-3000:]}')

    def nodes_alive(self):
        return all(alive(p) for p in self.pids.values())


def position(pose_msg):
    p = pose_msg.pose.position
    return (p.x, p.y, p.z)


def distance(a, b):
    return math.dist(a, b)


def replay_launch(workdir, name, bag, launch_file=REPLAY_LAUNCH):
    """replay.launch.py on `bag` (looping, at half speed, 3 s delay) with the fast planner and one goal image,
    goal.png, in a goal root of its own."""
    goal_root = workdir / f'{name}_goals'
    goal_root.mkdir(exist_ok=True)
    (goal_root / 'goal.png').write_bytes(png_bytes(scene_image(0.45, -0.05, 0.3)))
    config = write_config(workdir / f'{name}.yaml', {
        'planner': dict(FAST_PLANNER),
        'nodes': {'goal_root': str(goal_root), 'embeddings_endpoint': f'ipc://{workdir}/{name}-embeddings.ipc'}})
    return Launch(launch_file, [f'bag:={bag}', f'config:={config}', 'delay:=3.0', 'rate:=0.5', 'loop:=true'],
                  workdir / f'{name}-launch.log')
