"""Reading a client's safe times (free text on the client record) well enough to warn.

Conservative on purpose: `read_safe_times` understands only common forms ("Mornings only",
"after 3pm", "weekdays 9-12", "Tuesdays and Thursdays, afternoons") and answers None for any
text with words it does not know ("not when he is home"), so that the caller asks the
caseworker to check rather than trusting a guess.
"""

import re
from dataclasses import dataclass

DAY_NAMES = {
    "mon": 0, "monday": 0, "mondays": 0, "tue": 1, "tues": 1, "tuesday": 1, "tuesdays": 1,
    "wed": 2, "wednesday": 2, "wednesdays": 2, "thu": 3, "thur": 3, "thurs": 3,
    "thursday": 3, "thursdays": 3, "fri": 4, "friday": 4, "fridays": 4, "sat": 5,
    "saturday": 5, "saturdays": 5, "sun": 6, "sunday": 6, "sundays": 6,
}  # fmt: skip
DAY_GROUPS = {
    "weekday": range(5), "weekdays": range(5), "weekend": range(5, 7), "weekends": range(5, 7),
}  # fmt: skip
# Parts of the day, in hours (start inclusive, end exclusive).
PARTS_OF_DAY = {
    "morning": (8, 12), "mornings": (8, 12), "am": (8, 12),
    "lunchtime": (12, 14), "lunchtimes": (12, 14),
    "afternoon": (12, 17), "afternoons": (12, 17), "pm": (12, 17),
    "evening": (17, 21), "evenings": (17, 21),
}  # fmt: skip
FILLER = {
    "only", "and", "or", "on", "in", "the", "any", "time", "times", "between", "from", "to",
    "until", "till", "til", "at", "s", "a", "ok", "fine", "safe", "best", "during", "all", "day",
}  # fmt: skip

_HOUR = r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?"
_RANGE = re.compile(rf"{_HOUR}\s*(?:-|\u2013|to|until|till)\s*{_HOUR}")
_AFTER = re.compile(rf"(?:after|from)\s+{_HOUR}")
_BEFORE = re.compile(rf"(?:before|until|till)\s+{_HOUR}")


@dataclass(frozen=True)
class SafeTimes:
    days: frozenset[int]  # 0 = Monday
    windows: tuple[tuple[float, float], ...]  # hours of the day, start inclusive, end exclusive

    def allows(self, start, end) -> bool:
        """Whether the whole of start..end (local datetimes of one day) lies in a window."""
        if start.weekday() not in self.days or end.date() != start.date():
            return False
        begin = start.hour + start.minute / 60
        finish = end.hour + end.minute / 60
        return any(low <= begin and finish <= high for low, high in self.windows)


def _hour(number: str, minutes: str | None, suffix: str | None, *, pm_if_small: bool) -> float:
    hour = int(number)
    if hour > 24 or (minutes and int(minutes) > 59):
        raise ValueError(number)
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    elif suffix is None and pm_if_small and 1 <= hour <= 7:
        # "2-4" means the afternoon: nobody agrees a safe time of 2 in the morning.
        hour += 12
    return hour + (int(minutes) / 60 if minutes else 0)


def read_safe_times(text: str) -> SafeTimes | None:
    """The days and hours `text` allows, or None when it cannot be read with confidence
    (blank text is None too: nothing to check against)."""
    text = (text or "").lower().strip()
    if not text:
        return None
    windows: list[tuple[float, float]] = []
    try:
        for match in _RANGE.finditer(text):
            low = _hour(*match.group(1, 2, 3), pm_if_small=True)
            # "9-12pm": the suffix of the end speaks for the start only when it must.
            high = _hour(*match.group(4, 5, 6), pm_if_small=True)
            if match.group(3) is None and match.group(6) == "pm" and low + 12 < high:
                low += 12
            if high <= low:
                return None
            windows.append((low, high))
        text = _RANGE.sub(" ", text)
        for match in _AFTER.finditer(text):
            windows.append((_hour(*match.group(1, 2, 3), pm_if_small=True), 24))
        text = _AFTER.sub(" ", text)
        for match in _BEFORE.finditer(text):
            windows.append((0, _hour(*match.group(1, 2, 3), pm_if_small=False)))
        text = _BEFORE.sub(" ", text)
    except ValueError:
        return None
    days: set[int] = set()
    for word in re.findall(r"[a-z]+|\d+", text):
        if word in DAY_NAMES:
            days.add(DAY_NAMES[word])
        elif word in DAY_GROUPS:
            days.update(DAY_GROUPS[word])
        elif word in PARTS_OF_DAY:
            windows.append(PARTS_OF_DAY[word])
        elif word not in FILLER:
            return None  # a word we do not understand: ask the caseworker to check
    if not windows and not days:
        return None
    return SafeTimes(
        days=frozenset(days or range(7)), windows=tuple(windows) if windows else ((0, 24),)
    )
