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

from fastapi import Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class SecurityHeaders:
    """Adds `HEADERS` to every response, and no-store to every page that shows data.

    A plain ASGI middleware: Starlette's `BaseHTTPMiddleware` runs the app in a task of
    its own and streams the answer through it, which cost every request more than adding
    a few headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Pages and API answers hold personal data: never kept by a shared cache.
        extra = dict(HEADERS) if scope["path"].startswith("/static/") else {
            **HEADERS, "Cache-Control": "no-store"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
