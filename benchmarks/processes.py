"""Child processes of the benchmark: a ``chroma run`` server, ``brief`` commands, and waiting for a server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index import ConfigError

__all__ = [
    "ChromaServer",
    "brief_command",
    "chroma_server",
    "free_port",
    "stop_process",
    "vm_hwm_mb",
    "wait_until_up",
]


@dataclass(frozen=True)
class ChromaServer:
    """A running ``chroma run`` server."""

    url: str
    pid: int

    def peak_rss_mb(self) -> float | None:
        """The server's peak resident set size in MiB, where /proc tells it."""
        return vm_hwm_mb(self.pid)


def vm_hwm_mb(pid: int) -> float | None:
    """The peak resident set size of process ``pid`` in MiB, where /proc tells it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((row for row in status.splitlines() if row.startswith("VmHWM:")), None)
    return round(int(line.split()[1]) / 1024, 1) if line else None


def free_port() -> int:
    """A loopback port nothing listens on right now (the kernel picks it; another process could still take it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float, what: str, log_path: Path) -> None:
    """Wait until ``url`` answers 200; fail with the end of the server's log if it exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise ConfigError(f"{what} did not start on {url} within {timeout:.0f}s; its log ends:\n{tail}")
        time.sleep(0.2)


def stop_process(process: subprocess.Popen[Any], timeout: float) -> None:
    """Ask a child process to stop, and kill it if it has not within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def chroma_server(path: Path, timeout: float = 60.0) -> Iterator[ChromaServer]:
    """Run ``chroma run`` on a free loopback port with its data in ``path``; stop it on exit."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if executable is None:
        raise ConfigError("The `chroma` command is not installed in this environment: pip install chromadb")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    path.mkdir(parents=True, exist_ok=True)
    log_path = path.parent / f"{path.name}-server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [executable, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    try:
        wait_until_up(f"{url}/api/v2/heartbeat", process, timeout, "`chroma run`", log_path)
        yield ChromaServer(url, process.pid)
    finally:
        stop_process(process, 15)


def brief_command() -> list[str]:
    """The command that runs ``brief`` in this environment (the console script, else ``python -m assistant``)."""
    script = Path(sys.executable).with_name("brief")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant"]
