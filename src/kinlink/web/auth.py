"""Who is calling: a browser session (cookie + CSRF token) or a program (bearer token).

Accounts, passwords, sessions and tokens live in the core (`kl.auth`); this module only
reads the credentials off the request and asks the core who they belong to. A route takes
`CurrentActor`; a page that needs no sign-in simply does not.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from kinlink.core import Action, Actor, Kinlink
from kinlink.core.permissions import MATRIX
from kinlink.errors import KinlinkError
from kinlink.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    csrf_token,
    csrf_valid,
)

# The menu: each page with the action that decides whether a role may use it.
MENU: tuple[tuple[str, str, Action], ...] = (
    ("/search", "Search", Action.PERSONS_SEARCH),
    ("/alerts", "Alerts", Action.ALERTS_LIST),
    ("/queue", "Waiting queue", Action.TIMELINESS_QUEUE),
    ("/review", "Duplicates", Action.REVIEW_LIST),
    ("/quality", "Data quality", Action.QUALITY_FINDINGS),
    ("/new-record", "New record", Action.RESOLUTION_MATCH),
)


class NotSignedIn(KinlinkError):
    """No valid session or token came with a request that needs one."""


class CsrfRejected(KinlinkError):
    """A state-changing request from a browser came without its session's CSRF token."""


def menu_for(actor: Actor) -> list[tuple[str, str]]:
    """The pages of the menu this actor's role may use (the core still checks each call)."""
    return [(href, label) for href, label, action in MENU if actor.role in MATRIX[action]]


async def _sent_csrf(request: Request) -> str | None:
    """The CSRF token a state-changing request carries, in its header or form."""
    if request.method in SAFE_METHODS:
        return None
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent


def core_of(request: Request) -> Kinlink:
    """The app's core (typed, so that routes are checked against the core's signatures)."""
    core: Kinlink = request.app.state.core
    return core


def current_actor(request: Request,
                  sent_csrf: Annotated[str | None, Depends(_sent_csrf)]) -> Actor:
    """The signed-in actor; raises NotSignedIn (401) or CsrfRejected (403)."""
    core = core_of(request)
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        actor: Actor = core.auth.token(authorization[7:].strip())
        request.state.actor = actor
        return actor
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        raise NotSignedIn("sign in to continue")
    actor = core.auth.session(session)
    request.state.actor = actor
    request.state.csrf = csrf_token(session)
    request.state.nav = menu_for(actor)
    if request.method not in SAFE_METHODS and not csrf_valid(session, sent_csrf):
        raise CsrfRejected("the form has expired or came from another site: go back, "
                           "reload the page and try again")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def sign_in_url(request: Request) -> str:
    """The sign-in page, coming back to this page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/sign-in?next={quote(here, safe='')}"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path on this site (never //other.site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/search"
