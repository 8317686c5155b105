"""``urbanmap serve`` in a separate process for the tests that need a real server (GDAL, schemathesis, several
processes): a free loopback port, and the process started and waited for."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(*args: str, env: dict | None = None, seconds: float = 60) -> Iterator[str]:
    """``urbanmap serve ARGS --port <free>`` until the block ends; yields its base URL once /healthz answers."""
    with serving_several(1, *args, env=env, seconds=seconds) as (url,):
        yield url


@contextlib.contextmanager
def serving_several(count: int, *args: str, env: dict | None = None, seconds: float = 60) -> Iterator[list[str]]:
    """``count`` processes of ``urbanmap serve ARGS``, each on its own free port, started together (a start takes
    seconds of imports and loading); yields their base URLs once each /healthz answers."""
    processes, urls = [], []
    try:
        for _ in range(count):
            port = free_port()
            processes.append(subprocess.Popen([sys.executable, "-m", "webmap.cli", "-q", "serve", *args, "--port", str(port)], env=env))
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.time() + seconds
        for process, url in zip(processes, urls):
            while True:
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=2)
                    break
                except OSError:
                    if time.time() > deadline or process.poll() is not None:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
