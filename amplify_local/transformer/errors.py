"""Schema errors, located in the user's files.

Every problem the transformer finds is a `SchemaError`: a message that names the type, field and
directive argument at fault and says what is expected, plus, when the problem has a place in a
schema file, that place printed as graphql-core prints it (`file:line:column`, the offending line
and a caret). The command line prints `str(error)`; nothing is written when one is raised.
"""

from __future__ import annotations

from graphql import GraphQLError, Node


class SchemaError(Exception):
    """An invalid schema or project input; `str()` is the full, located message."""

    def __init__(self, message: str, node: Node | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.node = node

    @classmethod
    def from_graphql(cls, error: GraphQLError) -> SchemaError:
        """Wrap a graphql-core syntax or validation error, keeping its location."""
        located = cls(error.message)
        located._graphql = error
        return located

    _graphql: GraphQLError | None = None

    @property
    def location(self) -> tuple[str, int, int] | None:
        """`(file, line, column)` of the offending token, when known."""
        error = self._as_graphql()
        if error.source is None or not error.locations:
            return None
        return error.source.name, error.locations[0].line, error.locations[0].column

    def _as_graphql(self) -> GraphQLError:
        if self._graphql is not None:
            return self._graphql
        return GraphQLError(self.message, self.node)

    def __str__(self) -> str:
        return str(self._as_graphql())


class UnsupportedDirectiveError(SchemaError):
    """A directive the real CLI supports but the mock does not serve yet (@searchable, @http, ...)."""
