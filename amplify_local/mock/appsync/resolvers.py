"""Unit and pipeline resolvers with AppSync's semantics.

Unit: request template -> data source -> response template. `#return` in the request skips the rest.
A data source error goes to `$ctx.error` when the request document says `"version": "2018-05-29"`;
with 2017-02-28 it fails the field. Pipeline: the before template, then each function (request -> data
source -> response, `$ctx.prev.result` carrying the previous output; `#return` in a function's request
skips that function's data source and response and the pipeline goes on; data source errors always go
to `$ctx.error`), then the after template. Stash and arguments are shared by every step. A template
error (`$util.error`, a failing helper) ends the field: its value is null and every error collected so
far is reported. Errors appended with `$util.appendError` are reported next to the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from amplify_local.mock.appsync.errors import AppSyncError, TemplateError
from amplify_local.mock.appsync.types import DataSource, DataSourceCall, RenderResult, ResolverContext
from amplify_local.mock.appsync.vtl import parse_output
from amplify_local.transformer.types import FunctionConfiguration, MappingTemplate, Resolver

LATEST_VERSION = "2018-05-29"
DIRECT_LAMBDA_TYPES = frozenset({"AWS_LAMBDA"})


class FieldFailure(Exception):
    """The field resolves to null; `errors` are all the errors its templates and data sources produced."""

    def __init__(self, errors: list[AppSyncError]) -> None:
        super().__init__(errors[-1].message if errors else "resolver failed")
        self.errors = errors


class Run:
    """What one resolver invocation produced beside its value: appended errors and `$extensions`.

    This module's classes are plain ones: a dataclass costs ~1 ms of the mock's cold start to define."""

    __slots__ = ("errors", "extensions")

    def __init__(self) -> None:
        self.errors: list[AppSyncError] = []
        self.extensions: dict[str, Any] = {}

    def fail(self, error: AppSyncError) -> FieldFailure:
        self.errors.append(error)
        return FieldFailure(self.errors)


class Template:
    """A mapping template, compiled on its first render or by `compile()`: a start compiles only what its
    first queries use (the loader compiles the rest, see `loader.load`); `render` returns the rendered
    JSON value (or `#return`'s value)."""

    def __init__(self, template: MappingTemplate, compile_template: Callable[..., Any]) -> None:
        self.path = template.path
        self.text = template.text
        self.compile_template = compile_template
        self.compiled: Any = None
        self.passthrough = _PASSTHROUGH.get(_normal(template.text))

    @property
    def pending(self) -> bool:
        """Not compiled yet, and rendered when used (a passthrough template never is)."""
        return self.compiled is None and self.passthrough is None

    def compile(self) -> Any:
        """The compiled template; raises the compiler's `TemplateError`, which names file, line and column."""
        if self.compiled is None:
            self.compiled = self.compile_template(self.text, path=self.path)
        return self.compiled

    def render(self, ctx: ResolverContext, run: Run) -> RenderResult:
        if self.passthrough is not None:  # `$util.toJson($ctx.prev.result)` and kin: no render, no JSON trip
            try:
                return RenderResult("", value=self.passthrough(ctx))
            except AppSyncError as error:
                raise run.fail(error) from None
        try:  # a template that does not compile fails its field with the located error
            compiled = self.compiled if self.compiled is not None else self.compile()
            result: RenderResult = compiled.render(ctx, parse_json=False)
        except AppSyncError as error:
            partial = getattr(error, "render_result", None)
            if partial is not None:
                run.errors.extend(partial.errors)
            raise run.fail(error) from None
        if result.errors:
            run.errors.extend(result.errors)
        if result.extensions:
            for key, value in result.extensions.items():
                if isinstance(value, list):
                    run.extensions.setdefault(key, []).extend(value)
                else:
                    run.extensions[key] = value
        if not result.returned:
            result.value = self._json(result.text, run)
        return result

    def _json(self, text: str, run: Run) -> Any:
        """The rendered document; blank output is AppSync's `MappingTemplate` error."""
        if not text.strip():
            raise run.fail(TemplateError("Template transformation yielded an empty response.", template=self.path))
        try:
            return parse_output(text)
        except TemplateError as error:
            error.template = self.path
            raise run.fail(error) from None


def _normal(text: str) -> str:
    """A template's text without `##` comment lines and with whitespace normalised, for matching."""
    text = re.sub(r"\s+", " ", re.sub(r"(?m)^\s*##.*$", "", text)).strip()
    return re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", text))


def _empty_map(_ctx: ResolverContext) -> dict[str, Any]:
    return {}


def _empty_payload(_ctx: ResolverContext) -> dict[str, Any]:
    return {"version": LATEST_VERSION, "payload": {}}


def _prev_result(ctx: ResolverContext) -> Any:
    return ctx.prev.get("result") if ctx.prev else None


def _result(ctx: ResolverContext) -> Any:
    return ctx.result


def _error_or_result(ctx: ResolverContext) -> Any:
    if ctx.error:  # what `$util.error($ctx.error.message, $ctx.error.type)` raises
        raise AppSyncError(str(ctx.error.get("message")), ctx.error.get("type"))
    return ctx.result


# Templates whose whole text only re-serialises a value (or raises the data source's error): their value
# is computed directly, without a render and a JSON round trip. Keys are `_normal` forms.
_PASSTHROUGH: dict[str, Callable[[ResolverContext], Any]] = {
    _normal(template.replace("$ctx", ctx_name).replace("$util", util_name)): function
    for util_name in ("$util", "$utils")
    for ctx_name in ("$ctx", "$context")
    for template, function in (
        ("$util.toJson($ctx.prev.result)", _prev_result),
        ("$util.toJson($ctx.result)", _result),
        ("$util.toJson({})", _empty_map),
        ('$util.toJson({ "version": "2018-05-29", "payload": {} })', _empty_payload),
        ("#if( $ctx.error ) $util.error($ctx.error.message, $ctx.error.type) #else $util.toJson($ctx.result) #end",
         _error_or_result),
    )
}


class Step:
    """One request -> data source -> response unit: a UNIT resolver or a pipeline function."""

    __slots__ = ("data_source", "name", "request", "response")

    def __init__(self, name: str, data_source: DataSource, request: Template | None,
                 response: Template | None) -> None:
        self.name = name
        self.data_source = data_source
        self.request = request
        self.response = response

    async def run(self, ctx: ResolverContext, call: DataSourceCall, run: Run, *, unit: bool) -> Any:
        if self.request is None:
            document = _direct_lambda_request(ctx)
        else:
            rendered = self.request.render(ctx, run)
            if rendered.returned:
                return rendered.value
            document = rendered.value
        result = None
        ctx.error = None
        try:
            result = await self.data_source.invoke(document, call)
        except AppSyncError as error:
            version = document.get("version") if isinstance(document, Mapping) else None
            if unit and version != LATEST_VERSION:
                raise run.fail(error) from None
            ctx.error = {"message": error.message, "type": error.error_type or "UnknownErrorType"}
        ctx.result = result
        if self.response is None:
            if ctx.error is not None:
                raise run.fail(AppSyncError(ctx.error["message"], ctx.error["type"]))
            return result
        return self.response.render(ctx, run).value


def _direct_lambda_request(ctx: ResolverContext) -> dict[str, Any]:
    """What AppSync sends a direct Lambda resolver (no request template)."""
    return {
        "version": LATEST_VERSION,
        "operation": "Invoke",
        "payload": {
            "arguments": ctx.arguments,
            "identity": ctx.identity,
            "source": ctx.source,
            "request": ctx.request,
            "prev": ctx.prev,
            "info": ctx.info.to_dict() if ctx.info else None,
            "stash": ctx.stash,
        },
    }


class CompiledResolver:
    """A resolver ready to run: UNIT has one step; PIPELINE has before/after templates around its steps."""

    __slots__ = ("after", "before", "field_name", "kind", "steps", "type_name")

    def __init__(self, type_name: str, field_name: str, kind: str, steps: list[Step],
                 before: Template | None = None, after: Template | None = None) -> None:
        self.type_name = type_name
        self.field_name = field_name
        self.kind = kind
        self.steps = steps
        self.before = before
        self.after = after

    async def resolve(self, ctx: ResolverContext, run: Run) -> Any:
        """Run it: the field's value (errors and extensions land in `run`), or raise `FieldFailure`."""
        call = DataSourceCall(self.type_name, self.field_name, ctx)
        if self.kind != "PIPELINE":
            return await self.steps[0].run(ctx, call, run, unit=True)
        previous: Any = None
        if self.before is not None:
            rendered = self.before.render(ctx, run)
            if rendered.returned:
                return rendered.value
            previous = rendered.value
        for step in self.steps:
            ctx.prev = {"result": previous}
            previous = await step.run(ctx, call, run, unit=False)
        ctx.prev = {"result": previous}
        ctx.result = previous
        ctx.error = None
        if self.after is None:
            return previous
        return self.after.render(ctx, run).value

    def templates(self) -> Iterator[Template]:
        """Every template this resolver has: before, each step's request and response, after."""
        for template in (self.before, *(t for step in self.steps for t in (step.request, step.response)),
                         self.after):
            if template is not None:
                yield template


def compile_resolver(
    resolver: Resolver,
    functions: Mapping[str, FunctionConfiguration],
    data_sources: Mapping[str, DataSource],
    compile_template: Callable[..., Any],
) -> CompiledResolver:
    """The resolver of `resolver`, its data sources and functions checked now; its templates compile on first
    use or when the loader compiles them (`Template`)."""
    where = f"resolver {resolver.type_name}.{resolver.field_name}"

    def template(spec: MappingTemplate | None) -> Template | None:
        return Template(spec, compile_template) if spec is not None else None

    def source(name: str | None, owner: str) -> DataSource:
        if name is None or name not in data_sources:
            raise ValueError(f"{owner}: data source {name!r} is not defined in the API")
        return data_sources[name]

    if resolver.kind == "PIPELINE":
        steps = []
        for name in resolver.functions:
            if name not in functions:
                raise ValueError(f"{where}: pipeline function {name!r} is not defined in the API")
            function = functions[name]
            steps.append(Step(
                name,
                source(function.data_source, f"function {name}"),
                template(function.request),
                template(function.response),
            ))
        return CompiledResolver(
            resolver.type_name, resolver.field_name, "PIPELINE", steps,
            template(resolver.request), template(resolver.response),
        )
    data_source = source(resolver.data_source, where)
    if resolver.request is None and data_source.type not in DIRECT_LAMBDA_TYPES:
        raise ValueError(f"{where}: missing request mapping template")
    step = Step(f"{resolver.type_name}.{resolver.field_name}", data_source, template(resolver.request),
                template(resolver.response))
    return CompiledResolver(resolver.type_name, resolver.field_name, "UNIT", [step])
