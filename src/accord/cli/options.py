"""Option types reused by several commands."""

from __future__ import annotations

import datetime as dt

from accord.errors import InputError


def parse_date(value: str | None, option: str = "--as-of") -> dt.date | None:
    """An ISO date from the command line, or None."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not an ISO date (YYYY-MM-DD): {value!r}", field=option) from None
