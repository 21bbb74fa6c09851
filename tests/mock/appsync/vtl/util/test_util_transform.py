"""`$util.transform`: DynamoDB filter/condition expressions, OpenSearch DSL, subscription filters."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError


def _filter(vtl: Any, helper: str, value: Any) -> Any:
    return vtl.json(f"$util.transform.{helper}($ctx.args.f)", arguments={"f": value})


def test_filter_expression_operators_and_nesting(vtl: Any) -> None:
    result = _filter(vtl, "toDynamoDBFilterExpression", {
        "title": {"contains": "Hello", "beginsWith": "H"}, "n": {"between": [1, 5]},
        "or": [{"done": {"eq": True}}, {"tag": {"in": ["a"]}}], "not": {"p": {"ne": 2}},
        "x": {"attributeExists": False}, "s": {"size": {"gt": 3}}, "t": {"attributeType": "S"}})
    assert result["expression"] == (
        "(contains(#title, :title_contains) AND begins_with(#title, :title_beginsWith)) AND "
        "#n BETWEEN :n_between_1 AND :n_between_2 AND (#done = :or_0_done_eq OR contains(:or_1_tag_in, #tag)) "
        "AND NOT #p <> :not_p_ne AND attribute_not_exists(#x) AND size(#s) > :s_gt AND "
        "attribute_type(#t, :t_attributeType)")
    assert result["expressionNames"] == {f"#{n}": n for n in ("title", "n", "done", "tag", "p", "x", "s", "t")}
    assert result["expressionValues"][":n_between_2"] == {"N": "5"}
    assert ":x_attributeExists" not in result["expressionValues"]


def test_condition_expression_returns_its_values(vtl: Any) -> None:
    result = _filter(vtl, "toDynamoDBConditionExpression", {"and": [{"v": {"eq": 3}}, {"id": {"attributeExists": True}}]})
    assert result == {"expression": "(#v = :and_0_v_eq AND attribute_exists(#id))",
                      "expressionNames": {"#v": "v", "#id": "id"}, "expressionValues": {":and_0_v_eq": {"N": "3"}}}


def test_null_filter_gives_null(vtl: Any) -> None:
    assert vtl.text("$!util.transform.toDynamoDBFilterExpression($n)") == ""


def test_subscription_filter_groups(vtl: Any) -> None:
    result = vtl.json('$util.toJson($util.transform.toSubscriptionFilter($ctx.args.f, ["skip"], {"r": {"eq": 1}}))',
                      arguments={"f": {"a": {"gt": 1, "lt": 9}, "skip": {"eq": 0}}})
    assert result == {"filterGroup": [
        {"filters": [{"fieldName": "a", "operator": "gt", "value": 1}, {"fieldName": "r", "operator": "eq", "value": 1}]},
        {"filters": [{"fieldName": "a", "operator": "lt", "value": 9}, {"fieldName": "r", "operator": "eq", "value": 1}]},
    ]}


def test_subscription_filter_limits_and_operators(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="Unsupported subscription filter operator"):
        _filter(vtl, "toSubscriptionFilter", {"a": {"like": 1}})
    with pytest.raises(TemplateError, match="allows 10 groups of 5 filters"):
        _filter(vtl, "toSubscriptionFilter", {f"f{i}": {"eq": i} for i in range(6)})


def test_elasticsearch_query_dsl(vtl: Any) -> None:
    result = _filter(vtl, "toElasticsearchQueryDSL", {
        "title": {"eq": "x", "matchPhrase": "a b"}, "n": {"gte": 2}, "or": [{"n": {"eq": 0}}, {"d": {"exists": False}}],
        "not": {"k": {"ne": 1}}})
    assert result == {"bool": {"must": [
        {"bool": {"must": [{"match": {"title.keyword": "x"}}, {"match_phrase": {"title": "a b"}}]}},
        {"range": {"n": {"gte": 2}}},
        {"bool": {"should": [{"match": {"n": 0}}, {"bool": {"must_not": {"exists": {"field": "d"}}}}],
                  "minimum_should_match": 1}},
        {"bool": {"must_not": {"bool": {"must_not": {"match": {"k": 1}}}}}},
    ]}}
    with pytest.raises(TemplateError, match="Could not construct an Elasticsearch Query DSL from near"):
        _filter(vtl, "toElasticsearchQueryDSL", {"a": {"near": 1}})


def test_elasticsearch_text_operators(vtl: Any) -> None:
    result = _filter(vtl, "toElasticsearchQueryDSL", {"t": {"matchPhrasePrefix": "ab", "multiMatch": "cd",
                                                            "wildcard": "e*", "regexp": "f.+"}})
    assert result == {"bool": {"must": [{"match_phrase_prefix": {"t": "ab"}}, {"multi_match": {"t": "cd"}},
                                        {"wildcard": {"t": "e*"}}, {"regexp": {"t": "f.+"}}]}}
