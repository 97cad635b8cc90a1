"""What keeps the pages safe in a browser: headers, the session cookie and CSRF tokens.

- Every response carries a Content-Security-Policy naming no origin but our own (no CDN, no
  inline script), refuses framing, sends no referrer and forbids MIME sniffing. HSTS is left
  to the TLS-terminating proxy (docs/web.md), which alone knows that the site is on HTTPS.
- The session cookie is HttpOnly and SameSite=Lax, and Secure whenever the request came over
  HTTPS (directly, or through a proxy uvicorn trusts with --proxy-headers).
- CSRF: every form and state-changing call carries a token bound to the session: a digest
  of the session token, which a page of another site can neither read nor compute. Calls
  authenticated by `Authorization: Bearer` carry no cookie a browser would add by itself,
  so they need none.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from starlette.middleware.base import BaseHTTPMiddleware

SESSION_COOKIE = "kinlink_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Cytoscape adds one <style> rule to the page (its container's position); allowed by hash so
# that no other inline style is.
_CYTOSCAPE_STYLE = "'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='"
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    f"style-src 'self' {_CYTOSCAPE_STYLE}",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders(BaseHTTPMiddleware):
    """Adds `HEADERS` to every response, and no-store to every page that shows data."""

    async def dispatch(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            # Pages and API answers hold personal data: never kept by a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session."""
    return hashlib.sha256(f"kinlink-csrf:{session_token}".encode()).hexdigest()


def csrf_valid(session_token: str, sent: str | None) -> bool:
    """Whether `sent` is the session's CSRF token (compared in constant time)."""
    return bool(sent) and hmac.compare_digest(csrf_token(session_token), sent or "")


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """Give the browser its session cookie (Secure when the request came over HTTPS)."""
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax",
                           secure=request.url.scheme == "https", path="/")
