"""``urbanmap users add|list|disable|password|unlock`` and ``urbanmap db upgrade``: accounts and the database schema from the shell.

Each takes ``--data DIR`` like ``serve``: the database is ``DIR/urbanmap.sqlite`` unless ``DATABASE_URL`` is
set; a command that finds no database creates one at the current schema. Passwords are read from standard
input (one line) or prompted for twice, never taken as an argument. Account changes are audited with the
actor ``cli:<system user>``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import pyogrio

from etl.paths import build_dir
from etl.problems import InputError, Problem
from etl.store import open_build
from webmap.intake import accounts
from webmap.intake.db import ROLES, DatabaseError, database_url, make_engine, open_database, upgrade


def add_admin_parsers(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="manage accounts (add, list, disable, password, unlock)")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an account; the password is read from standard input or prompted for")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--units", default="", help="contributor: comma-separated 2025 unit codes, e.g. 31,01")
    listing = actions.add_parser("list", help="list accounts with role, units and whether active")
    disable = actions.add_parser("disable", help="disable an account (it can no longer sign in; its history stays)")
    disable.add_argument("name")
    password = actions.add_parser("password", help="give an account a new password (read like add's); its sessions end")
    password.add_argument("name")
    unlock = actions.add_parser("unlock", help="clear the failed sign-ins counted against an account, from every address")
    unlock.add_argument("name")
    db = sub.add_parser("db", help="the database of accounts, submissions, history and audit log")
    db_actions = db.add_subparsers(dest="action", required=True)
    db_upgrade = db_actions.add_parser("upgrade", help="apply the schema migrations the database lacks")
    for command in (add, listing, disable, password, unlock, db_upgrade):
        command.add_argument("--data", type=Path, help="build directory (default: the project's geodata/build)")
    users.set_defaults(handler=run_users)
    db.set_defaults(handler=run_db)


def _actor() -> str:
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise accounts.AccountError("the two passwords differ")
    return first


def _units_2025(data: Path) -> set[str]:
    store = open_build(data).store
    return set(pyogrio.read_dataframe(store, layer="provinces_2025", read_geometry=False, columns=["code"])["code"].astype(str))


def run_users(args: argparse.Namespace) -> int:
    data = build_dir(args.data)
    try:
        database = open_database(database_url(data))
        with database.session() as session:
            if args.action == "add":
                units = [u.strip() for u in args.units.split(",") if u.strip()]
                user = accounts.add_user(session, args.name, _password(), args.role, units, _units_2025(data), _actor())
                print(f"added {user.name} ({user.role}{', units ' + user.units if user.units else ''})")
            elif args.action == "disable":
                accounts.disable_user(session, args.name, _actor())
                print(f"disabled {args.name}")
            elif args.action == "password":
                accounts.set_password(session, args.name, _password(), _actor())
                print(f"new password for {args.name}; its sessions have ended")
            elif args.action == "unlock":
                cleared = accounts.unlock(session, args.name, _actor())
                print(f"unlocked {args.name} ({cleared} counter(s) of failed sign-ins cleared)")
            else:
                for user in accounts.list_users(session):
                    state = "active" if user.active else "disabled"
                    print(f"{user.name}\t{user.role}\t{user.units or '-'}\t{state}\t{user.created_at:%Y-%m-%d}")
    except (accounts.AccountError, DatabaseError) as exc:
        raise InputError([Problem("users", None, None, str(exc), "")]) from exc
    return 0


def run_db(args: argparse.Namespace) -> int:
    url = database_url(build_dir(args.data))
    engine = make_engine(url)
    upgrade(engine)
    open_database(url, create=False)
    print(f"{engine.url!r}: schema is current")
    return 0
