"""`$util.str`: case, literal replacement, Unicode normalisation."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError


@pytest.mark.parametrize(("call", "expected"), [
    ('toUpper("ab")', "AB"), ('toLower("AB")', "ab"), ('toReplace("cost: $5 [est]", "[est]", "(est)")', "cost: $5 (est)"),
    ('normalize("e\u0301", "NFC")', "é"), ('normalize("é", "nfd")', "e\u0301"), ('normalize("ﬁ", "NFKD")', "fi"),
])
def test_str_helper(call: str, expected: str, vtl: Any) -> None:
    assert vtl.json(f"$util.toJson($util.str.{call})") == expected


def test_unknown_normalization_form(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="unknown normalization form"):
        vtl.text('$util.str.normalize("x", "NFX")')
