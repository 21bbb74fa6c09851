"""Directives, references and expressions, with Velocity 1.7 semantics; and the runaway limits."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl import runtime


def test_references_quiet_formal_and_undefined(vtl: Any) -> None:
    assert vtl.text("#set($a = 1)$a $b $!b ${a}x $!{b} ${b} $a.missing") == "1 $b  1x  ${b} $a.missing"


def test_alternate_value(vtl: Any) -> None:
    assert vtl.text('${missing|"fallback"}') == "fallback"


def test_set_with_null_keeps_the_old_value(vtl: Any) -> None:
    assert vtl.text('#set($a = "x")#set($a = $nothing)$a') == "x"


def test_set_nested_and_bracket_targets(vtl: Any) -> None:
    text = '#set($m = {"a": {}})#set($m.a.b = 1)#set($m["c"] = [1, 2])#set($m.c[1] = 5)#set($n.x = 1)$m'
    assert vtl.text(text) == "{a={b=1}, c=[1, 5]}"


def test_if_elseif_else(vtl: Any) -> None:
    template = "#if($n < 0)neg#elseif($n == 0)zero#{else}pos#end"
    assert [vtl.text(template, arguments={}, stash={}) for _ in range(1)] == ["pos"]
    assert vtl.text("#set($n = -1)" + template) == "neg"
    assert vtl.text("#set($n = 0)" + template) == "zero"


def test_logical_operators_short_circuit(vtl: Any) -> None:
    assert vtl.text("#if($x && $x.size() > 0)a#{else}b#end #if(!$x || $x.foo())c#end") == "b c"
    assert vtl.text("#if(1 == 1 and not false or false)y#end") == "y"


def test_operator_precedence(vtl: Any) -> None:
    assert vtl.text("#set($x = 2 + 3 * 4 - 6 / 4)$x #set($y = (2 + 3) * 4)$y") == "13 20"


def test_foreach_status_and_restoring_the_loop_variable(vtl: Any) -> None:
    text = ('#set($i = "outer")#foreach($i in ["a", "b"])$i$foreach.count$foreach.index$foreach.first'
            '$foreach.last$foreach.hasNext() #end$i')
    assert vtl.text(text) == "a10truefalsetrue b21falsetruefalse outer"


def test_foreach_over_maps_ranges_nested_parent_and_break(vtl: Any) -> None:
    assert vtl.text('#foreach($v in {"a": 1, "b": 2})$v#end') == "12"
    assert vtl.text("#foreach($i in [3..1])$i#end #foreach($i in [1..5])#if($i > 2)#break#end$i#end") == "321 12"
    assert vtl.text("#foreach($a in [1, 2])#foreach($b in [1])$foreach.parent.count$velocityCount#end#end") == "1121"
    assert vtl.text("#foreach($x in $nothing)never#end#foreach($x in 5)never#end.") == "."


def test_stop_break_outside_loop_and_return(vtl: Any) -> None:
    assert vtl.text("a#stop b") == "a"
    assert vtl.text("a#break b") == "a"
    result = vtl('x#return({"k": [1]})y')
    assert (result.returned, result.value, result.text) == (True, {"k": [1]}, '{"k":[1]}')
    result = vtl("x#return y")
    assert (result.returned, result.value) == (True, None)


def test_macros_with_arguments_and_before_definition(vtl: Any) -> None:
    assert vtl.text('#greet("Ann" 2)#macro(greet $who $n)Hi $who x$n#end') == "Hi Ann x2"
    assert vtl.text("#unknown(1) stays") == "#unknown(1) stays"
    with pytest.raises(TemplateError, match="takes 1 arguments"):
        vtl.text("#macro(one $a)$a#end#one(1 2)")


def test_macro_defined_inside_a_directive(vtl: Any) -> None:
    assert vtl.text("#hi()#if(false)#macro(hi)hello#end#end") == "hello"


def test_recursive_macros(vtl: Any) -> None:
    text = "#macro(down $n)$n#if($n > 0)#set($m = $n - 1)#down($m)#end#end#down(3)"
    assert vtl.text(text) == "3210"
    with pytest.raises(TemplateError, match="recursion too deep"):
        vtl.text("#macro(forever $n)#forever($n)#end#forever(1)")


def test_define_renders_with_current_variables(vtl: Any) -> None:
    assert vtl.text("#define($b)Hello $who#end#set($who = 1)$b #set($who = 2)$b") == "Hello 1 Hello 2"


def test_comments_raw_blocks_and_escapes(vtl: Any) -> None:
    assert vtl.text("a## line\nb#* block\n *#c #[[$raw #if]]# \\$x \\#set") == "abc $raw #if $x #set"


def test_string_interpolation_and_literals(vtl: Any) -> None:
    text = "#set($v = \"klepto\")#set($s = \"${v}maniac $v.length()\")$s '$v' #set($l = [1, 2.5, \"x\", true, null])$l"
    assert vtl.text(text) == "kleptomaniac 6 'klepto' [1, 2.5, x, true, null]"
    assert vtl.text("#set($v = 1)#set($q = '$v')$q") == "$v"


def test_multiline_map_literal_with_expressions(vtl: Any) -> None:
    assert vtl.json('#set($m = {\n  "a": 1 + 1,\n  "b": [\n 1,\n 2\n ]\n})$util.toJson($m)') == {"a": 2, "b": [1, 2]}


def test_void_method_renders_nothing_and_unknown_method_renders_literally(vtl: Any) -> None:
    assert vtl.text("#set($l = [])$l.add(0, 1)$l.clear()$l.put(1) $l") == "$l.put(1) []"


def test_java_exception_is_an_error_with_position(vtl: Any) -> None:
    with pytest.raises(TemplateError) as caught:
        vtl.text("\n  $ctx.args.items.get(3)", arguments={"items": [1]})
    assert "IndexOutOfBoundsException" in caught.value.message
    assert (caught.value.line, caught.value.column) == (2, 3)


def test_error_inside_a_string_points_into_the_string(vtl: Any) -> None:
    with pytest.raises(TemplateError) as caught:
        vtl.text('{\n  "a": "x $ctx.args.l.get(2)"\n}', arguments={"l": []})
    assert (caught.value.line, caught.value.column) == (2, 11)


def test_growing_the_list_being_iterated_is_stopped(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="ConcurrentModificationException"):
        vtl.text("#set($l = [1])#foreach($x in $l)$util.qr($l.add($x))#end")


def test_iteration_and_output_limits(vtl: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from amplify_local.mock.appsync.vtl import compiler

    monkeypatch.setattr(compiler, "MAX_ITERATIONS", 100)
    with pytest.raises(TemplateError, match="more than 100 iterations"):
        vtl.text("#foreach($i in [1..50])#foreach($j in [1..50])#end#end")
    monkeypatch.setattr(compiler, "MAX_OUTPUT", 1000)
    with pytest.raises(TemplateError, match="beyond 1000 characters"):
        vtl.text('#set($s = "xxxxxxxxxx")#foreach($i in [1..10])#set($s = "$s$s")#end')
    with pytest.raises(TemplateError, match="beyond 1000 characters"):
        vtl.text('#set($s = "xxxxxxxxxx")#foreach($i in [1..10])#set($s = $s + $s)#end')
    monkeypatch.setattr(compiler, "MAX_ITERATIONS", 10_000)
    with pytest.raises(TemplateError, match="rendered more than 1000 characters"):
        vtl.text("#foreach($i in [1..3000])xxxxxxxxxx#end")
    assert runtime.MAX_ITERATIONS == 1_000_000


def test_huge_values_are_errors_not_crashes(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="A range of more than"):
        vtl.text("#foreach($i in [1..100000000])#end")
    with pytest.raises(TemplateError, match="OutOfMemoryError"):
        vtl.text('#set($s = "ab")$s.repeat(100000000)')
    with pytest.raises(TemplateError, match="OverflowError"):
        vtl.text("#set($big = 10)#foreach($i in [1..9])#set($big = $big * $big)#end#set($x = $big + 0.5)")


def test_mutations_through_ctx_are_visible_to_the_caller(vtl: Any) -> None:
    stash: dict[str, Any] = {}
    arguments = {"input": {"a": 1}}
    vtl.text('$util.qr($ctx.stash.put("k", [1]))$util.qr($ctx.args.input.remove("a"))', stash=stash,
             arguments=arguments)
    assert stash == {"k": [1]} and arguments == {"input": {}}
