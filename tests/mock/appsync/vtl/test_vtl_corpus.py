"""Every template the Amplify transformers generate (19 APIs, v1 and v2) renders as recorded.

The expectation is the reference engine's recorded output (`corpus-oracle.json`), except where the
case notes (`meta.oracleNotes`) say AppSync differs from the reference; there the AppSync behaviour
is asserted, and four more reviewed differences are recorded in `fixtures/corpus_differences.json`
(`docs/differences.md`, "VTL").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from amplify_local.mock.appsync.errors import AppSyncError, TemplateError
from amplify_local.mock.appsync.types import RenderResult
from amplify_local.mock.appsync.vtl import compile_template

DIFFERENCES = json.loads((Path(__file__).parent / "fixtures" / "corpus_differences.json").read_text())
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _scrub(value: Any) -> Any:
    """Volatile values (autoId, now) compared by shape."""
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, str) and _TIME.match(value):
        return "<time>"
    if isinstance(value, str) and _UUID.match(value):
        return "<uuid>"
    return value


def _render(case: dict[str, Any], kit: Any) -> tuple[RenderResult | None, AppSyncError | None]:
    template = compile_template(kit.template_text(case), case.get("template") or "INLINE_TEMPLATE")
    try:
        return template.render(kit.context_for(case)), None
    except AppSyncError as error:
        return None, error


def _without_identity(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_identity(item) for key, item in value.items() if key != "identity"}
    return value


def test_corpus_case(corpus_case: dict[str, Any], kit: Any) -> None:
    case = corpus_case
    oracle = case["oracle"]
    notes = {note["id"] for note in case["meta"].get("oracleNotes") or []}
    result, error = _render(case, kit)
    if case["name"] in DIFFERENCES:
        recorded = DIFFERENCES[case["name"]]
        assert error is None
        value = result.value
        if value and "update" in value:
            assert _TIME.match(value["update"]["expressionValues"].pop(":updatedAt")["S"])
            recorded["result"]["update"]["expressionValues"].pop(":updatedAt")
        assert (result.returned, value) == (recorded["returned"], recorded["result"])
        return
    if notes & {"cond-crash", "cond-values"}:
        # AppSync returns the values of the condition, so the merged condition is complete.
        assert error is None, error
        condition = result.value["condition"]
        placeholders = set(re.findall(r":[A-Za-z0-9_]+", condition["expression"]))
        assert placeholders == set(condition.get("expressionValues", {}))
        return
    if "set-on-null" in notes:
        assert error is not None and error.error_type == case["context"]["error"]["type"]
        return
    if "invalid-json" in notes:
        assert isinstance(error, TemplateError) and error.error_type == "MappingTemplate"
        assert error.message.startswith("Unable to convert {")
        return
    if "sub-filter" in notes:
        assert error is None and result.value is None
        return
    if "list-put" in notes:
        assert error is None and isinstance(result.value, list)
        return
    if oracle.get("errors") and not oracle.get("ok"):
        expected = oracle["errors"][-1]
        assert error is not None, result
        message = expected["message"].split(" on $util")[0]
        if message == "Unauthorized":
            info = kit.context_for(case).info
            message = f"Not Authorized to access {info.field_name} on type {info.parent_type_name}"
        assert error.message == message
        assert error.error_type == (expected["errorType"] or AppSyncError.default_type)
        return
    assert error is None, error
    mine, recorded = _scrub(result.value), _scrub(oracle["result"])
    if "identity-shape" in notes:
        mine, recorded = _without_identity(mine), _without_identity(recorded)
    assert mine == recorded
    assert result.returned == bool(oracle.get("isReturn"))
    assert _scrub(result.stash) == _scrub(oracle.get("stash", {}))
    assert [e.to_dict() for e in result.errors] == oracle.get("errors", [])
