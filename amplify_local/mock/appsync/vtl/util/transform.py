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

_SUBSCRIPTION_OPERATORS = {"eq", "ne", "gt", "ge", "lt", "le", "contains", "notContains", "beginsWith",
                           "in", "notIn", "between", "attributeExists", "containsAny"}
_MAX_FILTERS = 5


def _subscription_filters(condition: dict[str, Any], ignored: list[Any]) -> list[dict[str, Any]]:
    filters = []
    for field, operators in condition.items():
        if field in ignored or field in ("and", "or", "not"):
            continue
        if not isinstance(operators, dict):
            raise TemplateError(f"Subscription filter field {field} needs a Map of operators")
        for operator, value in operators.items():
            if operator not in _SUBSCRIPTION_OPERATORS:
                raise TemplateError(f"Unsupported subscription filter operator {operator} on {field}")
            filters.append({"fieldName": field, "operator": operator, "value": value})
    return filters


def to_subscription_filter(frame: Frame, filter_input: Any, ignored: Any = None, rules: Any = None) -> Any:
    """A `{"filterGroup": [{"filters": [...]}]}` object; `or` lists become separate groups, rules are ANDed."""
    if not isinstance(filter_input, dict):
        raise TemplateError("$util.transform.toSubscriptionFilter expects a Map")
    ignored_fields = ignored if isinstance(ignored, list) else []
    alternatives = filter_input.get("or") if isinstance(filter_input.get("or"), list) else None
    base = {k: v for k, v in filter_input.items() if k != "or"}
    conditions = [({**base, **alt} if isinstance(alt, dict) else base) for alt in alternatives] if alternatives else [base]
    if isinstance(filter_input.get("and"), list):
        for part in filter_input["and"]:
            conditions = [{**c, **part} for c in conditions]
    extra = _subscription_filters(rules, []) if isinstance(rules, dict) else []
    groups = []
    for condition in conditions:
        filters = _subscription_filters(condition, ignored_fields) + extra
        if len(filters) > _MAX_FILTERS:
            raise TemplateError(f"A subscription filter group has {len(filters)} filters; AppSync allows "
                                f"{_MAX_FILTERS}")
        if filters:
            groups.append({"filters": filters})
    return {"filterGroup": groups}


# -- OpenSearch ----------------------------------------------------------------------------------

def _es_leaf(field: str, operator: str, value: Any) -> dict[str, Any]:
    if operator == "eq":
        return {"term": {field: value}}
    if operator == "ne":
        return {"bool": {"must_not": [{"term": {field: value}}]}}
    if operator in ("gt", "gte", "lt", "lte"):
        return {"range": {field: {operator: value}}}
    if operator in ("ge", "le"):
        return {"range": {field: {operator[0] + "te": value}}}
    if operator == "match":
        return {"match": {field: value}}
    if operator == "matchPhrase":
        return {"match_phrase": {field: value}}
    if operator == "matchPhrasePrefix":
        return {"match_phrase_prefix": {field: value}}
    if operator == "multiMatch":
        return {"multi_match": value}
    if operator == "exists":
        exists = {"exists": {"field": field}}
        return exists if value else {"bool": {"must_not": [exists]}}
    if operator == "wildcard":
        return {"wildcard": {field: value}}
    if operator == "regexp":
        return {"regexp": {field: value}}
    if operator == "range":
        return {"range": {field: {"gte": value[0], "lte": value[1]}}}
    raise TemplateError(f"Unsupported OpenSearch filter operator {operator} on {field}")


def to_query_dsl(filter_input: Any) -> dict[str, Any]:
    must: list[Any] = []
    for name, value in filter_input.items():
        if name == "and":
            must.append({"bool": {"must": [to_query_dsl(item) for item in value]}})
        elif name == "or":
            must.append({"bool": {"should": [to_query_dsl(item) for item in value]}})
        elif name == "not":
            must.append({"bool": {"must_not": [to_query_dsl(value)]}})
        else:
            for operator, operand in value.items():
                must.append(_es_leaf(name, operator, operand))
    return must[0] if len(must) == 1 else {"bool": {"must": must}}


def to_elasticsearch_query_dsl(frame: Frame, filter_input: Any) -> str | None:
    if filter_input is None:
        return None
    if not isinstance(filter_input, dict):
        raise TemplateError("$util.transform.toElasticsearchQueryDSL expects a Map")
    return to_json(to_query_dsl(filter_input))


FUNCTIONS: dict[str, Any] = {
    "toDynamoDBFilterExpression": to_filter_expression,
    "toDynamoDBConditionExpression": to_condition_expression,
    "toSubscriptionFilter": to_subscription_filter,
    "toElasticsearchQueryDSL": to_elasticsearch_query_dsl,
}
