"""A class's ``periods`` as SIS write it, read into the (weekday, period) pairs it meets at.

OneRoster leaves ``periods`` free text. What is read:

- numbers and lists: ``1``, ``2,3``, ``1 3``, ``Periods 4 and 5``, ``P1``: those periods, Monday to Friday;
- ranges: ``1-4`` (periods 1, 2, 3 and 4), ``1-3, 6``;
- a weekday with a period or range: ``M1 W1``, ``Mon 1``, ``Tu2``, ``Th3-4``, ``R4`` (R is Thursday).

Anything else needs a guess, and none is made: ``3-1`` (a range backwards, or day 3 period 1?),
``A1`` and ``1(A-E)`` (days of a rotation, not weekdays), a lone ``T`` or ``S`` (Tuesday or
Thursday? Saturday or Sunday?). ``read_periods`` answers None for those.
"""

from __future__ import annotations

import re

SCHOOL_DAYS = (1, 2, 3, 4, 5)
MAX_PERIOD = 99
DAYS = {
    **dict.fromkeys(("m", "mo", "mon", "monday"), 1),
    **dict.fromkeys(("tu", "tue", "tues", "tuesday"), 2),
    **dict.fromkeys(("w", "we", "wed", "weds", "wednesday"), 3),
    **dict.fromkeys(("th", "thu", "thur", "thurs", "thursday", "r"), 4),
    **dict.fromkeys(("f", "fr", "fri", "friday"), 5),
    **dict.fromkeys(("sa", "sat", "saturday"), 6),
    **dict.fromkeys(("su", "sun", "sunday"), 7),
}
FILLER = re.compile(r"\b(?:periods?|per\.?|and)\b|&")
PREFIX = re.compile(r"\bp\.?\s*(?=\d)")  # "P1", "p. 2"
HYPHEN = re.compile(r"\s*[-–]\s*")
ITEM = re.compile(r"(?:(?P<day>[a-z]+)\.?)?(?P<first>\d+)(?:-(?P<last>\d+))?|(?P<lone>[a-z]+)\.?")


def read_periods(value: str) -> set[tuple[int, int]] | None:
    """The (ISO weekday, period number) pairs of ``value``; empty for an empty value, None for a
    value that cannot be read without a guess."""
    text = PREFIX.sub("", FILLER.sub(" ", value.lower()))
    text = HYPHEN.sub("-", text)
    found: set[tuple[int, int]] = set()
    waiting: list[int] = []  # "Mon 1": a weekday on its own applies to the next period
    for item in re.split(r"[\s,;/]+", text.strip()):
        if not item:
            continue
        match = ITEM.fullmatch(item)
        if match is None:
            return None
        if match["lone"] is not None:
            day = DAYS.get(match["lone"])
            if day is None:
                return None
            waiting.append(day)
            continue
        first = int(match["first"])
        last = int(match["last"]) if match["last"] is not None else first
        if last < first or last > MAX_PERIOD:
            return None
        if match["day"] is not None:
            day = DAYS.get(match["day"])
            if day is None:
                return None
            days: tuple[int, ...] = (*waiting, day)
        else:
            days = tuple(waiting) or SCHOOL_DAYS
        waiting = []
        found.update((day, number) for day in days for number in range(first, last + 1))
    if waiting:
        return None
    return found
