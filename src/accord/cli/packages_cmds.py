"""``accord packages`` and ``accord gmcr``: package-deal analysis and graph-model stability."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer

from accord.cli.common import OutputFormat, emit
from accord.errors import InputError
from accord.io import json_value


def _summary_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"quantity": "packages", "value": str(result["n_packages"])}, {"quantity": "method", "value": result["method"]}]
    for key in ("acceptable_count", "strictly_acceptable_count", "any_acceptable_to_all", "pareto_count", "pareto_acceptable_count", "passing_count"):
        if key in result:
            rows.append({"quantity": key, "value": str(result[key])})
    for name, sol in result.get("solutions", {}).items():
        rows.append({"quantity": name, "value": sol.get("label") or f"none ({sol.get('reason')})"})
    rat = result.get("ratification", {})
    for side, size in rat.get("win_set_sizes", {}).items():
        rows.append({"quantity": f"win-set {side}", "value": str(size)})
    if "zopa2_count" in rat:
        rows.append({"quantity": "zopa2_count", "value": str(rat["zopa2_count"])})
    for side, stages in result.get("stages", {}).items():
        for stage in stages:
            rows.append({"quantity": f"{side}: {stage['stage']}", "value": f"{stage['passing_count']} of {stage['n_packages']} pass (p ≥ 0.5)"})
    for name, sol in rat.get("solutions_on_zopa2", {}).items():
        rows.append({"quantity": f"{name} (ratified)", "value": sol.get("label") or f"none ({sol.get('reason')})"})
    for name, rec in result.get("named_packages", {}).items():
        rows.append({"quantity": f"package {name}", "value": f"{rec['label']} acceptable to {', '.join(rec['acceptable_to']) or 'nobody'}"})
    for w in result.get("warnings", []):
        rows.append({"quantity": "warning", "value": w})
    return rows + _legend_rows(result)


def _legend_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """What the package codes mean: one row per issue, ``A: issue`` → ``A1 = option · A2 = option ...``."""
    from accord.packages.space import issue_letter

    return [{"quantity": f"code {issue_letter(k)}: {issue}",
             "value": " · ".join(f"{issue_letter(k)}{n + 1} = {option}" for n, option in enumerate(options))}
            for k, (issue, options) in enumerate(result.get("issues", {}).items())]


def packages_command(
    file: Path = typer.Argument(..., help="Package model YAML, or a scorable-game folder (config.txt + scores_files/)."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json (json: full analysis)."),
    max_enumerate: int = typer.Option(10**6, help="Enumerate exactly up to this many packages; above it use the additive frontier."),
    epsilon: Optional[float] = typer.Option(None, help="ε-pruning tolerance for large spaces (approximate frontier)."),
    strict: bool = typer.Option(False, help="Scorable games: accept only scores strictly above the threshold."),
) -> None:
    """Analyse a package space: acceptable set, Pareto frontier, bargaining points, ZOPA and ratification."""
    from accord.cases.analysis import package_analysis
    from accord.packages.analysis import analyse_packages
    from accord.packages.ratification import Context, Ratifier, game_rule_body, win_sets
    from accord.packages.scorable import load_scorable_game

    if not file.exists():
        raise InputError("file not found", file=str(file))
    if file.is_dir():
        game = load_scorable_game(file)
        model = game.model
        result = analyse_packages(model, max_enumerate=max_enumerate, epsilon=epsilon)
        if model.n_packages <= max_enumerate:
            ws = win_sets([Ratifier("game", (game_rule_body(model, game.veto, strict=strict),))], Context.of(model))
            result["passing_count"] = int(ws.member[0].sum())
            result["rule"] = f"n-1 incl {{{','.join(game.veto)}}}" + (" (strict)" if strict else "")
        result["warnings"] = []
    else:
        result = package_analysis(file, max_enumerate=max_enumerate, epsilon=epsilon)
    if format is OutputFormat.json:
        typer.echo(json.dumps(result, indent=2, default=json_value))
        return
    emit(_summary_rows(result), format, title=f"packages: {file}")


def gmcr_command(
    file: Path = typer.Argument(..., help="Graph model YAML (option form or explicit states)."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json."),
    states: bool = typer.Option(False, "--states", help="One row per state (stability per DM and concept) instead of equilibria."),
) -> None:
    """Stability analysis of a graph model: Nash, GMR, SMR and SEQ equilibria."""
    from accord.gmcr.io import load_gmcr, stability_rows
    from accord.gmcr.stability import CONCEPTS, analyse_stability

    model = load_gmcr(file)
    res = analyse_stability(model)
    if states:
        rows = stability_rows(model, res)
    else:
        shown = TABLE_EQUILIBRIA if format == OutputFormat.table else None
        rows = [_equilibrium_row(model, c, res.equilibrium_ids(c), shown) for c in CONCEPTS]
    emit(rows, format, title=f"gmcr: {model.name or file} ({model.n_states} states, DMs: {', '.join(model.dms)})")


#: Equilibria listed per concept in the terminal table; csv and json list all of them.
TABLE_EQUILIBRIA = 20


def _equilibrium_row(model, concept: str, ids: list[int], shown: int | None) -> dict:
    """One concept's equilibria: their count, ids and labels (the first ``shown`` of them, if given)."""
    listed = ids if shown is None else ids[:shown]
    more = f" … and {len(ids) - len(listed):,} more" if len(listed) < len(ids) else ""
    return {
        "concept": concept,
        "count": len(ids),
        "equilibria": (" ".join(str(i) for i in listed) + more) or "none",
        "states": ("; ".join(model.state_label(i - 1) for i in listed) + more) or "none",
    }


def register(app: typer.Typer) -> None:
    """Add ``packages`` and ``gmcr`` to the accord command line."""
    app.command("packages")(packages_command)
    app.command("gmcr")(gmcr_command)
