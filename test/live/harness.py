"""What the live tests need around the stand-in cell: ros2 launch as a lab runs it, the ros2 CLI, waits
with deadlines, and process bookkeeping (every process a test starts is stopped by its id)."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / 'bin' / 'vjepa2-mpc.js'
ROBOT_LAUNCH = REPO / 'launch' / 'vjepa2_mpc.launch.py'
REPLAY_LAUNCH = REPO / 'launch' / 'replay.launch.py'
# The same launch files from the install space of scripts/build-ros.sh (ament/vjepa2_mpc).
INSTALLED_ROBOT_LAUNCH = ('vjepa2_mpc', 'vjepa2_mpc.launch.py')
INSTALLED_REPLAY_LAUNCH = ('vjepa2_mpc', 'replay.launch.py')

# PlanStatus and ActuatorStatus codes, written out from msg/ (not imported from the code under test).
PLANNED, IDLE, DONE, INVALID_OBSERVATION, ERROR, PAUSED, RETURNING = range(7)
TRACKING, SETTLED, HOLDING, ESTOPPED = range(4)


def wait_until(predicate, timeout, what, interval=0.05):
    """Polls `predicate` until it returns something truthy; fails the test naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out after {timeout} s waiting for {what}')
        time.sleep(interval)


def write_config(path, sections):
    """Writes a project YAML configuration (only the keys that differ from config/default.yaml)."""
    Path(path).write_text(yaml.safe_dump(sections, sort_keys=False))
    return str(path)


def ros2(*args, timeout=30, check=True):
    """Runs the ros2 CLI; returns its stdout (stderr folded in on failure)."""
    r = subprocess.run(['ros2', *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise AssertionError(f'ros2 {" ".join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}')
    return r.stdout + (r.stderr if r.returncode != 0 else '')


def service_call(name, srv_type, request, timeout=30):
    """`ros2 service call NAME TYPE REQUEST` (REQUEST as a dict, sent as YAML); returns the response fields."""
    text = yaml.safe_dump(request, default_flow_style=True, width=1 << 30).strip()
    out = ros2('service', 'call', name, srv_type, text, timeout=timeout)
    m = re.search(r'response:\s*\n\S+?\((.*)\)\s*$', out, re.S)
    if not m:
        raise AssertionError(f'no response from {name}:\n{out}')
    return parse_fields(m.group(1))


def parse_fields(text):
    """Parses `success=True, message='x', goal_count=1` (the repr ros2 service call prints)."""
    fields = {}
    for key, value in re.findall(r"(\w+)=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^,]+)", text):
        value = value.strip()
        if value in ('True', 'False'):
            fields[key] = value == 'True'
        elif value[:1] in "'\"":
            fields[key] = value[1:-1]
        else:
            try:
                fields[key] = int(value)
            except ValueError:
                try:
                    fields[key] = float(value)
                except ValueError:
                    fields[key] = value
    return fields


def alive(pid):
    """True while `pid` runs (a zombie counts as gone)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().split(') ')[-1][:1] != 'Z'
    except FileNotFoundError:
        return False


class Launch:
    """`ros2 launch FILE ARGS...` in its own process group, output to a log file."""

    def __init__(self, launch_file, arguments, log_path):
        # A path (ros2 launch FILE), or (package, file) for the install-space form (ros2 launch PKG FILE).
        spec = list(launch_file) if isinstance(launch_file, (tuple, list)) else [str(launch_file)]
        self.cmd = ['ros2', 'launch', *spec, *arguments]
        self.log_path = Path(log_path)
        self.proc = None
        self.started_at = None

    def start(self):
        self.log = open(self.log_path, 'w')
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, cwd=REPO)
        return self

    def text(self):
        return self.log_path.read_text(errors='replace')

    def node_pids(self):
        """{role: pid} of the vjepa2-mpc processes launch started (from its 'process started' lines)."""
        pids = {}
        for pid in map(int, re.findall(r'process started with pid \[(\d+)\]', self.text())):
            try:
                cmdline = Path(f'/proc/{pid}/cmdline').read_bytes().split(b'\0')
            except FileNotFoundError:
                continue
            script = next((i for i, a in enumerate(cmdline) if a.endswith(b'vjepa2-mpc.js')), None)
            if script is not None and len(cmdline) > script + 2 and cmdline[script + 1] == b'node':
                pids[cmdline[script + 2].decode()] = pid
        return pids

    def wait_for_log(self, pattern, timeout, what=None, start=0):
        """Waits for a regex in the launch output after offset `start`; returns the match."""
        return wait_until(lambda: re.search(pattern, self.text()[start:]), timeout, what or f'/{pattern}/ in the launch log')

    def interrupt(self, timeout=15):
        """SIGINT to ros2 launch (as Ctrl-C does); returns the seconds until it exited."""
        t0 = time.monotonic()
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f'ros2 launch still running {timeout} s after SIGINT:\n{self.text()[-3000:]}')
        return time.monotonic() - t0

    def kill(self):
        """SIGKILL to the whole process group (clean-up after a failed test)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)

    def stop(self, pids=None):
        """Stops the launch: SIGINT, then SIGKILL of anything left (by its id). Returns pids left after SIGINT."""
        pids = dict(pids or self.node_pids())
        if self.proc is None or self.proc.poll() is not None:
            left = [p for p in pids.values() if alive(p)]
        else:
            try:
                self.interrupt()
            except AssertionError:
                pass
            deadline = time.monotonic() + 5
            while any(alive(p) for p in pids.values()) and time.monotonic() < deadline:
                time.sleep(0.05)
            left = [p for p in pids.values() if alive(p)]
        for p in left:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc is not None and self.proc.poll() is None:
            self.kill()
        self.log.close()
        return left
