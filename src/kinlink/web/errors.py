"""One place that turns errors into answers: an HTML page for a person, JSON for a program.

Domain and core code raise `KinlinkError` subclasses and never know about HTTP; this module
gives each a status. The answer is always one line of text, never a stack trace: anything
unexpected is logged on the server with its traceback and shown as a plain 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException

from kinlink import errors
from kinlink.web.auth import CsrfRejected, NotSignedIn, sign_in_url

log = logging.getLogger("kinlink.web")

# Most specific first: the first class an error is an instance of gives its status.
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (NotSignedIn, 401),
    (errors.AuthenticationError, 401),
    (CsrfRejected, 403),
    (errors.Forbidden, 403),
    (errors.NotFoundError, 404),
    (errors.InputError, 400),
    (errors.StoreError, 503),
    (errors.KinlinkError, 400),
)
TITLES = {400: "The request could not be used", 401: "Sign in to continue",
          403: "You cannot see this page", 404: "Page not found",
          405: "Not allowed here", 409: "Someone changed this first",
          422: "The request could not be used", 429: "Too many attempts",
          500: "Sorry, there is a problem with the service",
          503: "Sorry, the service is unavailable"}


def status_of(error: Exception) -> int:
    """The HTTP status that fits a Kinlink error."""
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 500


def wants_json(request: Request) -> bool:
    """API paths answer in JSON; so does any request that asks for JSON and not HTML."""
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept)


def error_response(request: Request, status: int, message: str) -> Response:
    """The error as JSON `{"error": message}` or as an HTML page."""
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    from kinlink.web.templating import render  # the templates need the app's state

    return render(request, "error.html", status_code=status,
                  title=TITLES.get(status, "Something went wrong"), message=message,
                  status=status)


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(errors.KinlinkError)
    async def kinlink_error(request: Request, error: Exception) -> Response:
        status = status_of(error)
        if status == 401 and not wants_json(request):  # a person: to the sign-in page
            return RedirectResponse(sign_in_url(request), status_code=303)
        return error_response(request, status, _one_line(str(error)))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        response = error_response(request, error.status_code, _one_line(str(error.detail)))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return error_response(request, 422, _validation_message(error))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "something went wrong; it has been logged")


def _validation_message(error: RequestValidationError) -> str:
    """The first problem pydantic found, as 'field: message'."""
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
    message = first.get("msg", "invalid request")
    return _one_line(f"{where}: {message}" if where else message)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500] or "error"
