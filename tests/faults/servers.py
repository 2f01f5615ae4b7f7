"""Servers a fault test starts, stops and restarts itself (bounded in time), on free ports of 127.0.0.1."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, *, open_: bool = True, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if open_:
                    return
        except OSError:
            if not open_:
                return
        time.sleep(0.1)
    raise TimeoutError(f"port {port} still {'closed' if open_ else 'open'} after {timeout}s")


def require_binary(name: str, *, required_by: str) -> str:
    """The binary's path; a missing binary skips the test, unless the environment variable says it must run."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get(required_by):
        pytest.fail(f"{name} is missing and {required_by} is set")
    pytest.skip(f"{name} is not installed")


class RedisServer:
    def __init__(self, tmp: Path):
        self.binary = require_binary("redis-server", required_by="TCMS_REQUIRE_REDIS_TESTS")
        self.port = free_port()
        self.tmp = tmp
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_port(self.port, open_=False)


class PostgresServer:
    """A throw-away PostgreSQL cluster (initdb from /usr/lib/postgresql/*/bin; as the postgres user when root)."""

    def __init__(self, tmp: Path):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not bins:
            if os.environ.get("TCMS_REQUIRE_PG_FAULT_TESTS"):
                pytest.fail("PostgreSQL binaries are missing and TCMS_REQUIRE_PG_FAULT_TESTS is set")
            pytest.skip("PostgreSQL binaries are not installed")
        self.bin = bins[-1].parent
        self.port = free_port()
        self.data = tmp / "pgdata"
        self.tmp = tmp

    def _run(self, *command: str, timeout: float = 60) -> None:
        line = " ".join(command)
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:postgres", str(self.tmp)], check=True)
            subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", line], check=True, timeout=timeout,
                           capture_output=True)
        else:
            subprocess.run(["/bin/sh", "-c", line], check=True, timeout=timeout, capture_output=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        os.chmod(self.tmp, 0o755)
        self._run(f"{self.bin}/initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def _ctl(self, action: str) -> None:
        options = f"'-c listen_addresses=127.0.0.1 -p {self.port} -k {self.tmp} -c fsync=off'"
        self._run(f"{self.bin}/pg_ctl", "-D", str(self.data), "-l", str(self.tmp / "pg.log"), "-o", options,
                  "-m", "fast", "-w", action)

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop")
