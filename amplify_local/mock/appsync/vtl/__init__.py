"""The AppSync VTL engine: Velocity on Airspeed's parser, compiled once per template text.

    template = compile_template(text, path="resolvers/Query.getTodo.req.vtl")  # TemplateError on bad syntax
    result = template.render(context)  # RenderResult; raises AppSyncError when the template stops with one

`render` parses the output as JSON into `result.value` (AppSync's `MappingTemplate` error when it is
not JSON), or takes the `#return(x)` value (`returned=True`). Errors appended with
`$util.appendError` are in `result.errors`; a stopping error (`$util.error`, `$util.unauthorized`,
`$util.validate`, a failing helper) is raised, with the render so far attached as
`error.render_result` so the caller can report the appended errors beside it.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from amplify_local.mock.appsync.errors import AppSyncError, TemplateError
from amplify_local.mock.appsync.types import RenderResult, ResolverContext
from amplify_local.mock.appsync.vtl.compiler import Block, Compiler
from amplify_local.mock.appsync.vtl.context import context_variables
from amplify_local.mock.appsync.vtl.parser import TemplateSyntaxError, parse
from amplify_local.mock.appsync.vtl.runtime import MAX_OUTPUT, BreakLoop, Frame, ReturnValue, StopRender
from amplify_local.mock.appsync.vtl.util import UTIL
from amplify_local.mock.appsync.vtl.util.json import loads, to_json

__all__ = ["Template", "TemplateError", "compile_template", "parse_output"]

_NOT_JSON = "Unable to convert {} to class com.amazonaws.deepdish.transform.model.lambda.LambdaVersionedConfig."


_SCALARS = (str, int, float, bool, Decimal)


class Template:
    """A compiled mapping template; `render` may be called any number of times, from any thread."""

    def __init__(self, text: str, path: str, body: Block) -> None:
        self.text = text
        self.path = path
        self._body = body

    def render(self, context: ResolverContext, *, parse_json: bool = True) -> RenderResult:
        frame = Frame(context, context_variables(context))
        out: list[str] = []
        returned, value = False, None
        try:
            self._body(frame, out)
        except (StopRender, BreakLoop):
            pass
        except ReturnValue as signal:
            returned, value = True, signal.value
        except AppSyncError as error:
            if isinstance(error, TemplateError):
                locate(error, self.path)
            error.render_result = self._result(frame, "".join(out))  # type: ignore[attr-defined]
            raise
        except RecursionError as exc:
            raise TemplateError(f"Template recursion too deep in {self.path}") from exc
        except (ArithmeticError, TypeError, ValueError, MemoryError) as exc:  # e.g. an int too large for a float
            raise TemplateError(f"{type(exc).__name__}: {exc} in {self.path}") from exc
        text = "".join(out)
        if len(text) > MAX_OUTPUT:
            raise TemplateError(f"The template {self.path} rendered more than {MAX_OUTPUT} characters")
        result = self._result(frame, text)
        if returned:
            result.returned, result.value = True, plain(value)
            result.text = to_json(value) if value is not None else ""
        elif parse_json:
            result.value = parse_output(text)
        return result

    def _result(self, frame: Frame, text: str) -> RenderResult:
        return RenderResult(text=text, errors=frame.errors, stash=frame.context.stash,
                            extensions=frame.extensions, logs=frame.logs,
                            response_headers=frame.response_headers)


def plain(value: Any) -> Any:
    """A returned value as plain JSON values: engine objects (`$ctx.info`, map entries, ranges) converted."""
    if value is None or isinstance(value, _SCALARS):
        return value
    if type(value) is dict:
        return {key: plain(item) for key, item in value.items()}
    if type(value) is list:
        return [plain(item) for item in value]
    return loads(to_json(value))


def parse_output(text: str) -> Any:
    """The rendered document as JSON, or AppSync's `MappingTemplate` error."""
    try:
        return loads(text)
    except ValueError:
        raise TemplateError(_NOT_JSON.format(text.strip())) from None


def locate(error: TemplateError, path: str) -> TemplateError:
    """Name the template in an error that knows only its line and column (bodies are shared by text)."""
    if error.template is None and error.line is not None:
        error.template = path
        error.message = f"{error.message} at {path}:{error.line}:{error.column}"
        error.args = (error.message,)
    return error


@functools.lru_cache(maxsize=4096)
def _compile(text: str) -> Block:
    """The body of a template text, shared by every path with this text."""
    return Compiler(text, UTIL).template(parse(text, "template"))


@functools.lru_cache(maxsize=4096)
def compile_template(text: str, path: str = "INLINE_TEMPLATE") -> Template:
    """Parse and compile a template once per text; a syntax error names the file, line and column."""
    try:
        return Template(text, path, _compile(text))
    except TemplateSyntaxError as exc:
        line_text, caret = exc.get_position_strings()
        detail = str(exc).split(": ", 1)[-1].replace("\n", "\\n")  # after Airspeed's "line L, column C: "
        raise TemplateError(f"Parse error on {path}:{exc.line}:{exc.column}: {detail}\n{line_text}\n{caret}",
                            template=path, line=exc.line, column=exc.column) from None
    except TemplateError as error:
        raise locate(error, path) from None
