"""`$util` itself: JSON, ids, errors, null/type tests, encodings, authType, log."""

from __future__ import annotations

import re
from typing import Any

import pytest

from amplify_local.mock.appsync.errors import AppSyncError, TemplateError, UnauthorizedError
from amplify_local.mock.appsync.types import Info


def test_qr_and_quiet_discard(vtl: Any) -> None:
    assert vtl.text('#set($l = [])$util.qr($l.add(1))$util.quiet($l.add(2))$l') == "[1, 2]"


def test_ids(vtl: Any) -> None:
    uuid, ulid, ksuid = vtl.text("$util.autoId() $util.autoUlid() $util.autoKsuid()").split()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uuid)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", ulid)
    assert re.fullmatch(r"[0-9A-Za-z]{27}", ksuid)


def test_error_in_four_forms_and_data_filtered_by_selection(vtl: Any) -> None:
    info = Info("getPost", "Query", {}, ["id", "title", "author", "author/name"], "")
    with pytest.raises(AppSyncError) as caught:
        vtl.text('$util.error("m", "T", {"id": 1, "secret": 2, "author": {"name": "a", "x": 1}}, {"i": [1]})',
                 info=info)
    assert caught.value.to_dict() == {"message": "m", "errorType": "T",
                                      "data": {"id": 1, "author": {"name": "a"}}, "errorInfo": {"i": [1]}}
    with pytest.raises(AppSyncError) as caught:
        vtl.text('$util.error("only")')
    assert caught.value.message == "only" and caught.value.data is None


def test_append_error_continues_and_is_attached_to_a_later_error(vtl: Any) -> None:
    result = vtl('$util.appendError("soft", "Soft"){"ok": true}', parse_json=True)
    assert result.value == {"ok": True} and [e.to_dict()["errorType"] for e in result.errors] == ["Soft"]
    with pytest.raises(AppSyncError) as caught:
        vtl('$util.appendError("soft")$util.error("hard", "Hard")')
    assert [e.message for e in caught.value.render_result.errors] == ["soft"]


def test_unauthorized_names_the_field(vtl: Any) -> None:
    with pytest.raises(UnauthorizedError, match="Not Authorized to access comments on type Post"):
        vtl.text("$util.unauthorized()", info=Info("comments", "Post", {}, [], ""))


def test_validate(vtl: Any) -> None:
    assert vtl.text('$util.validate(true, "never")ok') == "ok"
    with pytest.raises(AppSyncError) as caught:
        vtl.text('$util.validate(false, "bad")')
    assert (caught.value.message, caught.value.error_type) == ("bad", "CustomTemplateException")
    with pytest.raises(AppSyncError, match="typed") as caught:
        vtl.text('$util.validate(1 > 2, "typed", "Mine")')
    assert caught.value.error_type == "Mine"


@pytest.mark.parametrize(("call", "expected"), [
    ("isNull($n)", True), ('isNull("")', False), ('isNullOrEmpty("")', True), ('isNullOrEmpty(" ")', False),
    ("isNullOrEmpty([])", True), ('isNullOrBlank("  ")', True), ('isNullOrBlank("a")', False),
    ('defaultIfNull($n, "d")', "d"), ('defaultIfNull("", "d")', ""), ('defaultIfNullOrEmpty("", "d")', "d"),
    ('defaultIfNullOrBlank(" ", "d")', "d"), ('isString("s")', True), ("isNumber(1.5)", True),
    ("isNumber(true)", False), ("isBoolean(false)", True), ("isList([])", True), ("isMap({})", True),
    ("typeOf(1)", "Number"), ('typeOf("s")', "String"), ("typeOf([])", "List"), ("typeOf({})", "Map"),
    ("typeOf(true)", "Boolean"), ("typeOf($n)", "Null"), ("matches('a.c', \"abc\")", True),
    ("matches('a', \"abc\")", False),
])
def test_null_and_type_helpers(call: str, expected: Any, vtl: Any) -> None:
    assert vtl.json(f"$util.toJson($util.{call})") == expected


@pytest.mark.parametrize(("call", "expected"), [
    ('urlEncode("a b&c/~*é")', "a+b%26c%2F%7E*%C3%A9"), ('urlDecode("a+b%26%C3%A9")', "a b&é"),
    ('base64Encode("héllo ✓")', "aMOpbGxvIOKckw=="), ('base64Decode("aMOpbGxvIOKckw==")', "héllo ✓"),
    ("escapeJavaScript(\"it's \\\"/\")", "it\\'s \\\\\\\"\\/"),
])
def test_encodings(call: str, expected: str, vtl: Any) -> None:
    assert vtl.text(f"$util.{call}") == expected


def test_bad_base64_is_an_error(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="base64"):
        vtl.text('$util.base64Decode("***")')


@pytest.mark.parametrize(("mode", "name"), [
    ("API_KEY", "API Key Authorization"), ("AMAZON_COGNITO_USER_POOLS", "User Pool Authorization"),
    ("OPENID_CONNECT", "Open ID Connect Authorization"), ("AWS_IAM", "IAM Authorization"),
    ("AWS_LAMBDA", "Lambda Authorization"),
])
def test_auth_type(mode: str, name: str, vtl: Any) -> None:
    assert vtl.text("$util.authType()", auth_mode=mode) == name


def test_log(vtl: Any) -> None:
    result = vtl('$util.log.info("n={} m={}", 1, "x")$util.log.error("bad")')
    assert result.text == "" and result.logs == ["INFO - n=1 m=x", "ERROR - bad"]
