"""Input rules that need the clock or the settings (pure functions, raising ApiError)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from .errors import ApiError


def check_batch_size(count: int, batch_max: int) -> None:
    if count > batch_max:
        raise ApiError(
            413, f"batch has {count} readings; INGEST_BATCH_MAX is {batch_max}: split it into smaller batches"
        )


def utc_stamps(stamps: Sequence[datetime]) -> list[datetime]:
    """The timestamps in UTC; one that cannot be expressed in UTC (year 1 or 9999 with an offset) is a 422."""
    try:
        return [ts.astimezone(UTC) for ts in stamps]
    except OverflowError:
        for index, ts in enumerate(stamps):
            try:
                ts.astimezone(UTC)
            except OverflowError:
                where = f"reading {index}" if len(stamps) > 1 else "reading"
                raise ApiError(422, f"{where}: ts {ts.isoformat()} is out of range once converted to UTC") from None
        raise


def _utc(ts: datetime, name: str) -> datetime:
    try:
        return ts.astimezone(UTC)
    except OverflowError:
        raise ApiError(422, f"{name} {ts.isoformat()} is out of range once converted to UTC") from None


def check_reading_times(
    stamps: Sequence[datetime], now: datetime, max_future_seconds: float, max_age_days: float
) -> None:
    """Reject timestamps in the future (beyond clock skew) or older than the retention of ingest.

    Pass timestamps in UTC (tzinfo `datetime.UTC`, like `now`): comparing datetimes that share their
    tzinfo skips the offset lookups, which cost more than the rest of a batch's checks."""
    latest = now + timedelta(seconds=max_future_seconds)
    earliest = now - timedelta(days=max_age_days)
    if earliest <= min(stamps) and max(stamps) <= latest:  # the common case, without a Python loop
        return
    for index, ts in enumerate(stamps):
        where = f"reading {index}" if len(stamps) > 1 else "reading"
        if ts > latest:
            raise ApiError(
                422,
                f"{where}: ts {ts.isoformat()} is more than {max_future_seconds:g} s in the future; "
                "check the sensor's clock (timestamps need a timezone, e.g. 2024-05-01T12:00:00Z)",
            )
        if ts < earliest:
            raise ApiError(422, f"{where}: ts {ts.isoformat()} is older than READING_MAX_AGE_DAYS={max_age_days:g}")


def resolve_window(
    start: datetime | None, end: datetime | None, now: datetime, span: timedelta, skew_seconds: float
) -> tuple[datetime, datetime]:
    """Default end: now plus the allowed clock skew; default start: now - span. start < end, both in UTC."""
    end = _utc(end, "end") if end else now + timedelta(seconds=skew_seconds)
    start = _utc(start, "start") if start else now - span
    if start >= end:
        raise ApiError(422, f"start ({start.isoformat()}) must be before end ({end.isoformat()})")
    return start, end


def check_limit(limit: int, limit_max: int) -> None:
    if limit > limit_max:
        raise ApiError(422, f"limit={limit} is above READ_LIMIT_MAX={limit_max}: page with next_cursor instead")
