"""Loader for the LLM-Deliberation scorable games (docs/methods/packages.md §7)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from accord.errors import InputError
from accord.io import read_text
from accord.packages.space import PackageModel, issue_letter


@dataclass(frozen=True)
class ScorableGame:
    """A scorable game: the package model (raw scores, thresholds as r) plus roles and initial deal."""

    model: PackageModel
    roles: tuple[str, ...]
    veto: tuple[str, ...]
    initial_deal: np.ndarray | None
    folder: str


def _ints(line: str, path: Path, lineno: int, field: str) -> list[int]:
    try:
        return [int(x.strip()) for x in line.split(",") if x.strip() != ""]
    except ValueError:
        raise InputError(f"expected comma-separated integers, got {line.strip()!r}", file=str(path), line=lineno, field=field) from None


def load_scorable_game(folder: str | Path) -> ScorableGame:
    """Read ``config.txt``, ``scores_files/<stem>.txt`` and ``initial_deal.txt`` of one game folder."""
    root = Path(folder)
    cfg = root / "config.txt"
    if not cfg.is_file():
        raise InputError("config.txt not found", file=str(root))
    names, stems, roles = [], [], []
    for no, line in enumerate(read_text(cfg).splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 5:
            raise InputError(f"expected 5 comma-separated fields, got {len(parts)}", file=str(cfg), line=no, field="config")
        if parts[2] not in {"p1", "p2", "player"}:
            raise InputError(f"role must be p1, p2 or player, got {parts[2]!r}", file=str(cfg), line=no, field="role")
        names.append(parts[0])
        stems.append(parts[1])
        roles.append(parts[2])
    if len(stems) < 2:
        raise InputError("a scorable game needs at least two parties", file=str(cfg))
    per_party: list[list[list[int]]] = []
    thresholds = []
    for stem in stems:
        path = root / "scores_files" / f"{stem}.txt"
        if not path.is_file():
            raise InputError("scores file not found", file=str(path), field=stem)
        lines = [(no, ln) for no, ln in enumerate(read_text(path).splitlines(), start=1) if ln.strip()]
        if len(lines) < 2:
            raise InputError("needs at least one issue line and a threshold line", file=str(path))
        rows = [_ints(ln, path, no, f"issue {issue_letter(i)}") for i, (no, ln) in enumerate(lines[:-1])]
        thr = _ints(lines[-1][1], path, lines[-1][0], "threshold")
        if len(thr) != 1:
            raise InputError("the last line must hold one threshold", file=str(path), line=lines[-1][0], field="threshold")
        per_party.append(rows)
        thresholds.append(thr[0])
    shapes = {tuple(len(r) for r in rows) for rows in per_party}
    if len(shapes) != 1:
        raise InputError("score files disagree on the number of issues or options", file=str(root / "scores_files"))
    sizes = shapes.pop()
    tables = tuple(np.array([rows[k] for rows in per_party], dtype=np.int64) for k in range(len(sizes)))
    options = tuple(tuple(f"{issue_letter(k)}{o + 1}" for o in range(m)) for k, m in enumerate(sizes))
    model = PackageModel(
        parties=tuple(stems), issues=tuple(issue_letter(k) for k in range(len(sizes))), options=options,
        tables=tables, reservation=np.array(thresholds, dtype=float), party_names=tuple(names),
        meta={"source": str(root), "kind": "scorable"},
    )
    deal = None
    init = root / "initial_deal.txt"
    if init.is_file() and init.read_bytes().strip():
        label = read_text(init).strip()
        try:
            deal = model.parse_label(label)
        except Exception as exc:  # noqa: BLE001 - report as input error
            raise InputError(str(exc), file=str(init), field="initial_deal") from None
    veto = tuple(s for s, r in zip(stems, roles) if r in {"p1", "p2"})
    return ScorableGame(model=model, roles=tuple(roles), veto=veto, initial_deal=deal, folder=str(root))
