"""DynamoDB's typed attribute values (`{"S": "x"}`, `{"N": "1"}`, ...): validation, ordering, size, keys.

Values stay in the wire format of the low-level API everywhere (B as base64 text), so the engine never
converts on the way in or out. Numbers are normalised once on write (`1.50` -> `1.5`, `1e2` -> `100`)
as DynamoDB does, which makes equality of N a string comparison. Sort keys are stored as order-preserving
byte strings (`key_bytes`) so that SQLite's memcmp ordering of BLOBs is DynamoDB's ordering: N
numerically, S by UTF-8 bytes, B by bytes. Partition keys are prefixed with a hash (`partition_bytes`).
"""

from __future__ import annotations

import base64
import binascii
import decimal
import re
from decimal import Decimal
from typing import Any

from amplify_local.mock.dynamodb.errors import DynamoDBError, invalid_parameter, validation

try:  # CPython's own SHA-1: for a few dozen bytes about twice as fast as OpenSSL's (no EVP context set-up)
    from _sha1 import sha1 as _sha1
except ImportError:  # a build without it
    from hashlib import sha1 as _sha1

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

TYPES = frozenset({"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"})
SCALAR_KEY_TYPES = frozenset({"S", "N", "B"})
MAX_ITEM_SIZE = 400 * 1024

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_CONTEXT = decimal.Context(prec=60, traps=[decimal.InvalidOperation, decimal.Overflow])
_SET_NAMES = {"SS": "string set", "NS": "number set", "BS": "binary set"}


def normalize_number(text: Any) -> str:
    """DynamoDB's canonical text of a number, or the ValidationException it gives for a bad one."""
    if not isinstance(text, str):
        raise validation("NUMBER_VALUE cannot be converted to String")
    if not _NUMBER.match(text):
        raise validation("A value provided cannot be converted into a number")
    return format_number(_CONTEXT.create_decimal(text))


def format_number(number: Decimal) -> str:
    """Check DynamoDB's precision and range and format without exponent."""
    if not number:
        return "0"
    number = number.normalize(_CONTEXT)
    digits = len(number.as_tuple().digits)
    if digits > 38:
        raise validation("DynamoDB only supports precision up to 38 digits")
    adjusted = number.adjusted()
    if adjusted > 125:
        raise validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
    if adjusted < -130:
        raise validation("Number underflow. Attempting to store a number with magnitude smaller than supported range")
    return format(number, "f")


def decode_binary(text: Any) -> bytes:
    if isinstance(text, bytes | bytearray):
        return bytes(text)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise DynamoDBError("SerializationException", "Base64 encoded length is expected a multiple of 4 bytes "
                            "but found: " + str(len(str(text)))) from None


def check_value(value: Any, *, in_key: bool = False) -> AttributeValue:
    """Validate one attribute value and return it with numbers normalised (the stored form)."""
    if not isinstance(value, dict) or len(value) != 1:
        if isinstance(value, dict) and not value:
            raise invalid_parameter("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
        raise validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
                         "the supported datatypes")
    ((kind, raw),) = value.items()
    if kind == "S":
        if not isinstance(raw, str):
            raise DynamoDBError("SerializationException", "Start of structure or map found where not expected")
        return value
    if kind == "N":
        text = normalize_number(raw)
        return value if text == raw else {"N": text}
    if kind == "B":
        if isinstance(raw, bytes | bytearray):  # an in-process caller's bytes: stored in the wire form
            return {"B": base64.b64encode(raw).decode()}
        decode_binary(raw)
        return value
    if kind == "BOOL":
        if not isinstance(raw, bool):
            raise DynamoDBError("SerializationException", "BOOL must be a boolean")
        return value
    if kind == "NULL":
        if raw is not True:
            raise invalid_parameter("Null attribute value types must have the value of true")
        return value
    if kind in _SET_NAMES:
        if not isinstance(raw, list):
            raise DynamoDBError("SerializationException", f"{kind} must be a list")
        if not raw:
            raise invalid_parameter(f"An {_SET_NAMES[kind]}  may not be empty")
        if kind == "NS":
            members = [normalize_number(member) for member in raw]
        else:
            for member in raw:
                if not isinstance(member, str):
                    raise DynamoDBError("SerializationException", f"{kind} members must be strings")
                if kind == "BS":
                    decode_binary(member)
            members = raw
        if len(set(members)) != len(members):
            raise invalid_parameter(f"Input collection {_render_set(kind, raw)} contains duplicates")
        return value if members == raw else {kind: members}
    if kind == "L":
        if not isinstance(raw, list):
            raise DynamoDBError("SerializationException", "L must be a list")
        checked = [check_value(member) for member in raw]
        return value if all(a is b for a, b in zip(checked, raw, strict=True)) else {"L": checked}
    if kind == "M":
        if not isinstance(raw, dict):
            raise DynamoDBError("SerializationException", "M must be a map")
        checked_map = {name: check_value(member) for name, member in raw.items()}
        return value if all(checked_map[name] is raw[name] for name in raw) else {"M": checked_map}
    raise invalid_parameter("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")


def _render_set(kind: str, members: list[Any]) -> str:
    return "[" + ", ".join(str(member) for member in members) + "]"


def check_item(item: Any) -> tuple[Item, int, dict[str, Any]]:
    """Validate a whole item (PutItem's `Item`) and return its stored form (the same dict when nothing needed
    normalising, which is the common case), its `item_size` and its plain form (`item_to_plain`), in one
    pass (this is most of a PutItem's work)."""
    if not isinstance(item, dict):
        raise DynamoDBError("SerializationException", "Item must be a map")
    checked: Item | None = None
    total = 0
    plain: dict[str, Any] = {}
    for name, value in item.items():
        if name.isascii():
            total += len(name)
        elif name:
            total += len(name.encode("utf-8", "surrogatepass"))
        if not name:
            raise invalid_parameter("An AttributeValue may not contain an empty string")
        if type(value) is dict and len(value) == 1:  # the common scalars inline, no call
            raw = value.get("S")
            if raw is not None:
                if type(raw) is str:
                    total += len(raw) if raw.isascii() else len(raw.encode("utf-8", "surrogatepass"))
                    plain[name] = raw
                    continue
            elif (raw := value.get("N")) is not None:
                if type(raw) is str and raw.isdigit() and len(raw) <= 38 and (raw[0] != "0" or raw == "0"):
                    total += (len(raw) + 1) // 2 + 1  # _number_size of a canonical integer
                    plain[name] = int(raw)
                    continue
            elif type(raw := value.get("BOOL")) is bool:
                total += 1
                plain[name] = raw
                continue
        stored = check_value(value)
        total += value_size(stored)
        plain[name] = to_plain(stored)
        if stored is not value:
            if checked is None:
                checked = dict(item)
            checked[name] = stored
    return (item if checked is None else checked), total, plain


def value_type(value: AttributeValue) -> str:
    return next(iter(value))


def equal(a: AttributeValue | None, b: AttributeValue | None) -> bool:
    """DynamoDB equality: same type and same value, sets compared as sets."""
    if a is None or b is None:
        return False
    kind = next(iter(a))
    if kind not in b:
        return False
    if kind in _SET_NAMES:
        return set(a[kind]) == set(b[kind])
    if kind == "L":
        left, right = a["L"], b["L"]
        return len(left) == len(right) and all(equal(x, y) for x, y in zip(left, right, strict=True))
    if kind == "M":
        left_map, right_map = a["M"], b["M"]
        return left_map.keys() == right_map.keys() and all(equal(v, right_map[k]) for k, v in left_map.items())
    if kind == "B":
        return decode_binary(a["B"]) == decode_binary(b["B"])
    if kind == "N":
        return Decimal(a["N"]) == Decimal(b["N"])
    return a[kind] == b[kind]


def compare(a: AttributeValue | None, b: AttributeValue | None) -> int | None:
    """-1/0/1 for two values of the same ordered type (N, S, B); None when they cannot be ordered."""
    if a is None or b is None:
        return None
    kind = next(iter(a))
    if kind not in b:
        return None
    if kind == "N":
        x, y = Decimal(a["N"]), Decimal(b["N"])
    elif kind == "S":
        x, y = a["S"].encode("utf-8", "surrogatepass"), b["S"].encode("utf-8", "surrogatepass")
    elif kind == "B":
        x, y = decode_binary(a["B"]), decode_binary(b["B"])
    else:
        return None
    return (x > y) - (x < y)


def key_bytes(value: AttributeValue) -> bytes:
    """An order-preserving byte encoding of a key value (S, N or B)."""
    if "S" in value:
        return value["S"].encode("utf-8", "surrogatepass")
    if "B" in value:
        return decode_binary(value["B"])
    return number_bytes(Decimal(value["N"]))


def number_bytes(number: Decimal) -> bytes:
    """Encode a number so that bytewise order is numeric order: sign, exponent, digits."""
    if not number:
        return b"\x80"
    sign, digits, _ = number.normalize(_CONTEXT).as_tuple()
    exponent = number.adjusted() + 130  # the adjusted exponent is within -130..125
    text = bytes(48 + d for d in digits)
    if not sign:
        return bytes((0xC0, exponent)) + text
    return bytes((0x40, 255 - exponent)) + bytes(255 - c for c in text) + b"\xff"


def partition_bytes(value: AttributeValue) -> bytes:
    """The stored form of a partition key: its hash, then its bytes.

    The hash is DynamoDB Local's (SHA-1 of "LocalDdb" and the key's bytes, numbers in its base-100
    encoding), so a Scan walks the partitions in the order DynamoDB Local does (DynamoDB itself orders
    them by a hash too), and a parallel Scan splits the hash range into segments. The key's own bytes
    follow, so equal hashes of different keys never collide."""
    if "S" in value:
        return string_partition_bytes(value["S"])
    if "B" in value:
        data = decode_binary(value["B"])
        return _partition(data, data)
    number = Decimal(value["N"])
    return _partition(_base100(number), number_bytes(number))


def string_partition_bytes(text: str) -> bytes:
    """`partition_bytes` of `{"S": text}`."""
    data = text.encode("utf-8", "surrogatepass")
    return _partition(data, data)


def _partition(hashed: bytes, data: bytes) -> bytes:
    return _sha1(_HASH_SALT + hashed).digest() + data


_HASH_SALT = b"LocalDdb"


def _base100(number: Decimal) -> bytes:
    """DynamoDB Local's number encoding: an exponent byte, then two digits per byte (complemented when
    negative, with a terminator for short negatives)."""
    if not number:
        return b"\x80"
    negative = number < 0
    _, digits, exponent = abs(number).normalize(_CONTEXT).as_tuple()
    magnitude = len(digits) + int(exponent)
    odd = magnitude % 2
    magnitude += odd
    text = ("0" if odd else "") + "".join(map(str, digits))
    pairs = (len(text) + 1) // 2
    out = bytearray(pairs + 2 if negative and pairs < 20 else pairs + 1)
    if negative and pairs < 20:
        out[pairs + 1] = 102
    half = magnitude // 2 if magnitude >= 0 else -(-magnitude // 2)
    out[0] = (192 + half) & 0xFF
    if negative:
        out[0] ^= 0xFF
    for pair in range(pairs):
        chunk = text[2 * pair:2 * pair + 2]
        value = int(chunk[0]) * 10 + (int(chunk[1]) if len(chunk) > 1 else 0)
        out[pair + 1] = (101 - value) & 0xFF if negative else value + 1
    return bytes(out)


def value_size(value: AttributeValue) -> int:
    """DynamoDB's size of a value in bytes (as its item size limit counts it)."""
    kind, raw = next(iter(value.items()))
    if kind == "S":
        return len(raw) if raw.isascii() else len(raw.encode("utf-8", "surrogatepass"))
    if kind == "N":
        return _number_size(raw)
    if kind == "B":
        return len(raw) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(member.encode("utf-8", "surrogatepass")) for member in raw)
    if kind == "NS":
        return sum(_number_size(member) for member in raw)
    if kind == "BS":
        return sum(len(member) * 3 // 4 for member in raw)
    if kind == "L":
        return 3 + sum(1 + value_size(member) for member in raw)
    return 3 + sum(1 + len(name.encode("utf-8", "surrogatepass")) + value_size(member) for name, member in raw.items())


def _number_size(text: str) -> int:
    """About one byte per two significant digits, plus one (DynamoDB's documented estimate)."""
    digits = len(text) - (text[0] == "-") - ("." in text)
    return (digits + 1) // 2 + 1


def item_size(item: Item) -> int:
    total = 0
    for name, value in item.items():
        raw = value.get("S")
        if raw is None:
            number = value.get("N")
            size = _number_size(number) if number is not None else value_size(value)
        else:
            size = len(raw) if raw.isascii() else len(raw.encode("utf-8", "surrogatepass"))
        total += (len(name) if name.isascii() else len(name.encode("utf-8", "surrogatepass"))) + size
    return total


def to_plain(value: AttributeValue) -> Any:
    """A typed value as plain JSON, the way AppSync hands DynamoDB results to templates."""
    ((kind, raw),) = value.items()
    if kind == "S" or kind == "BOOL" or kind == "B":
        return raw
    return _PLAIN[kind](raw)


def plain_number(text: str) -> int | float:
    """int when integral, else float (what a JSON response carries)."""
    if "." not in text and "e" not in text and "E" not in text:
        return int(text)
    return float(text)


_PLAIN: dict[str, Any] = {
    "N": plain_number,
    "NULL": lambda raw: None,
    "M": lambda raw: {name: to_plain(member) for name, member in raw.items()},
    "L": lambda raw: [to_plain(member) for member in raw],
    "NS": lambda raw: [plain_number(member) for member in raw],
    "SS": list,
    "BS": list,
}


def item_to_plain(item: Item) -> dict[str, Any]:
    """`to_plain` of every attribute, with strings (most attributes of an API's items) inline. The engine
    stores this form beside each item, so AppSync reads of stored items do not run it."""
    plain = {}
    for name, value in item.items():
        raw = value.get("S")
        if raw is None:
            ((kind, raw),) = value.items()
            if kind != "BOOL" and kind != "B":
                raw = _PLAIN[kind](raw)
        plain[name] = raw
    return plain
