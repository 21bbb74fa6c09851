"""AppSync errors as values.

Every failure that reaches a GraphQL response is an `AppSyncError` (or a subclass) carrying the fields
AppSync puts at the root of each `errors[]` entry: `message`, `errorType`, `data`, `errorInfo`; the
executor adds `path` and `locations`. Raise them anywhere below the executor (templates, `$util`,
data sources, auth); never return a bare `None` for a failure.

Hierarchy:
    AppSyncError                  a resolver-level error (HTTP 200, in `errors[]`)
      TemplateError               a VTL parse or render failure (`MappingTemplate` unless told otherwise)
      UnauthorizedError           field-level auth denial (`Unauthorized`)
      DataSourceError             a data source failed (`DynamoDB:<Name>`, `Lambda:...`, ...)
    RequestError                  a request-level failure with its own HTTP status (401 UnauthorizedException, 400 ...)
"""

from __future__ import annotations

from typing import Any


class AppSyncError(Exception):
    """An error that becomes one entry of the response's `errors` list. Without a type, `errorType` is
    null, as AppSync answers `$util.error("message")`."""

    default_type: str | None = None

    def __init__(
        self,
        message: str,
        error_type: str | None = None,
        data: Any = None,
        error_info: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type or self.default_type
        self.data = data
        self.error_info = error_info

    def to_dict(self) -> dict[str, Any]:
        """The root fields of an AppSync error entry (path and locations are the executor's)."""
        return {
            "message": self.message,
            "errorType": self.error_type,
            "data": self.data,
            "errorInfo": self.error_info,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.error_type}: {self.message!r})"


class TemplateError(AppSyncError):
    """A mapping template failed to parse or render, or rendered something that is not JSON."""

    default_type = "MappingTemplate"

    def __init__(
        self,
        message: str,
        error_type: str | None = None,
        data: Any = None,
        error_info: Any = None,
        *,
        template: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, error_type, data, error_info)
        self.template = template
        self.line = line
        self.column = column


class UnauthorizedError(AppSyncError):
    default_type = "Unauthorized"


class DataSourceError(AppSyncError):
    """A data source call failed; `error_type` names the source, e.g. `DynamoDB:ConditionalCheckFailedException`."""


class RequestError(Exception):
    """A failure of the whole HTTP request, answered with `status` and AppSync's body for it."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message

    def to_body(self) -> dict[str, Any]:
        return {"errors": [{"errorType": self.error_type, "message": self.message}]}
