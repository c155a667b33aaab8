"""Graph Model for Conflict Resolution: feasible states, moves, preferences and stability."""

from accord.gmcr.model import GMCRModel, build_explicit_model, build_option_model
from accord.gmcr.moves import Moves
from accord.gmcr.option_moves import OptionMoves
from accord.gmcr.stability import CONCEPTS, StabilityResult, analyse_stability

__all__ = [
    "CONCEPTS",
    "GMCRModel",
    "Moves",
    "OptionMoves",
    "StabilityResult",
    "analyse_stability",
    "build_explicit_model",
    "build_option_model",
]
