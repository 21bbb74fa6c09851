"""Fixtures for the transformer tests: transform a schema given as text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from amplify_local.transformer.errors import SchemaError
from amplify_local.transformer.transform import ApiProject, transform

SCHEMA_FILE = "amplify/backend/api/demo/schema.graphql"
API_KEY_AND_POOLS = {
    "defaultAuthentication": {"authenticationType": "API_KEY"},
    "additionalAuthenticationProviders": [{"authenticationType": "AMAZON_COGNITO_USER_POOLS",
                                           "userPoolConfig": {"userPoolId": "us-east-1_pool"}}],
}


@pytest.fixture
def compile_schema() -> Callable[..., dict[str, str]]:
    """`compile_schema(sdl, auth=None)` -> the build files (API key and user pools by default)."""
    def run(sdl: str, auth: dict[str, Any] | None = None) -> dict[str, str]:
        return transform(ApiProject("demo", [(SCHEMA_FILE, sdl)], auth or API_KEY_AND_POOLS))
    return run


@pytest.fixture
def schema_error(compile_schema: Callable[..., dict[str, str]]) -> Callable[..., str]:
    """`schema_error(sdl, auth=None)` -> the full located message the transform fails with."""
    def run(sdl: str, auth: dict[str, Any] | None = None) -> str:
        with pytest.raises(SchemaError) as caught:
            compile_schema(sdl, auth)
        return str(caught.value)
    return run
