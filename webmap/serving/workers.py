"""``urbanmap serve --workers N`` with N > 1: gunicorn's pre-fork server, N worker processes.

Why gunicorn: waitress (the one-process default) serves with threads, and the interpreter lock lets one
process use about one core for what costs CPU here (rendering a page not yet cached, serialising a
download); gunicorn forks worker processes, replaces one that dies, and drains requests on TERM. Each
worker builds its own app after the fork (no preload): its own store, byte-bounded cache and database
connections. The workers share only the data directory (every one serves ``current`` and switches to the
next build by itself) and the database (sessions, sign-in limits, submissions). ``gthread`` workers keep
``--threads`` threads per process for slow clients.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class Workers(BaseApplication):
    """gunicorn running ``create_app(config)`` in each of ``options['workers']`` processes."""

    def __init__(self, config: dict[str, Any], options: dict[str, Any]) -> None:
        self.config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from webmap import create_app

        return create_app(self.config)


def run(config: dict[str, Any], host: str, port: int, workers: int, threads: int) -> None:
    """Serve until stopped (TERM or INT: the workers finish their requests first)."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,  # a publish builds the data in the request
        "graceful_timeout": 30,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "urbanmap",
    }
    Workers(config, options).run()
