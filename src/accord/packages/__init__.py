"""Multi-issue package deals: additive utilities, Pareto frontiers, bargaining points and ratification (docs/methods/packages.md)."""

from accord.packages.analysis import analyse_packages
from accord.packages.pareto import (
    Frontier,
    frontier,
    frontier_additive,
    frontier_enumerated,
    pareto_mask,
)
from accord.packages.space import PackageModel

__all__ = [
    "Frontier",
    "PackageModel",
    "analyse_packages",
    "frontier",
    "frontier_additive",
    "frontier_enumerated",
    "pareto_mask",
]
