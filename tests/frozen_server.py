"""A throwaway PostgreSQL cluster in a temporary directory on its own port, that a test can freeze.

``freeze()`` stops every process of the cluster with SIGSTOP: the kernel still accepts connections
and acknowledges bytes, but nothing answers, which is what a network partition or a hung server
looks like to a client. ``thaw()`` resumes it with SIGCONT.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def _binaries() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL's initdb is not installed (apt-get install postgresql)")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return listing.read().split()
    except OSError:
        return []


class FrozenServer:
    """``start()`` a cluster owned by the ``postgres`` user; ``url`` reaches its database ``postgres``."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.dir = ""
        self.process: subprocess.Popen | None = None

    def start(self) -> "FrozenServer":
        user = pwd.getpwnam("postgres")
        self.dir = tempfile.mkdtemp(prefix="vanna-frozen-pg-")
        os.chown(self.dir, user.pw_uid, user.pw_gid)
        data = os.path.join(self.dir, "data")
        as_postgres = ["runuser", "-u", "postgres", "--"]
        bin_dir = _binaries()
        subprocess.run([*as_postgres, f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "postgres"],
                       check=True, capture_output=True, timeout=120)
        self.process = subprocess.Popen(
            [*as_postgres, f"{bin_dir}/postgres", "-D", data, "-p", str(self.port), "-k", self.dir,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = subprocess.run([f"{bin_dir}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
                                   capture_output=True)
            if ready.returncode == 0:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("the throwaway PostgreSQL cluster did not start within 30 s")

    def _cluster(self) -> list[int]:
        """The postmaster and every process it forked (each backend is in a session of its own)."""
        postmaster = [int(p) for p in _children(self.process.pid)]
        return postmaster + [int(c) for p in postmaster for c in _children(p)]

    def freeze(self) -> None:
        for pid in self._cluster():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self._cluster():
            os.kill(pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            try:
                self.thaw()
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
