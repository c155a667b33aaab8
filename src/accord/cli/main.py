"""The ``accord`` command line: a thin layer over the Python API.

Each command module defines ``register(app)`` adding its commands; heavy imports stay
inside the command functions so that ``accord --help`` starts quickly.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

import typer

from accord.cli import (
    backtest_cmds,
    compare_cmds,
    events_cmd,
    evidence_cmds,
    export_cmds,
    levers_cmds,
    packages_cmds,
    run_cmd,
    runs_cmds,
    scenario_cmds,
    serve_cmd,
    simulate_cmds,
)
from accord.cli.common import backtest_app
from accord.errors import AccordError

app = typer.Typer(
    name="accord",
    help="Turn news about a multi-party negotiation into cited positions and forecasts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def accord_version() -> str:
    """The installed distribution's version, or ``unknown`` when run from a source tree."""
    try:
        return version("accord")
    except PackageNotFoundError:
        return "unknown"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"accord {accord_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print accord's version and exit."
    ),
) -> None:
    """Turn news about a multi-party negotiation into cited positions and forecasts."""


app.add_typer(backtest_app, name="backtest")
for _module in (scenario_cmds, backtest_cmds, run_cmd, simulate_cmds, packages_cmds, evidence_cmds, events_cmd, levers_cmds,
                serve_cmd):
    _module.register(app)
runs_cmds.register(app)
export_cmds.register(app)
compare_cmds.register(app)


# Typer up to 0.2x raises click's exception classes; later versions raise copies vendored
# inside typer. ``typer.BadParameter`` is public in both and derives from the usage-error
# and the base exception class of whichever copy is in use, so both are found through it.
def _base_named(name: str) -> type[Exception]:
    return next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == name)


CLICK_EXCEPTION = _base_named("ClickException")
USAGE_ERROR = _base_named("UsageError")
#: Raised by newer click/typer when a group is called without arguments (absent before).
NO_ARGS_IS_HELP = getattr(sys.modules[USAGE_ERROR.__module__], "NoArgsIsHelpError", None)


def _command_path(args: list[str]) -> str:
    """The command named by the leading arguments (for errors raised without a context)."""
    words = ["accord"]
    command = typer.main.get_command(app)
    for arg in args:
        command = getattr(command, "commands", {}).get(arg)
        if command is None:
            break
        words.append(arg)
    return " ".join(words)


def _usage_exit(exc: Exception) -> NoReturn:
    """Print a click/typer error as one line (plus a help hint for usage errors) and exit."""
    ctx = getattr(exc, "ctx", None)
    if NO_ARGS_IS_HELP is not None and isinstance(exc, NO_ARGS_IS_HELP) and ctx is not None:
        typer.echo(ctx.get_help())
        sys.exit(0)
    message = " ".join(exc.format_message().split())  # type: ignore[attr-defined]
    typer.echo(f"error: {message}", err=True)
    if isinstance(exc, USAGE_ERROR):
        command = ctx.command_path if ctx is not None else _command_path(sys.argv[1:])
        typer.echo(f"see '{command} --help'", err=True)
        sys.exit(2)
    sys.exit(getattr(exc, "exit_code", 1))


def os_error_line(exc: OSError) -> str:
    """An operating-system error as one line naming the path (``out: Not a directory``)."""
    where = exc.filename if exc.filename is not None else ""
    what = exc.strerror or type(exc).__name__
    return " ".join(f"{where}: {what}".split()) if where else what


def main() -> None:
    """Entry point of the console script: user errors become one line and exit status 2."""
    try:
        status = app(prog_name="accord", standalone_mode=False)
    except AccordError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except CLICK_EXCEPTION as exc:
        _usage_exit(exc)
    except OSError as exc:  # a path the user gave cannot be used: a file where a folder is needed, disk full, ...
        typer.echo(f"error: {os_error_line(exc)}", err=True)
        sys.exit(2)
    # Without standalone mode, ``typer.Exit`` (also from --help and --version) comes back
    # as the return value: an exit status.
    if isinstance(status, int):
        sys.exit(status)


if __name__ == "__main__":
    main()
