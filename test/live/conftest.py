"""Live ROS 2 tests: real `ros2 launch`, real DDS, a stand-in cell in rclpy.

Run through `npm run test:live` (scripts/test-live.sh), which sources the ROS 2 environment, keeps DDS on
the loopback interface and gives this run a ROS_DOMAIN_ID of its own.
"""

import fcntl
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

_domain_lock = None


def _claim_domain():
    """A ROS_DOMAIN_ID no other live run on this machine holds (a lock file per domain)."""
    global _domain_lock
    fixed = os.environ.get('VJEPA2_LIVE_DOMAIN_ID')
    if fixed:
        return int(fixed)
    ids = list(range(20, 120))
    random.shuffle(ids)
    for d in ids:
        f = open(f'/tmp/vjepa2-mpc-live-domain-{d}.lock', 'w')
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        _domain_lock = f
        return d
    raise RuntimeError('no free ROS_DOMAIN_ID between 20 and 119')


def _problem():
    """Why the live suite cannot run here, or None."""
    if not os.environ.get('AMENT_PREFIX_PATH'):
        return 'no ROS 2 environment (AMENT_PREFIX_PATH is not set): run through `npm run test:live`'
    try:
        import rclpy  # noqa: F401
        import vjepa2_mpc_interfaces.msg  # noqa: F401
    except ImportError as e:
        return f'{e}: build the interfaces with scripts/build-ros.sh and source its setup file'
    r = subprocess.run(['node', '-e', "require('rclnodejs')"], capture_output=True, text=True,
                       cwd=Path(__file__).resolve().parents[2])
    if r.returncode != 0:
        return f'rclnodejs is not built against this ROS 2 ({r.stderr.strip().splitlines()[-1:]}): run scripts/build-ros.sh'
    return None


def pytest_configure(config):
    os.environ['ROS_DOMAIN_ID'] = str(_claim_domain())
    # Logs of the nodes are JSON lines here (no pretty printing): the tests read them.
    os.environ.setdefault('VJEPA2_LOG_LEVEL', 'info')


def pytest_unconfigure(config):
    """The ros2 CLI leaves a daemon per domain running: stop this run's."""
    if os.environ.get('AMENT_PREFIX_PATH'):
        subprocess.run(['ros2', 'daemon', 'stop'], capture_output=True, timeout=30, stdin=subprocess.DEVNULL)


def pytest_collection_modifyitems(config, items):
    problem = _problem()
    if problem is None:
        return
    if os.environ.get('CI'):
        raise pytest.UsageError(f'live ROS 2 suite cannot run on CI: {problem}')
    for item in items:
        item.add_marker(pytest.mark.skip(reason=problem))


def pytest_report_header(config):
    return f"ROS_DOMAIN_ID={os.environ.get('ROS_DOMAIN_ID')} RMW={os.environ.get('RMW_IMPLEMENTATION', 'default')}"


@pytest.fixture(scope='module')
def workdir(tmp_path_factory):
    """A folder for the module's configuration, goal images and logs (kept on failure for reading)."""
    return tmp_path_factory.mktemp('live')
