"""Multi-issue package deals: additive utilities, Pareto frontiers, bargaining points and ratification."""

from accord.packages.analysis import analyse_packages
from accord.packages.pareto import Frontier, frontier, frontier_additive, frontier_enumerated, pareto_mask
from accord.packages.space import PackageModel

__all__ = [
    "Frontier",
    "PackageModel",
    "analyse_case",
    "analyse_packages",
    "frontier",
    "frontier_additive",
    "frontier_enumerated",
    "pareto_mask",
]


def __getattr__(name: str):  # analyse_case pulls in accord.gmcr, which uses accord.packages.yamlsrc
    if name == "analyse_case":
        from accord.packages.case import analyse_case

        return analyse_case
    raise AttributeError(name)
