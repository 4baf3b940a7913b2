"""Periods reports cover: whole UTC days, the last one included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

# Days a report may start or end on: no event is older, and the day after the last must exist too.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9999, 12, 30)


class PeriodError(ValueError):
    """A period no report can cover; `field` is "from", "to" or "period"."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @classmethod
    def of(cls, first: date | None, last: date | None, default_days: int = 30, max_days: int | None = None) -> Period:
        """Days `first` to `last`, both included (default: the `default_days` days ending today).

        Raises PeriodError for a day before FIRST_DAY or after LAST_DAY, `first` after `last`, or a
        period longer than `max_days`.
        """
        for name, day in (("from", first), ("to", last)):
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise PeriodError(name, f"'{name}' must be a day from {FIRST_DAY} to {LAST_DAY}, not {day}")
        last = last or datetime.now(UTC).date()
        first = first or max(last - timedelta(days=default_days - 1), FIRST_DAY)
        if first > last:
            raise PeriodError("from", "'from' is after 'to' (which is today when not given)")
        period = cls(datetime.combine(first, time(), UTC), datetime.combine(last + timedelta(days=1), time(), UTC))
        if max_days is not None and period.days > max_days:
            raise PeriodError("period", f"a period of at most {max_days} days, not {period.days}")
        return period
