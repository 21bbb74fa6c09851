"""The mock service's loading: the first start compiles templates lazily and the rest after it, reporting
a broken one with its location; a reload compiles everything before it swaps, in one assignment, and a
broken edit keeps the previous API; a project's transform is reused while its inputs are unchanged."""

from __future__ import annotations

import asyncio
import gc
import shutil
from pathlib import Path
from typing import Any

import pytest
from kit import CORPUS

from amplify_local.mock.appsync import service as service_module
from amplify_local.mock.appsync.loader import pending_templates
from amplify_local.mock.appsync.service import BUILD_CACHE, MockService, ServiceError, load_definition

KEY = {"x-api-key": "da2-fakeApiId123456"}
BROKEN = '{\n  "version": "2018-05-29",\n  "operation": #if( $ctx.args.id \n}\n'


def _query(service: MockService, query: str) -> dict[str, Any]:
    status, body = asyncio.run(service.state.simulator.handle({"query": query}, KEY))
    assert status == 200
    return body


def test_the_first_start_compiles_the_rest_later_and_reports_a_broken_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = tmp_path / "build"
    shutil.copytree(CORPUS / "v1" / "01-todo", build)
    (build / "resolvers" / "Query.getTodo.req.vtl").write_text(BROKEN)
    service = MockService.create(project=None, build=build)
    try:
        assert _query(service, "{ listTodos { items { id } } }") == {"data": {"listTodos": {"items": []}}}
        assert len(pending_templates(service.state.simulator)) > 1
        asyncio.run(service.compile_pending())
        [broken] = pending_templates(service.state.simulator)
        assert broken.path == "resolvers/Query.getTodo.req.vtl"
        printed = capsys.readouterr().out
        assert printed.startswith("Mapping template error (the fields using resolvers/Query.getTodo.req.vtl fail "
                                  "until it is fixed):\nTemplateError: Parse error on "
                                  "resolvers/Query.getTodo.req.vtl:3:")
        body = _query(service, '{ getTodo(id: "x") { id } }')
        assert body["data"] == {"getTodo": None}
        assert body["errors"][0]["message"].startswith("Parse error on resolvers/Query.getTodo.req.vtl:3:")
        assert _query(service, '{ listTodos { items { id } } }') == {"data": {"listTodos": {"items": []}}}
    finally:
        service.engine.close()


def test_when_idle_turns_the_gc_back_on_and_compiles_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "IDLE_DELAY", 0)
    service = MockService.create(project=None, build=CORPUS / "v1" / "01-todo")
    gc.disable()
    try:
        assert pending_templates(service.state.simulator)
        asyncio.run(service.when_idle())
        assert gc.isenabled()
        assert pending_templates(service.state.simulator) == []
    finally:
        gc.enable()
        service.engine.close()


def test_a_reload_compiles_everything_before_the_swap(tmp_path: Path) -> None:
    api = tmp_path / "amplify" / "backend" / "api" / "demo"
    api.mkdir(parents=True)
    (api / "schema.graphql").write_text("type Todo @model { id: ID! name: String }\n")
    service = MockService.create(project=tmp_path, build=None, db_path=tmp_path / "data")
    try:
        first = service.state.simulator
        _query(service, 'mutation { createTodo(input: {id: "t1", name: "kept"}) { id } }')
        template = api / "resolvers" / "Query.getTodo.req.vtl"
        original = template.read_text()
        template.write_text(BROKEN)
        with pytest.raises(ServiceError, match=r"resolvers/Query\.getTodo\.req\.vtl:3:"):
            service.reload()
        assert service.state.simulator is first  # the previous API keeps serving
        assert _query(service, '{ getTodo(id: "t1") { name } }') == {"data": {"getTodo": {"name": "kept"}}}

        template.write_text(original.replace('"GetItem"', ' "GetItem" '))
        swapped = service.reload()
        assert service.state.simulator is swapped is not first
        assert pending_templates(swapped) == []
        assert _query(service, '{ getTodo(id: "t1") { name } }') == {"data": {"getTodo": {"name": "kept"}}}
    finally:
        service.templates.withdraw()
        service.engine.close()


def test_a_project_transform_is_reused_until_an_input_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amplify_local.transformer import transform

    calls: list[Path] = []
    real = transform.transform_api

    def counted(folder: Path) -> dict[str, str]:
        calls.append(folder)
        return real(folder)

    monkeypatch.setattr(transform, "transform_api", counted)
    api = tmp_path / "amplify" / "backend" / "api" / "demo"
    api.mkdir(parents=True)
    (api / "schema.graphql").write_text("type Todo @model { id: ID! name: String }\n")
    _, first = load_definition(tmp_path, None)
    _, again = load_definition(tmp_path, None)
    assert len(calls) == 1 and again == first
    assert (tmp_path / BUILD_CACHE / "demo.json").is_file()

    (api / "build").mkdir()
    (api / "build" / "schema.graphql").write_text("not an input")  # the CLI's output folder
    assert load_definition(tmp_path, None)[1] == first and len(calls) == 1

    (api / "schema.graphql").write_text("type Todo @model { id: ID! name: String done: Boolean }\n")
    _, edited = load_definition(tmp_path, None)
    assert len(calls) == 2 and "done: Boolean" in edited["schema.graphql"]

    (tmp_path / "amplify" / "backend" / "backend-config.json").write_text('{"api": {}}')
    load_definition(tmp_path, None)
    assert len(calls) == 3

    (tmp_path / BUILD_CACHE / "demo.json").write_text("{ torn")
    assert load_definition(tmp_path, None)[1] == edited and len(calls) == 4
    assert load_definition(tmp_path, None)[1] == edited and len(calls) == 4
