"""`kinlink db`: the store's schema, changed only by `kinlink db upgrade`."""

from __future__ import annotations

import typer

from kinlink.cli.common import console
from kinlink.config import get_settings
from kinlink.core import Kinlink

db_app = typer.Typer(help="The store's schema: every other command needs it up to date.",
                     no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Create the store's tables, or bring them to the newest schema (administrators; on a
    new store, the built-in administrator)."""
    kl = Kinlink.open(get_settings(), check_schema=False)
    changed = kl.db.upgrade(kl.auth.cli_actor())
    console.print(f"The store at {kl.store.safe_url} "
                  + ("is now at the newest schema." if changed else "was already up to date."),
                  highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the `db` group."""
    app.add_typer(db_app, name="db")
