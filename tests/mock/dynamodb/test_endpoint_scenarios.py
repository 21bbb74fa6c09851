"""The scenario suite replayed through boto3 against our endpoint, compared with DynamoDB Local's recording.

`reference_answers.json` was written by `record_reference.py` against Amazon's DynamoDB Local (and moto
server, kept only to count its departures). Every step must give the same answer, or the same error code
and message; the few steps where we follow DynamoDB's documentation instead are listed in
`FOLLOWS_DYNAMODB` (see docs/differences.md, "DynamoDB").
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amplify_local.mock.dynamodb import Engine
from amplify_local.mock.dynamodb.api import Endpoint

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("dynamodb_record_reference", HERE / "record_reference.py")
assert _spec is not None and _spec.loader is not None
scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenarios)
RECORDING = json.loads((HERE / "reference_answers.json").read_text())

# step -> (why our answer deliberately differs from DynamoDB Local's, our error code when it differs)
# (see docs/differences.md)
FOLLOWS_DYNAMODB: dict[str, tuple[str, str | None]] = {
    "transact-token-mismatch": ("DynamoDB Local answers an empty message; we give DynamoDB's documented one", None),
    "update-add-number-set-trailing-zero": ("DynamoDB trims trailing zeros of every number; DynamoDB Local keeps "
                                            "them in a number set built by ADD", None),
    "wrong-type-boolean": ("DynamoDB Local fails with an HTTP 500 InternalFailure on text where a boolean belongs; "
                           "we answer a 400 SerializationException naming the member", "SerializationException"),
}


def serve_in_thread(engine: Engine) -> Iterator[str]:
    """Our endpoint on a real socket, in a background thread; yields its URL."""
    endpoint = Endpoint.start(engine)
    try:
        yield endpoint.url
    finally:
        endpoint.stop()


@pytest.fixture(scope="module")
def outcomes() -> list[dict[str, Any]]:
    engine = Engine.open(None)
    for url in serve_in_thread(engine):
        return scenarios.run(url)
    raise AssertionError("the endpoint did not start")


def test_recording_matches_the_script() -> None:
    assert RECORDING["digest"] == scenarios.digest(), "record_reference.py changed: record the reference again"


@pytest.mark.parametrize("index", range(len(scenarios.SCENARIOS)), ids=[s[0] for s in scenarios.SCENARIOS])
def test_step_matches_dynamodb_local(index: int, outcomes: list[dict[str, Any]]) -> None:
    expected = RECORDING["dynamodb_local"][index]
    ours = outcomes[index]
    if expected["name"] in FOLLOWS_DYNAMODB:
        our_code = FOLLOWS_DYNAMODB[expected["name"]][1] or expected.get("error", {}).get("code")
        assert ours.get("error", {}).get("code") == our_code
        assert ours != expected, "no longer a difference: remove it from FOLLOWS_DYNAMODB"
        return
    assert ours == expected


def test_storage_seam_gives_the_same_answers(outcomes: list[dict[str, Any]]) -> None:
    """`RemoteEngine` (raw JSON 1.0, SigV4) over our endpoint answers exactly as boto3 did; the recording
    shows it did the same over DynamoDB Local."""
    engine = Engine.open(None)
    for url in serve_in_thread(engine):
        assert scenarios.run_remote(url) == outcomes
    assert RECORDING["seam_on_dynamodb_local_differs"] == []


def test_moto_departs_from_the_reference_often() -> None:
    """The recorded reason for an engine of our own: moto answers differently on a large share of steps."""
    differing = RECORDING["moto_differs"]
    assert len(differing) >= len(scenarios.SCENARIOS) // 3
