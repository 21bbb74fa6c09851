"""@auth: provider directives, owner/group templates, subscription arguments, and errors."""

from __future__ import annotations

from collections.abc import Callable

from amplify_local.transformer.auth import Providers, directives_for, split

POOLS_DEFAULT = {"defaultAuthentication": {"authenticationType": "AMAZON_COGNITO_USER_POOLS"},
                 "additionalAuthenticationProviders": [{"authenticationType": "API_KEY"}]}


def test_owner_rule_templates_and_schema(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema("type Post @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) "
                           "{\n  id: ID!\n  title: String\n}\n")
    schema = files["schema.graphql"]
    assert "type Post @aws_cognito_user_pools @aws_api_key {" in schema
    assert "owner: String" in schema.split("type Post")[1].split("}")[0]
    assert "onCreatePost(owner: String): Post" in schema
    assert '$util.qr($ctx.args.input.put("owner", $identityValue))' in files["resolvers/Mutation.createPost.req.vtl"]
    assert "#owner0 = :identity0" in files["resolvers/Mutation.updatePost.req.vtl"]
    assert "$util.unauthorized()" in files["resolvers/Subscription.onCreatePost.res.vtl"]
    assert "owner" not in schema.split("input ModelPostConditionInput")[1].split("}")[0]


def test_private_user_pools_rule_needs_no_template_check(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema("type Tag @model @auth(rules: [{ allow: private }]) {\n  id: ID!\n}\n", POOLS_DEFAULT)
    assert "$util.unauthorized()" not in files["resolvers/Query.getTag.res.vtl"]
    assert "resolvers/Subscription.onCreateTag.req.vtl" not in files


def test_rules_split_by_operations_and_older_arguments() -> None:
    rules = [{"allow": "owner", "provider": "userPools", "queries": ["get"], "mutations": ["create"]},
             {"allow": "groups", "provider": "userPools", "operations": ["read", "delete"]}]
    ops = split(rules)
    assert [len(ops[k]) for k in ("create", "update", "delete", "read", "get", "list")] == [1, 0, 1, 1, 2, 1]


def test_directives_for_rules() -> None:
    providers = Providers(POOLS_DEFAULT)
    owner = {"allow": "owner", "provider": "userPools"}
    public = {"allow": "public", "provider": "apiKey"}
    assert directives_for([owner], providers, True) == []
    assert directives_for([owner, public], providers, False) == ["aws_api_key", "aws_cognito_user_pools"]
    assert directives_for([public], providers, False) == ["aws_api_key"]


def test_provider_not_configured(schema_error: Callable[..., str]) -> None:
    message = schema_error("type T @model @auth(rules: [{ allow: public }]) {\n  id: ID!\n}\n",
                           {"defaultAuthentication": {"authenticationType": "AMAZON_COGNITO_USER_POOLS"}})
    assert message.startswith("@auth on T: @auth rule uses provider 'apiKey', but the API has no API_KEY "
                              "authentication configured; add it to the API's auth modes or change the rule.\n\n"
                              "amplify/backend/api/demo/schema.graphql:1:15\n")


def test_provider_not_allowed_for_strategy(schema_error: Callable[..., str]) -> None:
    assert schema_error("type T @model @auth(rules: [{ allow: owner, provider: apiKey }]) {\n  id: ID!\n}\n").startswith(
        "@auth on T: @auth rule { allow: owner } only supports the oidc and userPools providers, but found 'apiKey'.")


def test_groups_and_groups_field_together(schema_error: Callable[..., str]) -> None:
    sdl = 'type T @model @auth(rules: [{ allow: groups, groups: ["A"], groupsField: "g" }]) {\n  id: ID!\n}\n'
    assert schema_error(sdl).startswith("@auth on T: a rule takes either 'groups' (static) or 'groupsField' "
                                        "(dynamic), not both.")


def test_identity_claim_on_groups(schema_error: Callable[..., str]) -> None:
    sdl = 'type T @model @auth(rules: [{ allow: groups, groups: ["A"], identityClaim: "sub" }]) {\n  id: ID!\n}\n'
    assert schema_error(sdl).startswith("@auth on T: identityClaim can only be used with 'allow: owner'.")


def test_group_claim_on_owner(schema_error: Callable[..., str]) -> None:
    sdl = 'type T @model @auth(rules: [{ allow: owner, groupClaim: "g" }]) {\n  id: ID!\n}\n'
    assert schema_error(sdl).startswith("@auth on T: groupClaim can only be used with 'allow: groups'.")


def test_auth_without_model(schema_error: Callable[..., str]) -> None:
    assert schema_error("type T @auth(rules: [{ allow: owner }]) {\n  id: ID!\n}\n").startswith(
        "@auth on T: types annotated with @auth must also be annotated with @model (for other types use AppSync's "
        "@aws_* directives).")


def test_field_rules_on_a_model_field(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema("type T @model(subscriptions: null) {\n  id: ID!\n"
                           '  secret: String @auth(rules: [{ allow: groups, groups: ["Admin"] }])\n}\n')
    assert "$isStaticGroupAuthorized = true" in files["resolvers/T.secret.req.vtl"]
    assert files["resolvers/T.secret.res.vtl"] == "$util.toJson($context.source.secret)"
    assert '#if( $ctx.args.input.containsKey("secret") )' in files["resolvers/Mutation.createT.req.vtl"]
    assert "$secret_isStaticGroupAuthorized" in files["resolvers/Mutation.updateT.req.vtl"]


def test_field_rules_on_a_non_model_type(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema('type Stats {\n  total: Int @auth(rules: [{ allow: groups, groups: ["Admin"] }])\n}\n'
                           "type Query {\n  stats: Stats\n}\n")
    assert "#if( $total_isStaticGroupAuthorized == false )" in files["resolvers/Stats.total.req.vtl"]
    assert "type Stats @aws_api_key @aws_cognito_user_pools" in files["schema.graphql"]


def test_required_field_with_rules_and_subscriptions(schema_error: Callable[..., str]) -> None:
    message = schema_error('type T @model {\n  id: ID!\n  secret: String! @auth(rules: [{ allow: owner }])\n}\n')
    assert message.startswith(
        "@auth on T.secret: per-field auth on the required field secret is not supported with subscriptions; make "
        "the field optional, put the rules on the type, or set @model(subscriptions: { level: off }) (or public).")
    assert ":3:3\n" in message


def test_field_rules_with_queries_or_mutations(schema_error: Callable[..., str]) -> None:
    sdl = 'type T @model {\n  id: ID!\n  secret: String @auth(rules: [{ allow: owner, queries: [get] }])\n}\n'
    assert schema_error(sdl).startswith("@auth on T.secret: field rules cannot use 'queries' or 'mutations'; a "
                                        "field rule applies when the field is read (and, on @model types, to "
                                        "'operations').")


def test_operations_on_a_non_model_field(schema_error: Callable[..., str]) -> None:
    sdl = 'type S {\n  n: Int @auth(rules: [{ allow: groups, groups: ["A"], operations: [read] }])\n}\n'
    assert schema_error(sdl).startswith("@auth on S.n: 'operations' is only allowed in field rules of @model types.")


def test_invalid_auth_mode(schema_error: Callable[..., str]) -> None:
    assert schema_error("type T @model {\n  id: ID!\n}\n", {"defaultAuthentication": {"authenticationType": "NOPE"}}) \
        == ("Invalid auth mode NOPE in the API's auth config; expected one of API_KEY, AMAZON_COGNITO_USER_POOLS, "
            "AWS_IAM, OPENID_CONNECT, AWS_LAMBDA.")


def test_identity_field_and_identity_claim_together(schema_error: Callable[..., str]) -> None:
    sdl = 'type T @model @auth(rules: [{allow: owner, identityField: "sub", identityClaim: "sub"}]) {\n  id: ID!\n}\n'
    assert schema_error(sdl).split("\n", 1)[0] == (
        "@auth on T: use identityClaim only; identityField is its deprecated name.")


def test_field_auth_on_an_interface(schema_error: Callable[..., str]) -> None:
    sdl = "type T @model {\n  id: ID!\n}\ninterface I {\n  a: String @auth(rules: [{allow: owner}])\n}\n"
    assert schema_error(sdl).split("\n", 1)[0] == "@auth on I.a: @auth can only be placed on fields of object types."
