"""Turn a parsed template into Python closures, once per template text.

A block becomes `fn(frame, out)` that appends strings to `out`; an expression becomes `fn(frame)`
returning a value of the Java value model (`values.py`). Everything that can be decided from the text
is decided here: constant text is merged, `$util.x.y(...)` is bound to its helper, operators to their
functions, so a render does no parsing and little lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl import parser as p
from amplify_local.mock.appsync.vtl.java import JavaError, find_method, get_property, methods_by_type
from amplify_local.mock.appsync.vtl.runtime import (
    MAX_ITERATIONS,
    MAX_OUTPUT,
    BreakLoop,
    DefinedBlock,
    Frame,
    LoopStatus,
    ReturnValue,
    StopRender,
    UtilGroup,
    quiet,
)
from amplify_local.mock.appsync.vtl.values import (
    add,
    compare,
    divide,
    equals,
    modulo,
    multiply,
    negate,
    subtract,
    to_string,
)

Block = Callable[[Frame, list[str]], None]
Expr = Callable[[Frame], Any]
Segment = Callable[[Frame, Any], Any]
Failure = Callable[[Exception], TemplateError]
_MISSING = object()


def _compare_with(test: Callable[[int], bool]) -> Callable[[Any, Any], bool]:
    def operator(left: Any, right: Any) -> bool:
        result = compare(left, right)
        return result is not None and test(result)
    return operator


_BINARY: dict[str, tuple[int, Callable[[Any, Any], Any]]] = {
    "==": (3, equals), "eq": (3, equals),
    "!=": (3, lambda a, b: not equals(a, b)), "ne": (3, lambda a, b: not equals(a, b)),
    "<": (4, _compare_with(lambda c: c < 0)), "lt": (4, _compare_with(lambda c: c < 0)),
    "<=": (4, _compare_with(lambda c: c <= 0)), "le": (4, _compare_with(lambda c: c <= 0)),
    ">": (4, _compare_with(lambda c: c > 0)), "gt": (4, _compare_with(lambda c: c > 0)),
    ">=": (4, _compare_with(lambda c: c >= 0)), "ge": (4, _compare_with(lambda c: c >= 0)),
    "+": (5, add), "-": (5, subtract), "*": (6, multiply), "/": (6, divide), "%": (6, modulo),
}
_TEXT = (p.Text, p.RawBlock, p.FallthroughHashText)  # elements that are their own text
_LOGICAL = {"||": 1, "or": 1, "&&": 2, "and": 2}
# What a Java method or helper may throw; other AppSync errors and the control-flow signals pass through.
_FAILURES = (TemplateError, JavaError, RecursionError, TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)


class Compiler:
    """Compiles one template text. `util` is the `$util` root the helpers are bound from.

    The result does not depend on the template's path (the same text compiles once for every resolver
    that uses it): errors carry their line and column, and `Template` adds the path.
    """

    def __init__(self, text: str, util: UtilGroup) -> None:
        self.text = text
        self.util = util
        self.offset = 0  # where the text being compiled starts in the template (string literals)
        self.macros: dict[str, tuple[list[str], Block]] = {}
        self.constants: dict[Expr, Any] = {}  # literal expressions and their (immutable) values

    # -- positions and errors ------------------------------------------------------------------

    def position(self, element: Any, offset: int) -> tuple[int, int]:
        start = offset + element.start
        line = self.text.count("\n", 0, start) + 1
        return line, start - (self.text.rfind("\n", 0, start) + 1) + 1

    def failure(self, element: Any, message: str, error_type: str | None = None,
                offset: int | None = None) -> TemplateError:
        """An error at `element`; `offset` is where its text starts (string literals), the current one by default
        (pass it from closures that raise at render time, when `self.offset` has moved on)."""
        line, column = self.position(element, self.offset if offset is None else offset)
        return TemplateError(message, error_type, line=line, column=column)

    def translate(self, element: Any, exc: Exception, offset: int) -> TemplateError:
        """A Java exception (or a Python one from a helper) as an AppSync error naming the template position."""
        if isinstance(exc, TemplateError):  # a helper's own error: add where it happened
            if exc.line is not None:
                return exc
            located = self.failure(element, exc.message, exc.error_type, offset)
            located.data, located.error_info = exc.data, exc.error_info
            return located
        if isinstance(exc, RecursionError):
            return self.failure(element, "Template recursion too deep", offset=offset)
        if isinstance(exc, JavaError):
            return self.failure(element, f"{exc} in {element.my_text()}", offset=offset)
        return self.failure(element, f"{type(exc).__name__}: {exc} in {element.my_text()}", offset=offset)

    def guard_block(self, element: Any, function: Block) -> Block:
        offset = self.offset

        def guarded(frame: Frame, out: list[str]) -> None:
            try:
                function(frame, out)
            except _FAILURES as exc:
                raise self.translate(element, exc, offset) from exc
        return guarded

    # -- blocks ---------------------------------------------------------------------------------

    def template(self, body: Any) -> Block:
        self.collect_macros(body.block)
        return self.block(body.block)

    def collect_macros(self, block: Any) -> None:
        """Velocity defines macros when it parses, so a macro can be called above (or outside) its definition."""
        definitions = list(_macro_definitions(block))
        for definition in definitions:  # names and arities first: bodies may call each other
            self.macros.setdefault(definition.function_name.lower(), (definition.arg_names, _noop))
        for definition in definitions:
            self.macros[definition.function_name.lower()] = (definition.arg_names, self.block(definition.block))

    def block(self, block: Any) -> Block:
        parts: list[Block | str] = []
        for child in block.children:
            compiled = self.node(child)
            if compiled is None:
                continue
            if isinstance(compiled, str) and parts and isinstance(parts[-1], str):
                parts[-1] += compiled
            else:
                parts.append(compiled)
        if not parts:
            return _noop
        if len(parts) == 1:
            only = parts[0]
            return _text_writer(only) if isinstance(only, str) else only
        if len(parts) <= 3:
            return _short_block(parts)
        steps = tuple(parts)  # text as itself: an append is cheaper than a call

        def run(frame: Frame, out: list[str]) -> None:
            for step in steps:
                if type(step) is str:
                    out.append(step)
                else:
                    step(frame, out)
        return run

    def node(self, element: Any) -> Block | str | None:
        return _dispatch(_NODES, element)(self, element)

    def text(self, element: Any) -> str:
        return element.text

    def nothing(self, element: Any) -> None:
        return None

    def define(self, element: Any) -> Block:
        name, defined = element.function_name, DefinedBlock(self.block(element.block))
        return lambda frame, out: frame.vars.__setitem__(name, defined)

    def break_directive(self, element: Any) -> Block:
        return _break

    def stop_directive(self, element: Any) -> Block:
        return _stop

    def unsupported_directive(self, element: Any) -> Block:
        raise self.failure(element, f"Unsupported directive {element.my_text()!r}")

    def set_directive(self, element: Any) -> Block:
        value = self.expression(element.value)
        root, steps = self.steps(element.target)
        if not steps:
            def set_variable(frame: Frame, out: list[str]) -> None:
                result = value(frame)
                if result is not None:  # Velocity 1.7: a null right side leaves the target as it was
                    frame.vars[root] = result
            return set_variable
        kind, what, _args = steps[-1]
        if kind == "call":
            raise self.failure(element, "A #set target cannot end in a method call")
        container = self.chain_getter(root, self.segments(steps[:-1]))
        key = self.expression(what) if kind == "index" else (lambda frame: what)

        def set_member(frame: Frame, out: list[str]) -> None:
            result = value(frame)
            if result is None:
                return
            target, name = container(frame), key(frame)
            if isinstance(target, dict):
                target[name] = result
            elif isinstance(target, list) and isinstance(name, int) and not isinstance(name, bool):
                if not -len(target) <= name < len(target):
                    raise JavaError("IndexOutOfBoundsException",
                                    f"Index {name} out of bounds for length {len(target)}")
                target[name] = result
        return self.guard_block(element, set_member)

    def if_directive(self, element: Any) -> Block:
        arms = [(self.condition(element.condition), self.block(element.block))]
        arms += [(self.condition(arm.condition), self.block(arm.block)) for arm in element.elseifs]
        otherwise = self.block(element.else_block.block) if isinstance(element.else_block, p.ElseBlock) else None
        if len(arms) == 1:  # truthiness inline: neither null nor false
            test, then = arms[0]
            if otherwise is None:
                def if_only(frame: Frame, out: list[str]) -> None:
                    value = test(frame)
                    if value is not None and value is not False:
                        then(frame, out)
                return if_only

            def if_else(frame: Frame, out: list[str]) -> None:
                value = test(frame)
                if value is not None and value is not False:
                    then(frame, out)
                else:
                    otherwise(frame, out)
            return if_else

        def if_chain(frame: Frame, out: list[str]) -> None:
            for test, then in arms:
                value = test(frame)
                if value is not None and value is not False:
                    then(frame, out)
                    return
            if otherwise is not None:
                otherwise(frame, out)
        return if_chain

    def condition(self, condition: Any) -> Expr:
        return self.expression(condition.calculate.__self__)

    def foreach(self, element: Any) -> Block:
        name, iterable, body = element.loop_var_name, self.expression(element.value), self.block(element.block)
        offset = self.offset

        def failure(element: Any, message: str) -> TemplateError:
            return self.failure(element, message, offset=offset)

        def loop(frame: Frame, out: list[str]) -> None:
            items = iterable(frame)
            if isinstance(items, dict):
                items = list(items.values())
            elif not isinstance(items, list | range):
                return  # null or not iterable: Velocity skips the loop
            variables = frame.vars
            saved = (variables.get(name, _MISSING), variables.get("foreach", _MISSING),
                     variables.get("velocityCount", _MISSING), variables.get("velocityHasNext", _MISSING))
            size = len(items)
            status = LoopStatus(size, saved[1] if saved[1] is not _MISSING else None)
            variables["foreach"] = status
            try:
                for item in items:
                    if len(items) != size:
                        raise failure(element, "java.util.ConcurrentModificationException: the list "
                                               "changed while #foreach iterated over it")
                    frame.iterations += 1
                    if frame.iterations > MAX_ITERATIONS:
                        raise failure(element, f"#foreach ran more than {MAX_ITERATIONS} iterations")
                    status.count += 1
                    variables[name] = item
                    variables["velocityCount"] = status.count
                    variables["velocityHasNext"] = status.count < size
                    try:
                        body(frame, out)
                    except BreakLoop:
                        break
                    if not frame.iterations & 1023 and sum(map(len, out)) > MAX_OUTPUT:
                        raise failure(element, f"The template rendered more than {MAX_OUTPUT} characters")
            finally:
                for key, old in zip((name, "foreach", "velocityCount", "velocityHasNext"), saved, strict=True):
                    if old is _MISSING:
                        variables.pop(key, None)
                    else:
                        variables[key] = old
        return loop

    def macro_call(self, element: Any) -> Block | str:
        macro = self.macros.get(element.macro_name)
        if macro is None:
            return element.my_text()  # Velocity renders a call of an unknown macro as text
        names, macros, name = macro[0], self.macros, element.macro_name
        args = [self.expression(arg) for arg in element.args]
        if len(args) != len(names):
            raise self.failure(element, f"Macro #{element.macro_name} takes {len(names)} arguments, "
                                        f"got {len(args)}")

        def call(frame: Frame, out: list[str]) -> None:
            body = macros[name][1]  # looked up when called: the body may call its own macro
            variables = frame.vars
            saved = [variables.get(n, _MISSING) for n in names]
            for arg_name, arg in zip(names, args, strict=True):
                variables[arg_name] = arg(frame)
            try:
                body(frame, out)
            finally:
                for arg_name, old in zip(names, saved, strict=True):
                    if old is _MISSING:
                        variables.pop(arg_name, None)
                    else:
                        variables[arg_name] = old
        return call

    def return_directive(self, element: Any) -> Block:
        if element.value is None:
            def return_nothing(frame: Frame, out: list[str]) -> None:
                raise ReturnValue(None)
            return return_nothing
        value = self.expression(element.value)

        def return_value(frame: Frame, out: list[str]) -> None:
            raise ReturnValue(value(frame))
        return return_value

    # -- references -----------------------------------------------------------------------------

    def reference_output(self, element: Any) -> Block:
        literal = element.my_text()
        if element.expression is None:
            return lambda frame, out: out.append(literal)
        quiet = self.quiet_call(element)
        if quiet is not None:
            return quiet
        alternate = self.expression(element.alternate.expression) if element.alternate else None
        fallback = "" if element.silent else literal
        root, steps = self.steps(element)
        if not steps:  # `$name`: the variable read here
            def render_variable(frame: Frame, out: list[str]) -> None:
                value = frame.vars.get(root)
                out.append(value if type(value) is str else _as_text(frame, value, alternate, fallback))
            return render_variable
        getter = self.reference(element)

        def render(frame: Frame, out: list[str]) -> None:
            value = getter(frame)
            out.append(value if type(value) is str else _as_text(frame, value, alternate, fallback))
        return render

    def text_getter(self, element: Any) -> Callable[[Frame], str]:
        """What a reference writes (`reference_output`), as a value: for references inside string literals."""
        literal = element.my_text()
        if element.expression is None:
            return lambda frame: literal
        alternate = self.expression(element.alternate.expression) if element.alternate else None
        fallback = "" if element.silent else literal
        root, steps = self.steps(element)
        if not steps:  # `"$name"`: the variable read here
            def text_of_variable(frame: Frame) -> str:
                value = frame.vars.get(root)
                return value if type(value) is str else _as_text(frame, value, alternate, fallback)
            return text_of_variable
        getter = self.reference(element)

        def text(frame: Frame) -> str:
            value = getter(frame)
            return value if type(value) is str else _as_text(frame, value, alternate, fallback)
        return text

    def quiet_call(self, element: Any) -> Block | None:
        """`$util.qr(x)` / `$util.quiet(x)` as a statement: evaluate `x`, write nothing."""
        root, steps = self.steps(element)
        if root != "util" or len(steps) != 1 or steps[0][0] != "call" or len(steps[0][2]) != 1:
            return None
        if self.util.functions.find(steps[0][1], 1) is not quiet:
            return None
        argument = steps[0][2][0]
        reference = _only_reference(argument)
        if reference is not None:  # `$util.qr($map.put(...))`: the inner reference guards itself
            getter = self.reference(reference)
            if getter.__code__.co_argcount == 2:  # a chain closure that also serves as a block (`_out`)
                return cast(Block, getter)
            return lambda frame, out: getter(frame)  # type: ignore[func-returns-value]
        value, offset = self.expression(argument), self.offset

        def evaluate(frame: Frame, out: list[str]) -> None:
            try:
                value(frame)
            except _FAILURES as exc:
                raise self.translate(element, exc, offset) from exc
        return evaluate

    def reference(self, element: Any) -> Expr:
        """A reference's value; one that can throw guards itself (its closure translates the failure)."""
        if element.expression is None:
            literal = element.my_text()
            return lambda frame: literal
        root, steps = self.steps(element)
        if not steps:
            return lambda frame: frame.vars.get(root)
        offset = self.offset

        def fail(exc: Exception) -> TemplateError:
            return self.translate(element, exc, offset)

        getter = self.bind_util(steps, fail) if root == "util" else None
        if getter is not None:
            return getter
        leading = 0  # `$ctx.stash.` before `put(...)`: walked by one closure
        while leading < len(steps) and steps[leading][0] == "prop" and steps[leading][1] != "class":
            leading += 1
        names = tuple(what for _, what, _ in steps[:leading])
        if leading == len(steps):
            return _properties(root, names)  # `$ctx.args.id`: cannot throw
        segments = self.segments(steps[leading:])
        if len(segments) == 1:
            return _properties_then(root, names, segments[0], fail)  # `$ctx.stash.put(k, v)`
        return _walk(_properties(root, names), segments, fail)

    def steps(self, reference: Any) -> tuple[str, list[tuple[str, Any, list[Any]]]]:
        """Root name and the `.name` / `.call(args)` / `[index]` steps after it, from Airspeed's nesting."""
        expression = reference.expression
        steps: list[tuple[str, Any, list[Any]]] = []
        if expression.part.index is not None:
            steps.append(("index", expression.part.index.index, []))
        sub = expression.subexpression
        while sub is not None:
            if _isa(sub.expression, p.ArrayIndex):
                steps.append(("index", sub.expression.index, []))
                sub = sub.subexpression
                continue
            part = sub.expression.part
            if part.parameters is not None:
                steps.append(("call", part.name, list(getattr(part.parameters.values, "values", []))))
            else:
                steps.append(("prop", part.name, []))
            if part.index is not None:
                steps.append(("index", part.index.index, []))
            sub = sub.expression.subexpression
        return expression.part.name, steps

    def segments(self, steps: list[tuple[str, Any, list[Any]]]) -> list[Segment]:
        segments: list[Segment] = []
        for kind, what, args in steps:
            if kind == "prop":
                segments.append(_property(what))
            elif kind == "index":
                segments.append(_indexer(self.expression(what)))
            else:
                segments.append(self.caller(what, args))
        return segments

    def caller(self, name: str, args: list[Any]) -> Segment:
        """`.name(args)`: the method found once per receiver type; literal arguments evaluated here."""
        compiled = [self.expression(a) for a in args]
        by_type = methods_by_type(name, len(args))
        constants = None
        if all(arg in self.constants for arg in compiled):
            constants = tuple(self.constants[arg] for arg in compiled)

        def dynamic(frame: Frame, value: Any) -> Any:  # `$util` groups, objects with their own methods
            if isinstance(value, UtilGroup):
                helper = value.functions.find(name, len(compiled))
                return None if helper is None else helper(frame, *[arg(frame) for arg in compiled])
            method = by_type[type(value)] = find_method(value, name, len(compiled))  # a class's methods
            return None if method is None else method(value, *[arg(frame) for arg in compiled])

        if constants is not None:
            def call_with_constants(frame: Frame, value: Any) -> Any:
                method = by_type.get(type(value), _MISSING)
                if method is _MISSING:
                    return dynamic(frame, value)
                return None if method is None else method(value, *constants)  # no such method is null
            return call_with_constants
        if len(compiled) == 1:
            only = compiled[0]

            def call_one(frame: Frame, value: Any) -> Any:
                method = by_type.get(type(value), _MISSING)
                if method is _MISSING:
                    return dynamic(frame, value)
                return None if method is None else method(value, only(frame))
            return call_one
        if len(compiled) == 2:
            first, second = compiled

            def call_two(frame: Frame, value: Any) -> Any:
                method = by_type.get(type(value), _MISSING)
                if method is _MISSING:
                    return dynamic(frame, value)
                return None if method is None else method(value, first(frame), second(frame))
            return call_two

        def call(frame: Frame, value: Any) -> Any:
            method = by_type.get(type(value), _MISSING)
            if method is _MISSING:
                return dynamic(frame, value)
            return None if method is None else method(value, *[arg(frame) for arg in compiled])
        return call

    def bind_util(self, steps: list[tuple[str, Any, list[Any]]], fail: Failure) -> Expr | None:
        """`$util.group.helper(args)...` with the helper bound at compile time (the common case)."""
        group = self.util
        for position, (kind, what, args) in enumerate(steps):
            if kind == "prop" and what in group.groups:
                group = group.groups[what]
                continue
            helper = group.functions.find(what, len(args)) if kind == "call" else None
            if helper is None:
                return None
            call = _helper_call(helper, [self.expression(a) for a in args], fail)
            rest = self.segments(steps[position + 1:])
            return call if not rest else _walk(call, rest, fail)
        return None

    def chain_getter(self, root: str, segments: list[Segment]) -> Expr:
        """The container of a `#set` target (guarded by the directive)."""
        return _walk(_properties(root, ()), segments, None) if segments else _properties(root, ())

    # -- expressions ----------------------------------------------------------------------------

    def expression(self, element: Any) -> Expr:
        return _dispatch(_EXPRESSIONS, element)(self, element)

    def inner_expression(self, element: Any) -> Expr:
        return self.expression(element.expression)

    def flat_operators(self, element: Any) -> Expr:
        return self.operators(element.expression)

    def parenthesized(self, element: Any) -> Expr:
        return self.expression(element.calculate.__self__)

    def literal(self, element: Any) -> Expr:
        return self.constant(element.value if not isinstance(element, p.NullLiteral) else None)

    def array(self, element: Any) -> Expr:
        values = element.values
        if isinstance(values, p.Range):
            return self.range(values)
        items = [self.expression(v) for v in getattr(values, "values", [])]
        if all(item in self.constants for item in items):
            constants = [self.constants[item] for item in items]
            return lambda frame: constants.copy()
        return lambda frame: [item(frame) for item in items]

    def unary(self, element: Any) -> Expr:
        operand = self.expression(element.value)
        if element.op == "-":
            return lambda frame: negate(operand(frame))

        def negation(frame: Frame) -> bool:
            value = operand(frame)
            return value is None or value is False  # not truthy
        return negation

    def unsupported_expression(self, element: Any) -> Expr:
        raise self.failure(element, f"Unsupported expression {element.my_text()!r}")

    def dictionary(self, element: Any) -> Expr:
        """`{"k": v, ...}`: a new map each time; literal keys (the usual case) are not evaluated per render."""
        pairs = [(self.expression(k), self.expression(v)) for k, v in element.items]
        if not all(key in self.constants for key, _ in pairs):
            return lambda frame: {key(frame): value(frame) for key, value in pairs}
        if all(value in self.constants for _, value in pairs):
            constant = {self.constants[key]: self.constants[value] for key, value in pairs}
            return lambda frame: constant.copy()
        keyed = [(self.constants[key], value) for key, value in pairs]
        return lambda frame: {key: value(frame) for key, value in keyed}

    def constant(self, value: Any) -> Expr:
        """A literal (str, number, bool, null: never mutated), known to the compiler as a constant."""
        def literal(frame: Frame) -> Any:
            return value
        self.constants[literal] = value
        return literal

    def range(self, element: Any) -> Expr:
        low, high = self.expression(element.value1), self.expression(element.value2)
        offset = self.offset

        def make(frame: Frame) -> Any:
            start, stop = low(frame), high(frame)
            if not (isinstance(start, int) and isinstance(stop, int)):
                return None
            if abs(stop - start) >= MAX_ITERATIONS:
                raise self.failure(element, f"A range of more than {MAX_ITERATIONS} numbers", offset=offset)
            return list(range(start, stop + 1) if start <= stop else range(start, stop - 1, -1))
        return make

    def interpolated(self, element: Any) -> Expr:
        saved = self.offset
        self.offset = saved + element.start + 1
        children = element.block.children
        try:
            if all(_isa(c, _TEXT) for c in children):
                return self.constant("".join(c.text for c in children))
            if all(_isa(c, _TEXT_OR_REFERENCE) for c in children):  # `"#$name"`: no block
                parts = [c.text if _isa(c, _TEXT) else self.text_getter(c) for c in children]
                return self.joined(element, parts, saved)
            body = self.block(element.block)
        finally:
            self.offset = saved

        def render(frame: Frame) -> str:
            out: list[str] = []
            body(frame, out)
            text = "".join(out)
            if len(text) > MAX_OUTPUT:
                raise self.failure(element, f"A string grew beyond {MAX_OUTPUT} characters", offset=saved)
            return text
        return render

    def joined(self, element: Any, parts: list[str | Callable[[Frame], str]], offset: int) -> Expr:
        """A string literal of text and references: the references' texts joined."""
        def render(frame: Frame) -> str:
            text = "".join([part if type(part) is str else part(frame) for part in parts])  # type: ignore[operator]
            if len(text) > MAX_OUTPUT:
                raise self.failure(element, f"A string grew beyond {MAX_OUTPUT} characters", offset=offset)
            return text
        return render

    def operators(self, terms: list[Any]) -> Expr:
        """Precedence climbing over Airspeed's flat `value op value op ...` list."""
        values = [self.expression(term) for term in terms[0::2]]
        ops = [term.op for term in terms[1::2]]
        position = 0

        def parse(min_level: int) -> Expr:
            nonlocal position
            left = values[position]
            while position < len(ops):
                op = ops[position]
                level = _LOGICAL.get(op) or _BINARY[op][0]
                if level < min_level:
                    break
                position += 1
                right = parse(level + 1)
                left = _combine(op, left, right)
            return left
        return parse(0)


def _combine(op: str, left: Expr, right: Expr) -> Expr:
    level = _LOGICAL.get(op)
    if level == 1:
        def either(frame: Frame) -> bool:
            value = left(frame)
            if value is not None and value is not False:
                return True
            value = right(frame)
            return value is not None and value is not False
        return either
    if level == 2:
        def both(frame: Frame) -> bool:
            value = left(frame)
            if value is None or value is False:
                return False
            value = right(frame)
            return value is not None and value is not False
        return both
    function = _BINARY[op][1]
    if op == "+":
        def plus(frame: Frame) -> Any:
            result = add(left(frame), right(frame))
            if type(result) is str and len(result) > MAX_OUTPUT:
                raise TemplateError(f"A string grew beyond {MAX_OUTPUT} characters")
            return result
        return plus
    return lambda frame: function(left(frame), right(frame))


def _macro_definitions(block: Any) -> Any:
    """Every `#macro` in a block, also inside `#if`/`#foreach` and other macros."""
    for child in block.children:
        if _isa(child, p.MacroDefinition):
            yield child
        for inner in (getattr(child, "block", None), getattr(getattr(child, "else_block", None), "block", None),
                      *(arm.block for arm in getattr(child, "elseifs", []))):
            if inner is not None:
                yield from _macro_definitions(inner)


def _as_text(frame: Frame, value: Any, alternate: Expr | None, fallback: str) -> str:
    """What a reference whose value is not a String writes: the alternate, its own text when null, `toString()`."""
    if value is None and alternate is not None:
        value = alternate(frame)
    if value is None:
        return fallback
    if type(value) is str:
        return value
    if isinstance(value, DefinedBlock):
        return value.render(frame)
    return to_string(value)


def _only_reference(element: Any) -> Any:
    """The reference an argument consists of (`$m.put(1)` in `$util.qr($m.put(1))`), else None."""
    while _isa(element, _VALUE_OR_EXPRESSION):
        if _isa(element, p.Expression):
            if len(element.expression) != 1:
                return None
            element = element.expression[0]
        else:
            element = element.expression
    return element if _isa(element, p.FormalReference) else None


def _short_block(parts: list[Block | str]) -> Block:
    """Two or three parts (`#if` bodies: indentation, a directive, a newline) without a loop."""
    if len(parts) == 3 and isinstance(parts[0], str) and isinstance(parts[2], str):
        before, step, after = parts

        def around(frame: Frame, out: list[str]) -> None:
            out.append(before)
            step(frame, out)  # type: ignore[operator]
            out.append(after)
        return around
    first, *rest = (_text_writer(part) if isinstance(part, str) else part for part in parts)
    if len(rest) == 1:
        second = rest[0]

        def pair(frame: Frame, out: list[str]) -> None:
            first(frame, out)
            second(frame, out)
        return pair
    second, third = rest

    def triple(frame: Frame, out: list[str]) -> None:
        first(frame, out)
        second(frame, out)
        third(frame, out)
    return triple


def _text_writer(text: str) -> Block:
    return lambda frame, out: out.append(text)


def _noop(frame: Frame, out: list[str]) -> None:
    return None


def _break(frame: Frame, out: list[str]) -> None:
    raise BreakLoop()


def _stop(frame: Frame, out: list[str]) -> None:
    raise StopRender()


def _property_of(value: Any, name: str) -> Any:
    if isinstance(value, UtilGroup):
        return value.groups.get(name)
    return get_property(value, name)


def _property(name: str) -> Segment:
    if name == "class":  # `$map.class` is the map's class unless the map has a "class" key
        return lambda frame, value: get_property(value, name)

    def get(frame: Frame, value: Any) -> Any:
        return value.get(name) if type(value) is dict else _property_of(value, name)
    return get


def _indexer(index: Expr) -> Segment:
    def get(frame: Frame, value: Any) -> Any:
        key = index(frame)
        if isinstance(value, dict):
            return value.get(key)
        if isinstance(value, list | str) and isinstance(key, int) and not isinstance(key, bool):
            if not -len(value) <= key < len(value):
                raise JavaError("IndexOutOfBoundsException", f"Index {key} out of bounds for length {len(value)}")
            return value[key]
        return None
    return get


def _helper_call(helper: Callable[..., Any], args: list[Expr], fail: Failure) -> Expr:
    """A bound `$util` helper. Chain closures take an unused `_out` so that `$util.qr(chain)` runs them as blocks."""
    if not args:
        def call_none(frame: Frame, _out: Any = None) -> Any:
            try:
                return helper(frame)
            except _FAILURES as exc:
                raise fail(exc) from exc
        return call_none
    if len(args) == 1:
        only = args[0]

        def call_one(frame: Frame, _out: Any = None) -> Any:
            try:
                return helper(frame, only(frame))
            except _FAILURES as exc:
                raise fail(exc) from exc
        return call_one

    if len(args) == 2:
        first, second = args

        def call_two(frame: Frame, _out: Any = None) -> Any:
            try:
                return helper(frame, first(frame), second(frame))
            except _FAILURES as exc:
                raise fail(exc) from exc
        return call_two

    def call(frame: Frame, _out: Any = None) -> Any:
        try:
            return helper(frame, *[arg(frame) for arg in args])
        except _FAILURES as exc:
            raise fail(exc) from exc
    return call


def _properties(root: str, names: tuple[str, ...]) -> Expr:
    """A chain of properties, the commonest reference, walked without a closure per step."""
    if not names:
        return lambda frame: frame.vars.get(root)
    def walk(frame: Frame, _out: Any = None) -> Any:
        value = frame.vars.get(root)
        for name in names:
            if value is None:
                return None
            value = value.get(name) if type(value) is dict else _property_of(value, name)
        return value
    return walk


def _properties_then(root: str, names: tuple[str, ...], last: Segment, fail: Failure) -> Expr:
    """Properties, then one call or index: the commonest reference that can throw, in one closure."""
    def walk(frame: Frame, _out: Any = None) -> Any:
        try:
            value = frame.vars.get(root)
            for name in names:
                if value is None:
                    return None
                value = value.get(name) if type(value) is dict else _property_of(value, name)
            return None if value is None else last(frame, value)
        except _FAILURES as exc:
            raise fail(exc) from exc
    return walk


def _walk(first: Expr, segments: list[Segment], fail: Failure | None) -> Expr:
    """Segments after a first value; `fail` turns a failure into the reference's error (None: the caller guards)."""
    steps = tuple(segments)

    def walk(frame: Frame, _out: Any = None) -> Any:
        try:
            value = first(frame)
            for step in steps:
                if value is None:
                    return None
                value = step(frame, value)
            return value
        except _FAILURES as exc:
            if fail is None:
                raise
            raise fail(exc) from exc
    return walk


# Airspeed's elements are ABCs, whose isinstance checks are slow: the compiler dispatches on the exact
# type, each type's case found once by isinstance in the order below.
_Case = tuple[Any, Callable[..., Any]]
_NODES: tuple[dict[type, Callable[..., Any]], list[_Case], Callable[..., Any]] = ({}, [
    (_TEXT, Compiler.text),
    ((p.Comment, p.MacroDefinition), Compiler.nothing),
    (p.FormalReference, Compiler.reference_output),
    (p.SetDirective, Compiler.set_directive),
    (p.IfDirective, Compiler.if_directive),
    (p.ForeachDirective, Compiler.foreach),
    (p.MacroCall, Compiler.macro_call),
    (p.DefineDefinition, Compiler.define),
    (p.ReturnDirective, Compiler.return_directive),
    (p.BreakDirective, Compiler.break_directive),
    (p.StopDirective, Compiler.stop_directive),
], Compiler.unsupported_directive)
_EXPRESSIONS: tuple[dict[type, Callable[..., Any]], list[_Case], Callable[..., Any]] = ({}, [
    ((p.Value, p.AlternateValue), Compiler.inner_expression),
    (p.Expression, Compiler.flat_operators),
    ((p.ParenthesizedExpression, p.Condition), Compiler.parenthesized),
    (p.FormalReference, Compiler.reference),
    (p.InterpolatedStringLiteral, Compiler.interpolated),
    ((p.IntegerLiteral, p.FloatingPointLiteral, p.BooleanLiteral, p.NullLiteral, p.StringLiteral), Compiler.literal),
    (p.ArrayLiteral, Compiler.array),
    (p.DictionaryLiteral, Compiler.dictionary),
    (p.UnaryOperatorValue, Compiler.unary),
], Compiler.unsupported_expression)


_TEXT_OR_REFERENCE = (*_TEXT, p.FormalReference)
_VALUE_OR_EXPRESSION = (p.Value, p.AlternateValue, p.Expression)
_ISA: dict[tuple[type, Any], bool] = {}


def _isa(element: Any, classes: Any) -> bool:
    """`isinstance` for parse tree elements, answered once per element type."""
    key = (type(element), classes)
    found = _ISA.get(key)
    if found is None:
        found = _ISA[key] = isinstance(element, classes)
    return found


def _dispatch(table: tuple[dict[type, Callable[..., Any]], list[_Case], Callable[..., Any]],
              element: Any) -> Callable[..., Any]:
    cache, cases, otherwise = table
    kind = type(element)
    handler = cache.get(kind)
    if handler is None:
        handler = cache[kind] = next((h for types, h in cases if isinstance(element, types)), otherwise)
    return handler
