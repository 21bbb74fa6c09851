"""`$util.xml`: an XML document as a map (repeated elements become lists, numbers stay numbers)."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.util.json import to_json
from amplify_local.mock.appsync.vtl.values import to_string

_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


def _scalar(text: str) -> Any:
    """Decimal notation becomes a number; anything else, `NaN`, `inf` or `1_000` included, stays text
    (Python's int()/float() would take those, which AppSync does not, and NaN has no JSON form)."""
    if not _NUMBER.fullmatch(text):
        return text
    return float(text) if any(mark in text for mark in ".eE") else int(text)


def _element(node: ElementTree.Element) -> Any:
    children = list(node)
    if not children and not node.attrib:
        return _scalar((node.text or "").strip())
    result: dict[str, Any] = {key: _scalar(value) for key, value in node.attrib.items()}
    for child in children:
        value = _element(child)
        if child.tag in result:
            existing = result[child.tag]
            result[child.tag] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            result[child.tag] = value
    text = (node.text or "").strip()
    if text:
        result["content"] = _scalar(text)
    return result


def to_map(frame: Any, document: Any) -> dict[str, Any]:
    try:
        root = ElementTree.fromstring(to_string(document))
    except ElementTree.ParseError as exc:
        raise TemplateError(f"Unable to parse XML: {exc}") from exc
    return {root.tag: _element(root)}


FUNCTIONS: dict[str, Any] = {
    "toMap": to_map,
    "toJsonString": lambda frame, document: to_json(to_map(frame, document)),
}
