"""Jinja2 pages: one environment, and `render` filling in what every page needs.

Every page gets `static()` (a static file's URL), the signed-in `actor`, the menu `nav` that
actor may use, and `csrf` (the session's CSRF token, for forms and htmx calls).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kinlink import __version__


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("kinlink.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["static"] = static
    env.filters["percent"] = lambda v: f"{v:.0%}"
    env.filters["thousands"] = lambda v: f"{v:,}"
    return env


def static(path: str) -> str:
    """URL of a file under web/static, with the version so a new release is fetched anew."""
    return f"/static/{path}?v={__version__}"


def render(request: Request, name: str, *, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """The template filled in, with the request's actor, menu and CSRF token."""
    state = request.state
    page = {"request": request, "actor": getattr(state, "actor", None),
            "csrf": getattr(state, "csrf", None), "nav": getattr(state, "nav", ()),
            "title": "", **context}
    html = environment().get_template(name).render(page)
    return HTMLResponse(html, status_code=status_code)
