"""The AddApiRequest checks and the API artifacts (details through the command in tests/commands/test_add.py)."""

from __future__ import annotations

import json

import pytest

from amplify_local.project.api_resource import (
    auth_config_entry,
    parse_add_api_request,
    resolver_config,
    sync_config,
)
from amplify_local.project.files import ProjectError


def test_parse_a_request() -> None:
    request = parse_add_api_request(json.dumps({"version": 1, "serviceConfiguration": {
        "serviceName": "AppSync", "apiName": "a1", "transformSchema": "type Q { a: Int }",
        "defaultAuthType": {"mode": "AWS_IAM"}}}))
    assert request.api_name == "a1"
    assert request.auth_config == {"defaultAuthentication": {"authenticationType": "AWS_IAM"}, "additionalAuthenticationProviders": []}
    assert request.resolver_config is None


def test_api_key_expiration_date_is_kept() -> None:
    entry = auth_config_entry("x", {"mode": "API_KEY", "apiKeyExpirationDate": "2030-01-01T00:00:00Z"})
    assert entry["apiKeyConfig"] == {"apiKeyExpirationDays": 7, "description": "", "apiKeyExpirationDate": "2030-01-01T00:00:00Z"}


def test_lambda_conflict_handler_with_region_and_arn() -> None:
    strategy = {"type": "LAMBDA", "resolver": {"type": "EXISTING", "name": "h", "region": "us-east-1", "arn": "arn:x"}}
    assert sync_config("s", strategy) == {
        "ConflictHandler": "LAMBDA", "ConflictDetection": "VERSION",
        "LambdaConflictHandler": {"name": "h", "region": "us-east-1", "lambdaArn": "arn:x"},
    }


def test_none_everywhere_means_no_resolver_config() -> None:
    assert resolver_config({"defaultResolutionStrategy": {"type": "NONE"}}) is None


def test_a_bool_is_not_a_day_count() -> None:
    with pytest.raises(ProjectError, match="expirationTime: true is invalid"):
        auth_config_entry("d", {"mode": "API_KEY", "expirationTime": True})
