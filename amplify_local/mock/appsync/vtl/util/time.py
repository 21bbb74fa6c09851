"""`$util.time`: the nine helpers, with Java `DateTimeFormatter` patterns and time zones."""

from __future__ import annotations

import functools
import re
import time as clock
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from types import ModuleType
from typing import Any

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.values import is_number, to_string

_TOKEN = re.compile(r"'((?:[^']|'')*)'|([A-Za-z])\2*|(\[)|(\])|(.)", re.S)
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$")


@functools.lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo:
    """`+08:00`, `-07:00:30`, `Z`, `UTC` or a region id such as `America/New_York`."""
    if name is None or name in ("Z", "UTC", "GMT", "UT"):
        return UTC
    match = _OFFSET.match(name)
    if match:
        sign, hours, minutes, seconds = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0), seconds=int(seconds or 0))
        return timezone(-delta if sign == "-" else delta)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # region ids are rare: not imported at start

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TemplateError(f"Unknown time zone {name}") from exc


@functools.lru_cache(maxsize=128)
def tokens(pattern: str) -> tuple[tuple[str, str], ...]:
    """A pattern as (kind, text) tokens: ("field", "yyyy"), ("text", "T"), ("open"/"close", "") for `[...]`."""
    out = []
    for match in _TOKEN.finditer(pattern):
        quoted, letter, opened, closed, other = match.groups()
        if letter:
            out.append(("field", match.group(0)))
        elif opened or closed:
            out.append(("open" if opened else "close", ""))
        elif other:
            out.append(("text", other))
        else:  # 'quoted text'; '' is a quote
            out.append(("text", quoted.replace("''", "'") if quoted else "'"))
    return tuple(out)


def _offset_text(moment: datetime, width: int, letter: str) -> str:
    offset = moment.utcoffset() or timedelta(0)
    seconds = int(offset.total_seconds())
    if seconds == 0 and letter == "X":
        return "Z"
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if letter == "Z":
        if width == 4:
            return "GMT" if seconds == 0 else f"GMT{sign}{hours:02d}:{minutes:02d}"
        if width == 5:
            return "Z" if seconds == 0 else f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")
        return f"{sign}{hours:02d}{minutes:02d}"
    if width == 1:
        return f"{sign}{hours:02d}" + (f"{minutes:02d}" if minutes else "")
    if width == 2:
        return f"{sign}{hours:02d}{minutes:02d}"
    if width == 3:
        return f"{sign}{hours:02d}:{minutes:02d}"
    if width == 4:
        return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _calendar() -> ModuleType:
    import calendar  # month and day names are rare: not imported at start (calendar imports locale)

    return calendar


def _field(moment: datetime, field: str) -> str:
    letter, width = field[0], len(field)
    if letter in "yu":  # DateTimeFormatter: `u` is the proleptic year, like `y`
        year = moment.year
        return f"{year % 100:02d}" if width == 2 else f"{year:0{width}d}"
    if letter in "ML":
        if width >= 4:
            return _calendar().month_name[moment.month]
        if width == 3:
            return _calendar().month_abbr[moment.month]
        return f"{moment.month:0{width}d}"
    if letter == "d":
        return f"{moment.day:0{width}d}"
    if letter == "D":
        return f"{moment.timetuple().tm_yday:0{width}d}"
    if letter == "H":
        return f"{moment.hour:0{width}d}"
    if letter == "k":
        return f"{moment.hour or 24:0{width}d}"
    if letter == "h":
        return f"{(moment.hour % 12) or 12:0{width}d}"
    if letter == "K":
        return f"{moment.hour % 12:0{width}d}"
    if letter == "m":
        return f"{moment.minute:0{width}d}"
    if letter == "s":
        return f"{moment.second:0{width}d}"
    if letter in "Sn":
        return f"{moment.microsecond:06d}000"[:width] if letter == "S" else str(moment.microsecond * 1000)
    if letter == "a":
        return "AM" if moment.hour < 12 else "PM"
    if letter in "Ee":
        return _calendar().day_name[moment.weekday()] if width >= 4 else _calendar().day_abbr[moment.weekday()]
    if letter in "ZXx":
        return _offset_text(moment, width, "Z" if letter == "Z" else ("X" if letter == "X" else "x"))
    if letter == "z":
        return moment.tzname() or ""
    if letter == "V":
        return getattr(moment.tzinfo, "key", moment.tzname() or "")
    if letter == "G":
        return "AD"
    raise TemplateError(f"Unsupported date pattern letter {letter!r}")


def format_moment(moment: datetime, pattern: str) -> str:
    out = []
    for kind, text in tokens(pattern):
        if kind == "field":
            out.append(_field(moment, text))
        elif kind == "text":
            out.append(text)
    return "".join(out)


_PARSE_FIELDS: dict[str, str] = {
    "y": r"(?P<year>\d{1,9})", "u": r"(?P<year>\d{1,9})", "M": r"(?P<month>\d{1,2})",
    "d": r"(?P<day>\d{1,2})", "H": r"(?P<hour>\d{1,2})", "k": r"(?P<hour>\d{1,2})",
    "h": r"(?P<hour12>\d{1,2})", "K": r"(?P<hour12>\d{1,2})", "m": r"(?P<minute>\d{1,2})",
    "s": r"(?P<second>\d{1,2})", "S": r"(?P<fraction>\d{1,9})", "a": r"(?P<ampm>AM|PM|am|pm)",
    "E": r"(?:[A-Za-z]+)", "Z": r"(?P<offset>Z|[+-]\d{2}:?\d{2}(?::?\d{2})?|GMT(?:[+-]\d{2}:\d{2})?)",
    "X": r"(?P<offset>Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)", "x": r"(?P<offset>[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)",
    "z": r"(?P<zonename>[A-Za-z_/+\-0-9]+)", "V": r"(?P<zonename>[A-Za-z_/+\-0-9]+)",
}


@functools.lru_cache(maxsize=128)
def _parser(pattern: str) -> re.Pattern[str]:
    parts, used = [], set()
    for kind, text in tokens(pattern):
        if kind == "field":
            letter, width = text[0], len(text)
            if letter == "M" and width >= 3:
                piece = r"(?P<monthname>[A-Za-z]+)"
            elif letter in "yMdHhmsk" and width >= 2 and letter != "y":
                piece = _PARSE_FIELDS[letter].replace(r"\d{1,2}", rf"\d{{{width}}}")
            elif letter == "y" and width == 2:
                piece = r"(?P<year2>\d{2})"
            else:
                piece = _PARSE_FIELDS.get(letter)
                if piece is None:
                    raise TemplateError(f"Unsupported date pattern letter {letter!r}")
            name = re.search(r"\?P<(\w+)>", piece)
            if name and name.group(1) in used:
                piece = piece.replace(f"?P<{name.group(1)}>", "?:")
            elif name:
                used.add(name.group(1))
            parts.append(piece)
        elif kind == "text":
            parts.append(re.escape(text))
        elif kind == "open":
            parts.append("(?:")
        else:
            parts.append(")?")
    return re.compile("".join(parts) + r"\Z")


def parse_moment(text: str, pattern: str, zone_name: str | None) -> datetime:
    match = _parser(pattern).match(text)
    if match is None:
        raise TemplateError(f"Text '{text}' could not be parsed with the pattern '{pattern}'")
    found = {k: v for k, v in match.groupdict().items() if v is not None}
    # `yy` is 2000-2099, as `DateTimeFormatter`'s reduced year
    year = int(found["year"]) if "year" in found else 2000 + int(found["year2"]) if "year2" in found else 1970
    if "monthname" in found:
        names = [n.lower() for n in _calendar().month_name] + [n.lower() for n in _calendar().month_abbr]
        month = names.index(found["monthname"].lower()) % 13
    else:
        month = int(found.get("month", 1))
    hour = int(found.get("hour", 0))
    if "hour12" in found:
        hour = int(found["hour12"]) % 12 + (12 if found.get("ampm", "AM").upper() == "PM" else 0)
    fraction = found.get("fraction", "0")
    micro = int((fraction + "000000")[:6])
    if "offset" in found:
        tz = zone(found["offset"].replace("GMT", "") or "UTC")
    elif "zonename" in found:
        tz = zone(found["zonename"])
    else:
        tz = zone(zone_name)
    naive = datetime(year, month, int(found.get("day", 1)), hour, int(found.get("minute", 0)),
                     int(found.get("second", 0)), micro)
    return naive.replace(tzinfo=tz)


def _epoch(value: Any) -> int:
    if not is_number(value):
        raise TemplateError(f"Expected epoch milliseconds, got {to_string(value)}")
    return int(value)


def from_millis(millis: Any, zone_name: str | None = None) -> datetime:
    ms = _epoch(millis)
    return datetime.fromtimestamp(ms // 1000, tz=zone(zone_name)).replace(microsecond=(ms % 1000) * 1000)


def iso8601(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    if utc.year < 1000:  # strftime's %Y writes such years unpadded
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return (f"{utc.year}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}."
            f"{moment.microsecond // 1000:03d}Z")  # what strftime writes, without its cost (~5 us)


def parse_iso8601(text: Any) -> int:
    value = to_string(text)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise TemplateError(f"Text '{value}' could not be parsed as an ISO-8601 date-time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def _now() -> datetime:
    return datetime.fromtimestamp(clock.time(), tz=UTC)


FUNCTIONS: dict[str, Any] = {
    "nowISO8601": lambda frame: iso8601(_now()),
    "nowEpochSeconds": lambda frame: int(clock.time()),
    "nowEpochMilliSeconds": lambda frame: int(clock.time() * 1000),
    "nowFormatted": lambda frame, pattern, zone_name=None: format_moment(
        _now().astimezone(zone(None if zone_name is None else to_string(zone_name))), to_string(pattern)),
    "parseFormattedToEpochMilliSeconds": lambda frame, text, pattern, zone_name=None: round(parse_moment(
        to_string(text), to_string(pattern), None if zone_name is None else to_string(zone_name)).timestamp() * 1000),
    "parseISO8601ToEpochMilliSeconds": lambda frame, text: parse_iso8601(text),
    "epochMilliSecondsToSeconds": lambda frame, millis: _epoch(millis) // 1000,
    "epochMilliSecondsToISO8601": lambda frame, millis: iso8601(from_millis(millis)),
    "epochMilliSecondsToFormatted": lambda frame, millis, pattern, zone_name=None: format_moment(
        from_millis(millis, None if zone_name is None else to_string(zone_name)), to_string(pattern)),
}
