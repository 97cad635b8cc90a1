"""The app factory: `create_app(settings)` builds the FastAPI app over one core.

Pages (`views/`) and the JSON API (`api/`) are routers; each route takes the signed-in actor
(`auth.CurrentActor`), calls the core and renders or returns what it gives. The OpenAPI
schema is served at /openapi.json without sign-in (it holds no data); the interactive docs
pages are off, since they would load scripts from a CDN.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kinlink import __version__
from kinlink.config import Settings, get_settings
from kinlink.core import Kinlink
from kinlink.web import errors
from kinlink.web.security import SecurityHeaders

# Each module defines `router`; the API first, so /api/ paths never reach a page.
ROUTERS: tuple[str, ...] = (
    "kinlink.web.api.persons",
    "kinlink.web.api.work",
    "kinlink.web.views.account",
    "kinlink.web.views.persons",
    "kinlink.web.views.review",
    "kinlink.web.views.alerts",
    "kinlink.web.views.queue",
    "kinlink.web.views.quality",
    "kinlink.web.views.new_record",
)


def create_app(settings: Settings | None = None, *, core: Kinlink | None = None) -> FastAPI:
    """The web app on the store the settings name (or on an open core)."""
    core = core or Kinlink.open(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        core.close()

    app = FastAPI(title="Kinlink", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  description="Multi-agency record linkage and child-safeguarding networks. "
                  "Every /api/ path needs a signed-in session (with its CSRF token on "
                  "changes) or `Authorization: Bearer TOKEN` (`kinlink users add NAME "
                  "--token`).")
    app.state.core = core
    app.add_middleware(SecurityHeaders)
    errors.install(app)
    app.mount("/static", StaticFiles(packages=[("kinlink.web", "static")]), name="static")
    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
    return app


def create_app_from_environment() -> FastAPI:
    """The app on the store KINLINK_* names: the factory `kinlink serve` gives uvicorn."""
    return create_app(get_settings())
