"""Shared by the VTL tests: the recorded cases of `corpus/vtl` and how a case becomes a `ResolverContext`.

A case names the caller (`auth`: mode, JWT claims, IAM token), the request headers and the GraphQL
operation; this turns them into the context AppSync would build: `$ctx.identity` in AppSync's shape
per auth mode, `$ctx.info` from the operation (aliases, fragments expanded).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast
from kit import CORPUS as SHARED_CORPUS

from amplify_local.mock.appsync.types import Info, ResolverContext

CORPUS = SHARED_CORPUS / "vtl"


def load_cases(name: str) -> list[dict[str, Any]]:
    cases = json.loads((CORPUS / f"{name}-cases.json").read_text())["cases"]
    oracle = {entry["name"]: entry for entry in json.loads((CORPUS / f"{name}-oracle.json").read_text())["cases"]}
    for case in cases:
        case["oracle"] = oracle[case["name"]]
    return cases


def template_text(case: dict[str, Any]) -> str:
    if case.get("templateText") is not None:
        return case["templateText"]
    return (CORPUS / case["template"]).read_text()


def identity_for(auth: dict[str, Any], default_mode: str) -> dict[str, Any] | None:
    mode = auth.get("mode", "API_KEY")
    source_ip = [auth.get("sourceIp", "127.0.0.1")]
    claims = auth.get("jwt") or {}
    if mode == "AMAZON_COGNITO_USER_POOLS":
        identity = {"sub": claims.get("sub"), "issuer": claims.get("iss"),
                    "username": claims.get("username") or claims.get("cognito:username"),
                    "claims": claims, "sourceIp": source_ip, "groups": claims.get("cognito:groups")}
        if default_mode == "AMAZON_COGNITO_USER_POOLS":
            identity["defaultAuthStrategy"] = "ALLOW"
        return identity
    if mode == "OPENID_CONNECT":
        return {"sub": claims.get("sub"), "issuer": claims.get("iss"), "claims": claims, "sourceIp": source_ip}
    if mode == "AWS_IAM":
        iam = auth.get("iam") or {}
        return {"sourceIp": source_ip, **{key: iam.get(key) for key in (
            "username", "userArn", "accountId", "cognitoIdentityPoolId", "cognitoIdentityId",
            "cognitoIdentityAuthType", "cognitoIdentityAuthProvider")}}
    return None


def _selection_list(selections: Any, fragments: dict[str, Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for node in selections:
        if isinstance(node, FieldNode):
            name = prefix + (node.alias or node.name).value
            out.append(name)
            if node.selection_set:
                out.extend(_selection_list(node.selection_set.selections, fragments, name + "/"))
        else:
            fragment = fragments.get(node.name.value) if hasattr(node, "name") and node.name else node
            if fragment is not None and fragment.selection_set:
                out.extend(_selection_list(fragment.selection_set.selections, fragments, prefix))
    return out


def info_for(spec: dict[str, Any] | None) -> Info:
    spec = spec or {}
    document = parse(spec.get("query") or f"query {{ {spec.get('fieldName', 'field')} }}")
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    fields = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    field_name = spec.get("fieldName") or fields[0].name.value
    node = next((f for f in fields if f.name.value == field_name), None)
    selection = node.selection_set if node is not None else None
    return Info(field_name=field_name, parent_type_name=spec.get("parentTypeName", "Query"),
                variables=spec.get("variables", {}),
                selection_set_list=_selection_list(selection.selections, fragments) if selection else [],
                selection_set_graphql=print_ast(selection) if selection else "")


def context_for(case: dict[str, Any]) -> ResolverContext:
    values = copy.deepcopy(case.get("context") or {})
    auth = case.get("auth") or {"mode": "API_KEY"}
    return ResolverContext(
        arguments=values.get("arguments") or {},
        identity=identity_for(auth, case.get("defaultAuthMode") or auth.get("mode", "API_KEY")),
        source=values.get("source"),
        stash=values.get("stash") or {},
        prev={"result": values["prevResult"]} if "prevResult" in values else None,
        result=values.get("result"),
        error=values.get("error"),
        info=info_for(case.get("info")),
        request={"headers": case.get("headers") or {}},
        auth_mode=auth.get("mode", "API_KEY"),
    )


class CaseKit:
    """What a test needs to run a case; a fixture, because test modules cannot import this conftest."""

    load_cases = staticmethod(load_cases)
    context_for = staticmethod(context_for)
    template_text = staticmethod(template_text)
    info_for = staticmethod(info_for)


class Renderer:
    """`vtl(text, arguments=..., ...)`: render a template text with a context built from keywords."""

    def __call__(self, text: str, *, parse_json: bool = False, **context: Any) -> Any:
        from amplify_local.mock.appsync.vtl import compile_template

        context.setdefault("arguments", {})
        context.setdefault("info", Info("getPost", "Query", {}, ["id", "title"], "{ id title }"))
        return compile_template(text).render(ResolverContext(**context), parse_json=parse_json)

    def text(self, text: str, **context: Any) -> str:
        return self(text, **context).text

    def json(self, text: str, **context: Any) -> Any:
        return self(text, parse_json=True, **context).value


@pytest.fixture(scope="session")
def vtl() -> Renderer:
    return Renderer()


@pytest.fixture(scope="session")
def kit() -> type[CaseKit]:
    return CaseKit


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`corpus_case` / `feature_case` arguments run once per recorded case."""
    for name in ("corpus", "feature"):
        argument = f"{name}_case"
        if argument in metafunc.fixturenames:
            cases = load_cases(name)
            metafunc.parametrize(argument, cases, ids=[case["name"] for case in cases])
