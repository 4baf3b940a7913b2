"""Calendar intervals such as `180d`, `12w`, `6m` or `1y`, used for review intervals and `--since`."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_PATTERN = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")


@dataclass(frozen=True)
class Interval:
    days: int = 0
    months: int = 0
    text: str = ""

    def after(self, start: date) -> date:
        return _add_months(start, self.months) + timedelta(days=self.days)

    def before(self, end: date) -> date:
        return _add_months(end, -self.months) - timedelta(days=self.days)

    def __str__(self) -> str:
        return self.text


def parse_interval(text: object) -> Interval:
    """Parse `30d`, `4w`, `6m`, `1y`; raise ValueError with the accepted forms otherwise."""
    match = _PATTERN.match(str(text)) if isinstance(text, str | int) else None
    if not match:
        raise ValueError(f"{text!r} is not an interval; write a number and a unit: 30d, 8w, 6m or 1y")
    number, unit = int(match.group(1)), match.group(2)
    normal = f"{number}{unit}"
    if unit == "d":
        return Interval(days=number, text=normal)
    if unit == "w":
        return Interval(days=7 * number, text=normal)
    if unit == "m":
        return Interval(months=number, text=normal)
    return Interval(months=12 * number, text=normal)


def _add_months(start: date, months: int) -> date:
    if not months:
        return start
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)
