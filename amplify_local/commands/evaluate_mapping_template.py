"""`amplify-local evaluate-mapping-template --template FILE --context FILE`: debug a template without a server.

Prints what AppSync's EvaluateMappingTemplate API returns: `evaluationResult` (the rendered text),
`error` (`message`, with the template's line and column when the template is at fault), `logs`
(`$util.log.*`), `stash` and `outErrors` (errors appended with `$util.appendError`). The context file
is the API's context document: `arguments`, `source`, `result`, `identity`, `stash`, `prev`, `info`,
`request`, `error`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from amplify_local.mock.appsync.errors import AppSyncError, TemplateError
from amplify_local.mock.appsync.types import AuthMode, Info, ResolverContext

_CONTEXT_KEYS = {"arguments", "source", "result", "identity", "stash", "prev", "info", "request", "error",
                 "outErrors"}


class InputError(Exception):
    """The template or context file cannot be used; the message names the file and what to fix."""


def read_input(path: Path, what: str) -> str:
    """A file's text; an unreadable or non-UTF-8 file is an InputError, never a traceback."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: the {what} is not UTF-8 text (byte {exc.start})") from exc


def auth_mode(identity: Any) -> AuthMode:
    """The auth mode an identity document belongs to, for `$util.authType()`."""
    if not isinstance(identity, dict):
        return "API_KEY"
    if "resolverContext" in identity:
        return "AWS_LAMBDA"
    if "userArn" in identity or "cognitoIdentityPoolId" in identity:
        return "AWS_IAM"
    if "cognito-idp." in str(identity.get("issuer", "")):
        return "AMAZON_COGNITO_USER_POOLS"
    return "OPENID_CONNECT"


def load_context(path: Path) -> ResolverContext:
    """The resolver context a context document describes, with the auth mode its identity implies."""
    text = read_input(path, "context file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: the context is not JSON: {exc.msg}") from exc
    if not isinstance(document, dict):
        raise InputError(f"{path}: the context must be a JSON object with keys such as arguments, source, identity")
    unknown = set(document) - _CONTEXT_KEYS
    if unknown:
        raise InputError(f"{path}: unknown context key(s) {', '.join(sorted(unknown))}; "
                           f"use {', '.join(sorted(_CONTEXT_KEYS))}")
    info = document.get("info") or {}
    if not isinstance(info, dict):
        raise InputError(f"{path}: info must be an object with fieldName, parentTypeName, variables, ...")
    return ResolverContext(
        arguments=document.get("arguments") or {},
        identity=document.get("identity"),
        source=document.get("source"),
        stash=document.get("stash") or {},
        prev=document.get("prev"),
        result=document.get("result"),
        error=document.get("error"),
        info=Info(info.get("fieldName", ""), info.get("parentTypeName", ""), info.get("variables") or {},
                  info.get("selectionSetList") or [], info.get("selectionSetGraphQL") or ""),
        request=document.get("request") or {"headers": {}},
        out_errors=document.get("outErrors") or [],
        auth_mode=auth_mode(document.get("identity")),
    )


def evaluate(template_text: str, template_path: str, context: ResolverContext) -> dict[str, Any]:
    """The EvaluateMappingTemplate response for one template and context."""
    from amplify_local.mock.appsync.vtl import compile_template

    try:
        result = compile_template(template_text, template_path).render(context, parse_json=False)
    except AppSyncError as error:
        partial = getattr(error, "render_result", None)
        response: dict[str, Any] = {"error": _error(error), "logs": partial.logs if partial else []}
        if partial is not None:
            response["stash"] = json.dumps(partial.stash)
            response["outErrors"] = json.dumps([e.to_dict() for e in partial.errors])
        return response
    return {"evaluationResult": result.text, "logs": result.logs, "stash": json.dumps(result.stash),
            "outErrors": json.dumps([e.to_dict() for e in result.errors])}


def _error(error: AppSyncError) -> dict[str, Any]:
    detail: dict[str, Any] = {"message": error.message}
    if error.error_type not in (None, "MappingTemplate"):
        detail["errorType"] = error.error_type
    if isinstance(error, TemplateError) and error.line is not None:
        detail["line"], detail["column"] = error.line, error.column
    return detail


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="amplify-local evaluate-mapping-template", description=__doc__.splitlines()[0])
    parser.add_argument("--template", required=True, type=Path, help="the .vtl file")
    parser.add_argument("--context", required=True, type=Path, help="the context JSON file")
    options = parser.parse_args(argv)
    try:
        text = read_input(options.template, "template")
        context = load_context(options.context)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    response = evaluate(text, str(options.template), context)
    print(json.dumps(response, indent=2, ensure_ascii=False))
    return 1 if "error" in response else 0
