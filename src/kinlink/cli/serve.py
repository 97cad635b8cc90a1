"""`kinlink serve`: the web app and REST API, with uvicorn."""

from __future__ import annotations

import typer

from kinlink.cli.common import console


def register(app: typer.Typer) -> None:
    """Add the `serve` command."""
    app.command("serve")(serve)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; keep the "
                             "default behind a reverse proxy on the same machine."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes (each opens "
                                "its own connections to the store)."),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1", "--forwarded-allow-ips", help="Proxies trusted to say the original "
        "scheme and client (X-Forwarded-Proto/For): the TLS proxy's address. With "
        "X-Forwarded-Proto: https the session cookie is marked Secure."),
) -> None:
    """Start the web app on the store KINLINK_DATABASE_URL / KINLINK_HOME names (sign in
    with an account made by `kinlink users add`; docs/web.md says how to run it behind a
    reverse proxy with TLS)."""
    import uvicorn  # imported here: every other command starts faster without it

    from kinlink.config import get_settings
    from kinlink.core import Kinlink

    Kinlink.open(get_settings()).close()  # an unusable store fails here, in one line
    console.print(f"Kinlink web app on http://{host}:{port}/ (Ctrl+C to stop)")
    uvicorn.run("kinlink.web.app:create_app_from_environment", factory=True, host=host,
                port=port, workers=workers, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips, server_header=False,
                log_level="warning",
                # A worker imports the whole library before it answers its first health
                # check; on a busy machine that takes longer than uvicorn's 5 s default.
                timeout_worker_healthcheck=120)
