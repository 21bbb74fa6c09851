"""The language and `$util` feature cases of `corpus/vtl`: AppSync's documented value where there is one,
else the reference engine's recorded output, else a reviewed difference in `fixtures/feature_differences.json`."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from amplify_local.mock.appsync.errors import AppSyncError
from amplify_local.mock.appsync.vtl import compile_template

DIFFERENCES = json.loads((Path(__file__).parent / "fixtures" / "feature_differences.json").read_text())


def _normal(value: Any) -> Any:
    """Numbers by value, DynamoDB N/NS by their number (the AWS pages print them unquoted)."""
    if isinstance(value, dict):
        if set(value) == {"N"}:
            return {"N": float(value["N"])}
        if set(value) == {"NS"}:
            return {"NS": [float(n) for n in value["NS"]]}
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    return value


def _run(case: dict[str, Any], kit: Any) -> tuple[Any, list[dict[str, Any]], AppSyncError | None]:
    template = compile_template(kit.template_text(case))
    try:
        result = template.render(kit.context_for(case))
    except AppSyncError as error:
        partial = getattr(error, "render_result", None)
        appended = [e.to_dict() for e in partial.errors] if partial else []
        return None, [*appended, error.to_dict()], error
    return result.value, [e.to_dict() for e in result.errors], None


def test_feature_case(feature_case: dict[str, Any], kit: Any) -> None:
    case = feature_case
    value, errors, raised = _run(case, kit)
    if case["name"] in DIFFERENCES:
        recorded = DIFFERENCES[case["name"]]
        if "error" in recorded:
            assert raised is not None and raised.to_dict() == recorded["error"]
        else:
            assert raised is None and value == recorded["result"]
        return
    expected = case.get("appsync")
    if expected is None:
        oracle = case["oracle"]
        assert raised is None
        volatile = case.get("volatile") or []
        if volatile:
            assert json.dumps(value).count('"') == json.dumps(oracle["result"]).count('"')
        else:
            assert _normal(value) == _normal(oracle["result"])
        return
    if "errors" in expected:
        assert len(errors) == len(expected["errors"]), errors
        for mine, documented in zip(errors, expected["errors"], strict=True):
            assert {key: _normal(mine[key]) for key in documented} == _normal(documented)
    else:
        assert raised is None, raised
    if "result" in expected and raised is None:
        assert _normal(value) == _normal(expected["result"])
    if "resultPattern" in expected:
        assert re.match(expected["resultPattern"], str(value)), value
