"""``accord serve``: open a case in the browser as an interactive workbench (see docs/workbench.md)."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Optional

import typer

from accord.errors import InputError


def check_port(host: str, port: int) -> None:
    """:class:`InputError` naming the address when it cannot be bound (taken, or not an address of this machine)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise InputError(f"unknown host {host!r}", field="--host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            why = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            raise InputError(f"port {port} on {host} {why}; pick another with --port", field="--port") from None


def serve_cmd(
    case: Optional[str] = typer.Argument(None, help="Case folder or bundled case name (default: the bundled default case)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this machine only)."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    out: Path = typer.Option(Path("accord-out"), "--out", "-o", help="Folder for saved variants, scenario files and runs."),
) -> None:
    """Open a case as a local web workbench: edit positions, see forecasts move, save variants."""
    if not 0 < port < 65536:
        raise InputError("must be from 1 to 65535", field="--port")
    import uvicorn

    from accord.serve.app import create_app
    from accord.serve.workbench import Workbench

    bench = Workbench.open(case, out)
    check_port(host, port)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"accord workbench for {bench.case.name} at http://{shown}:{port}/  (Ctrl+C stops it)")
    # Idle connections are kept 30 s (uvicorn's default is 5 s): a browser or script reusing one
    # just as the server drops it would see the request fail.
    uvicorn.run(create_app(bench), host=host, port=port, log_level="warning", access_log=False, timeout_keep_alive=30)


def register(app: typer.Typer) -> None:
    """Add ``serve``."""
    app.command("serve")(serve_cmd)
