"""The AppSync dialect on Airspeed's parser: what parses, and where a syntax error points."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl import compile_template
from amplify_local.mock.appsync.vtl import parser as p


def test_parse_error_names_file_line_column_and_shows_a_caret() -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template('{\n  "a": $util.toJson($context.result\n}', "resolvers/Query.x.res.vtl")
    error = caught.value
    assert (error.template, error.line, error.error_type) == ("resolvers/Query.x.res.vtl", 2, "MappingTemplate")
    assert error.message.startswith("Parse error on resolvers/Query.x.res.vtl:2:")
    source_line, caret = error.message.splitlines()[-2:]
    assert source_line == '  "a": $util.toJson($context.result'
    assert caret.index("^") == error.column - 1


def test_unclosed_if_is_a_parse_error() -> None:
    with pytest.raises(TemplateError, match="Parse error on INLINE_TEMPLATE:1:"):
        compile_template("#if(true) open")


def test_stray_end_is_a_parse_error() -> None:
    with pytest.raises(TemplateError, match="Parse error"):
        compile_template("text #end")


def _children(text: str) -> list[Any]:
    return p.parse(text, "t").block.children


def test_dialect_directives_parse_to_their_elements() -> None:
    kinds = [type(c) for c in _children('#return({"a": 1})#break#stop#[[raw $x]]#')]
    assert kinds == [p.ReturnDirective, p.BreakDirective, p.StopDirective, p.RawBlock]


def test_set_targets_with_brackets_and_properties() -> None:
    (directive,) = _children('#set($m.a["b"][0] = 1)')
    assert isinstance(directive, p.SetDirective)
    assert directive.target.my_text() == '$m.a["b"][0]'


def test_hyphenated_identifier_and_dollar_digit_text() -> None:
    children = _children("$x-y costs $5")
    assert children[0].my_text() == "$x-y"
    assert "".join(c.text for c in children[1:]) == " costs $5"


def test_word_operators_need_word_boundaries() -> None:
    (directive,) = _children("#if($order and $a gt 3)x#end")
    expression = directive.condition.calculate.__self__
    assert [term.op for term in expression.expression[1::2]] == ["and", "gt"]


def test_single_quoted_strings_keep_backslashes() -> None:
    (directive,) = _children(r"#set($r = '\d+''s')")
    assert directive.value.expression[0].expression.value == r"\d+'s"


def test_braced_directive_forms(vtl: Any) -> None:
    assert vtl.text("#{if}(false)a#{elseif}(true)b#{else}c#{end}#{foreach}($i in [1, 2])$i#{end}") == "b12"
