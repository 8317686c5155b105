"""Limits on failed sign-ins that slow an attacker without shutting out the owner. No Flask here.

Three counters, each of failures within :data:`WINDOW` (a counter older than the window starts again at 1):

- per (address, account): more than :data:`PAIR_LIMIT` refuse that pair (HTTP 429) until the window has passed;
- per address, over all accounts: more than :data:`ADDRESS_LIMIT` refuse that address (password spraying);
- per account, from any address: beyond :data:`ACCOUNT_SLOW_AFTER` failures each further attempt on the account
  waits (:func:`account_delay`: 1 s, doubling, at most 30 s) before its password is checked, but the right
  password still signs in: nobody can lock the owner out from another address.

Counting and refusing are one statement (an upsert ``… ON CONFLICT DO UPDATE … RETURNING``, on SQLite and
PostgreSQL alike) in its own transaction, committed before the password is checked: an attempt reserves its
place first, so parallel attempts from threads, processes or instances sharing the database never pass the
limit (40 attempts, 8 at a time, check exactly 5 passwords of one pair). A successful sign-in gives back its
reservation (the pair's counter is cleared, the address's decremented).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, case, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from webmap.intake.db import SignInCounter, utcnow

WINDOW = dt.timedelta(minutes=15)
PAIR_LIMIT = 5
ADDRESS_LIMIT = 20
ACCOUNT_SLOW_AFTER = 10
FIRST_DELAY = 1.0
MAX_DELAY = 30.0
_TABLE = cast(Table, SignInCounter.__table__)


@dataclass(frozen=True)
class Reservation:
    """An attempt counted before its password is checked: refused (``retry_after`` seconds), or allowed after
    waiting ``delay`` seconds."""

    pair: str
    address: str
    refused: bool
    retry_after: int
    delay: float


def pair_key(address: str, account: str) -> str:
    return f"pair:{address[:64]}|{account[:64]}"


def account_key(account: str) -> str:
    return f"account:{account[:64]}"


def address_key(address: str) -> str:
    return f"address:{address[:64]}"


def account_delay(failures: int) -> float:
    """Seconds an attempt on an account with ``failures`` recent failures waits: 0 up to the threshold, then
    1 s after the 10th, 2 s after the 11th, doubling to at most 30 s."""
    if failures < ACCOUNT_SLOW_AFTER:
        return 0.0
    return min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - ACCOUNT_SLOW_AFTER))


def _bump(connection: Connection, key: str, account: str, now: dt.datetime) -> tuple[int, dt.datetime]:
    """Add one to counter ``key`` (a stale counter starts again at 1), atomically; (its count, since when)."""
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(_TABLE)
    stale = _TABLE.c.since < now - WINDOW
    statement = (
        insert.values(key=key, account=account, failures=1, since=now)
        .on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={
                "failures": case((stale, 1), else_=_TABLE.c.failures + 1),
                "since": case((stale, now), else_=_TABLE.c.since),
            },
        )
        .returning(_TABLE.c.failures, _TABLE.c.since)
    )
    failures, since = connection.execute(statement).one()
    return int(failures), since


def _recent(connection: Connection, key: str, now: dt.datetime) -> int:
    row = connection.execute(_TABLE.select().where(_TABLE.c.key == key, _TABLE.c.since >= now - WINDOW)).first()
    return int(row.failures) if row is not None else 0


def reserve(engine: Engine, address: str, account: str) -> Reservation:
    """Count this attempt for its pair and address before the password is checked (committed at once), and say
    whether it is refused, or how long it waits for the account's failures."""
    now = utcnow()
    pair, by_address = pair_key(address, account), address_key(address)
    with engine.begin() as connection:
        pair_count, pair_since = _bump(connection, pair, account[:64], now)
        address_count, address_since = _bump(connection, by_address, "", now)
        account_failures = _recent(connection, account_key(account), now)
    over = [
        since
        for count, since, limit in ((pair_count, pair_since, PAIR_LIMIT), (address_count, address_since, ADDRESS_LIMIT))
        if count > limit
    ]
    retry = max((int((since + WINDOW - now).total_seconds()) + 1 for since in over), default=0)
    return Reservation(pair, by_address, bool(over), max(retry, 1) if over else 0, account_delay(account_failures))


def failed(engine: Engine, account: str) -> int:
    """Count a wrong password against the account (from any address); the account's recent failures."""
    with engine.begin() as connection:
        return _bump(connection, account_key(account), account[:64], utcnow())[0]


def succeeded(engine: Engine, reservation: Reservation) -> None:
    """Give back a successful attempt's reservation: its pair starts again, its address counts one fewer."""
    with engine.begin() as connection:
        connection.execute(delete(_TABLE).where(_TABLE.c.key == reservation.pair))
        connection.execute(
            update(_TABLE).where(_TABLE.c.key == reservation.address, _TABLE.c.failures > 0).values(failures=_TABLE.c.failures - 1)
        )


def unlock(engine: Engine, account: str) -> int:
    """Clear every counter of ``account`` (its pairs and the account's own); how many were cleared."""
    with engine.begin() as connection:
        result = connection.execute(delete(_TABLE).where(or_(_TABLE.c.account == account[:64], _TABLE.c.key == account_key(account))))
        return int(result.rowcount or 0)
