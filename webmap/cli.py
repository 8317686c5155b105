"""The ``urbanmap`` console script: the ETL's commands plus ``serve``, which runs this app."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from etl.cli import main as etl_main
from etl.external.locate import SOURCES_ENV
from etl.paths import build_dir, raw_dir
from etl.store import StoreError, resolve_build

log = logging.getLogger("urbanmap.serve")


def add_serve_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web app with a production server (builds the data first when missing)")
    p.add_argument("--data", type=Path, help="build directory (default: the project's geodata/build)")
    p.add_argument(
        "--raw",
        type=Path,
        help="inputs to build from when the data is missing, and that publishing builds from (default: the project's geodata/raw)",
    )
    p.add_argument(
        "--sources",
        type=Path,
        help="a folder laid out as ../shared/data holding the files published by others, looked in first by every build "
        "of this server (sets URBANMAP_SOURCES)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--threads",
        type=int,
        help="threads per process (default 8 with one process; 2 per worker with --workers: the proxy in front buffers "
        "slow clients, and fewer threads per process serve CPU-bound pages first come, first served)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes (default 1: waitress in one process; more: gunicorn with that many worker processes, "
        "each with its own store and cache, sharing the data directory and the database)",
    )
    p.add_argument(
        "--base-url",
        help="public address of the site (https://host/prefix) for links in OGC API documents; without it, "
        "only requests for localhost, 127.0.0.1 and [::1] are answered",
    )
    p.add_argument(
        "--proxies",
        type=int,
        default=0,
        help="how many reverse proxies (nginx) stand in front: the client address is then read from X-Forwarded-For "
        "(default 0: the connection's address; never more than there are, or clients could choose their address)",
    )
    p.add_argument("--debug", action="store_true", help="Flask's development server with the debugger (never in production)")
    p.set_defaults(handler=serve)


SERVER_THREADS = 8  # one waitress process: threads wait on slow clients and the database as well
# per gunicorn worker: with many threads, pages that cost CPU share the interpreter lock and all finish late
# together (32 clients on uncached views: p99 614 ms with 8, 447 ms with 2 at the same throughput)
WORKER_THREADS = 2


def serve(args: argparse.Namespace) -> int:
    from webmap import create_app

    if args.sources:  # every build of this process and its workers (the first, and each publication) looks there first
        os.environ[SOURCES_ENV] = str(args.sources.resolve())
    data = build_dir(args.data)
    try:
        resolve_build(data)
    except StoreError:
        from etl.build import build
        from etl.external.fetch import fetch_missing

        raw = raw_dir(args.raw)
        log.info("no build in %s: building it from %s first", data, raw)
        fetch_missing(raw)
        build(raw, data)
    from webmap.intake.db import DatabaseError, database_url, open_database

    config = {"DATA_DIR": data, "BASE_URL": args.base_url, "RAW_DIR": raw_dir(args.raw), "PROXIES": args.proxies, "LONG_RUNNING": True}
    if args.workers > 1 and not args.debug:
        try:  # refuse at once what every worker would refuse; the workers then build their own app
            open_database(database_url(data)).engine.dispose()
        except DatabaseError as exc:
            print(f"urbanmap: {exc}", file=sys.stderr)
            return 2
        from webmap.serving.workers import run

        log.info("serving http://%s:%d/ with %d worker processes", args.host, args.port, args.workers)
        run(config, args.host, args.port, args.workers, args.threads or WORKER_THREADS)
        return 0
    try:
        app = create_app(config)
    except DatabaseError as exc:
        print(f"urbanmap: {exc}", file=sys.stderr)
        return 2
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True)
        return 0
    import waitress

    log.info("serving http://%s:%d/ (build %s)", args.host, args.port, app.extensions["urbanmap_build"].current().build_id)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads or SERVER_THREADS, ident="urbanmap")
    return 0


def main(argv: list[str] | None = None) -> int:
    from webmap.intake.admin_cli import add_admin_parsers

    return etl_main(argv, extensions=(add_serve_parser, add_admin_parsers))


if __name__ == "__main__":
    sys.exit(main())
