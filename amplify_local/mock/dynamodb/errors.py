"""DynamoDB's errors as one exception type.

`DynamoDBError.code` is DynamoDB's error code (`ValidationException`, `ConditionalCheckFailedException`,
...); `extra` holds the additional response fields DynamoDB sends for some codes (`Item` for a failed
condition with ReturnValuesOnConditionCheckFailure, `CancellationReasons` for a cancelled transaction).
The HTTP layer turns it into `{"__type": "com.amazonaws.dynamodb.v20120810#<code>", "message": ...}`.
"""

from __future__ import annotations

from typing import Any

# The codes DynamoDB answers with HTTP 500 (everything else is a 400 client error).
SERVER_ERRORS = frozenset({"InternalServerError", "ServiceUnavailable"})


class DynamoDBError(Exception):
    """An error DynamoDB would return, with its code, message and extra response fields."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    def __repr__(self) -> str:
        return f"DynamoDBError({self.code}: {self.message!r})"


def validation(message: str) -> DynamoDBError:
    """A ValidationException, the error of nearly every malformed request."""
    return DynamoDBError("ValidationException", message)


def invalid_parameter(message: str) -> DynamoDBError:
    """DynamoDB's common prefix for invalid parameter values."""
    return DynamoDBError("ValidationException", f"One or more parameter values were invalid: {message}")
