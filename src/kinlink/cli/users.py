"""`kinlink users`: local accounts, API tokens, restricted records and grants."""

from __future__ import annotations

import os

import typer
from rich.table import Table

from kinlink.cli.common import console, core, err_console
from kinlink.core import Role

users_app = typer.Typer(help="Local user accounts (administrators), restricted records and "
                        "grants (team managers and administrators).", no_args_is_help=True)

PASSWORD_ENV = "KINLINK_NEW_PASSWORD"


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="The username (lower-case letters, digits, . _ -)."),
    role: str = typer.Option(..., "--role", help=", ".join(r.value for r in Role) + "."),
    agency: str | None = typer.Option(None, "--agency", help="The agency the user works for "
                                      "(required for police officers, social workers and "
                                      "data-quality officers)."),
    token: bool = typer.Option(False, "--token", help="Also issue an API token, printed once."),
    password: bool = typer.Option(False, "--password", help="Ask for a password (or take it "
                                  f"from {PASSWORD_ENV}); without it the user signs in "
                                  "only by token."),
) -> None:
    """Add a local user."""
    secret = None
    if password:
        secret = os.environ.get(PASSWORD_ENV) or typer.prompt(
            "Password", hide_input=True, confirmation_prompt=True)
    kl, actor = core()
    added = kl.users.add(actor, name, role=role, agency=agency, password=secret, token=token)
    console.print(f"Added {added.account.username} ({added.account.role}"
                  + (f", {added.account.agency}" if added.account.agency else "") + ").",
                  highlight=False)
    if added.token:
        _print_token(added.token)


def _print_token(token: str) -> None:
    err_console.print("API token (shown only now; send it as `Authorization: Bearer TOKEN`):",
                      highlight=False)
    typer.echo(token)


@users_app.command("token")
def new_token(name: str = typer.Argument(..., help="The user.")) -> None:
    """Issue another API token for a user, printed once."""
    kl, actor = core()
    _print_token(kl.users.issue_token(actor, name))


@users_app.command("list")
def list_command() -> None:
    """Every user: role, agency, whether disabled or locked."""
    kl, actor = core()
    table = Table("user", "role", "agency", "password", "state", "added", "by")
    for a in kl.users.list(actor):
        state = "disabled" if a.disabled else (
            f"locked until {a.locked_until:%Y-%m-%d %H:%M} UTC" if a.locked_until else "active")
        table.add_row(a.username, a.role, a.agency or "", "yes" if a.has_password else "no",
                      state, f"{a.created_at:%Y-%m-%d}", a.created_by)
    console.print(table)


@users_app.command("disable")
def disable(name: str = typer.Argument(..., help="The user.")) -> None:
    """Stop a user signing in; their API tokens are revoked. The user is kept (the audit
    log names them)."""
    kl, actor = core()
    kl.users.disable(actor, name)
    console.print(f"Disabled {name}; their tokens are revoked.", highlight=False)


REASON = typer.Option(..., "--reason", help="Why (kept in the audit log).")


@users_app.command("restrict")
def restrict(
    resource: str = typer.Argument(..., help="person:P0000001 or record:AGENCY:RECORD_ID."),
    reason: str = REASON,
) -> None:
    """Restrict a person or record: it opens only for users granted it, who give a reason."""
    kl, actor = core()
    kl.users.restrict(actor, resource, reason=reason)
    console.print(f"{resource} is restricted.", highlight=False)


@users_app.command("grant")
def grant(
    name: str = typer.Argument(..., help="The user."),
    resource: str = typer.Argument(..., help="person:P0000001 or record:AGENCY:RECORD_ID."),
    reason: str = REASON,
) -> None:
    """Let a user open one restricted person or record."""
    kl, actor = core()
    kl.users.grant(actor, name, resource, reason=reason)
    console.print(f"{name} may open {resource}.", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the `users` group."""
    app.add_typer(users_app, name="users")
