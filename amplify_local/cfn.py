"""CloudFormation intrinsic functions, evaluated locally.

Amplify builds (API stacks, function templates) describe names, ARNs and environment variables with
`Ref`, `Fn::Join`, `Fn::Sub` and friends. The mock resolves them against parameters, pseudo
parameters, conditions and known resource attributes, the way CloudFormation would at deploy time.
A value that cannot be known locally raises `UnresolvableError` naming the reference, so callers can
decide whether that is fatal (a table name) or tolerable (an unused output).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

NO_VALUE = object()  # `{"Ref": "AWS::NoValue"}`: the enclosing key or list element disappears

PSEUDO_PARAMETERS = {
    "AWS::Region": "us-east-1-fake",
    "AWS::AccountId": "12345678910",
    "AWS::StackName": "local-testing",
    "AWS::StackId": "arn:aws:cloudformation:us-east-1-fake:12345678910:stack/local-testing/fake",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}

_SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]+)\}")


class UnresolvableError(ValueError):
    """An intrinsic referred to something the local stack does not know."""


@dataclass
class Scope:
    """What intrinsics can see: parameters (pseudo ones included), condition definitions and
    resource attributes (`Ref` of a resource, `Fn::GetAtt`), plus a hook for `Fn::ImportValue`."""

    parameters: dict[str, Any] = field(default_factory=dict)
    conditions: Mapping[str, Any] = field(default_factory=dict)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # logical id -> {"Ref": ..., attr: ...}
    import_value: Callable[[str], Any] | None = None
    _condition_cache: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in PSEUDO_PARAMETERS.items():
            self.parameters.setdefault(name, value)

    def condition(self, name: str) -> bool:
        if name not in self._condition_cache:
            if name not in self.conditions:
                raise UnresolvableError(f'Condition "{name}" is not defined')
            self._condition_cache[name] = bool(resolve(self.conditions[name], self))
        return self._condition_cache[name]

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        if name in self.resources and "Ref" in self.resources[name]:
            return self.resources[name]["Ref"]
        raise UnresolvableError(f'Ref "{name}" is neither a parameter nor a known resource')

    def get_att(self, resource: str, attribute: str) -> Any:
        attributes = self.resources.get(resource)
        if attributes is None or attribute not in attributes:
            raise UnresolvableError(f'Fn::GetAtt "{resource}.{attribute}" is not known locally')
        return attributes[attribute]


def resolve(node: Any, scope: Scope) -> Any:
    """Evaluate every intrinsic inside `node`; plain values come back unchanged."""
    if isinstance(node, list):
        items = [resolve(item, scope) for item in node]
        return [item for item in items if item is not NO_VALUE]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        (key, argument), = node.items()
        function = _FUNCTIONS.get(key)
        if function is not None:
            return function(argument, scope)
    resolved = {key: resolve(value, scope) for key, value in node.items()}
    return {key: value for key, value in resolved.items() if value is not NO_VALUE}


def _join(argument: Any, scope: Scope) -> str:
    delimiter, values = argument
    return str(delimiter).join(_text(value) for value in resolve(values, scope))


def _sub(argument: Any, scope: Scope) -> str:
    if isinstance(argument, list):
        template, variables = argument[0], {k: resolve(v, scope) for k, v in argument[1].items()}
    else:
        template, variables = argument, {}

    def substitute(match: re.Match[str]) -> str:
        if match.group(1):  # ${!Literal}
            return "${" + match.group(2) + "}"
        name = match.group(2)
        if name in variables:
            return _text(variables[name])
        if "." in name:
            resource, attribute = name.split(".", 1)
            return _text(scope.get_att(resource, attribute))
        return _text(scope.ref(name))

    return _SUB_VARIABLE.sub(substitute, template)


def _get_att(argument: Any, scope: Scope) -> Any:
    if isinstance(argument, str):
        argument = argument.split(".", 1)
    resource, attribute = resolve(argument, scope)
    return scope.get_att(resource, attribute)


def _select(argument: Any, scope: Scope) -> Any:
    index, values = resolve(argument, scope)
    return values[int(index)]


def _split(argument: Any, scope: Scope) -> list[str]:
    delimiter, text = resolve(argument, scope)
    return str(text).split(delimiter)


def _if(argument: Any, scope: Scope) -> Any:
    name, when_true, when_false = argument
    return resolve(when_true if scope.condition(name) else when_false, scope)


def _equals(argument: Any, scope: Scope) -> bool:
    left, right = resolve(argument, scope)
    return _text(left) == _text(right)


def _import_value(argument: Any, scope: Scope) -> Any:
    name = resolve(argument, scope)
    if scope.import_value is None:
        raise UnresolvableError(f'Fn::ImportValue "{name}" is not known locally')
    return scope.import_value(name)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_FUNCTIONS: dict[str, Callable[[Any, Scope], Any]] = {
    "Ref": lambda argument, scope: scope.ref(argument),
    "Fn::Join": _join,
    "Fn::Sub": _sub,
    "Fn::GetAtt": _get_att,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::And": lambda argument, scope: all(resolve(argument, scope)),
    "Fn::Or": lambda argument, scope: any(resolve(argument, scope)),
    "Fn::Not": lambda argument, scope: not resolve(argument, scope)[0],
    "Condition": lambda argument, scope: scope.condition(argument),
    "Fn::ImportValue": _import_value,
    "Fn::Base64": lambda argument, scope: base64.b64encode(_text(resolve(argument, scope)).encode()).decode(),
    "Fn::GetAZs": lambda argument, scope: [f"{scope.parameters['AWS::Region']}a"],
}
