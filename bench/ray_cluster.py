"""A real Ray cluster of N nodes on this machine, started with ``ray start`` (for the cluster test and
``make bench``): a head and N-1 more nodes, each with its CPUs and its own temp dir, stopped with
``ray stop --force`` whatever happens."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

START_SECONDS = 300
START_ATTEMPTS = 4
OBJECT_STORE_BYTES = 300 * 1024 * 1024


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ray() -> str:
    return str(Path(sys.executable).with_name("ray"))


@dataclass(frozen=True)
class LocalCluster:
    """The head's address and each node's temp dir (node 0 is the head)."""

    address: str
    node_dirs: tuple[Path, ...]

    def raylet_pid(self, node: int) -> int | None:
        """The process id of node ``node``'s raylet (its socket lives in the node's temp dir)."""
        marker = f"--raylet_socket_name={self.node_dirs[node]}/"
        for pid in _pids():
            args = _cmdline(pid)
            if args and args[0].endswith("/raylet") and any(a.startswith(marker) for a in args):
                return pid
        return None

    def running_tasks(self, node: int, name: str) -> list[int]:
        """Worker processes of node ``node`` running a task of function ``name`` (Ray titles a busy
        worker ``ray::<function>``)."""
        raylet = self.raylet_pid(node)
        return [pid for pid in _pids() if _parent(pid) == raylet and _title(pid).startswith(f"ray::{name}")]

    def kill_node(self, node: int) -> list[int]:
        """Lose node ``node`` as a machine is lost: SIGKILL its raylet, then what ran under it."""
        raylet = self.raylet_pid(node)
        if raylet is None:
            return []
        tree = _descendants(raylet)
        killed = []
        for pid in [raylet, *tree]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        return killed


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return [part.decode(errors="replace") for part in fh.read().split(b"\0") if part]
    except OSError:
        return []


def _title(pid: int) -> str:
    args = _cmdline(pid)
    return " ".join(args)


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid in _pids():
        parent = _parent(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _start(args: list[str], node_dir: Path, env: dict[str, str]) -> None:
    """``ray start``, tried again from scratch when the node did not register in time: Ray waits 30 s
    for that, which a loaded machine (other work on every core) can miss."""
    for attempt in range(1, START_ATTEMPTS + 1):
        done = subprocess.run([*args, f"--temp-dir={node_dir}"], capture_output=True, text=True,
                              timeout=START_SECONDS, env=env)
        if done.returncode == 0:
            return
        for pid in _pids():  # what this attempt left running (its processes name the node's temp dir)
            if any(str(node_dir) in arg for arg in _cmdline(pid)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(node_dir, ignore_errors=True)
        node_dir.mkdir()
        if attempt == START_ATTEMPTS:
            raise RuntimeError(f"{' '.join(args)} failed {attempt} times (exit {done.returncode}):\n"
                               f"{done.stdout[-2000:]}{done.stderr[-2000:]}")


@contextlib.contextmanager
def local_cluster(nodes: int = 2, cpus_per_node: int = 1) -> Iterator[LocalCluster]:
    """Start a head and ``nodes - 1`` more nodes (``ray start``, ``cpus_per_node`` CPUs each, own temp
    dirs, no dashboard, no usage report); always ``ray stop --force`` and remove the temp dirs after."""
    port = free_port()
    # Short paths: Ray's Unix sockets live in the temp dir and a socket path has at most 107 bytes.
    dirs = tuple(Path(tempfile.mkdtemp(prefix="govperf-ray", dir="/tmp")) for _ in range(nodes))
    common = [f"--num-cpus={cpus_per_node}", f"--object-store-memory={OBJECT_STORE_BYTES}", "--disable-usage-stats",
              "--include-log-monitor=false"]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    try:
        _start([_ray(), "start", "--head", f"--port={port}", "--include-dashboard=false",
                f"--ray-client-server-port={free_port()}", *common], dirs[0], env)
        for node_dir in dirs[1:]:
            _start([_ray(), "start", f"--address=127.0.0.1:{port}", *common], node_dir, env)
        yield LocalCluster(f"127.0.0.1:{port}", dirs)
    finally:
        subprocess.run([_ray(), "stop", "--force"], capture_output=True, timeout=START_SECONDS, env=env)
        for node_dir in dirs:
            shutil.rmtree(node_dir, ignore_errors=True)
