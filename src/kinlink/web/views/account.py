"""Signing in and out."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from kinlink.errors import AuthenticationError
from kinlink.web.auth import CsrfRejected, CurrentActor, core_of, safe_next
from kinlink.web.security import (
    SESSION_COOKIE,
    clear_session_cookie,
    csrf_token,
    csrf_valid,
    set_session_cookie,
)
from kinlink.web.templating import render

router = APIRouter(include_in_schema=False)

# Before sign-in there is no session to bind the form's CSRF token to: a short-lived
# random cookie stands in, so another site cannot sign a browser in as someone else.
SIGN_IN_COOKIE = "kinlink_sign_in"


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/search", status_code=303)


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> Response:
    nonce = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "sign_in.html", title="Sign in", next=safe_next(next),
                      username="", errors={}, form_csrf=csrf_token(nonce))
    response.set_cookie(SIGN_IN_COOKIE, nonce, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=3600)
    return response


@router.post("/sign-in")
def sign_in(request: Request, username: Annotated[str, Form()] = "",
            password: Annotated[str, Form()] = "", csrf_token_: Annotated[
                str, Form(alias="csrf_token")] = "",
            next: Annotated[str, Form()] = "/search") -> Response:
    nonce = request.cookies.get(SIGN_IN_COOKIE, "")
    if not nonce or not csrf_valid(nonce, csrf_token_):
        raise CsrfRejected("the sign-in form has expired: reload the page and try again")
    errors = {}
    if not username.strip():
        errors["username"] = "Enter your username"
    if not password:
        errors["password"] = "Enter your password"
    if not errors:
        try:
            signed_in = core_of(request).auth.sign_in(username.strip(), password)
        except AuthenticationError as refused:
            errors["username"] = f"Sign-in refused: {refused}"
        else:
            response = RedirectResponse(safe_next(next), status_code=303)
            set_session_cookie(response, request, signed_in.session_id)
            response.delete_cookie(SIGN_IN_COOKIE)
            return response
    return render(request, "sign_in.html", status_code=401 if "password" not in errors else 400,
                  title="Sign in", next=safe_next(next), username=username, errors=errors,
                  form_csrf=csrf_token(nonce))


@router.post("/sign-out")
def sign_out(request: Request, actor: CurrentActor) -> Response:
    core_of(request).auth.sign_out(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/sign-in", status_code=303)
    clear_session_cookie(response, request)
    return response
