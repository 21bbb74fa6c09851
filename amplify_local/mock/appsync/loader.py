"""Turn an `ApiDefinition` into a `Simulator`: data sources wired to the engines, templates compiled.

The engines are imported here, not at module import, so `amplify mock api` starts fast. A load compiles
every template, so a broken one fails it (a hot reload then keeps the previous API); the first start may
load `lazy` and compile the rest later (`pending_templates`), since compiling all of them costs more
than the first query needs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from amplify_local.mock.appsync.auth import Authorizer
from amplify_local.mock.appsync.datasources.none import NoneDataSource
from amplify_local.mock.appsync.resolvers import Template
from amplify_local.mock.appsync.simulator import Simulator
from amplify_local.mock.appsync.subscriptions import Subscriptions
from amplify_local.mock.appsync.types import DataSource
from amplify_local.transformer.types import ApiDefinition

log = logging.getLogger("amplify_local.appsync")

LambdaFactory = Callable[[str, str], DataSource]  # (data source name, project function name) -> data source


def data_sources(api: ApiDefinition, engine: Any, lambda_source: LambdaFactory | None) -> dict[str, DataSource]:
    """One data source per configured one; types the mock cannot serve become NONE, as the reference does."""
    sources: dict[str, DataSource] = {}
    for name, config in api.data_sources.items():
        if config.type == "AMAZON_DYNAMODB":
            from amplify_local.mock.appsync.datasources.dynamodb import DynamoDBDataSource

            sources[name] = DynamoDBDataSource(name, config.table_name or name, engine,
                                               versioned=bool(config.config.get("versioned")))
        elif config.type == "AWS_LAMBDA" and lambda_source is not None and config.function_name:
            sources[name] = lambda_source(name, config.function_name)
        elif config.type == "HTTP" and config.endpoint:
            from amplify_local.mock.appsync.datasources.http import HttpDataSource

            sources[name] = HttpDataSource(name, config.endpoint)
        else:
            if config.type != "NONE":
                log.warning("Data source of type %s is not supported by local mocking. A NONE data source will be "
                            "used (%s).", config.type, name)
            sources[name] = NoneDataSource(name)
    return sources


def load(
    api: ApiDefinition,
    engine: Any,
    *,
    lambda_source: LambdaFactory | None = None,
    subscriptions: Subscriptions | None = None,
    authorizer: Authorizer | None = None,
    lazy: bool = False,
) -> Simulator:
    """Build the simulator for `api`, creating its tables in `engine` (existing data is kept). Every
    template is compiled (the first broken one raises its `TemplateError`, naming file, line and column)
    unless `lazy`: then each compiles on first use or through `pending_templates`."""
    from amplify_local.mock.appsync.vtl import compile_template

    for table in api.tables:
        engine.ensure_table(table)
    simulator = Simulator(
        api,
        data_sources(api, engine, lambda_source),
        compile_template,
        subscriptions=subscriptions,
        authorizer=authorizer,
    )
    if not lazy:
        for template in pending_templates(simulator):
            template.compile()
    return simulator


def pending_templates(simulator: Simulator) -> list[Template]:
    """The simulator's templates that are not compiled yet, in resolver order (a pipeline function's
    templates once per resolver using it; the compiler's cache makes the repeats free)."""
    return [template for resolver in simulator.resolvers.values() for template in resolver.templates()
            if template.pending]
