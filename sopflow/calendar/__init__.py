"""Business time: the deployment's calendar, and the opening hours procedures count working time in."""

from sopflow.calendar.calendar import DEFAULT_HOURS, Calendar
from sopflow.calendar.hours import Hours

__all__ = ["DEFAULT_HOURS", "Calendar", "Hours"]
