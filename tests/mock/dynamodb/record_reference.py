"""The DynamoDB scenario suite, and the recorder of the reference's answers to it.

`SCENARIOS` is an ordered script of DynamoDB requests (wire JSON, B values as base64 text) run through
boto3 with client-side validation off, so invalid requests reach the server. Run as a script, it starts
Amazon's DynamoDB Local (the reference; needs Java) and moto server, runs the script against both and
writes `reference_answers.json`: per step the normalised answer or error code and message.
`test_endpoint_scenarios.py` replays the script through boto3 against our endpoint and compares with the
DynamoDB Local recording (CI has no Java); the moto answers are kept to count how often moto departs from
the reference.

    .venv/bin/python tests/mock/dynamodb/record_reference.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import botocore.config
from botocore import xform_name
from botocore.exceptions import ClientError

HERE = Path(__file__).parent
FIXTURE = HERE / "reference_answers.json"
EMULATOR = Path("/work/peer/node_modules/amplify-dynamodb-simulator/emulator")

S = {"AttributeType": "S"}
N = {"AttributeType": "N"}


def _attr(name: str, kind: dict[str, str]) -> dict[str, str]:
    return {"AttributeName": name, **kind}


def _key(*names: str) -> list[dict[str, str]]:
    return [{"AttributeName": name, "KeyType": kind} for name, kind in zip(names, ("HASH", "RANGE"), strict=False)]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


TODO = {"TableName": "Todo", "KeySchema": _key("id"), "AttributeDefinitions": [_attr("id", S)],
        "BillingMode": "PAY_PER_REQUEST"}
POSTS = {
    "TableName": "Posts", "KeySchema": _key("blog", "seq"),
    "AttributeDefinitions": [_attr("blog", S), _attr("seq", N), _attr("author", S), _attr("title", S)],
    "BillingMode": "PAY_PER_REQUEST",
    "GlobalSecondaryIndexes": [{"IndexName": "byAuthor", "KeySchema": _key("author", "seq"),
                                "Projection": {"ProjectionType": "ALL"}},
                               {"IndexName": "byTitle", "KeySchema": _key("title"),
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    "LocalSecondaryIndexes": [{"IndexName": "byBlogTitle", "KeySchema": _key("blog", "title"),
                               "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["likes"]}}],
}


def _post(blog: str, seq: int, author: str, title: str, likes: int) -> dict[str, Any]:
    return {"TableName": "Posts", "Item": {"blog": {"S": blog}, "seq": {"N": str(seq)}, "author": {"S": author},
                                           "title": {"S": title}, "likes": {"N": str(likes)}}}


def _q(expression: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"TableName": "Posts", "KeyConditionExpression": expression, "ExpressionAttributeValues": values, **extra}


def _upd(expression: str, values: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"TableName": "Todo", "Key": {"id": {"S": "u"}}, "UpdateExpression": expression,
                               "ReturnValues": "ALL_NEW", **extra}
    if values:
        request["ExpressionAttributeValues"] = values
    return request


RICH = {"id": {"S": "rich"}, "s": {"S": "héllo"}, "n": {"N": "0012.500"}, "big": {"N": "1E+3"},
        "neg": {"N": "-0.000100"}, "b": {"B": _b64("bytes")}, "t": {"BOOL": True}, "nul": {"NULL": True},
        "ss": {"SS": ["b", "a"]}, "ns": {"NS": ["2", "1.0"]}, "bs": {"BS": [_b64("x")]},
        "l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"S": "y"}}}]},
        "m": {"M": {"a": {"M": {"b": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}}}, "c": {"S": "see"}}}}

# (name, operation, request, unordered): `unordered` compares Items as a set (Scan order is the store's).
SCENARIOS: list[tuple[str, str, dict[str, Any], bool]] = [
    ("create-todo", "CreateTable", TODO, False),
    ("create-todo-again", "CreateTable", TODO, False),
    ("create-posts", "CreateTable", POSTS, False),
    ("create-unused-definition", "CreateTable", {**TODO, "TableName": "Bad1", "AttributeDefinitions": [
        _attr("id", S), _attr("extra", S)]}, False),
    ("create-undefined-key", "CreateTable", {**TODO, "TableName": "Bad2", "AttributeDefinitions": [
        _attr("other", S)]}, False),
    ("create-no-throughput", "CreateTable", {k: val for k, val in TODO.items() if k != "BillingMode"} | {
        "TableName": "Bad3"}, False),
    ("create-bad-name", "CreateTable", {**TODO, "TableName": "no spaces"}, False),
    ("describe-posts", "DescribeTable", {"TableName": "Posts"}, False),
    ("describe-missing", "DescribeTable", {"TableName": "Missing"}, False),
    ("list-tables", "ListTables", {}, False),
    ("list-tables-limit", "ListTables", {"Limit": 1}, False),
    # items and values
    ("put-rich", "PutItem", {"TableName": "Todo", "Item": RICH}, False),
    ("get-rich", "GetItem", {"TableName": "Todo", "Key": {"id": {"S": "rich"}}}, False),
    ("get-projection", "GetItem", {"TableName": "Todo", "Key": {"id": {"S": "rich"}},
                                   "ProjectionExpression": "s, m.a.b[1], l[2].deep, #n, missing",
                                   "ExpressionAttributeNames": {"#n": "n"}}, False),
    ("get-projection-overlap", "GetItem", {"TableName": "Todo", "Key": {"id": {"S": "rich"}},
                                           "ProjectionExpression": "m, m.c"}, False),
    ("get-missing-item", "GetItem", {"TableName": "Todo", "Key": {"id": {"S": "nope"}}}, False),
    ("get-wrong-key-name", "GetItem", {"TableName": "Todo", "Key": {"ident": {"S": "rich"}}}, False),
    ("get-wrong-key-type", "GetItem", {"TableName": "Todo", "Key": {"id": {"N": "1"}}}, False),
    ("get-extra-key", "GetItem", {"TableName": "Todo", "Key": {"id": {"S": "rich"}, "s": {"S": "x"}}}, False),
    ("put-missing-key", "PutItem", {"TableName": "Todo", "Item": {"name": {"S": "x"}}}, False),
    ("put-key-type-mismatch", "PutItem", {"TableName": "Todo", "Item": {"id": {"N": "1"}}}, False),
    ("put-empty-key", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": ""}}}, False),
    ("put-empty-string-attribute", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "e"}, "s": {"S": ""}}},
     False),
    ("get-empty-string-attribute", "GetItem", {"TableName": "Todo", "Key": {"id": {"S": "e"}}}, False),
    ("put-empty-set", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "x"}, "ss": {"SS": []}}}, False),
    ("put-duplicate-set", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "x"}, "ss": {"SS": ["a", "a"]}}},
     False),
    ("put-bad-number", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "x"}, "n": {"N": "12abc"}}}, False),
    ("put-too-precise", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "x"}, "n": {
        "N": "1.234567890123456789012345678901234567890"}}}, False),
    ("put-overflow", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "x"}, "n": {"N": "1e126"}}}, False),
    ("put-38-digits", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "p38"}, "n": {
        "N": "12345678901234567890123456789012345678"}}}, False),
    ("get-38-digits", "GetItem", {"TableName": "Todo", "Key": {"id": {"S": "p38"}}}, False),
    ("put-two-types", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "x"}, "v": {"S": "a", "N": "1"}}},
     False),
    ("put-null-false", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "x"}, "v": {"NULL": False}}}, False),
    ("put-too-large", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "big"}, "v": {"S": "x" * 409600}}},
     False),
    ("put-missing-table", "PutItem", {"TableName": "Nope", "Item": {"id": {"S": "x"}}}, False),
    ("put-return-old-none", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}, "v": {"N": "1"}},
                                        "ReturnValues": "ALL_OLD"}, False),
    ("put-return-old", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}, "v": {"N": "2"}},
                                   "ReturnValues": "ALL_OLD"}, False),
    ("put-return-all-new", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}}, "ReturnValues": "ALL_NEW"},
     False),
    # conditions
    ("put-if-not-exists-fails", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}},
                                            "ConditionExpression": "attribute_not_exists(id)"}, False),
    ("put-condition-return-item", "PutItem", {
        "TableName": "Todo", "Item": {"id": {"S": "c"}}, "ConditionExpression": "v = :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}, False),
    ("put-condition-passes", "PutItem", {
        "TableName": "Todo", "Item": {"id": {"S": "c"}, "v": {"N": "3"}, "tags": {"SS": ["red", "blue"]},
                                      "name": {"S": "carrot"}},
        "ConditionExpression": "v BETWEEN :a AND :b AND NOT contains(#n, :z) OR attribute_not_exists(v)",
        "ExpressionAttributeNames": {"#n": "name"},
        "ExpressionAttributeValues": {":a": {"N": "1"}, ":b": {"N": "2.0"}, ":z": {"S": "z"}}}, False),
    ("condition-functions", "PutItem", {
        "TableName": "Todo", "Item": {"id": {"S": "c"}, "v": {"N": "4"}},
        "ConditionExpression": "attribute_type(tags, :ss) AND contains(tags, :red) AND begins_with(#n, :car) "
                               "AND size(tags) = :two AND size(#n) > :two AND v IN (:one, :three, :four)",
        "ExpressionAttributeNames": {"#n": "name"},
        "ExpressionAttributeValues": {":ss": {"S": "SS"}, ":red": {"S": "red"}, ":car": {"S": "car"},
                                      ":two": {"N": "2"}, ":one": {"N": "1"}, ":three": {"N": "3"},
                                      ":four": {"N": "4"}}}, False),
    ("condition-ne-missing", "PutItem", {
        "TableName": "Todo", "Item": {"id": {"S": "c"}, "v": {"N": "5"}},
        "ConditionExpression": "nothing <> :x", "ExpressionAttributeValues": {":x": {"S": "x"}}}, False),
    ("condition-compare-types", "PutItem", {
        "TableName": "Todo", "Item": {"id": {"S": "c"}, "v": {"N": "5"}},
        "ConditionExpression": "v < :s", "ExpressionAttributeValues": {":s": {"S": "9"}}}, False),
    ("condition-syntax-error", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}},
                                           "ConditionExpression": "v = = :x",
                                           "ExpressionAttributeValues": {":x": {"N": "1"}}}, False),
    ("condition-eof", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}}, "ConditionExpression": "v ="},
     False),
    ("condition-reserved-word", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}},
                                            "ConditionExpression": "attribute_exists(name)"}, False),
    ("condition-unknown-function", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}},
                                               "ConditionExpression": "exists(v)"}, False),
    ("condition-missing-value", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}},
                                            "ConditionExpression": "v = :nope"}, False),
    ("condition-missing-name", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}},
                                           "ConditionExpression": "#nope = :x",
                                           "ExpressionAttributeValues": {":x": {"N": "1"}}}, False),
    ("condition-unused-value", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}},
                                           "ConditionExpression": "attribute_exists(v)",
                                           "ExpressionAttributeValues": {":x": {"N": "1"}}}, False),
    ("condition-unused-name", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}},
                                          "ConditionExpression": "attribute_exists(v)",
                                          "ExpressionAttributeNames": {"#x": "x"}}, False),
    ("condition-between-reversed", "PutItem", {
        "TableName": "Todo", "Item": {"id": {"S": "c"}}, "ConditionExpression": "v BETWEEN :b AND :a",
        "ExpressionAttributeValues": {":a": {"N": "1"}, ":b": {"N": "2"}}}, False),
    ("condition-begins-with-number", "PutItem", {
        "TableName": "Todo", "Item": {"id": {"S": "c"}}, "ConditionExpression": "begins_with(v, :a)",
        "ExpressionAttributeValues": {":a": {"N": "1"}}}, False),
    ("condition-bad-type-name", "PutItem", {
        "TableName": "Todo", "Item": {"id": {"S": "c"}}, "ConditionExpression": "attribute_type(v, :t)",
        "ExpressionAttributeValues": {":t": {"S": "STRING"}}}, False),
    ("condition-empty", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}}, "ConditionExpression": ""},
     False),
    ("names-without-expression", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "c"}},
                                             "ExpressionAttributeNames": {"#x": "x"}}, False),
    # updates
    ("update-creates", "UpdateItem", _upd("SET a = :one, l = :list, m = :map, s = :set",
                                          {":one": {"N": "1"}, ":list": {"L": [{"S": "x"}, {"S": "y"}, {"S": "z"}]},
                                           ":map": {"M": {"k": {"S": "v"}}}, ":set": {"SS": ["p", "q"]}}), False),
    ("update-arithmetic", "UpdateItem", _upd("SET a = a + :two, b = if_not_exists(b, :ten) - :one",
                                             {":two": {"N": "2"}, ":ten": {"N": "10"}, ":one": {"N": "1"}}), False),
    ("update-list-append-nested", "UpdateItem", _upd(
        "SET l = list_append(:front, l), m.k2 = :v", {":front": {"L": [{"S": "w"}]}, ":v": {"S": "v2"}}), False),
    ("update-list-index-past-end", "UpdateItem", _upd("SET l[10] = :end", {":end": {"S": "end"}}), False),
    ("update-list-overlap", "UpdateItem", _upd("SET l = :x, l[1] = :x", {":x": {"L": []}}), False),
    ("update-delete-from-number", "UpdateItem", _upd("DELETE a :x", {":x": {"N": "1"}}), False),
    ("update-list-append-string", "UpdateItem", _upd("SET l = list_append(l, :x)", {":x": {"S": "s"}}), False),
    ("update-nested-map-path", "UpdateItem", _upd("SET m.inner = :m, m.k3 = :x", {":m": {"M": {}}, ":x": {"S": "3"}}),
     False),
    ("update-remove-indexes", "UpdateItem", _upd("REMOVE l[0], l[2], m.k"), False),
    ("update-add-delete", "UpdateItem", _upd("ADD a :five, s :more, newcount :one DELETE s :p",
                                             {":five": {"N": "5"}, ":more": {"SS": ["r"]}, ":one": {"N": "1"},
                                              ":p": {"SS": ["p"]}}), False),
    ("update-updated-old", "UpdateItem", _upd("SET a = :x, z = :x", {":x": {"N": "100"}},
                                              ReturnValues="UPDATED_OLD"), False),
    ("update-updated-new", "UpdateItem", _upd("SET a = :x REMOVE z", {":x": {"N": "101"}},
                                              ReturnValues="UPDATED_NEW"), False),
    ("update-key-attribute", "UpdateItem", _upd("SET id = :x", {":x": {"S": "y"}}), False),
    ("update-overlapping-paths", "UpdateItem", _upd("SET m = :x, m.k = :x", {":x": {"S": "y"}}), False),
    ("update-same-path-twice", "UpdateItem", _upd("SET a = :x REMOVE a", {":x": {"N": "1"}}), False),
    ("update-two-set-clauses", "UpdateItem", _upd("SET a = :x SET b = :x", {":x": {"N": "1"}}), False),
    ("update-add-string", "UpdateItem", _upd("ADD a :x", {":x": {"S": "s"}}), False),
    ("update-plus-string", "UpdateItem", _upd("SET a = a + :x", {":x": {"S": "s"}}), False),
    ("update-missing-operand", "UpdateItem", _upd("SET a = nothing + :x", {":x": {"N": "1"}}), False),
    ("update-bad-nested-path", "UpdateItem", _upd("SET nothing.deeper = :x", {":x": {"N": "1"}}), False),
    ("update-syntax", "UpdateItem", _upd("SET a :x", {":x": {"N": "1"}}), False),
    ("update-empty", "UpdateItem", _upd(""), False),
    ("update-function-in-update", "UpdateItem", _upd("SET a = size(l)"), False),
    ("update-condition-fails", "UpdateItem", _upd("SET a = :x", {":x": {"N": "1"}, ":big": {"N": "1000"}},
                                                  ConditionExpression="a > :big"), False),
    ("update-no-expression-creates", "UpdateItem", {"TableName": "Todo", "Key": {"id": {"S": "bare"}},
                                                    "ReturnValues": "ALL_NEW"}, False),
    ("update-bad-return-values", "UpdateItem", _upd("SET a = :x", {":x": {"N": "1"}}, ReturnValues="EVERYTHING"),
     False),
    ("update-remove-on-missing-item", "UpdateItem", {"TableName": "Todo", "Key": {"id": {"S": "ghost"}},
                                                     "UpdateExpression": "REMOVE nothing", "ReturnValues": "ALL_NEW"},
     False),
    ("update-missing-item-condition", "UpdateItem", {"TableName": "Todo", "Key": {"id": {"S": "ghost2"}},
                                                     "UpdateExpression": "SET a = :x", "ConditionExpression":
                                                     "attribute_exists(id)", "ExpressionAttributeValues": {
                                                         ":x": {"N": "1"}}}, False),
    ("update-sets", "UpdateItem", _upd("ADD ns :ns DELETE s :all", {":ns": {"NS": ["1", "2.5"]},
                                                                   ":all": {"SS": ["q", "r"]}}), False),
    ("update-add-number-set-trailing-zero", "UpdateItem", {
        "TableName": "Todo", "Key": {"id": {"S": "ns"}}, "UpdateExpression": "ADD ns :ns", "ReturnValues": "ALL_NEW",
        "ExpressionAttributeValues": {":ns": {"NS": ["2.50"]}}}, False),
    ("update-if-not-exists-list", "UpdateItem", _upd("SET l2 = list_append(if_not_exists(l2, :empty), :one)",
                                                     {":empty": {"L": []}, ":one": {"L": [{"N": "1"}]}}), False),
    ("update-dotted-name", "UpdateItem", _upd("SET #dotted = :x, m.#inner = :x", {":x": {"S": "d"}},
                                              ExpressionAttributeNames={"#dotted": "a.b", "#inner": "x.y"}), False),
    ("update-updated-new-nested", "UpdateItem", _upd("SET m.k4 = :x", {":x": {"S": "4"}}, ReturnValues="UPDATED_NEW"),
     False),
    ("update-invalid-value", "UpdateItem", _upd("SET a = :x", {":x": {"SS": []}}), False),
    ("update-grows-too-large", "UpdateItem", _upd("SET big1 = :x, big2 = :x", {":x": {"S": "y" * 210000}}), False),
    ("delete-return-old", "DeleteItem", {"TableName": "Todo", "Key": {"id": {"S": "bare"}},
                                         "ReturnValues": "ALL_OLD"}, False),
    ("delete-missing", "DeleteItem", {"TableName": "Todo", "Key": {"id": {"S": "bare"}},
                                      "ReturnValues": "ALL_OLD"}, False),
    ("delete-condition-fails", "DeleteItem", {"TableName": "Todo", "Key": {"id": {"S": "c"}},
                                              "ConditionExpression": "attribute_not_exists(id)"}, False),
    # queries
    *[(f"put-post-{blog}-{seq}", "PutItem", _post(blog, seq, author, title, seq * 10), False)
      for blog, seq, author, title in [("b1", 1, "ann", "alpha"), ("b1", 2, "bob", "beta"), ("b1", 3, "ann", "gamma"),
                                       ("b1", 10, "ann", "delta"), ("b1", -1, "cy", "alphabet"),
                                       ("b1", 25, "bob", "omega"), ("b2", 1, "ann", "zeta")]],
    ("query-hash", "Query", _q("blog = :b", {":b": {"S": "b1"}}), False),
    ("query-lt", "Query", _q("blog = :b AND seq < :s", {":b": {"S": "b1"}, ":s": {"N": "3"}}), False),
    ("query-ge-desc", "Query", _q("blog = :b AND seq >= :s", {":b": {"S": "b1"}, ":s": {"N": "3"}},
                                  ScanIndexForward=False), False),
    ("query-between", "Query", _q("blog = :b AND seq BETWEEN :l AND :h", {":b": {"S": "b1"}, ":l": {"N": "-1"},
                                                                          ":h": {"N": "2.5"}}), False),
    ("query-limit", "Query", _q("blog = :b", {":b": {"S": "b1"}}, Limit=2), False),
    ("query-start-key", "Query", _q("blog = :b", {":b": {"S": "b1"}}, Limit=2, ExclusiveStartKey={
        "blog": {"S": "b1"}, "seq": {"N": "1"}}), False),
    ("query-limit-exact-end", "Query", _q("blog = :b", {":b": {"S": "b2"}}, Limit=1), False),
    ("query-filter-limit", "Query", _q("blog = :b", {":b": {"S": "b1"}, ":a": {"S": "ann"}}, Limit=3,
                                       FilterExpression="author = :a"), False),
    ("query-count", "Query", _q("blog = :b", {":b": {"S": "b1"}}, Select="COUNT"), False),
    ("query-projection", "Query", _q("blog = :b AND seq = :s", {":b": {"S": "b1"}, ":s": {"N": "2"}},
                                     ProjectionExpression="title, likes"), False),
    ("query-gsi", "Query", _q("author = :a AND seq > :s", {":a": {"S": "ann"}, ":s": {"N": "1"}},
                              IndexName="byAuthor"), False),
    ("query-gsi-desc-limit", "Query", _q("author = :a", {":a": {"S": "ann"}}, IndexName="byAuthor", Limit=2,
                                         ScanIndexForward=False), False),
    ("query-gsi-consistent", "Query", _q("author = :a", {":a": {"S": "ann"}}, IndexName="byAuthor",
                                         ConsistentRead=True), False),
    ("query-gsi-keys-only", "Query", _q("title = :t", {":t": {"S": "beta"}}, IndexName="byTitle"), False),
    ("query-gsi-keys-only-all", "Query", _q("title = :t", {":t": {"S": "beta"}}, IndexName="byTitle",
                                            Select="ALL_ATTRIBUTES"), False),
    ("query-lsi-begins", "Query", _q("blog = :b AND begins_with(title, :p)", {":b": {"S": "b1"},
                                                                             ":p": {"S": "alph"}},
                                     IndexName="byBlogTitle"), False),
    ("query-missing-index", "Query", _q("blog = :b", {":b": {"S": "b1"}}, IndexName="nope"), False),
    ("query-missing-hash", "Query", _q("seq = :s", {":s": {"N": "1"}}), False),
    ("query-hash-not-eq", "Query", _q("blog > :b", {":b": {"S": "b1"}}), False),
    ("query-or", "Query", _q("blog = :b OR seq = :s", {":b": {"S": "b1"}, ":s": {"N": "1"}}), False),
    ("query-non-key", "Query", _q("blog = :b AND likes = :s", {":b": {"S": "b1"}, ":s": {"N": "1"}}), False),
    ("query-wrong-type", "Query", _q("blog = :b", {":b": {"N": "1"}}), False),
    ("query-begins-number", "Query", _q("blog = :b AND begins_with(seq, :s)", {":b": {"S": "b1"},
                                                                              ":s": {"N": "1"}}), False),
    ("query-filter-on-key", "Query", _q("blog = :b", {":b": {"S": "b1"}, ":s": {"N": "1"}},
                                        FilterExpression="seq = :s"), False),
    ("query-no-condition", "Query", {"TableName": "Posts"}, False),
    ("query-bad-start-key", "Query", _q("blog = :b", {":b": {"S": "b1"}}, ExclusiveStartKey={"blog": {"S": "b1"}}),
     False),
    ("query-count-filter", "Query", _q("blog = :b", {":b": {"S": "b1"}, ":a": {"S": "bob"}}, Select="COUNT",
                                       FilterExpression="author = :a"), False),
    ("query-select-conflict", "Query", _q("blog = :b", {":b": {"S": "b1"}}, Select="ALL_ATTRIBUTES",
                                          ProjectionExpression="title"), False),
    ("query-specific-without-projection", "Query", _q("blog = :b", {":b": {"S": "b1"}},
                                                      Select="SPECIFIC_ATTRIBUTES"), False),
    ("query-projected-without-index", "Query", _q("blog = :b", {":b": {"S": "b1"}},
                                                  Select="ALL_PROJECTED_ATTRIBUTES"), False),
    ("query-lsi-all-attributes", "Query", _q("blog = :b AND title > :t", {":b": {"S": "b1"}, ":t": {"S": "c"}},
                                             IndexName="byBlogTitle", Select="ALL_ATTRIBUTES"), False),
    ("query-lsi-projected", "Query", _q("blog = :b AND title > :t", {":b": {"S": "b1"}, ":t": {"S": "c"}},
                                        IndexName="byBlogTitle"), False),
    ("query-size-in-key", "Query", _q("blog = :b AND size(title) > :n", {":b": {"S": "b1"}, ":n": {"N": "1"}},
                                      IndexName="byBlogTitle"), False),
    ("query-reversed-operands", "Query", _q(":b = blog AND :s < seq", {":b": {"S": "b1"}, ":s": {"N": "3"}}), False),
    ("get-projection-unused-name", "GetItem", {"TableName": "Posts", "Key": {"blog": {"S": "b1"}, "seq": {"N": "1"}},
                                               "ProjectionExpression": "title",
                                               "ExpressionAttributeNames": {"#x": "x"}}, False),
    ("scan-filter", "Scan", {"TableName": "Posts", "FilterExpression": "likes >= :l",
                             "ExpressionAttributeValues": {":l": {"N": "30"}}}, False),
    ("scan-count", "Scan", {"TableName": "Posts", "Select": "COUNT"}, False),
    ("scan-all-in-order", "Scan", {"TableName": "Posts", "ProjectionExpression": "blog, seq"}, False),
    ("scan-page", "Scan", {"TableName": "Posts", "Limit": 3, "ProjectionExpression": "blog, seq"}, False),
    ("scan-next-page", "Scan", {"TableName": "Posts", "Limit": 3, "ProjectionExpression": "blog, seq",
                                "ExclusiveStartKey": {"blog": {"S": "b1"}, "seq": {"N": "3"}}}, False),
    ("scan-segment-0", "Scan", {"TableName": "Posts", "Segment": 0, "TotalSegments": 2,
                                "ProjectionExpression": "blog, seq"}, False),
    ("scan-segment-1", "Scan", {"TableName": "Posts", "Segment": 1, "TotalSegments": 2,
                                "ProjectionExpression": "blog, seq"}, False),
    ("scan-gsi", "Scan", {"TableName": "Posts", "IndexName": "byTitle"}, False),
    ("scan-segment-invalid", "Scan", {"TableName": "Posts", "Segment": 2, "TotalSegments": 2}, False),
    ("scan-segment-missing-total", "Scan", {"TableName": "Posts", "Segment": 0}, False),
    ("scan-limit-zero", "Scan", {"TableName": "Posts", "Limit": 0}, False),
    ("scan-total-without-segment", "Scan", {"TableName": "Posts", "TotalSegments": 2}, False),
    ("scan-filter-on-key", "Scan", {"TableName": "Posts", "FilterExpression": "seq = :s",
                                    "ExpressionAttributeValues": {":s": {"N": "1"}}}, False),
    ("query-gsi-filter-on-table-key", "Query", _q("author = :a", {":a": {"S": "ann"}, ":b": {"S": "b1"}},
                                                  IndexName="byAuthor", FilterExpression="blog = :b"), False),
    ("query-gsi-filter-on-index-key", "Query", _q("author = :a", {":a": {"S": "ann"}, ":s": {"N": "1"}},
                                                  IndexName="byAuthor", FilterExpression="seq = :s"), False),
    ("query-gsi-start-key", "Query", _q("author = :a", {":a": {"S": "ann"}}, IndexName="byAuthor", Limit=1,
                                        ExclusiveStartKey={"author": {"S": "ann"}, "seq": {"N": "3"},
                                                           "blog": {"S": "b1"}}), False),
    ("query-legacy-key-conditions", "Query", {"TableName": "Posts", "KeyConditions": {"blog": {
        "ComparisonOperator": "EQ", "AttributeValueList": [{"S": "b2"}]}}}, False),
    ("query-legacy-filter-attributes", "Query", {
        "TableName": "Posts", "KeyConditions": {
            "blog": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "b1"}]},
            "seq": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "10"}]}},
        "QueryFilter": {"author": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "ann"}, {"S": "cy"}]},
                        "title": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "g"}]}},
        "ConditionalOperator": "OR", "AttributesToGet": ["title", "seq"]}, False),
    ("scan-legacy-filter", "Scan", {"TableName": "Posts", "ScanFilter": {
        "likes": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "50"}]},
        "missing": {"ComparisonOperator": "NULL"}}}, False),
    ("legacy-mixed-with-expression", "Scan", {"TableName": "Posts", "ScanFilter": {
        "likes": {"ComparisonOperator": "NOT_NULL"}}, "FilterExpression": "attribute_exists(likes)"}, False),
    ("put-legacy-expected", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "leg"}, "v": {"N": "1"}},
                                        "Expected": {"id": {"Exists": False}}}, False),
    ("put-legacy-expected-fails", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "leg"}},
                                              "Expected": {"v": {"Value": {"N": "2"}}}}, False),
    ("update-legacy-attribute-updates", "UpdateItem", {
        "TableName": "Todo", "Key": {"id": {"S": "leg"}}, "ReturnValues": "ALL_NEW",
        "AttributeUpdates": {"v": {"Action": "ADD", "Value": {"N": "5"}}, "w": {"Action": "PUT", "Value": {"S": "x"}},
                             "tags": {"Action": "ADD", "Value": {"SS": ["a"]}}},
        "Expected": {"v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}}, False),
    ("update-legacy-remove", "UpdateItem", {
        "TableName": "Todo", "Key": {"id": {"S": "leg"}}, "ReturnValues": "ALL_NEW",
        "AttributeUpdates": {"w": {"Action": "DELETE"}}}, False),
    ("get-legacy-attributes-to-get", "GetItem", {"TableName": "Todo", "Key": {"id": {"S": "leg"}},
                                                 "AttributesToGet": ["v", "nothing"]}, False),
    # batches
    ("batch-write", "BatchWriteItem", {"RequestItems": {"Todo": [
        {"PutRequest": {"Item": {"id": {"S": "b1"}, "v": {"N": "1"}}}},
        {"PutRequest": {"Item": {"id": {"S": "b2"}, "v": {"N": "2"}}}},
        {"DeleteRequest": {"Key": {"id": {"S": "c"}}}}]}}, False),
    ("batch-get", "BatchGetItem", {"RequestItems": {"Todo": {"Keys": [{"id": {"S": "b1"}}, {"id": {"S": "b2"}},
                                                                      {"id": {"S": "c"}}],
                                                             "ProjectionExpression": "v"}}}, True),
    ("batch-get-duplicates", "BatchGetItem", {"RequestItems": {"Todo": {"Keys": [{"id": {"S": "b1"}},
                                                                                 {"id": {"S": "b1"}}]}}}, False),
    ("batch-write-duplicates", "BatchWriteItem", {"RequestItems": {"Todo": [
        {"PutRequest": {"Item": {"id": {"S": "b1"}}}}, {"DeleteRequest": {"Key": {"id": {"S": "b1"}}}}]}}, False),
    ("batch-write-too-many", "BatchWriteItem", {"RequestItems": {"Todo": [
        {"PutRequest": {"Item": {"id": {"S": f"m{i}"}}}} for i in range(26)]}}, False),
    ("batch-get-too-many", "BatchGetItem", {"RequestItems": {"Todo": {"Keys": [
        {"id": {"S": f"m{i}"}} for i in range(101)]}}}, False),
    ("batch-get-missing-table", "BatchGetItem", {"RequestItems": {"Nope": {"Keys": [{"id": {"S": "x"}}]}}}, False),
    # transactions
    ("transact-write", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "Todo", "Item": {"id": {"S": "t1"}, "v": {"N": "1"}},
                 "ConditionExpression": "attribute_not_exists(id)"}},
        {"Update": {"TableName": "Todo", "Key": {"id": {"S": "b1"}}, "UpdateExpression": "SET v = v + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": "Todo", "Key": {"id": {"S": "b2"}}}},
        {"ConditionCheck": {"TableName": "Posts", "Key": {"blog": {"S": "b1"}, "seq": {"N": "1"}},
                            "ConditionExpression": "author = :a", "ExpressionAttributeValues": {":a": {"S": "ann"}}}},
    ], "ClientRequestToken": "token-1"}, False),
    ("transact-write-replay-token", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "Todo", "Item": {"id": {"S": "t1"}, "v": {"N": "1"}},
                 "ConditionExpression": "attribute_not_exists(id)"}},
        {"Update": {"TableName": "Todo", "Key": {"id": {"S": "b1"}}, "UpdateExpression": "SET v = v + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": "Todo", "Key": {"id": {"S": "b2"}}}},
        {"ConditionCheck": {"TableName": "Posts", "Key": {"blog": {"S": "b1"}, "seq": {"N": "1"}},
                            "ConditionExpression": "author = :a", "ExpressionAttributeValues": {":a": {"S": "ann"}}}},
    ], "ClientRequestToken": "token-1"}, False),
    ("transact-token-mismatch", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "Todo", "Item": {"id": {"S": "t9"}}}}], "ClientRequestToken": "token-1"}, False),
    ("transact-after-replay", "GetItem", {"TableName": "Todo", "Key": {"id": {"S": "b1"}}}, False),
    ("transact-cancelled", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "Todo", "Item": {"id": {"S": "t2"}}}},
        {"Put": {"TableName": "Todo", "Item": {"id": {"S": "t1"}}, "ConditionExpression": "attribute_not_exists(id)",
                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
    ]}, False),
    ("transact-cancelled-left-nothing", "GetItem", {"TableName": "Todo", "Key": {"id": {"S": "t2"}}}, False),
    ("transact-same-item-twice", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "Todo", "Item": {"id": {"S": "t3"}}}},
        {"Delete": {"TableName": "Todo", "Key": {"id": {"S": "t3"}}}}]}, False),
    ("transact-get", "TransactGetItems", {"TransactItems": [
        {"Get": {"TableName": "Todo", "Key": {"id": {"S": "t1"}}}},
        {"Get": {"TableName": "Todo", "Key": {"id": {"S": "none"}}}},
        {"Get": {"TableName": "Posts", "Key": {"blog": {"S": "b1"}, "seq": {"N": "2"}},
                 "ProjectionExpression": "title"}}]}, False),
    ("transact-too-many", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "Todo", "Item": {"id": {"S": f"many{i}"}}}} for i in range(101)]}, False),
    ("transact-missing-table", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "Nope", "Item": {"id": {"S": "x"}}}}]}, False),
    ("transact-empty", "TransactWriteItems", {"TransactItems": []}, False),
    # tables
    ("update-table-add-gsi", "UpdateTable", {"TableName": "Todo", "AttributeDefinitions": [_attr("v", N)],
                                             "GlobalSecondaryIndexUpdates": [{"Create": {
                                                 "IndexName": "byV", "KeySchema": _key("v"),
                                                 "Projection": {"ProjectionType": "ALL"}}}]}, False),
    ("describe-after-gsi", "DescribeTable", {"TableName": "Todo"}, False),
    ("put-gsi-type-mismatch", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "g"}, "v": {"S": "two"}}},
     False),
    ("ttl-describe", "DescribeTimeToLive", {"TableName": "Todo"}, False),
    ("ttl-enable", "UpdateTimeToLive", {"TableName": "Todo", "TimeToLiveSpecification": {
        "AttributeName": "expires", "Enabled": True}}, False),
    ("ttl-describe-enabled", "DescribeTimeToLive", {"TableName": "Todo"}, False),
    ("wrong-type-expression", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": "w"}}, "ConditionExpression": 1},
     False),
    ("wrong-type-value", "PutItem", {"TableName": "Todo", "Item": {"id": {"S": 5}}}, False),
    ("wrong-type-limit", "Scan", {"TableName": "Todo", "Limit": "5", "ProjectionExpression": "id"}, False),
    ("wrong-type-boolean", "Query", {"TableName": "Todo", "KeyConditionExpression": "id = :v",
                                     "ExpressionAttributeValues": {":v": {"S": "w"}}, "ScanIndexForward": "no"},
     False),
    ("delete-table", "DeleteTable", {"TableName": "Posts"}, False),
    ("delete-table-again", "DeleteTable", {"TableName": "Posts"}, False),
]

_DESCRIPTION_FIELDS = ("TableName", "KeySchema", "TableStatus", "StreamSpecification")


def to_boto(value: Any) -> Any:
    """Wire JSON to boto3's parameters: B/BS members become bytes."""
    if isinstance(value, dict):
        if len(value) == 1 and "B" in value and isinstance(value["B"], str):
            return {"B": base64.b64decode(value["B"])}
        if len(value) == 1 and "BS" in value and isinstance(value["BS"], list):
            return {"BS": [base64.b64decode(member) for member in value["BS"]]}
        return {key: to_boto(member) for key, member in value.items()}
    if isinstance(value, list):
        return [to_boto(member) for member in value]
    return value


def from_boto(value: Any) -> Any:
    """boto3's answer to comparable JSON: bytes as base64, set members sorted."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ("SS", "NS", "BS"):
            kind = next(iter(value))
            return {kind: sorted(from_boto(member) for member in value[kind])}
        return {key: from_boto(member) for key, member in value.items()}
    if isinstance(value, list):
        return [from_boto(member) for member in value]
    return value


def _description(table: dict[str, Any]) -> dict[str, Any]:
    kept = {field: table[field] for field in _DESCRIPTION_FIELDS if field in table}
    kept["AttributeDefinitions"] = sorted(table.get("AttributeDefinitions", []), key=lambda d: d["AttributeName"])
    for field in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if field in table:
            kept[field] = sorted(({"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
                                  for i in table[field]), key=lambda i: i["IndexName"])
    return kept


def normalise(response: dict[str, Any], unordered: bool) -> dict[str, Any]:
    """The comparable part of a successful answer."""
    answer = from_boto({k: val for k, val in response.items() if k not in ("ResponseMetadata", "ConsumedCapacity")})
    for field in ("Table", "TableDescription"):
        if field in answer:
            answer[field] = _description(answer[field])
    if unordered:
        if "Items" in answer:
            answer["Items"] = sorted(answer["Items"], key=lambda item: json.dumps(item, sort_keys=True))
        if "Responses" in answer and isinstance(answer["Responses"], dict):
            answer["Responses"] = {table: sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
                                   for table, items in answer["Responses"].items()}
    return answer


def run(endpoint: str) -> list[dict[str, Any]]:
    """Run every scenario against `endpoint` through boto3; one outcome per step."""
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="fake",
                          aws_secret_access_key="fake", config=botocore.config.Config(
                              parameter_validation=False, retries={"max_attempts": 1}))
    outcomes = []
    for name, operation, request, unordered in SCENARIOS:
        try:
            method = getattr(client, xform_name(operation), None)
            if method is None:
                outcome: dict[str, Any] = {"error": {"code": "UnknownOperation", "message": "not in the SDK"}}
                response = None
            else:
                response = method(**to_boto(request))
                outcome = {"answer": normalise(response, unordered)}
        except ClientError as error:
            details = error.response.get("Error", {})
            outcome = {"error": {"code": details.get("Code"), "message": details.get("Message")}}
            for field in ("CancellationReasons", "Item"):
                if field in error.response:
                    outcome[field] = from_boto(error.response[field])
        outcomes.append({"name": name, **outcome})
    return outcomes


def run_remote(endpoint: str) -> list[dict[str, Any]]:
    """The same script through the storage seam (`RemoteEngine`, raw JSON 1.0) instead of boto3."""
    from amplify_local.mock.dynamodb import DynamoDBError, RemoteEngine

    remote = RemoteEngine(endpoint, region="us-east-1")
    outcomes = []
    for name, operation, request, unordered in SCENARIOS:
        try:
            outcome: dict[str, Any] = {"answer": normalise(remote.call(operation, request), unordered)}
        except DynamoDBError as error:
            outcome = {"error": {"code": error.code, "message": error.message}}
            for field in ("CancellationReasons", "Item"):
                if field in error.extra:
                    outcome[field] = from_boto(error.extra[field])
        outcomes.append({"name": name, **outcome})
    remote.close()
    return outcomes


def digest() -> str:
    """A fingerprint of the script, so a stale recording is noticed."""
    return hashlib.sha256(json.dumps([s[:3] for s in SCENARIOS], sort_keys=True).encode()).hexdigest()[:16]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


def _record(command: list[str], cwd: Path | None, port: int, runner: Any = None) -> list[dict[str, Any]]:
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port)
        return (runner or run)(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(10)


def main() -> int:
    local_port, moto_port = _free_port(), _free_port()
    local = _record(["java", "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar", "-inMemory",
                     "-port", str(local_port)], EMULATOR, local_port)
    seam_port = _free_port()
    seam = _record(["java", "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar", "-inMemory",
                    "-port", str(seam_port)], EMULATOR, seam_port, run_remote)
    seam_differs = [a["name"] for a, b in zip(local, seam, strict=True) if a != b]
    print(f"the storage seam (RemoteEngine) on DynamoDB Local differs from boto3 on {len(seam_differs)} steps: "
          f"{seam_differs}", file=sys.stderr)
    moto_server = str(Path(sys.executable).with_name("moto_server"))
    moto = _record([moto_server, "-p", str(moto_port)], None, moto_port)
    differing = [a["name"] for a, b in zip(local, moto, strict=True) if a != b]
    FIXTURE.write_text(json.dumps({
        "digest": digest(),
        "reference": "DynamoDB Local 1.25.1 (amplify-dynamodb-simulator 2.9.30), -inMemory",
        "dynamodb_local": local,
        "moto": moto,
        "moto_differs": differing,
        "seam_on_dynamodb_local_differs": seam_differs,
    }, indent=1, sort_keys=False) + "\n")
    print(f"{len(local)} steps recorded; moto differs from DynamoDB Local on {len(differing)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    raise SystemExit(main())
