"""Every template file and inline template of the 19 golden APIs compiles, once per text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from amplify_local.mock.appsync.vtl import compile_template

GOLDEN = Path("/work/shared/corpus")


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
