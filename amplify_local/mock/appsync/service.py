"""The running mock: where the API comes from (a build folder or the project), its tables, the ASGI app,
and the uvicorn server around them, with a clean stop on Ctrl-C and SIGTERM.

`MockService.create` does every step that can fail on bad input before the port is announced, so a
broken schema or build is reported as "Failed to start API Mocking" with the reason, never a traceback.
The exception is a mapping template that does not compile: the first start compiles only what its first
queries use and the rest right after (`compile_pending`), printing each broken template with its location.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

from amplify_local.mock.appsync.auth import Authorizer, unauthorized
from amplify_local.mock.appsync.server import AppSyncApp, ServerState
from amplify_local.mock.appsync.simulator import Simulator
from amplify_local.mock.appsync.subscriptions import Subscriptions
from amplify_local.transformer.types import ApiDefinition

log = logging.getLogger("amplify_local.appsync")

BUILD_CACHE = Path("amplify") / "mock-data" / "api-build"  # <api name>.json: the last transform and its key
AFTER_START_DELAY = 1.0  # seconds after the API answers before starting what the first query does not need
# seconds after the API answers before compiling the templates no query has used yet
IDLE_DELAY = 0.3
# seconds after it answers before watching the files: the first queries of a client that waited for the port
# are answered by then, and a schema saved at once is still served within ~0.2 s of the save
WATCH_DELAY = 0.1


class ServiceError(Exception):
    """The mock cannot start; the message says why and what to do."""


def api_folder(project: Path) -> Path:
    """`amplify/backend/api/<name>`: the project's one GraphQL API."""
    backend = project / "amplify" / "backend" / "api"
    folders = sorted(p for p in backend.iterdir() if p.is_dir()) if backend.is_dir() else []
    if not folders:
        raise ServiceError("No AppSync API is added to the project")
    return folders[0]


def load_definition(project: Path | None, build: Path | None) -> tuple[ApiDefinition, dict[str, str]]:
    """The API to serve (a build folder as it is, or the project's schema run through the transformer, whose
    output is kept in `amplify/mock-data/api-build/` for the next start) and, for a project, the
    transformer's build files."""
    from amplify_local.transformer.build import BuildError, api_from_build, read_build
    from amplify_local.transformer.errors import SchemaError

    try:
        if build is not None:
            return read_build(build), {}
        assert project is not None
        folder = api_folder(project)
        files = _transform(project, folder)
        api = api_from_build(files)
        api.source = folder
        return api, files
    except ServiceError:
        raise
    except (BuildError, SchemaError) as error:  # located: file, line, column
        raise ServiceError(str(error)) from None
    except Exception as error:
        raise ServiceError(f"{type(error).__name__}: {error}") from None


def _transform(project: Path, folder: Path) -> dict[str, str]:
    """The transformer's build files for the API `folder`, reused from the last run when neither its input
    files nor the transformer changed: importing and running the transformer is ~50 ms of a start."""
    key = _transform_key(folder)
    cache = project / BUILD_CACHE / f"{folder.name}.json"
    try:
        saved = json.loads(cache.read_bytes())
        if saved["key"] == key:
            return dict(saved["files"])
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or unreadable: transform
        pass
    from amplify_local.transformer.transform import transform_api

    files = transform_api(folder)
    with contextlib.suppress(OSError):  # a read-only project still mocks, without the cache
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")  # two mocks of one project may both write
        partial.write_text(json.dumps({"key": key, "files": files}), encoding="utf-8")
        partial.replace(cache)
    return files


def _transform_key(folder: Path) -> str:
    """A digest of everything the transform reads: the API folder's files (`build/` aside) and the project's
    `backend-config.json` by content, and the transformer itself (version, and size and time of its files)."""
    import hashlib

    import graphql

    import amplify_local
    from amplify_local import transformer

    digest = hashlib.sha256(f"{amplify_local.__version__} {graphql.__version__}".encode())
    code = Path(transformer.__file__).parent
    for source in sorted([*code.glob("*.py"), code.parent / "cfn.py"]):
        stat = source.stat()
        digest.update(f"\0{source.name} {stat.st_size} {stat.st_mtime_ns}".encode())
    inputs = [folder.parent.parent / "backend-config.json"]
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders if not (root == str(folder) and name == "build"))
        inputs.extend(Path(root, name) for name in sorted(names))
    for path in inputs:
        with contextlib.suppress(OSError):  # e.g. no backend-config.json
            content = path.read_bytes()
            digest.update(f"\0{path.relative_to(folder.parent.parent)} {len(content)}\0".encode())
            digest.update(content)
    return digest.hexdigest()


class MockService:
    """The loaded API with its tables, server and function runner. A plain class: a dataclass costs ~1 ms
    of the cold start to define."""

    def __init__(self, engine: Any, runner: Functions, state: ServerState, app: AppSyncApp,
                 project: Path | None = None, build: Path | None = None, loaded_ns: int = 0) -> None:
        self.engine = engine
        self.runner = runner
        self.state = state
        self.app = app
        self.project = project
        self.build = build
        self.templates: Any = None  # watcher.GeneratedTemplates of a project's API folder
        self.files: dict[str, str] = {}  # the last good build, for re-publishing
        self.loaded_ns = loaded_ns  # when the API files were read (the watcher catches up from there)

    @classmethod
    def create(
        cls,
        *,
        project: Path | None,
        build: Path | None,
        lambda_dir: Path | None = None,
        timeout: float = 10.0,
        db_path: Path | None = None,
        reset: bool = False,
        ddb_url: str | None = None,
    ) -> MockService:
        """`ddb_url`: where the DynamoDB endpoint will listen; functions get it as their DynamoDB endpoint."""
        from amplify_local.mock.dynamodb import Engine

        loaded_ns = time.time_ns()
        api, files = load_definition(project, build)
        if db_path is None and project is not None:
            db_path = project / "amplify" / "mock-data" / "dynamodb"
        try:
            engine = Engine.open(db_path)
        except Exception as error:
            raise ServiceError(f"Cannot open the table data in {db_path}: {error}") from None
        if reset:
            engine.clear()
        overrides = {"AWS_ENDPOINT_URL_DYNAMODB": ddb_url, "DDB_ENDPOINT": ddb_url} if ddb_url else None
        runner = Functions(project, lambda_dir=lambda_dir, timeout_override=timeout, env_overrides=overrides)
        simulator = _simulator(api, engine, runner, Subscriptions(), lazy=True)

        state = ServerState(simulator, engine)

        def realtime() -> Any:
            from amplify_local.mock.appsync.realtime import RealtimeEndpoint

            return RealtimeEndpoint(lambda: state.simulator)

        from amplify_local.mock.appsync import console

        app = AppSyncApp(state, realtime, lambda: console.routes(state))
        service = cls(engine, runner, state, app, project, build, loaded_ns)
        if project is not None:
            from amplify_local.mock.watcher import GeneratedTemplates

            service.templates = GeneratedTemplates(api_folder(project))
            service.templates.publish(files)
            service.files = files
        return service

    def reload(self) -> Simulator:
        """Build the API again from the project and swap it in; raise `ServiceError` and keep serving the
        previous one when the new one is broken. Tables and GSIs are created or migrated, data kept."""
        if self.templates is not None:
            self.templates.withdraw()
        try:
            api, files = load_definition(self.project, self.build)
            simulator = _simulator(api, self.engine, self.runner, self.state.simulator.subscriptions)
        except ServiceError:
            if self.templates is not None:
                self.templates.publish(self.files)
            raise
        self.files = files
        if self.templates is not None:
            self.templates.publish(files)
        self.state.simulator = simulator
        return simulator

    async def when_idle(self) -> None:
        """What the first queries do not need, once they are answered (a client that waited for the port
        sends them at once): the cyclic GC back on (`amplify mock api` starts without it) after one
        collection, then the templates not compiled yet."""
        await asyncio.sleep(IDLE_DELAY)
        if not gc.isenabled():
            gc.collect()
            gc.enable()
        await self.compile_pending()

    async def compile_pending(self) -> None:
        """Compile the templates the start left for later (`MockService.create` loads lazily: compiling
        every template costs more than the first query needs), one per event-loop turn so requests go
        on meanwhile; print each broken one with its file, line and column (a field using it answers that
        error until it is fixed, when the reload compiles everything before it swaps)."""
        from amplify_local.mock.appsync.loader import pending_templates

        simulator = self.state.simulator
        for template in pending_templates(simulator):
            if self.state.simulator is not simulator:
                return  # reloaded: the new API was compiled whole
            try:
                template.compile()
            except Exception as error:
                print(f"Mapping template error (the fields using {template.path} fail until it is fixed):\n"
                      f"{type(error).__name__}: {error}", flush=True)
            await asyncio.sleep(0)

    async def _watch(self) -> None:
        """Hot reload, started after the first queries (importing and starting the watcher costs ~50 ms of
        CPU); edits made before it started are caught up from the time the API was read."""
        await asyncio.sleep(WATCH_DELAY)
        from amplify_local.mock.watcher import MESSAGES, watch

        assert self.project is not None
        folder = api_folder(self.project)

        async def changed(kind: str, paths: list[Path]) -> None:
            if self.templates is not None and all(self.templates.ours(path) for path in paths):
                return  # our own template writes and removals
            print(MESSAGES[kind], flush=True)
            try:
                await asyncio.to_thread(self.reload)
            except ServiceError as error:
                print(f"Reloading failed with error\n{error}", flush=True)
                return
            print("API reloaded.", flush=True)

        await watch(folder, changed, since_ns=self.loaded_ns)

    def serve(self, sock: socket.socket, url: str, ddb_sock: socket.socket | None = None) -> int:
        """Serve on `sock` (reachable at `url`) until Ctrl-C or SIGTERM, hot reloading a project's API and
        pointing its frontend config here meanwhile; returns the exit status."""
        uvicorn = _uvicorn()
        # proxy_headers off: nothing reads the client's address, and it is one middleware less per request
        config = uvicorn.Config(
            self.app, loop="none", http="httptools", ws=_WebSocketProtocol, lifespan="off", proxy_headers=False,
            log_level="warning", access_log=False, timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        from amplify_local.mock.appsync import tls

        # wss:// and https:// on the API port (Amplify JS dials wss). With the certificate already on disk,
        # serve it at once (loaded on the first TLS connection) and check it (expiry, hosts: cryptography,
        # ~50 ms) only after the start.
        certificates = tls.Certificates(tls.default_directory())
        existing = certificates.cert.exists() and certificates.key.exists()
        if not existing:
            tls.ensure_certificates()
        context = tls.LazyContext(certificates)

        async def after_start() -> None:
            """Work no first query needs, started once the API answers so it stays off the cold start: the
            DynamoDB endpoint (its botocore model takes ~0.3 s; its port is bound, so early callers wait in
            the backlog) and the certificate check (a renewed certificate applies to new connections)."""
            await asyncio.sleep(AFTER_START_DELAY)
            if existing:
                before = certificates.cert.stat().st_mtime_ns
                await asyncio.to_thread(tls.ensure_certificates)
                if certificates.cert.stat().st_mtime_ns != before:
                    context.renewed()
            if ddb_sock is not None:
                from amplify_local.mock.dynamodb.api import create_server

                ddb_server = create_server(self.engine)
                servers.append(ddb_server)
                await ddb_server.serve(sockets=[ddb_sock])

        servers = [server]

        async def run() -> None:
            task = asyncio.ensure_future(tls.serve_uvicorn(server, sock, context, self.app.connection))
            while not server.started and not task.done():
                await asyncio.sleep(0.001)
            if server.started:
                print(f"AppSync Mock endpoint is running at {url}\n"
                      f"GraphQL IDE is available for local testing at http://localhost:{url.rsplit(':', 1)[1]}\n"
                      f"{tls.trust_instructions(certificates)}", flush=True)
            extra = asyncio.ensure_future(after_start())
            idle = asyncio.ensure_future(self.when_idle())
            watcher = asyncio.ensure_future(self._watch()) if self.project is not None else None
            try:
                await task
            finally:
                for each in servers:
                    each.should_exit = True
                if len(servers) == 1:  # the DynamoDB endpoint has not started: nothing to stop gracefully
                    extra.cancel()
                idle.cancel()
                await asyncio.gather(extra, idle, return_exceptions=True)
                if watcher is not None:
                    watcher.cancel()
                await self.runner.close()

        if self.project is not None:
            from amplify_local.mock import frontend_config

            api = self.state.simulator.api
            frontend_config.rewrite(self.project, frontend_config.Endpoint(
                f"{url}/graphql", api.name, api.default_auth.type, tuple(p.type for p in api.additional_auth)))

        # The loop is asyncio's own: with the TLS-sniffing listener, measured 1,710-1,730 req/s on the Todo
        # mix at c=8 against 1,470-1,570 with uvloop (same machine, alternating runs).
        # uvicorn stops gracefully on SIGINT/SIGTERM, then re-raises the signal to the handler that was in
        # place before it started: make that one a no-op for SIGTERM so cleanup runs and we exit 0.
        signal.signal(signal.SIGTERM, lambda *_: None)
        try:
            asyncio.run(run())
        except KeyboardInterrupt:
            pass
        finally:
            self.engine.close()
            if self.project is not None:
                frontend_config.restore(self.project)
            if self.templates is not None:
                self.templates.withdraw()
        return 0


def _uvicorn() -> Any:
    """The `uvicorn` package with its `Config` and `Server` but without running its `__init__`, which imports
    the command line (click) and the reloader (watchfiles): ~25 ms of the cold start we never use."""
    import sys

    if "uvicorn" not in sys.modules:
        import importlib.util

        spec = importlib.util.find_spec("uvicorn")
        assert spec is not None and spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules["uvicorn"] = package
        from uvicorn.config import Config
        from uvicorn.server import Server

        package.Config, package.Server = Config, Server  # type: ignore[attr-defined]
    return sys.modules["uvicorn"]


class _WebSocketProtocol:
    """uvicorn's websockets-sansio protocol, imported on the first WebSocket upgrade rather than when the
    server starts (the `websockets` package costs ~35 ms of the cold start)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

        return WebSocketsSansIOProtocol(*args, **kwargs)


class Functions:
    """The function runner, started the first time an API needs it (a Lambda data source or authorizer),
    so APIs without functions do not pay for it at start."""

    def __init__(self, project: Path | None, **options: Any) -> None:
        self.project = project
        self.options = options
        self.runner: Any = None

    def get(self) -> Any:
        if self.runner is None:
            from amplify_local.mock.lambda_runner import FunctionRunner

            self.runner = FunctionRunner(self.project, **self.options)
        return self.runner

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.close()


def _simulator(
    api: ApiDefinition, engine: Any, runner: Functions, subscriptions: Subscriptions, *, lazy: bool = False
) -> Simulator:
    from amplify_local.mock.appsync import loader
    from amplify_local.mock.appsync.console import KEYS

    try:
        return loader.load(api, engine, lambda_source=_lambda_source(api, runner), subscriptions=subscriptions,
                           authorizer=Authorizer(api, keys=KEYS, lambda_authorizer=_lambda_authorizer(runner)),
                           lazy=lazy)
    except Exception as error:
        raise ServiceError(f"{type(error).__name__}: {error}") from None


def _lambda_source(api: ApiDefinition, runner: Functions) -> Any:
    """Lambda data sources on the function runner (project functions, or `--lambda-dir` handlers)."""
    batch_sizes = {f"{r.type_name}.{r.field_name}": r.max_batch_size for r in api.resolvers.values()
                   if r.max_batch_size}

    def make(name: str, function: str) -> Any:
        from amplify_local.mock.appsync.datasources.lambda_ import LambdaDataSource

        return LambdaDataSource(name, function, runner.get(), max_batch_size=batch_sizes)

    return make


def _lambda_authorizer(runner: Functions) -> Any:
    """AppSync's AWS_LAMBDA authorizer on the function runner; answers are cached per token for the
    answer's `ttlOverride`, else the API's result TTL (300 s by default), as AppSync caches them."""
    cache: Any = None

    async def authorize(provider: Any, token: str, headers: dict[str, str], body: Any) -> Any:
        nonlocal cache
        from amplify_local.mock.lambda_runner import AuthorizerCache, authorize_request

        cache = cache or AuthorizerCache()
        options = {} if provider.lambda_ttl is None else {"results_ttl": provider.lambda_ttl}
        result = await authorize_request(
            runner.get(), provider.lambda_function, token=token, query_string=str(body.get("query", "")),
            operation_name=body.get("operationName"), variables=body.get("variables"), headers=headers,
            identity_validation_expression=provider.identity_validation_expression, cache=cache, **options,
        )
        if not result.is_authorized:
            raise unauthorized("Lambda authorizer denied the request")
        return result.identity()

    return authorize
