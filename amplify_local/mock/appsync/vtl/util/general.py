"""`$util` itself: JSON, ids, errors, null and type tests, encodings, `authType`, logging."""

from __future__ import annotations

import base64
import os
import time
import urllib.parse
from typing import Any

from amplify_local.mock.appsync.errors import AppSyncError, TemplateError, UnauthorizedError
from amplify_local.mock.appsync.vtl.java.registry import VOID
from amplify_local.mock.appsync.vtl.java.strings import java_regex
from amplify_local.mock.appsync.vtl.runtime import Frame, quiet
from amplify_local.mock.appsync.vtl.util.json import parse_json, to_json
from amplify_local.mock.appsync.vtl.values import is_number, to_string

_AUTH_TYPES = {
    "API_KEY": "API Key Authorization",
    "AMAZON_COGNITO_USER_POOLS": "User Pool Authorization",
    "OPENID_CONNECT": "Open ID Connect Authorization",
    "AWS_IAM": "IAM Authorization",
    "AWS_LAMBDA": "Lambda Authorization",
}
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_KSUID_EPOCH = 1_400_000_000


def auto_id(_frame: Frame) -> str:
    """A random (version 4) UUID, as `str(uuid.uuid4())` writes it, without building a `UUID` object."""
    value = int.from_bytes(os.urandom(16), "big") & ~(0xF000 << 64) & ~(0xC000 << 48) | (0x4000 << 64) | (0x8000 << 48)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def auto_ulid() -> str:
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def auto_ksuid() -> str:
    value = ((int(time.time()) - _KSUID_EPOCH) << 128) | int.from_bytes(os.urandom(16), "big")
    digits = []
    for _ in range(27):
        value, digit = divmod(value, 62)
        digits.append(_BASE62[digit])
    return "".join(reversed(digits))


def filter_by_selection(frame: Frame, data: Any) -> Any:
    """`$util.error` data: AppSync keeps only the fields the query selected."""
    info = frame.context.info
    if info is None or not isinstance(data, dict | list):
        return data
    selected = set(info.selection_set_list)

    def prune(value: Any, prefix: str) -> Any:
        if isinstance(value, list):
            return [prune(item, prefix) for item in value]
        if not isinstance(value, dict):
            return value
        return {key: prune(item, f"{prefix}{key}/") for key, item in value.items() if f"{prefix}{key}" in selected}
    return prune(data, "")


def error(frame: Frame, message: Any, error_type: Any = None, data: Any = None, error_info: Any = None) -> None:
    raise AppSyncError(to_string(message), error_type, filter_by_selection(frame, data), error_info)


def append_error(frame: Frame, message: Any, error_type: Any = None, data: Any = None,
                 error_info: Any = None) -> str:
    frame.errors.append(AppSyncError(to_string(message), error_type, filter_by_selection(frame, data), error_info))
    return VOID


def unauthorized(frame: Frame) -> None:
    info = frame.context.info
    field, parent = (info.field_name, info.parent_type_name) if info else ("field", "Query")
    raise UnauthorizedError(f"Not Authorized to access {field} on type {parent}")


def validate(frame: Frame, condition: Any, message: Any, error_type: Any = "CustomTemplateException",
             data: Any = None) -> str:
    if condition is not True:
        raise AppSyncError(to_string(message), error_type, filter_by_selection(frame, data))
    return VOID


def is_null_or_empty(_frame: Frame, value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | dict) and not value)


def is_null_or_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# The commonest helpers take the frame themselves (a helper call is one Python call, not two).
def _to_json(_frame: Frame, value: Any) -> str:
    return to_json(value)


def _is_null(_frame: Frame, value: Any) -> bool:
    return value is None


def _default_if_null(_frame: Frame, value: Any, default: Any) -> Any:
    return default if value is None else value


def type_of(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if is_number(value):
        return "Number"
    if isinstance(value, str):
        return "String"
    if isinstance(value, dict):
        return "Map"
    if isinstance(value, list):
        return "List"
    return "Object"


def url_encode(value: Any) -> str:
    """`java.net.URLEncoder.encode(s, "UTF-8")`: form encoding; only `A-Za-z0-9.-*_` stay as they are."""
    return urllib.parse.quote(to_string(value), safe="*", encoding="utf-8").replace("%20", "+").replace("~", "%7E")


def escape_javascript(value: Any) -> str:
    """Apache Commons `StringEscapeUtils.escapeEcmaScript`."""
    out = []
    for char in to_string(value):
        code = ord(char)
        if char in "'\"\\/":
            out.append("\\" + char)
        elif char in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif code < 32 or code > 0x7E:
            out.extend(f"\\u{unit:04X}" for unit in _utf16(char))
        else:
            out.append(char)
    return "".join(out)


def _utf16(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


def base64_decode(value: Any) -> str:
    try:
        return base64.b64decode(to_string(value), validate=True).decode("utf-8", errors="replace")
    except ValueError as exc:
        raise TemplateError(f"Illegal base64 input: {exc}") from exc


def _log(level: str) -> Any:
    def log(frame: Frame, message: Any, *params: Any) -> str:
        text = to_string(message)
        for param in params:
            text = text.replace("{}", to_string(param), 1)
        frame.logs.append(f"{level} - {text}")
        return VOID
    return log


FUNCTIONS: dict[str, Any] = {
    "qr": quiet,
    "quiet": quiet,
    "toJson": _to_json,
    "parseJson": lambda frame, text: parse_json(text),
    "autoId": auto_id,
    "autoUlid": lambda frame: auto_ulid(),
    "autoKsuid": lambda frame: auto_ksuid(),
    "error": error,
    "appendError": append_error,
    "unauthorized": unauthorized,
    "validate": validate,
    "isNull": _is_null,
    "isNullOrEmpty": is_null_or_empty,
    "isNullOrBlank": lambda frame, value: is_null_or_blank(value),
    "defaultIfNull": _default_if_null,
    "defaultIfNullOrEmpty": lambda frame, value, default: default if is_null_or_empty(frame, value) else value,
    "defaultIfNullOrBlank": lambda frame, value, default: default if is_null_or_blank(value) else value,
    "isString": lambda frame, value: isinstance(value, str),
    "isNumber": lambda frame, value: is_number(value),
    "isBoolean": lambda frame, value: isinstance(value, bool),
    "isList": lambda frame, value: isinstance(value, list),
    "isMap": lambda frame, value: isinstance(value, dict),
    "typeOf": lambda frame, value: type_of(value),
    "matches": lambda frame, pattern, value: java_regex(pattern).fullmatch(to_string(value)) is not None,
    "authType": lambda frame: _AUTH_TYPES.get(frame.context.auth_mode or "", ""),
    "escapeJavaScript": lambda frame, value: escape_javascript(value),
    "urlEncode": lambda frame, value: url_encode(value),
    "urlDecode": lambda frame, value: urllib.parse.unquote_plus(to_string(value), encoding="utf-8"),
    "base64Encode": lambda frame, value: base64.b64encode(to_string(value).encode("utf-8")).decode("ascii"),
    "base64Decode": lambda frame, value: base64_decode(value),
}

LOG_FUNCTIONS: dict[str, Any] = {"info": _log("INFO"), "error": _log("ERROR"), "debug": _log("DEBUG")}
