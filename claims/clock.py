"""The business clock: naive Beijing time, the zone every stored time is in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Returns the current Beijing time without tzinfo (as stored in the database)."""
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)
