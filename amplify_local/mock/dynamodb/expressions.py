"""DynamoDB's expression language: parse once (cached by text), then evaluate against items.

Four grammars share one tokenizer and one operand syntax:

    condition  := or ;  or := and (OR and)* ;  and := not (AND not)* ;  not := NOT not | primary
    primary    := '(' condition ')' | function | operand (cmp operand | BETWEEN operand AND operand
                  | IN '(' operand (',' operand)* ')')
    operand    := path | :value | size '(' path ')'
    path       := (name | #name) ('.' (name | #name) | '[' digits ']')*
    update     := (SET path '=' value (',' ...)* | REMOVE path (',' path)* | ADD path :v (',' ...)*
                  | DELETE path :v (',' ...)*)+ ;  value := term (('+'|'-') term)?
    term       := operand | if_not_exists '(' path ',' term ')' | list_append '(' term ',' term ')'
    projection := path (',' path)*

A parsed expression is a tuple tree plus the `#names` and `:values` it uses, so a request can be
checked (missing/unused placeholders) without walking the tree. Evaluation reads placeholders from an
`Env` built once per request. Errors are DynamoDB's ValidationException messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from amplify_local.mock.dynamodb import values as v
from amplify_local.mock.dynamodb.errors import DynamoDBError, validation

Node = tuple[Any, ...]
Path = tuple[Any, ...]  # resolved: attribute names (str) and list indexes (int)

RESERVED = frozenset(resources.files(__package__).joinpath("reserved_words.txt").read_text().split())
COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
CONDITION_FUNCTIONS = frozenset({"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with",
                                 "contains"})
TYPE_NAMES = ("N", "BS", "L", "B", "NULL", "M", "S", "SS", "NS", "BOOL")
_FUNCTION_ARITY = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2,
                   "contains": 2, "size": 1, "if_not_exists": 2, "list_append": 2}

_TOKEN = re.compile(
    r"\s*(?:(?P<ph_name>#[A-Za-z0-9_]+)|(?P<ph_value>:[A-Za-z0-9_]+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<number>[0-9]+)|(?P<op><>|<=|>=|[=<>(),.\[\]+\-])|(?P<bad>\S))"
)


@dataclass(frozen=True)
class Token:
    kind: str  # ph_name | ph_value | name | number | op | bad | eof
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Parsed:
    """One parsed expression: its tree and the placeholders it uses."""

    kind: str  # ConditionExpression | KeyConditionExpression | FilterExpression | UpdateExpression | ProjectionExpression
    tree: Any
    names: frozenset[str]
    values: frozenset[str]


def _tokenize(text: str) -> list[Token]:
    tokens = []
    position = 0
    length = len(text)
    while position < length:
        match = _TOKEN.match(text, position)
        if match is None:  # only trailing whitespace is left
            break
        kind = match.lastgroup or "bad"
        tokens.append(Token(kind, match.group(kind), match.start(kind), match.end()))
        position = match.end()
    tokens.append(Token("eof", "<EOF>", length, length))
    return tokens


class _Parser:
    """A recursive-descent parser over one expression's tokens."""

    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.names: set[str] = set()
        self.values: set[str] = set()

    # -- token helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "eof":
            self.index += 1
        return token

    def at(self, text: str) -> bool:
        token = self.token
        return token.kind == "op" and token.text == text

    def at_keyword(self, word: str) -> bool:
        token = self.token
        return token.kind == "name" and token.text.upper() == word

    def expect(self, text: str) -> None:
        if not self.at(text):
            raise self.syntax_error()
        self.index += 1

    def syntax_error(self) -> DynamoDBError:
        """DynamoDB's message: the offending token and the text around it (previous to next token)."""
        token = self.token
        first = self.tokens[max(self.index - 1, 0)]
        last = self.tokens[min(self.index + 1, len(self.tokens) - 1)]
        near = self.text[first.start:last.end if last.kind != "eof" else len(self.text)].strip()
        return validation(f'Invalid {self.kind}: Syntax error; token: "{token.text}", near: "{near}"')

    def error(self, message: str) -> DynamoDBError:
        return validation(f"Invalid {self.kind}: {message}")

    def finish(self) -> None:
        if self.token.kind != "eof":
            raise self.syntax_error()

    # -- operands
    def path(self) -> Node:
        elements: list[Any] = [self.path_element()]
        while True:
            if self.at("."):
                self.advance()
                elements.append(self.path_element())
            elif self.at("["):
                self.advance()
                token = self.token
                if token.kind != "number":
                    raise self.syntax_error()
                self.advance()
                elements.append(int(token.text))
                self.expect("]")
            else:
                return ("path", tuple(elements))

    def path_element(self) -> Any:
        token = self.token
        if token.kind == "ph_name":
            self.advance()
            self.names.add(token.text)
            return ("#", token.text)
        if token.kind == "name":
            if token.text.upper() in RESERVED:
                raise self.error(f"Attribute name is a reserved keyword; reserved keyword: {token.text}")
            self.advance()
            return token.text
        raise self.syntax_error()

    def function_call(self) -> Node:
        name_token = self.advance()
        name = name_token.text
        if name not in _FUNCTION_ARITY:
            raise self.error(f"Invalid function name; function: {name}")
        self.expect("(")
        args: list[Node] = []
        if not self.at(")"):
            while True:
                args.append(self.update_term() if self.kind == "UpdateExpression" else self.operand())
                if not self.at(","):
                    break
                self.advance()
        self.expect(")")
        if len(args) != _FUNCTION_ARITY[name]:
            raise self.error(f"Incorrect number of operands for operator or function; operator or function: "
                             f"{name}, number of operands: {len(args)}")
        return ("fn", name, tuple(args))

    def is_function(self) -> bool:
        token = self.token
        following = self.tokens[self.index + 1] if self.index + 1 < len(self.tokens) else None
        return token.kind == "name" and following is not None and following.kind == "op" and following.text == "("

    def operand(self) -> Node:
        token = self.token
        if token.kind == "ph_value":
            self.advance()
            self.values.add(token.text)
            return ("value", token.text)
        if self.is_function():
            call = self.function_call()
            if call[1] != "size":
                raise self.error(f"The function is not allowed to be used this way in an expression; "
                                 f"function: {call[1]}")
            if call[2][0][0] != "path":
                raise self.error("Incorrect operand type for operator or function; operator or function: size, "
                                 "operand type: " + _operand_kind(call[2][0]))
            return ("size", call[2][0])
        if token.kind in ("name", "ph_name"):
            return self.path()
        raise self.syntax_error()

    # -- conditions
    def condition(self) -> Node:
        left = self.conjunction()
        while self.at_keyword("OR"):
            self.advance()
            left = ("or", left, self.conjunction())
        return left

    def conjunction(self) -> Node:
        left = self.negation()
        while self.at_keyword("AND"):
            self.advance()
            left = ("and", left, self.negation())
        return left

    def negation(self) -> Node:
        if self.at_keyword("NOT"):
            self.advance()
            return ("not", self.negation())
        return self.primary()

    def primary(self) -> Node:
        if self.at("("):
            self.advance()
            inner = self.condition()
            self.expect(")")
            return inner
        if self.is_function() and self.token.text != "size":
            call = self.function_call()
            name, args = call[1], call[2]
            if name not in CONDITION_FUNCTIONS:
                raise self.error(f"The function is not allowed to be used this way in an expression; "
                                 f"function: {name}")
            if args[0][0] != "path" and name != "contains" and name != "begins_with":
                raise self.error(f"Operator or function requires a document path; operator or function: {name}")
            return call
        left = self.operand()
        token = self.token
        if token.kind == "op" and token.text in COMPARATORS:
            self.advance()
            return ("cmp", token.text, left, self.operand())
        if self.at_keyword("BETWEEN"):
            self.advance()
            low = self.operand()
            if not self.at_keyword("AND"):
                raise self.syntax_error()
            self.advance()
            return ("between", left, low, self.operand())
        if self.at_keyword("IN"):
            self.advance()
            self.expect("(")
            options = [self.operand()]
            while self.at(","):
                self.advance()
                options.append(self.operand())
            self.expect(")")
            return ("in", left, tuple(options))
        raise self.syntax_error()

    # -- updates
    def update(self) -> Node:
        clauses: dict[str, list[Node]] = {}
        if self.token.kind == "eof":
            raise self.error("The expression can not be empty;")
        while self.token.kind != "eof":
            token = self.token
            word = token.text.upper() if token.kind == "name" else ""
            if word not in ("SET", "REMOVE", "ADD", "DELETE"):
                raise self.syntax_error()
            if word in clauses:
                raise self.error(f'The "{word}" section can only be used once in an update expression;')
            self.advance()
            actions: list[Node] = []
            while True:
                actions.append(self.update_action(word))
                if not self.at(","):
                    break
                self.advance()
            clauses[word] = actions
        return (clauses.get("SET", []), clauses.get("REMOVE", []), clauses.get("ADD", []), clauses.get("DELETE", []))

    def update_action(self, word: str) -> Node:
        target = self.path()
        if word == "REMOVE":
            return target
        if word == "SET":
            self.expect("=")
            value = self.update_term()
            if self.at("+") or self.at("-"):
                operator = self.advance().text
                value = (operator, value, self.update_term())
            return (target, value)
        token = self.token
        if token.kind != "ph_value":
            raise self.syntax_error()
        self.advance()
        self.values.add(token.text)
        return (target, ("value", token.text))

    def update_term(self) -> Node:
        if self.is_function() and self.token.text in ("if_not_exists", "list_append"):
            call = self.function_call()
            if call[1] == "if_not_exists" and call[2][0][0] != "path":
                raise self.error("Operator or function requires a document path; operator or function: "
                                 "if_not_exists")
            return call
        if self.is_function():
            name = self.token.text
            if name in _FUNCTION_ARITY:
                raise self.error(f"The function is not allowed in an update expression; function: {name}")
            raise self.error(f"Invalid function name; function: {name}")
        token = self.token
        if token.kind == "ph_value":
            self.advance()
            self.values.add(token.text)
            return ("value", token.text)
        return self.path()

    # -- projections
    def projection(self) -> list[Node]:
        paths = [self.path()]
        while self.at(","):
            self.advance()
            paths.append(self.path())
        return paths


def _operand_kind(node: Node) -> str:
    return {"value": "constant", "path": "path"}.get(node[0], node[0])


@lru_cache(maxsize=4096)
def parse(kind: str, text: str) -> Parsed:
    """Parse one expression (`kind` is the request parameter's name, used in messages)."""
    if not text.strip() and kind != "UpdateExpression":
        raise validation(f"Invalid {kind}: The expression can not be empty;")
    parser = _Parser(kind, text)
    if kind == "UpdateExpression":
        tree: Any = parser.update()
    elif kind == "ProjectionExpression":
        tree = parser.projection()
    else:
        tree = parser.condition()
    parser.finish()
    return Parsed(kind, tree, frozenset(parser.names), frozenset(parser.values))


class Env:
    """The placeholders of one request, checked against the expressions that use them."""

    __slots__ = ("names", "values")

    def __init__(self, names: dict[str, str] | None, values: dict[str, Any] | None) -> None:
        self.names = names or {}
        self.values = values or {}

    @classmethod
    def for_request(cls, request: dict[str, Any], expressions: list[Parsed]) -> Env:
        """Check `ExpressionAttributeNames/Values` of a request against its parsed expressions."""
        names = request.get("ExpressionAttributeNames")
        raw_values = request.get("ExpressionAttributeValues")
        if names is not None and not names:
            raise validation("ExpressionAttributeNames must not be empty")
        if raw_values is not None and not raw_values:
            raise validation("ExpressionAttributeValues must not be empty")
        used_names: set[str] = set()
        used_values: set[str] = set()
        for parsed in expressions:
            used_names |= parsed.names
            used_values |= parsed.values
        names = names or {}
        given_values = raw_values or {}
        for parsed in expressions:  # the first missing placeholder in sorted order, as DynamoDB names it
            missing = parsed.names.difference(names)
            if missing:
                raise validation(f"Invalid {parsed.kind}: An expression attribute name used in the document "
                                 f"path is not defined; attribute name: {min(missing)}")
            missing = parsed.values.difference(given_values)
            if missing:
                raise validation(f"Invalid {parsed.kind}: An expression attribute value used in expression is "
                                 f"not defined; attribute value: {min(missing)}")
        checked_values = {name: _check_expression_value(name, given_values[name]) for name in used_values}
        unused = set(names) - used_names
        if unused:
            raise validation("Value provided in ExpressionAttributeNames unused in expressions: "
                             f"keys: {{{', '.join(sorted(unused))}}}")
        unused = set(given_values) - used_values
        if unused:
            raise validation("Value provided in ExpressionAttributeValues unused in expressions: "
                             f"keys: {{{', '.join(sorted(unused))}}}")
        env = cls(names, checked_values)
        for parsed in expressions:
            if parsed.kind in ("ConditionExpression", "FilterExpression", "KeyConditionExpression"):
                _check_condition_operands(parsed, parsed.tree, env)
        return env

    def path(self, node: Node) -> Path:
        """Resolve a path node's `#name` placeholders."""
        return tuple(self.names[element[1]] if isinstance(element, tuple) else element for element in node[1])


def _check_expression_value(name: str, value: Any) -> Any:
    try:
        return v.check_value(value)
    except DynamoDBError as error:
        raise validation(f"ExpressionAttributeValues contains invalid value: {error.message} for key {name}") from None


def _check_condition_operands(parsed: Parsed, node: Node, env: Env) -> None:
    """The checks DynamoDB makes before reading any item: constant operand types and BETWEEN bounds."""
    tag = node[0]
    if tag in ("and", "or"):
        _check_condition_operands(parsed, node[1], env)
        _check_condition_operands(parsed, node[2], env)
    elif tag == "not":
        _check_condition_operands(parsed, node[1], env)
    elif tag == "fn":
        name, args = node[1], node[2]
        if name == "attribute_type":
            if args[1][0] != "value":
                raise validation(f"Invalid {parsed.kind}: Incorrect operand type for operator or function; "
                                 f"operator or function: attribute_type, operand type: path")
            type_value = env.values[args[1][1]]
            if "S" not in type_value:
                raise validation(f"Invalid {parsed.kind}: Incorrect operand type for operator or function; "
                                 f"operator or function: attribute_type, operand type: {v.value_type(type_value)}")
            if type_value["S"] not in TYPE_NAMES:
                raise validation(f"Invalid {parsed.kind}: Invalid attribute type name found; type: "
                                 f"{type_value['S']}, valid types: {{{','.join(TYPE_NAMES)}}}")
        elif name == "begins_with":
            for arg in args:
                if arg[0] == "value":
                    value = env.values[arg[1]]
                    kind = v.value_type(value)
                    if kind not in ("S", "B"):
                        raise validation(f"Invalid {parsed.kind}: Incorrect operand type for operator or function; "
                                         f"operator or function: begins_with, operand type: {kind}")
    elif tag == "between":
        low, high = node[2], node[3]
        if low[0] == "value" and high[0] == "value":
            low_value, high_value = env.values[low[1]], env.values[high[1]]
            order = v.compare(low_value, high_value)
            if order is not None and order > 0:
                raise validation(f"Invalid {parsed.kind}: The BETWEEN operator requires upper bound to be greater "
                                 f"than or equal to lower bound; lower bound operand: AttributeValue: "
                                 f"{_render(low_value)}, upper bound operand: AttributeValue: {_render(high_value)}")
    elif tag == "in" and len(node[2]) > 100:
        raise validation(f"Invalid {parsed.kind}: The IN operator is provided with too many operands; "
                         f"number of operands: {len(node[2])}")


def _render(value: dict[str, Any]) -> str:
    ((kind, raw),) = value.items()
    return f"{{{kind}:{raw}}}"


def attribute_names(node: Any, env: Env) -> Iterator[str]:
    """The top-level attribute names a parsed condition refers to, in order."""
    if isinstance(node, tuple) and node:
        if node[0] == "path":
            yield env.path(node)[0]
            return
        for member in node[1:]:
            if isinstance(member, tuple):
                yield from attribute_names(member, env)


# -- evaluation

def get_path(item: dict[str, Any], path: Path) -> Any:
    """The value at a resolved path, or None when any step is missing or of the wrong type."""
    value = item.get(path[0])
    for element in path[1:]:
        if value is None:
            return None
        if isinstance(element, int):
            members = value.get("L")
            if members is None or element >= len(members):
                return None
            value = members[element]
        else:
            members = value.get("M")
            if members is None:
                return None
            value = members.get(element)
    return value


def operand_value(node: Node, item: dict[str, Any], env: Env) -> Any:
    tag = node[0]
    if tag == "value":
        return env.values[node[1]]
    if tag == "path":
        return get_path(item, env.path(node))
    value = get_path(item, env.path(node[1]))  # size
    if value is None:
        return None
    kind, raw = next(iter(value.items()))
    if kind == "S":
        return {"N": str(len(raw))}
    if kind == "B":
        return {"N": str(len(v.decode_binary(raw)))}
    if kind in ("SS", "NS", "BS", "L", "M"):
        return {"N": str(len(raw))}
    return None


def matches(node: Node, item: dict[str, Any], env: Env) -> bool:
    """Evaluate a condition or filter against an item (an empty dict for a missing item)."""
    tag = node[0]
    if tag == "and":
        return matches(node[1], item, env) and matches(node[2], item, env)
    if tag == "or":
        return matches(node[1], item, env) or matches(node[2], item, env)
    if tag == "not":
        return not matches(node[1], item, env)
    if tag == "cmp":
        left = operand_value(node[2], item, env)
        right = operand_value(node[3], item, env)
        operator = node[1]
        if operator == "=":
            return v.equal(left, right)
        if operator == "<>":
            return not v.equal(left, right)
        order = v.compare(left, right)
        if order is None:
            return False
        if operator == "<":
            return order < 0
        if operator == "<=":
            return order <= 0
        if operator == ">":
            return order > 0
        return order >= 0
    if tag == "between":
        value = operand_value(node[1], item, env)
        low = v.compare(value, operand_value(node[2], item, env))
        high = v.compare(value, operand_value(node[3], item, env))
        return low is not None and high is not None and low >= 0 and high <= 0
    if tag == "in":
        value = operand_value(node[1], item, env)
        return value is not None and any(v.equal(value, operand_value(option, item, env)) for option in node[2])
    return _function(node[1], node[2], item, env)


def _function(name: str, args: tuple[Node, ...], item: dict[str, Any], env: Env) -> bool:
    if name == "attribute_exists":
        return get_path(item, env.path(args[0])) is not None
    if name == "attribute_not_exists":
        return get_path(item, env.path(args[0])) is None
    first = operand_value(args[0], item, env)
    second = operand_value(args[1], item, env)
    if first is None or second is None:
        return False
    if name == "attribute_type":
        return second.get("S") in first
    if name == "begins_with":
        if "S" in first and "S" in second:
            return first["S"].startswith(second["S"])
        if "B" in first and "B" in second:
            return v.decode_binary(first["B"]).startswith(v.decode_binary(second["B"]))
        return False
    # contains
    if "S" in first:
        return "S" in second and second["S"] in first["S"]
    if "B" in first:
        return "B" in second and v.decode_binary(second["B"]) in v.decode_binary(first["B"])
    for set_kind, member_kind in (("SS", "S"), ("NS", "N"), ("BS", "B")):
        if set_kind in first:
            return member_kind in second and any(v.equal({member_kind: m}, second) for m in first[set_kind])
    if "L" in first:
        return any(v.equal(member, second) for member in first["L"])
    return False


def projection_tree(kind: str, paths: list[Path]) -> dict[Any, Any]:
    """Merge paths into a tree (None = the whole value), refusing overlapping paths as DynamoDB does."""
    tree: dict[Any, Any] = {}
    for path in paths:
        node = tree
        for depth, element in enumerate(path):
            last = depth == len(path) - 1
            if element in node and (last or node[element] is None):
                other = path[:depth + 1] if node[element] is None else _some_path(path[:depth + 1], node[element])
                raise validation(f"Invalid {kind}: Two document paths overlap with each other; must remove or "
                                 f"rewrite one of these paths; path one: {_render_path(other)}, path two: "
                                 f"{_render_path(path)}")
            if last:
                node[element] = None
            else:
                node = node.setdefault(element, {})
    return tree


def _some_path(prefix: Path, node: dict[Any, Any] | None) -> Path:
    while node:
        element = next(iter(node))
        prefix, node = (*prefix, element), node[element]
    return prefix


def _render_path(path: Path) -> str:
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in path) + "]"


def project(item: dict[str, Any], tree: dict[Any, Any]) -> dict[str, Any]:
    """Keep only the projected paths (maps keep their shape, selected list elements are compacted)."""
    result = {}
    for name, subtree in tree.items():
        if isinstance(name, str) and name in item:
            value = _project_value(item[name], subtree)
            if value is not None:
                result[name] = value
    return result


def _project_value(value: dict[str, Any], tree: dict[Any, Any] | None) -> dict[str, Any] | None:
    if tree is None:
        return value
    if "M" in value:
        members = {}
        for key, subtree in tree.items():
            if isinstance(key, str) and key in value["M"]:
                projected = _project_value(value["M"][key], subtree)
                if projected is not None:
                    members[key] = projected
        return {"M": members} if members else None
    if "L" in value:
        elements = []
        for index in sorted(key for key in tree if isinstance(key, int)):
            if index < len(value["L"]):
                projected = _project_value(value["L"][index], tree[index])
                if projected is not None:
                    elements.append(projected)
        return {"L": elements} if elements else None
    return None
