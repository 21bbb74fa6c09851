"""java.lang.String methods, with Java's regex and replacement rules."""

from __future__ import annotations

import functools
import re
from typing import Any

from amplify_local.mock.appsync.vtl.java.errors import JavaError
from amplify_local.mock.appsync.vtl.java.registry import MethodTable
from amplify_local.mock.appsync.vtl.runtime import MAX_OUTPUT
from amplify_local.mock.appsync.vtl.values import equals, to_string

_REGEX_META = set(".$|()[{^?*+\\")


@functools.lru_cache(maxsize=512)
def java_regex(pattern: str) -> re.Pattern[str]:
    """A `java.util.regex.Pattern` as a Python pattern (possessive and atomic groups are the same syntax)."""
    try:
        return re.compile(pattern.replace("\\p{Alpha}", "[A-Za-z]").replace("\\p{L}", "[^\\W\\d_]"))
    except re.error as exc:
        raise JavaError("PatternSyntaxException", f"{exc} near index {exc.pos}\n{pattern}") from exc


def java_replacement(replacement: str) -> Any:
    """`Matcher.replaceAll` replacement text: `$1`/`${name}` are groups, `\\x` is a literal x."""
    def expand(match: re.Match[str]) -> str:
        out, i = [], 0
        while i < len(replacement):
            char = replacement[i]
            if char == "\\" and i + 1 < len(replacement):
                out.append(replacement[i + 1])
                i += 2
            elif char == "$":
                named = re.match(r"\{(\w+)\}", replacement[i + 1:])
                if named:
                    out.append(match.group(named.group(1)) or "")
                    i += 1 + named.end()
                    continue
                digits = re.match(r"\d", replacement[i + 1:])
                if not digits:
                    raise JavaError("IllegalArgumentException", "Illegal group reference")
                out.append(match.group(int(digits.group())) or "")
                i += 2
            else:
                out.append(char)
                i += 1
        return "".join(out)
    return expand


def split(value: str, regex: str, limit: int = 0) -> list[str]:
    """`String.split`: a leading empty piece from a zero-width match is dropped; with limit 0 so are trailing ones."""
    if (len(regex) == 1 and regex not in _REGEX_META) or (len(regex) == 2 and regex[0] == "\\"
                                                        and not regex[1].isalnum()):
        pattern = re.compile(re.escape(regex[-1]))
    else:
        pattern = java_regex(regex)
    if value == "":
        return [""]
    parts: list[str] = []
    start = 0
    for match in pattern.finditer(value):
        if limit > 0 and len(parts) == limit - 1:
            break
        if match.end() == 0:
            continue  # a zero-width match at the start gives no leading empty piece
        if match.start() == match.end() and match.start() >= len(value):
            break
        parts.append(value[start:match.start()])
        start = match.end()
    parts.append(value[start:])
    if limit == 0:
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        if parts == [""] and value:
            return []
    return parts


def _index(value: str, index: int) -> int:
    if not isinstance(index, int) or not 0 <= index < len(value):
        raise JavaError("StringIndexOutOfBoundsException", f"index {index}, length {len(value)}")
    return index


def substring(value: str, begin: int, end: int | None = None) -> str:
    stop = len(value) if end is None else end
    if not (isinstance(begin, int) and isinstance(stop, int)) or not 0 <= begin <= stop <= len(value):
        raise JavaError("StringIndexOutOfBoundsException", f"begin {begin}, end {stop}, length {len(value)}")
    return value[begin:stop]


def _compare(value: str, other: str) -> int:
    if not isinstance(other, str):
        raise JavaError("ClassCastException", "argument is not a String")
    for a, b in zip(value, other, strict=False):
        if a != b:
            return ord(a) - ord(b)
    return len(value) - len(other)


def _index_of(value: str, needle: Any, start: int = 0) -> int:
    return value.find(to_string(needle) if not isinstance(needle, int) else chr(needle), max(start, 0))


def _last_index_of(value: str, needle: Any, start: int | None = None) -> int:
    text = to_string(needle) if not isinstance(needle, int) else chr(needle)
    return value.rfind(text) if start is None else value.rfind(text, 0, start + len(text))


def _repeat(value: str, count: int) -> str:
    if not isinstance(count, int) or count < 0:
        raise JavaError("IllegalArgumentException", f"count is negative: {count}")
    if len(value) * count > MAX_OUTPUT:
        raise JavaError("OutOfMemoryError", f"Repeating {len(value)} characters {count} times is too large")
    return value * count


def _is_blank(value: str) -> bool:
    return value.strip() == ""


def _trim(value: str) -> str:
    return value.strip("".join(chr(c) for c in range(33)))


STRING_METHODS = MethodTable({
    "length": len,
    "isEmpty": lambda s: s == "",
    "isBlank": _is_blank,
    "charAt": lambda s, i: s[_index(s, i)],
    "codePointAt": lambda s, i: ord(s[_index(s, i)]),
    "substring": substring,
    "subSequence": substring,
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "contains": lambda s, other: to_string(other) in s,
    "startsWith": lambda s, prefix, offset=0: s.startswith(prefix, offset),
    "endsWith": lambda s, suffix: s.endswith(suffix),
    "equals": equals,
    "equalsIgnoreCase": lambda s, other: isinstance(other, str) and s.lower() == other.lower(),
    "compareTo": _compare,
    "compareToIgnoreCase": lambda s, other: _compare(s.lower(), str(other).lower()),
    "concat": lambda s, other: s + other,
    "toUpperCase": lambda s, _locale=None: s.upper(),
    "toLowerCase": lambda s, _locale=None: s.lower(),
    "trim": _trim,
    "strip": lambda s: s.strip(),
    "stripLeading": lambda s: s.lstrip(),
    "stripTrailing": lambda s: s.rstrip(),
    "replace": lambda s, old, new: s.replace(to_string(old), to_string(new)),
    "replaceAll": lambda s, regex, repl: java_regex(regex).sub(java_replacement(repl), s),
    "replaceFirst": lambda s, regex, repl: java_regex(regex).sub(java_replacement(repl), s, count=1),
    "matches": lambda s, regex: java_regex(regex).fullmatch(s) is not None,
    "split": split,
    "repeat": lambda s, count: _repeat(s, count),
    "toString": lambda s: s,
    "hashCode": lambda s: _java_hash(s),
    "toCharArray": list,
    "chars": lambda s: [ord(c) for c in s],
    "intern": lambda s: s,
})


def _java_hash(value: str) -> int:
    result = 0
    for char in value:
        result = (31 * result + ord(char)) & 0xFFFFFFFF
    return result - (1 << 32) if result >= 1 << 31 else result
