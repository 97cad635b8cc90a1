"""Restricted records and the explicit grants that let a named user open them.

A restriction names a resource (`person:P0000001` or `record:police:R1`); a person whose
network includes a restricted record is restricted too (the core checks both).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from kinlink.auth.accounts import _get
from kinlink.errors import InputError
from kinlink.store import Store
from kinlink.store.schema.accounts import grants, restrictions
from kinlink.store.schema.identity import record_persons

RESOURCE_KINDS = ("person", "record")


@dataclass(frozen=True)
class Grant:
    """A user's permission to open one restricted resource, and why it was given."""

    username: str
    resource: str
    reason: str
    granted_by: str
    granted_at: datetime


def check_resource(resource: str) -> str:
    """`person:ID` or `record:AGENCY:ID`, else InputError."""
    kind, _, rest = resource.partition(":")
    if kind not in RESOURCE_KINDS or not rest or (kind == "record" and ":" not in rest):
        raise InputError(f"{resource!r} must be person:P0000001 or record:AGENCY:RECORD_ID",
                         field="resource")
    return resource


def add_restriction(store: Store, resource: str, *, reason: str, by: str,
                    at: datetime) -> None:
    """Restrict a person or record: from now on it opens only with a grant and a reason."""
    check_resource(resource)
    try:
        with store.begin() as conn:
            conn.execute(insert(restrictions).values(resource=resource, reason=reason,
                                                     restricted_by=by, restricted_at=at))
    except IntegrityError as e:
        raise InputError(f"{resource} is already restricted", field="resource") from e


def restricted(store: Store, resources: Iterable[str]) -> set[str]:
    """Which of these resources are restricted."""
    wanted = list(set(resources))
    if not wanted:
        return set()
    with store.connect() as conn:
        return set(conn.execute(select(restrictions.c.resource)
                                .where(restrictions.c.resource.in_(wanted))).scalars())


def person_restricted(store: Store, person_id: str) -> bool:
    """Whether the person, or any record resolved into them, is restricted. An id of the
    form `agency:record_id` (a record not resolved yet) is checked as that record."""
    wanted = [f"person:{person_id}"]
    if ":" in person_id:
        wanted.append(f"record:{person_id}")
    with store.connect() as conn:
        wanted += [f"record:{agency}:{record_id}" for agency, record_id in conn.execute(
            select(record_persons.c.agency, record_persons.c.record_id)
            .where(record_persons.c.person_id == person_id))]
    return bool(restricted(store, wanted))


def add_grant(store: Store, username: str, resource: str, *, reason: str, by: str,
              at: datetime) -> Grant:
    """Let one user open one restricted resource."""
    check_resource(resource)
    with store.begin() as conn:
        _get(conn, username)
        conn.execute(insert(grants).values(username=username, resource=resource,
                                           reason=reason, granted_by=by, granted_at=at))
    return Grant(username, resource, reason, by, at)


def grants_of(store: Store, username: str) -> frozenset[str]:
    """The resources the user holds a live grant for."""
    with store.connect() as conn:
        return frozenset(conn.execute(select(grants.c.resource).where(
            grants.c.username == username, grants.c.revoked_at.is_(None))).scalars())
