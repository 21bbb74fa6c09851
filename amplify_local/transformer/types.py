"""The API definition: everything the mock needs to serve one GraphQL API.

Produced by the transformer (from the user's annotated schema) and by `transformer.build` (from a
build folder written by the real Amplify CLI or by `amplify api gql-compile`); consumed by the
AppSync simulator. Plain data, no behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

ResolverKind = Literal["UNIT", "PIPELINE"]
DataSourceType = Literal[
    "AMAZON_DYNAMODB", "AWS_LAMBDA", "NONE", "HTTP", "AMAZON_ELASTICSEARCH", "AMAZON_OPENSEARCH_SERVICE",
    "RELATIONAL_DATABASE", "AMAZON_EVENTBRIDGE",
]


@dataclass(frozen=True)
class MappingTemplate:
    """A VTL template and where it came from; `path` names it in error messages
    (`resolvers/Query.getTodo.req.vtl`, or `INLINE_TEMPLATE`)."""

    text: str
    path: str = "INLINE_TEMPLATE"


@dataclass(frozen=True)
class Code:
    """An APPSYNC_JS resolver or function (`runtime` is e.g. `APPSYNC_JS 1.0.0`)."""

    text: str
    path: str
    runtime: str


@dataclass
class FunctionConfiguration:
    """A pipeline function."""

    name: str
    data_source: str
    request: MappingTemplate | None = None
    response: MappingTemplate | None = None
    code: Code | None = None


@dataclass
class Resolver:
    """A field's resolver: UNIT (one data source) or PIPELINE (functions between before/after templates)."""

    type_name: str
    field_name: str
    kind: ResolverKind = "UNIT"
    data_source: str | None = None  # UNIT resolvers
    request: MappingTemplate | None = None  # UNIT: request; PIPELINE: the "before" template
    response: MappingTemplate | None = None  # UNIT: response; PIPELINE: the "after" template
    functions: list[str] = field(default_factory=list)  # PIPELINE: FunctionConfiguration names, in order
    code: Code | None = None
    max_batch_size: int | None = None


@dataclass
class DataSourceConfig:
    """A data source of the API, as the build configures it."""

    name: str
    type: DataSourceType
    table_name: str | None = None  # AMAZON_DYNAMODB: the mock table (the stack's logical id, e.g. TodoTable)
    function_name: str | None = None  # AWS_LAMBDA: the project function, `-${env}` suffix removed
    function_arn: str | None = None  # AWS_LAMBDA: the ARN as the build states it, for messages
    endpoint: str | None = None  # HTTP
    config: dict[str, Any] = field(default_factory=dict)  # anything else the build carried


@dataclass
class Index:
    """A secondary index of a table."""

    name: str
    key_schema: list[dict[str, str]]  # [{"AttributeName": ..., "KeyType": "HASH"|"RANGE"}]
    projection: dict[str, Any] = field(default_factory=lambda: {"ProjectionType": "ALL"})


@dataclass
class Table:
    """A DynamoDB table of the API, named as the mock names it (the CloudFormation logical id)."""

    name: str
    key_schema: list[dict[str, str]]
    attribute_definitions: list[dict[str, str]]
    global_secondary_indexes: list[Index] = field(default_factory=list)
    local_secondary_indexes: list[Index] = field(default_factory=list)
    stream_view_type: str | None = "NEW_AND_OLD_IMAGES"
    ttl_attribute: str | None = None


@dataclass
class AuthProvider:
    """One auth mode of the API, as AppSync configures it."""

    type: str  # API_KEY | AMAZON_COGNITO_USER_POOLS | OPENID_CONNECT | AWS_IAM | AWS_LAMBDA
    user_pool_id: str | None = None
    openid_issuer: str | None = None
    openid_client_id: str | None = None
    openid_iat_ttl: int | None = None
    openid_auth_ttl: int | None = None
    lambda_function: str | None = None  # AWS_LAMBDA authorizer: project function name
    lambda_ttl: int | None = None
    identity_validation_expression: str | None = None


@dataclass
class ApiDefinition:
    """One GraphQL API: schema, resolvers, functions, data sources, tables and auth."""

    name: str
    schema: str  # the transformed SDL, without AppSync's built-in scalars and directives
    default_auth: AuthProvider
    additional_auth: list[AuthProvider] = field(default_factory=list)
    api_key: str = "da2-fakeApiId123456"
    api_key_expires: int | None = None  # epoch seconds; None = never
    resolvers: dict[tuple[str, str], Resolver] = field(default_factory=dict)
    functions: dict[str, FunctionConfiguration] = field(default_factory=dict)
    data_sources: dict[str, DataSourceConfig] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    source: Path | None = None  # the folder it was loaded or built from

    @property
    def auth_modes(self) -> list[str]:
        return [self.default_auth.type, *(provider.type for provider in self.additional_auth)]
