"""The ``accord`` command line: a thin layer over the Python API."""

from __future__ import annotations

import importlib
import sys

import typer

from accord.cli.common import backtest_app
from accord.errors import AccordError

app = typer.Typer(
    name="accord",
    help="Turn news about a multi-party negotiation into cited positions and forecasts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module defines ``register(app)`` adding its commands.
COMMAND_MODULES = (
    "accord.cli.scenario_cmds",   # validate, forecast, convert
    "accord.cli.backtest_cmds",   # backtest deu / ukraine
    "accord.cli.run_cmd",         # run
    "accord.cli.simulate_cmds",   # simulate, sensitivity
    "accord.cli.packages_cmds",   # packages, gmcr
    "accord.cli.evidence_cmds",   # ingest, evidence, suggest, eval
)

app.add_typer(backtest_app, name="backtest")

for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a command group not installed in this build
        if exc.name != _name:
            raise
        continue
    _module.register(app)


def main() -> None:
    """Entry point of the console script: user errors become one line and exit status 2."""
    try:
        app(standalone_mode=False)
    except AccordError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
        raise


if __name__ == "__main__":
    main()
