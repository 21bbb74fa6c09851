"""The public API: `compile_template` (cached, syntax errors) and `Template.render` (RenderResult, errors)."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import AppSyncError, TemplateError
from amplify_local.mock.appsync.types import ResolverContext
from amplify_local.mock.appsync.vtl import compile_template


def test_compiled_once_per_text_and_path() -> None:
    assert compile_template("{}", "a.vtl") is compile_template("{}", "a.vtl")
    assert compile_template("{}", "a.vtl") is not compile_template("{}", "b.vtl")


def test_render_parses_the_output_as_json() -> None:
    result = compile_template('{"n": 7, "d": 1.5, "s": "x"}').render(ResolverContext(arguments={}))
    assert result.value == {"n": 7, "d": 1.5, "s": "x"} and isinstance(result.value["n"], int)
    assert not result.returned and result.errors == [] and result.text.startswith("{")


def test_output_that_is_not_json_is_a_mapping_template_error() -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template("$nothing").render(ResolverContext(arguments={}))
    assert caught.value.error_type == "MappingTemplate"
    assert caught.value.message == ("Unable to convert $nothing to class "
                                    "com.amazonaws.deepdish.transform.model.lambda.LambdaVersionedConfig.")


def test_rendered_nan_is_not_json() -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template('{"n": NaN}').render(ResolverContext(arguments={}))
    assert caught.value.error_type == "MappingTemplate"
    assert caught.value.message.startswith('Unable to convert {"n": NaN} to class')


def test_return_skips_json_parsing_of_the_text() -> None:
    result = compile_template("not json #return([1, 2])").render(ResolverContext(arguments={}))
    assert (result.returned, result.value, result.text) == (True, [1, 2], "[1,2]")


def test_stash_is_the_callers_object_across_renders() -> None:
    context = ResolverContext(arguments={})
    compile_template('$util.qr($ctx.stash.put("n", 1)){}').render(context)
    result = compile_template('$util.qr($ctx.stash.put("n", $ctx.stash.n + 1)){}').render(context)
    assert result.stash is context.stash and context.stash == {"n": 2}


def test_stopping_error_carries_the_render_so_far() -> None:
    with pytest.raises(AppSyncError) as caught:
        compile_template('$util.log.info("x")$util.appendError("a")$util.unauthorized()').render(
            ResolverContext(arguments={}))
    partial = caught.value.render_result
    assert caught.value.error_type == "Unauthorized"
    assert [e.message for e in partial.errors] == ["a"] and partial.logs == ["INFO - x"]


def test_runtime_errors_name_the_template(vtl: Any) -> None:
    with pytest.raises(TemplateError, match=r"at resolvers/x\.vtl:1:1"):
        compile_template("$ctx.args.l.get(5)", "resolvers/x.vtl").render(ResolverContext(arguments={"l": []}))


def test_returned_values_are_plain_json_values() -> None:
    from amplify_local.mock.appsync.types import Info

    context = ResolverContext(arguments={"m": {"a": 1}}, info=Info("f", "Query", {}, ["x"], "{ x }"))
    result = compile_template("#return({\"i\": $ctx.info, \"e\": $ctx.args.m.entrySet(), \"r\": [1..2]})").render(context)
    assert result.value == {"i": {"fieldName": "f", "parentTypeName": "Query", "variables": {}},
                            "e": [{"a": 1}], "r": [1, 2]}
