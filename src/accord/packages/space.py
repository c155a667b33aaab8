"""The package space: issues with discrete options and each party's additive utility."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from accord.errors import ModelError


def issue_letter(k: int) -> str:
    """Display letter of the k-th issue (0-based): A..Z, then AA, AB, ..."""
    letters = ""
    k += 1
    while k > 0:
        k, rem = divmod(k - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


@dataclass(frozen=True)
class PackageModel:
    """Parties, issues with options, and per-issue utility contributions.

    ``tables[k]`` has shape ``(n_parties, n_options_k)``: party i's contribution
    ``ω_ik · v_ik(o)`` to its additive utility when issue k takes option o (raw
    scores for scorable games). ``reservation[i]`` is r_i; a defaulted entry is the
    minimum utility over the space (flagged in ``reservation_defaulted``).
    Package identity is the tuple of option indices; its flat index is the
    mixed-radix number with the first issue most significant.
    """

    parties: tuple[str, ...]
    issues: tuple[str, ...]
    options: tuple[tuple[str, ...], ...]
    tables: tuple[np.ndarray, ...]
    reservation: np.ndarray
    reservation_defaulted: tuple[bool, ...] = ()
    party_names: tuple[str, ...] = ()
    issue_titles: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.parties)
        if n < 1:
            raise ModelError("a package model needs at least one party")
        if len(set(self.parties)) != n:
            raise ModelError("party ids must be unique")
        if len(self.issues) != len(self.options) or len(self.issues) != len(self.tables):
            raise ModelError("issues, options and utility tables must have the same length")
        tables = []
        for k, (opts, tab) in enumerate(zip(self.options, self.tables)):
            if len(opts) < 1:
                raise ModelError(f"issue {self.issues[k]} has no options")
            arr = np.asarray(tab)
            if arr.dtype.kind not in "iuf":
                arr = arr.astype(float)
            if arr.shape != (n, len(opts)):
                raise ModelError(
                    f"issue {self.issues[k]}: utility table has shape {arr.shape}, expected {(n, len(opts))}"
                )
            if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
                raise ModelError(f"issue {self.issues[k]}: utility table has a non-finite value")
            tables.append(arr)
        object.__setattr__(self, "tables", tuple(tables))
        res = np.asarray(self.reservation, dtype=float)
        if res.shape != (n,) or not np.all(np.isfinite(res)):
            raise ModelError(f"reservation values must be {n} finite numbers")
        object.__setattr__(self, "reservation", res)
        if not self.reservation_defaulted:
            object.__setattr__(self, "reservation_defaulted", (False,) * n)
        if not self.party_names:
            object.__setattr__(self, "party_names", tuple(self.parties))
        if not self.issue_titles:
            object.__setattr__(self, "issue_titles", tuple(self.issues))

    # -- shape -------------------------------------------------------------
    @property
    def n_parties(self) -> int:
        """Number of parties."""
        return len(self.parties)

    @property
    def radix(self) -> np.ndarray:
        """Number of options per issue."""
        return np.array([len(o) for o in self.options], dtype=np.int64)

    @property
    def n_packages(self) -> int:
        """Size of the outcome space (Python int: may exceed 2**63)."""
        total = 1
        for o in self.options:
            total *= len(o)
        return total

    def party_index(self, party: str) -> int:
        """Position of a party id."""
        try:
            return self.parties.index(party)
        except ValueError:
            raise ModelError(f"unknown party {party!r}; known: {', '.join(self.parties)}") from None

    # -- package identity ----------------------------------------------------
    def choices(self, index: np.ndarray | int) -> np.ndarray:
        """Option indices (one column per issue) of flat package indices."""
        idx = np.atleast_1d(np.asarray(index, dtype=np.int64))
        return np.stack(np.unravel_index(idx, tuple(self.radix)), axis=1).astype(np.int64)

    def flat_index(self, choices: np.ndarray | Sequence[int]) -> np.ndarray:
        """Flat indices of packages given as option-index rows."""
        arr = np.atleast_2d(np.asarray(choices, dtype=np.int64))
        return np.ravel_multi_index(tuple(arr.T), tuple(self.radix)).astype(np.int64)

    def label(self, choice: Sequence[int]) -> str:
        """Display label such as ``A1,B3,C2`` (issue letter + 1-based option)."""
        return ",".join(f"{issue_letter(k)}{int(c) + 1}" for k, c in enumerate(choice))

    def parse_label(self, label: str) -> np.ndarray:
        """Option indices of a label such as ``A1,B3``; every issue must appear once."""
        parts = [p.strip() for p in label.split(",") if p.strip()]
        choice = [-1] * len(self.issues)
        letters = {issue_letter(k): k for k in range(len(self.issues))}
        for p in parts:
            head = p.rstrip("0123456789")
            tail = p[len(head):]
            if head not in letters or not tail:
                raise ModelError(f"bad package label part {p!r}")
            k = letters[head]
            o = int(tail) - 1
            if not 0 <= o < len(self.options[k]):
                raise ModelError(f"option {p!r} out of range")
            choice[k] = o
        if -1 in choice:
            raise ModelError(f"package label {label!r} does not name every issue")
        return np.array(choice, dtype=np.int64)

    def describe(self, choice: Sequence[int]) -> dict[str, str]:
        """Issue id -> option name of one package."""
        return {self.issues[k]: self.options[k][int(c)] for k, c in enumerate(choice)}

    # -- utilities ------------------------------------------------------------
    def utilities_of(self, choices: np.ndarray) -> np.ndarray:
        """Utility matrix ``(packages, parties)`` of option-index rows."""
        ch = np.atleast_2d(np.asarray(choices, dtype=np.int64))
        dtype = np.result_type(*[t.dtype for t in self.tables])
        out = np.zeros((ch.shape[0], self.n_parties), dtype=dtype)
        for k, tab in enumerate(self.tables):
            out += tab[:, ch[:, k]].T
        return out

    def utility_matrix(self, max_packages: int = 10**7) -> np.ndarray:
        """Utilities of every package, rows in flat-index order (exact enumeration)."""
        total = self.n_packages
        if total > max_packages:
            raise ModelError(
                f"the package space has {total:.3g} packages, more than max_packages={max_packages}; "
                "use the additive frontier instead of enumeration"
            )
        cols = []
        for i in range(self.n_parties):
            u = np.zeros(1, dtype=self.tables[0].dtype) if self.tables else np.zeros(1)
            for tab in self.tables:
                u = np.add.outer(u, tab[i]).ravel()
            cols.append(u)
        return np.stack(cols, axis=1)

    def min_utility(self) -> np.ndarray:
        """Minimum utility of each party over the whole space (additivity)."""
        return np.array([sum(float(t[i].min()) for t in self.tables) for i in range(self.n_parties)])

    def max_utility(self) -> np.ndarray:
        """Maximum utility of each party over the whole space (additivity)."""
        return np.array([sum(float(t[i].max()) for t in self.tables) for i in range(self.n_parties)])

    def with_reservation(self, reservation: Sequence[float]) -> PackageModel:
        """A copy with other reservation values."""
        return PackageModel(
            parties=self.parties, issues=self.issues, options=self.options, tables=self.tables,
            reservation=np.asarray(reservation, dtype=float), reservation_defaulted=(False,) * self.n_parties,
            party_names=self.party_names, issue_titles=self.issue_titles, meta=dict(self.meta),
        )
