"""java.lang.String methods as templates call them."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.java.strings import split


@pytest.mark.parametrize(("expression", "expected"), [
    ('$s.length()', 11), ('$s.isEmpty()', False), ('$s.charAt(1)', "e"), ('$s.substring(6)', "World"),
    ('$s.substring(0, 5)', "Hello"), ('$s.indexOf("o")', 4), ('$s.indexOf("o", 5)', 7),
    ('$s.lastIndexOf("o")', 7), ('$s.contains("lo W")', True), ('$s.startsWith("Hell")', True),
    ('$s.endsWith("ld")', True), ('$s.equals("Hello World")', True), ('$s.equalsIgnoreCase("hello world")', True),
    ('$s.toUpperCase()', "HELLO WORLD"), ('$s.toLowerCase()', "hello world"), ('$p.trim()', "x"),
    ('$s.replace("l", "L")', "HeLLo WorLd"), ("$s.replaceAll('(\\w+) (\\w+)', '$2, $1')", "World, Hello"),
    ("$s.replaceFirst('l', '_')", "He_lo World"), ("$s.matches('H.*d')", True), ("$s.matches('H')", False),
    ('$s.concat("!")', "Hello World!"), ('$b.compareTo("a")', 1), ('$a.compareTo("abc")', -2),
    ('$s.split(" ")', ["Hello", "World"]), ('$a.repeat(3)', "aaa"), ('$s.toString()', "Hello World"),
    ('$s.hashCode()', -862545276), ('$p.isBlank()', False), ('$p.strip()', "x"),
    ('$p.stripLeading()', "x "), ('$p.stripTrailing()', " x"), ('$s.codePointAt(1)', 101),
    ('$s.subSequence(0, 5)', "Hello"), ('$s.compareToIgnoreCase("HELLO WORLD")', 0),
    ('$a.compareToIgnoreCase("C")', -2), ('$a.intern()', "a"), ('$s.toCharArray().size()', 11),
    ('$s.toCharArray().get(4)', "o"),
])
def test_string_method(expression: str, expected: Any, vtl: Any) -> None:
    variables = '#set($s = "Hello World")#set($p = " x ")#set($a = "a")#set($b = "b")'
    assert vtl.json(f"{variables}$util.toJson({expression})") == expected


@pytest.mark.parametrize(("text", "regex", "limit", "expected"), [
    ("a,b,,c,,", ",", 0, ["a", "b", "", "c"]), ("a,b,,c,,", ",", -1, ["a", "b", "", "c", "", ""]),
    ("a,b,c", ",", 2, ["a", "b,c"]), ("a1b22c", r"\d+", 0, ["a", "b", "c"]), ("", ",", 0, [""]),
    ("abc", "", 0, ["a", "b", "c"]), (",a", ",", 0, ["", "a"]), ("a.b", ".", 0, []), ("a.b", "\\.", 0, ["a", "b"]),
    ("a|b", "\\|", 0, ["a", "b"]),
])
def test_split_follows_java(text: str, regex: str, limit: int, expected: list[str]) -> None:
    assert split(text, regex, limit) == expected


def test_methods_are_called_on_references_not_literals(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="Parse error"):
        vtl.text('$util.toJson("x".trim())')


def test_out_of_range_is_an_error(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="StringIndexOutOfBoundsException"):
        vtl.text('#set($s = "ab")$s.substring(3)')
    with pytest.raises(TemplateError, match="StringIndexOutOfBoundsException"):
        vtl.text('#set($s = "ab")$s.charAt(5)')


def test_bad_regex_is_an_error(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="PatternSyntaxException"):
        vtl.text("#set($s = \"ab\")$s.matches('(')")
