"""DynamoDB's legacy conditional parameters, rewritten as expressions before the engine sees them.

Older SDK code still sends `KeyConditions`, `QueryFilter`/`ScanFilter`, `Expected`, `AttributeUpdates` and
`AttributesToGet`. Each maps one-to-one onto an expression with generated placeholders (`#l0`, `:l0`), so
the expression engine is the only evaluator. Mixing both styles is refused, as DynamoDB does.
"""

from __future__ import annotations

from typing import Any

from amplify_local.mock.dynamodb.errors import validation

LEGACY = {"KeyConditions": "KeyConditionExpression", "QueryFilter": "FilterExpression",
          "ScanFilter": "FilterExpression", "Expected": "ConditionExpression",
          "AttributeUpdates": "UpdateExpression", "AttributesToGet": "ProjectionExpression"}
_EXPRESSIONS = ("KeyConditionExpression", "FilterExpression", "ConditionExpression", "UpdateExpression",
                "ProjectionExpression")
_COMPARATORS = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
_ARITY = {"NOT_NULL": 0, "NULL": 0, "IN": None, "BETWEEN": 2}


_LEGACY_NAMES = frozenset(LEGACY)


def uses_legacy(request: dict[str, Any]) -> bool:
    return not _LEGACY_NAMES.isdisjoint(request)


def translate(request: dict[str, Any]) -> dict[str, Any]:
    """The same request with its legacy parameters turned into expressions."""
    legacy = [name for name in LEGACY if name in request]
    modern = [name for name in (*_EXPRESSIONS, "ExpressionAttributeNames", "ExpressionAttributeValues")
              if name in request]
    if modern:
        raise validation("Can not use both expression and non-expression parameters in the same request: "
                         f"Non-expression parameters: {{{', '.join(legacy)}}} Expression parameters: "
                         f"{{{', '.join(name for name in modern if name in _EXPRESSIONS) or modern[0]}}}")
    builder = _Builder()
    result = {name: value for name, value in request.items() if name not in LEGACY and name != "ConditionalOperator"}
    joiner = f" {request.get('ConditionalOperator', 'AND')} "
    for name in legacy:
        value = request[name]
        if name == "AttributesToGet":
            result["ProjectionExpression"] = ", ".join(builder.name(attribute) for attribute in value)
        elif name == "AttributeUpdates":
            result["UpdateExpression"] = builder.updates(value)
        elif name == "Expected":
            result["ConditionExpression"] = joiner.join(builder.expected(a, c) for a, c in value.items())
        else:
            text = " AND " if name == "KeyConditions" else joiner
            result[LEGACY[name]] = text.join(builder.condition(a, c) for a, c in value.items())
    if builder.names:
        result["ExpressionAttributeNames"] = builder.names
    if builder.values:
        result["ExpressionAttributeValues"] = builder.values
    return result


class _Builder:
    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        placeholder = f"#l{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":l{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def condition(self, attribute: str, condition: dict[str, Any]) -> str:
        operator = condition.get("ComparisonOperator")
        values = condition.get("AttributeValueList") or []
        wanted = _ARITY.get(operator, 1) if operator in _ARITY or operator in _COMPARATORS or operator in (
            "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH") else -1
        if wanted == -1:
            raise validation(f"1 validation error detected: Value '{operator}' at 'comparisonOperator' failed to "
                             "satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, "
                             "NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]")
        if (wanted is None and not values) or (wanted is not None and len(values) != wanted):
            raise validation(f"One or more parameter values were invalid: Invalid number of argument(s) for the "
                             f"{operator} ComparisonOperator")
        path = self.name(attribute)
        if operator in _COMPARATORS:
            return f"{path} {_COMPARATORS[operator]} {self.value(values[0])}"
        if operator == "NOT_NULL":
            return f"attribute_exists({path})"
        if operator == "NULL":
            return f"attribute_not_exists({path})"
        if operator == "CONTAINS":
            return f"contains({path}, {self.value(values[0])})"
        if operator == "NOT_CONTAINS":
            return f"NOT contains({path}, {self.value(values[0])})"
        if operator == "BEGINS_WITH":
            return f"begins_with({path}, {self.value(values[0])})"
        if operator == "BETWEEN":
            return f"{path} BETWEEN {self.value(values[0])} AND {self.value(values[1])}"
        return f"{path} IN ({', '.join(self.value(value) for value in values)})"

    def expected(self, attribute: str, expected: dict[str, Any]) -> str:
        if "ComparisonOperator" in expected:
            return self.condition(attribute, expected)
        exists = expected.get("Exists", True)
        if not exists:
            if "Value" in expected:
                raise validation("One or more parameter values were invalid: Value cannot be used when Exists is "
                                 "false")
            return f"attribute_not_exists({self.name(attribute)})"
        if "Value" not in expected:
            raise validation("One or more parameter values were invalid: Value must be provided when Exists is "
                             "true for Attribute: " + attribute)
        return f"{self.name(attribute)} = {self.value(expected['Value'])}"

    def updates(self, updates: dict[str, Any]) -> str:
        clauses: dict[str, list[str]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
        for attribute, update in updates.items():
            action = update.get("Action", "PUT")
            path = self.name(attribute)
            if action == "PUT":
                clauses["SET"].append(f"{path} = {self.value(update.get('Value'))}")
            elif action == "DELETE" and "Value" not in update:
                clauses["REMOVE"].append(path)
            elif action in ("ADD", "DELETE"):
                clauses[action].append(f"{path} {self.value(update.get('Value'))}")
            else:
                raise validation(f"1 validation error detected: Value '{action}' at 'attributeUpdates' failed to "
                                 "satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]")
        return " ".join(f"{word} {', '.join(parts)}" for word, parts in clauses.items() if parts)
