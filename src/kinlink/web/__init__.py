"""The practitioners' web app and REST API: a thin adapter over the application core.

    from kinlink.web import create_app
    app = create_app(settings)        # a FastAPI app; `kinlink serve` runs it with uvicorn

Pages live in `views/`, the JSON API under `/api/` in `api/`; both only translate HTTP to
calls of `kinlink.core.Kinlink` (which authorises and logs every call) and back.
"""

from kinlink.web.app import create_app

__all__ = ["create_app"]
