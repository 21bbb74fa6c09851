"""AWS scalars: accepted and refused inputs, through graphql-core's variable and literal coercion."""

from __future__ import annotations

import pytest
from graphql import graphql_sync

from amplify_local.mock.appsync.schema import build_schema

SCHEMA = build_schema(
    """
    type Query {
      echo(date: AWSDate, time: AWSTime, dateTime: AWSDateTime, ts: AWSTimestamp, email: AWSEmail,
           json: AWSJSON, url: AWSURL, phone: AWSPhone, ip: AWSIPAddress): AWSJSON
    }
    """,
    "API_KEY",
).schema


def _echo(_source, _info, **arguments):
    return arguments


SCHEMA.query_type.fields["echo"].resolve = _echo


def _run(argument: str, graphql_type: str, value) -> dict:
    result = graphql_sync(
        SCHEMA, f"query Q($v: {graphql_type}) {{ echo({argument}: $v) }}", variable_values={"v": value}
    )
    return result


@pytest.mark.parametrize(
    ("argument", "graphql_type", "value"),
    [
        ("date", "AWSDate", "2024-02-29"),
        ("date", "AWSDate", "2024-02-29Z"),
        ("time", "AWSTime", "12:30"),
        ("time", "AWSTime", "12:30:15.123+05:30"),
        ("dateTime", "AWSDateTime", "2024-01-01T00:00:00.000Z"),
        ("dateTime", "AWSDateTime", "2024-01-01T10:00-08:00"),
        ("ts", "AWSTimestamp", 1700000000),
        ("email", "AWSEmail", "a.b@example.com"),
        ("url", "AWSURL", "https://example.com/a?b=c"),
        ("phone", "AWSPhone", "+1 206 555 0100"),
        ("ip", "AWSIPAddress", "10.0.0.1"),
        ("ip", "AWSIPAddress", "2001:db8::/32"),
    ],
)
def test_accepted(argument: str, graphql_type: str, value) -> None:
    result = _run(argument, graphql_type, value)
    assert result.errors is None
    assert f'"{argument}":' in result.data["echo"]


@pytest.mark.parametrize(
    ("argument", "graphql_type", "value", "reason"),
    [
        ("date", "AWSDate", "2024-13-01", "Invalid AWSDate"),
        ("dateTime", "AWSDateTime", "2024-01-01T00:00:00", "Invalid AWSDateTime"),
        ("dateTime", "AWSDateTime", "yesterday", "Invalid AWSDateTime"),
        ("time", "AWSTime", "25:00", "Invalid AWSTime"),
        ("ts", "AWSTimestamp", "1700000000", "Invalid AWSTimestamp"),
        ("email", "AWSEmail", "not-an-email", "Invalid AWSEmail"),
        ("url", "AWSURL", "example.com", "Invalid AWSURL"),
        ("ip", "AWSIPAddress", "300.1.1.1", "Invalid AWSIPAddress"),
        ("json", "AWSJSON", "{not json", "Invalid AWSJSON"),
        ("json", "AWSJSON", 5, "Invalid AWSJSON"),
    ],
)
def test_refused(argument: str, graphql_type: str, value, reason: str) -> None:
    result = _run(argument, graphql_type, value)
    assert result.data is None
    assert reason in result.errors[0].message


def test_awsjson_input_is_parsed_and_output_serialised() -> None:
    result = _run("json", "AWSJSON", '{"a": [1, 2]}')
    assert result.data == {"echo": '{"json":{"a":[1,2]}}'}


def test_literal_of_wrong_kind_is_refused() -> None:
    result = graphql_sync(SCHEMA, 'query { echo(ts: "12") }')
    assert result.errors and "Expected a literal of kind Int" in result.errors[0].message
    result = graphql_sync(SCHEMA, 'query { echo(email: "x@y.io") }')
    assert result.errors is None
