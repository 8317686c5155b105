"""The ``urbanmap`` console script: the ETL's commands plus ``serve``, which runs this app."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from etl.cli import DEFAULT_OUT, DEFAULT_RAW
from etl.cli import main as etl_main

log = logging.getLogger("urbanmap.serve")


def add_serve_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web app with a production server (builds the data first when missing)")
    p.add_argument("--data", type=Path, default=DEFAULT_OUT, help="build directory (default: geodata/build)")
    p.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="inputs to build from when the data is missing")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--threads", type=int, default=8, help="worker threads of the server (default 8)")
    p.add_argument("--debug", action="store_true", help="Flask's development server with the debugger (never in production)")
    p.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    from webmap import create_app

    if not (args.data / "urban.gpkg").exists() or not (args.data / "manifest.json").exists():
        from etl.build import build

        log.info("no build in %s: building it from %s first", args.data, args.raw)
        build(args.raw, args.data)
    app = create_app({"DATA_DIR": args.data})
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True)
        return 0
    import waitress

    log.info("serving http://%s:%d/ (build %s)", args.host, args.port, app.extensions["urbanmap_store"].build_id)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="urbanmap")
    return 0


def main(argv: list[str] | None = None) -> int:
    return etl_main(argv, extensions=(add_serve_parser,))


if __name__ == "__main__":
    sys.exit(main())
