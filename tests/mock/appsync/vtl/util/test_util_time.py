"""`$util.time`: the nine helpers with DateTimeFormatter patterns and zones."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError

MS = 1517943695758  # 2018-02-06T19:01:35.758Z, a Tuesday


def test_now_helpers(vtl: Any) -> None:
    iso, seconds, millis = vtl.text(
        "$util.time.nowISO8601() $util.time.nowEpochSeconds() $util.time.nowEpochMilliSeconds()").split()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso)
    assert abs(int(seconds) - time.time()) < 5 and abs(int(millis) / 1000 - time.time()) < 5
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0800",
                        vtl.text('$util.time.nowFormatted("yyyy-MM-dd HH:mm:ssZ", "+08:00")'))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-07:00:30",
                        vtl.text("$util.time.nowFormatted(\"yyyy-MM-dd'T'HH:mm:ss[XXXXX]\", \"-07:00:30\")"))


@pytest.mark.parametrize(("pattern", "zone", "expected"), [
    ("yyyy-MM-dd HH:mm:ss.SSS Z", None, "2018-02-06 19:01:35.758 +0000"),
    ("yyyy-MM-dd HH:mm:ss.SSS Z", "Australia/Perth", "2018-02-07 03:01:35.758 +0800"),
    ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "America/New_York", "2018-02-06T14:01:35.758-05:00"),
    ("EEE, d MMM yyyy HH:mm:ss Z", None, "Tue, 6 Feb 2018 19:01:35 +0000"),
    ("D|MMMM|EEEE|MMM|yy|h a", None, "37|February|Tuesday|Feb|18|7 PM"),
    ("yyyy-MM-dd'T'HH:mm:ssXXX", None, "2018-02-06T19:01:35Z"),
    ("HH:mm z", "America/New_York", "14:01 EST"),
    ("E X", "Asia/Kolkata", "Wed +0530"),  # one X: hours, and minutes only when non-zero
])
def test_epoch_to_formatted(pattern: str, zone: str | None, expected: str, vtl: Any) -> None:
    zone_arg = f', "{zone}"' if zone else ""
    assert vtl.text(f'$util.time.epochMilliSecondsToFormatted({MS}, "{pattern}"{zone_arg})') == expected


@pytest.mark.parametrize(("call", "expected"), [
    ('parseFormattedToEpochMilliSeconds("2018-02-02 01:19:22+0800", "yyyy-MM-dd HH:mm:ssZ")', 1517505562000),
    ('parseFormattedToEpochMilliSeconds("2018-02-02 01:19:22", "yyyy-MM-dd HH:mm:ss", "+08:00")', 1517505562000),
    ('parseFormattedToEpochMilliSeconds("2018-07-01 08:00:00", "yyyy-MM-dd HH:mm:ss", "America/New_York")',
     1530446400000),
    ("parseFormattedToEpochMilliSeconds(\"2025-01-01T10:00:00.123+01:00\", \"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\")",
     1735722000123),
    ('parseISO8601ToEpochMilliSeconds("2018-02-01T17:21:05.180+08:00")', 1517476865180),
    (f"epochMilliSecondsToSeconds({MS})", 1517943695),
    (f"epochMilliSecondsToISO8601({MS})", "2018-02-06T19:01:35.758Z"),
])
def test_parse_and_convert(call: str, expected: Any, vtl: Any) -> None:
    assert vtl.json(f"$util.toJson($util.time.{call})") == expected


def test_bad_input_is_an_error(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="could not be parsed"):
        vtl.text('$util.time.parseISO8601ToEpochMilliSeconds("yesterday")')
    with pytest.raises(TemplateError, match="Unknown time zone"):
        vtl.text('$util.time.nowFormatted("yyyy", "Mars/Base")')
    with pytest.raises(TemplateError, match="could not be parsed"):
        vtl.text('$util.time.parseFormattedToEpochMilliSeconds("2018", "yyyy-MM-dd")')
