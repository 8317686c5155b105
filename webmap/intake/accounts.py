"""Accounts: creating, disabling, listing, and signing in with limits on failed attempts. No Flask here.

Passwords are hashed with Argon2id (argon2-cffi, a memory-hard scheme; hashes are rehashed when
its parameters change). Failed sign-ins are limited per (address, account), per address, and slowed per
account (:mod:`webmap.intake.limits`, counted in the database every instance shares); every attempt is in
the audit log. Signing out, a new password and disabling an account end every session of the account
(:attr:`User.session_generation`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from webmap.intake import audit, limits
from webmap.intake.db import ROLES, User

NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD = 12
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")  # verified against for unknown names: same time either way


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why and what would work."""


class TooManyAttempts(Exception):
    """Too many failed sign-ins from this address (for this account, or for any); retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(session: Session, name: str, password: str, role: str, units: list[str], known_units: set[str], actor: str) -> User:
    """Create an account. ``units`` (2025 unit codes) are required for a contributor and refused for other roles."""
    if not NAME.fullmatch(name):
        raise AccountError(f'"{name}" is not an account name: 2-64 lower-case letters, digits, ".", "_" or "-"')
    if role not in ROLES:
        raise AccountError(f'unknown role "{role}": use one of {", ".join(ROLES)}')
    unknown = sorted(set(units) - known_units)
    if unknown:
        raise AccountError(f"unknown 2025 unit code(s) {', '.join(unknown)}: use codes such as {', '.join(sorted(known_units)[:3])}")
    if role == "contributor" and not units:
        raise AccountError("a contributor belongs to at least one unit: give --units, e.g. --units 31")
    if role != "contributor" and units:
        raise AccountError("only contributors belong to units: leave out --units")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise AccountError(f'the account "{name}" exists already')
    check_password_rules(password)
    user = User(name=name, password_hash=_hasher.hash(password), role=role, units=",".join(sorted(set(units))), active=True)
    session.add(user)
    audit.record(session, actor, "account_created", name, f"role {role}" + (f", units {user.units}" if user.units else ""))
    return user


def _engine(session: Session) -> Engine:
    """The engine ``session`` is bound to: the sign-in limits commit on connections of their own."""
    return cast(Engine, session.get_bind())


def _account(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise AccountError(f'there is no account "{name}"')
    return user


def end_sessions(user: User) -> None:
    """End every session of ``user``, on every instance (their cookies name an older generation)."""
    user.session_generation = (user.session_generation or 0) + 1


def disable_user(session: Session, name: str, actor: str) -> User:
    user = _account(session, name)
    user.active = False
    end_sessions(user)
    audit.record(session, actor, "account_disabled", name)
    return user


def set_password(session: Session, name: str, password: str, actor: str) -> User:
    """Give account ``name`` a new password; every session it had ends."""
    user = _account(session, name)
    check_password_rules(password)
    user.password_hash = _hasher.hash(password)
    end_sessions(user)
    audit.record(session, actor, "password_changed", name)
    return user


def unlock(session: Session, name: str, actor: str) -> int:
    """Clear the failed sign-ins counted against account ``name`` (every address's, and the account's own)."""
    _account(session, name)
    cleared = limits.unlock(_engine(session), name)
    audit.record(session, actor, "account_unlocked", name, f"{cleared} counter(s) cleared")
    return cleared


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


_wait: Callable[[float], None] = time.sleep  # how an attempt on an account failed often waits (tests record it)


def sign_in(session: Session, name: str, password: str, address: str) -> User | None:
    """The active account ``name`` when ``password`` is its password, else None; every attempt is audited.

    Raises TooManyAttempts (nothing verified) when this address has failed too often, for this account or for
    any (:mod:`webmap.intake.limits`); an account failed often from anywhere makes the attempt wait first.
    """
    engine = _engine(session)
    reservation = limits.reserve(engine, address, name)
    if reservation.refused:
        audit.record(session, name, "sign_in_refused", name, "too many failed attempts from this address", address)
        raise TooManyAttempts(reservation.retry_after)
    if reservation.delay:
        _wait(reservation.delay)
    user = session.scalar(select(User).where(User.name == name))
    try:
        _hasher.verify(user.password_hash if user is not None else _DUMMY_HASH, password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        limits.failed(engine, name)
        audit.record(session, name, "sign_in_failed", name, "" if user is None or user.active else "account disabled", address)
        return None
    limits.succeeded(engine, reservation)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record(session, name, "sign_in", name, user.role, address)
    return user
