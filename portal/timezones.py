"""Times are stored in UTC and typed and shown in Beijing time (Asia/Shanghai)."""
from datetime import timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def to_beijing_naive(moment):
    """A stored UTC time as the naive Beijing wall time a datetime-local input shows."""
    return None if moment is None else moment.astimezone(SHANGHAI).replace(tzinfo=None)


def from_beijing_naive(wall_time):
    """A naive Beijing wall time typed in a form, as an aware UTC time to store."""
    if wall_time is None:
        return None
    return wall_time.replace(tzinfo=SHANGHAI).astimezone(timezone.utc)
