"""`$util.transform`: GraphQL filter inputs to DynamoDB expressions, OpenSearch queries and subscription filters.

The DynamoDB expression follows the shape AppSync documents (and the reference mock builds): names
`#field`, values `:prefix_field_op`, `and`/`or` lists joined and parenthesised, `not` prefixed.
Unlike the reference mock, the condition expression also returns its `expressionValues`.
"""

from __future__ import annotations

import re
from typing import Any

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.runtime import Frame
from amplify_local.mock.appsync.vtl.util.dynamodb import to_dynamodb
from amplify_local.mock.appsync.vtl.util.json import to_json

_COMPARISONS = {"ne": "<>", "eq": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_PLACEHOLDER = re.compile(r":[A-Za-z0-9_]+")
_FUNCTIONS = {"contains": "contains", "notContains": "NOT contains", "beginsWith": "begins_with"}


class _Expression:
    __slots__ = ("names", "parts", "values")

    def __init__(self, parts: list[str] | None = None, names: dict[str, str] | None = None,
                 values: dict[str, Any] | None = None) -> None:
        self.parts = parts or []
        self.names = names or {}
        self.values = values or {}

    def merge(self, other: _Expression, joiner: str = "AND") -> _Expression:
        if not other.parts:
            return self
        return _Expression([*self.parts, joiner if self.parts else "", *other.parts],
                           {**self.names, **other.names}, {**self.values, **other.values})

    def scoped(self) -> _Expression:
        parts = [part for part in self.parts if part]
        if len(parts) > 1:
            parts = ["(" + " ".join(parts) + ")"]
        return _Expression(parts, self.names, self.values)


def _value_name(field: str | None, op: str, prefix: str | None) -> str:
    return ":" + "_".join(part for part in (prefix, field, op) if part)


def _join(*parts: Any) -> str:
    return "_".join(str(part) for part in parts if part is not None)


def _size_operand(field: str) -> str:
    return f"size(#{field})"


def generate(filter_input: Any, prefix: str | None = None, field: str | None = None) -> _Expression:
    if not isinstance(filter_input, dict):
        raise TemplateError("A filter or condition must be a Map of fields to operators")
    total = _Expression()
    for name, value in filter_input.items():
        operand = f"#{field}"
        value_name = _value_name(field, name, prefix)
        names = {f"#{field}": field} if field is not None else {}
        if name in ("and", "or"):
            joiner = "OR" if name == "or" else "AND"
            if isinstance(value, list):
                sub = _Expression()
                for index, item in enumerate(value):
                    sub = sub.merge(generate(item, _join(prefix, name, index)), joiner)
                sub = sub.scoped()
            else:
                sub = generate(value, _join(prefix, name))
        elif name == "not":
            sub = generate(value, _join(prefix, name)).scoped()
            sub.parts.insert(0, "NOT")
        elif name == "between":
            if not isinstance(value, list) or len(value) != 2:
                raise TemplateError(f"between on {field} needs a list of two values")
            low, high = _value_name(field, "between_1", prefix), _value_name(field, "between_2", prefix)
            sub = _Expression([f"{operand} BETWEEN {low} AND {high}"], names,
                              {low: to_dynamodb(value[0]), high: to_dynamodb(value[1])})
        elif name in _COMPARISONS:
            sub = _Expression([f"{operand} {_COMPARISONS[name]} {value_name}"], names,
                              {value_name: to_dynamodb(value)})
        elif name == "attributeExists":
            function = "attribute_exists" if value is True else "attribute_not_exists"
            sub = _Expression([f"{function}({operand})"], names, {value_name: to_dynamodb(value)})
        elif name == "attributeType":
            sub = _Expression([f"attribute_type({operand}, {value_name})"], names,
                              {value_name: to_dynamodb(value)})
        elif name == "size" and field is not None:
            sized = generate(value, prefix, field)
            sized.parts = [part.replace(operand, _size_operand(field), 1) for part in sized.parts]
            sub = sized
        elif name in _FUNCTIONS:
            sub = _Expression([f"{_FUNCTIONS[name]}({operand}, {value_name})"], names,
                              {value_name: to_dynamodb(value)})
        elif name == "in":
            sub = _Expression([f"contains({value_name}, {operand})"], names, {value_name: to_dynamodb(value)})
        else:
            if value is None:
                continue
            sub = generate(value, prefix, name).scoped()
        total = total.merge(sub)
    return total


def _used_values(expression: str, values: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB rejects unused values (e.g. the operand of `attributeExists`), so only used ones are kept."""
    used = set(_PLACEHOLDER.findall(expression))
    return {name: value for name, value in values.items() if name in used}


def to_filter_expression(frame: Frame, filter_input: Any) -> str | None:
    if filter_input is None:
        return None
    result = generate(filter_input)
    expression = " ".join(result.parts).strip()
    return to_json({"expression": expression, "expressionNames": result.names,
                    "expressionValues": _used_values(expression, result.values)})


def to_condition_expression(frame: Frame, condition: Any) -> str | None:
    return to_filter_expression(frame, condition)


# -- subscription filters ------------------------------------------------------------------------

_SUBSCRIPTION_OPERATORS = {"eq", "ne", "gt", "ge", "gte", "lt", "le", "lte", "contains", "notContains",
                           "beginsWith", "in", "notIn", "between", "attributeExists", "containsAny"}
_MAX_FILTERS, _MAX_GROUPS = 5, 10

Groups = list[list[dict[str, Any]]]


def _product(groups: Groups, alternatives: Groups) -> Groups:
    return [group + alternative for group in groups for alternative in alternatives]


def _disjunction(condition: Any, ignored: list[Any]) -> Groups:
    """A filter input as OR-ed groups of AND-ed filters: several operators on one field, and `or`
    lists, are alternatives; `and` lists and separate fields combine every alternative."""
    if not isinstance(condition, dict):
        raise TemplateError("A subscription filter must be a Map of fields to operators")
    groups: Groups = [[]]
    for field, operators in condition.items():
        if field in ignored:
            continue
        if field == "and":
            for part in operators if isinstance(operators, list) else [operators]:
                groups = _product(groups, _disjunction(part, ignored))
        elif field == "or":
            alternatives = [group for part in operators for group in _disjunction(part, ignored) if group]
            if alternatives:
                groups = _product(groups, alternatives)
        elif field == "not":
            raise TemplateError("Subscription filters do not support `not`")
        else:
            if not isinstance(operators, dict):
                raise TemplateError(f"Subscription filter field {field} needs a Map of operators")
            unknown = set(operators) - _SUBSCRIPTION_OPERATORS
            if unknown:
                raise TemplateError(f"Unsupported subscription filter operator {sorted(unknown)[0]} on {field}")
            groups = _product(groups, [[{"fieldName": field, "operator": operator, "value": value}]
                                       for operator, value in operators.items()])
    return groups


def to_subscription_filter(frame: Frame, filter_input: Any, ignored: Any = None, rules: Any = None) -> Any:
    """`{"filterGroup": [{"filters": [...]}]}`; each rule of `rules` is one more alternative ANDed with the filter."""
    ignored_fields = ignored if isinstance(ignored, list) else []
    groups = _disjunction(filter_input, ignored_fields)
    if isinstance(rules, dict) and rules:
        alternatives = [group for field, operators in rules.items()
                        for group in _disjunction({field: operators}, [])]
        groups = _product(groups, alternatives)
    groups = [group for group in groups if group]
    if len(groups) > _MAX_GROUPS or any(len(group) > _MAX_FILTERS for group in groups):
        raise TemplateError(f"A subscription filter allows {_MAX_GROUPS} groups of {_MAX_FILTERS} filters")
    return {"filterGroup": [{"filters": group} for group in groups]}


# -- OpenSearch ----------------------------------------------------------------------------------
# The query DSL AppSync documents for a `@searchable` filter: every field's operators ANDed (`bool.must`),
# `or` as `bool.should` with `minimum_should_match: 1`, string equality on the `.keyword` sub-field.

def _bool(kind: str, clauses: Any) -> dict[str, Any]:
    return {"bool": {kind: clauses, **({"minimum_should_match": 1} if kind == "should" else {})}}


def _es_equals(field: str, value: Any) -> dict[str, Any]:
    return {"match": {f"{field}.keyword" if isinstance(value, str) else field: value}}


def _range(operator: str) -> Any:
    return lambda field, value: {"range": {field: {operator: value}}}


_ES_LEAVES: dict[str, Any] = {
    "eq": _es_equals,
    "ne": lambda field, value: _bool("must_not", _es_equals(field, value)),
    "match": lambda field, value: {"match": {field: value}},
    "matchPhrase": lambda field, value: {"match_phrase": {field: value}},
    "matchPhrasePrefix": lambda field, value: {"match_phrase_prefix": {field: value}},
    "multiMatch": lambda field, value: {"multi_match": {field: value}},
    "wildcard": lambda field, value: {"wildcard": {field: value}},
    "regexp": lambda field, value: {"regexp": {field: value}},
    "exists": lambda field, value: {"exists": {"field": field}} if value else _bool(
        "must_not", {"exists": {"field": field}}),
    "range": lambda field, value: {"range": {field: {"gte": value[0], "lte": value[1]}}},
    **{op: _range(op) for op in ("gt", "gte", "lt", "lte")},
}


def _all_of(clauses: list[Any]) -> Any:
    return clauses[0] if len(clauses) == 1 else _bool("must", clauses)


def _query_clauses(filter_input: Any) -> list[Any]:
    if not isinstance(filter_input, dict):
        raise TemplateError("A search filter must be a Map of fields to operators")
    clauses: list[Any] = []
    for key, value in filter_input.items():
        if key.lower() in ("and", "or"):
            parts = [_all_of(_query_clauses(item)) for item in value]
            clauses.append(_bool("must" if key.lower() == "and" else "should", parts))
        elif key.lower() == "not":
            clauses.append(_bool("must_not", _all_of(_query_clauses(value))))
        else:
            leaves = []
            for operator, operand in value.items():
                if operator not in _ES_LEAVES:
                    raise TemplateError(f"Could not construct an Elasticsearch Query DSL from {operator} and "
                                        f"{to_json(operand)}")
                leaves.append(_ES_LEAVES[operator](key, operand))
            clauses.append(_all_of(leaves))
    return clauses


def to_elasticsearch_query_dsl(frame: Frame, filter_input: Any) -> str | None:
    if filter_input is None:
        return None
    return to_json(_all_of(_query_clauses(filter_input)))


FUNCTIONS: dict[str, Any] = {
    "toDynamoDBFilterExpression": to_filter_expression,
    "toDynamoDBConditionExpression": to_condition_expression,
    "toSubscriptionFilter": to_subscription_filter,
    "toElasticsearchQueryDSL": to_elasticsearch_query_dsl,
}
