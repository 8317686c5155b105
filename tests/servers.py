"""``urbanmap serve`` in a separate process for the tests that need a real server (GDAL, schemathesis, several
processes): a free loopback port, and the process started and waited for."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
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


class Relay:
    """A loopback TCP relay to ``target`` (host, port): a database server that :meth:`stop` takes away at once, every
    open connection cut and new ones refused, as when PostgreSQL is stopped."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone would not, on Linux
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
