"""accord: from news about a multi-party negotiation to cited positions and forecasts."""

from __future__ import annotations

__version__ = "0.1.0"
