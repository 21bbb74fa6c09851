"""Every template file and inline template of the 19 golden APIs compiles, once per text, and renders to JSON.

The texts that `corpus/vtl` has recorded cases for render with those contexts in test_vtl_corpus.py; the
others (inline pipeline templates, one v1 create) render here with one representative signed-in caller.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from kit import CORPUS as GOLDEN

from amplify_local.mock.appsync.types import Info, ResolverContext
from amplify_local.mock.appsync.vtl import compile_template


def _templates() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for api in sorted(GOLDEN.glob("v[12]/*")):
        for path in sorted(api.glob("resolvers/*.vtl")) + sorted(api.glob("pipelineFunctions/*.vtl")):
            found.append((str(path.relative_to(GOLDEN)), path.read_text()))
        manifest = json.loads((api / "manifest.json").read_text())
        for entry in manifest.get("resolvers", []) + manifest.get("functions", []):
            for key in ("requestTemplateInline", "responseTemplateInline"):
                if entry.get(key) is not None:
                    name = entry.get("name") or f"{entry.get('typeName')}.{entry.get('fieldName')}"
                    found.append((f"{api.relative_to(GOLDEN)}:{name}:{key}", entry[key]))
    return found


TEMPLATES = _templates()


def test_the_golden_apis_have_templates() -> None:
    assert len(TEMPLATES) > 1000


@pytest.mark.parametrize(("path", "text"), TEMPLATES, ids=[path for path, _ in TEMPLATES])
def test_template_compiles(path: str, text: str, kit: Any) -> None:
    template = compile_template(text, path)
    assert compile_template(text, path) is template  # cached by content


def _without_case(cases: list[dict[str, Any]], template_text: Any) -> list[tuple[str, str]]:
    """The golden templates (one path per distinct text) that no recorded corpus case renders."""
    recorded = {template_text(case) for case in cases}
    first: dict[str, str] = {}
    for path, text in TEMPLATES:
        first.setdefault(text, path)
    return [(path, text) for text, path in first.items() if text not in recorded]


def _signed_in_context() -> ResolverContext:
    claims = {"sub": "u-1", "cognito:username": "alice", "cognito:groups": ["Admin"], "token_use": "id",
              "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"}
    identity = {"sub": "u-1", "username": "alice", "claims": claims, "issuer": claims["iss"],
                "defaultAuthStrategy": "ALLOW", "groups": ["Admin"], "sourceIp": ["127.0.0.1"]}
    return ResolverContext(arguments={"input": {"id": "x1", "title": "t", "name": "n"}, "id": "x1"},
                           identity=identity, source={"id": "s1", "tagId": "t1", "postId": "p1"}, prev={"result": {"id": "p1", "items": []}},
                           result={"id": "r1", "items": []}, info=Info("f", "Query", {}, ["id"], "{ id }"),
                           auth_mode="AMAZON_COGNITO_USER_POOLS")


def test_templates_without_a_recorded_case_render_to_json(kit: Any) -> None:
    uncovered = _without_case(kit.load_cases("corpus"), kit.template_text)
    assert len(uncovered) == 36  # the rest render with their recorded contexts in test_vtl_corpus.py
    for path, text in uncovered:
        result = compile_template(text, path).render(_signed_in_context())
        assert result.errors == [], path
        assert json.loads(result.text) == result.value, path  # the text is JSON, and the value is its parse
