"""@auth on @model types: who may call each operation, enforced where AppSync enforces it.

Provider rules (`public`/`private`, `provider:`) become AppSync's `@aws_*` directives on types and
operations (the simulator's mode check); owner and group rules become VTL around the model's
resolvers, as the v1 auth transformer writes it: create checks the input, update and delete add
a DynamoDB condition, get/list check or filter the result, subscriptions check the arguments.
"""

from __future__ import annotations

from typing import Any

from graphql import DirectiveNode

from .context import ResolverSpec, TransformContext
from .errors import SchemaError
from .model import ModelConfig, upper
from .sdl import Arg, Field, TypeDef, base_type, directive_args, is_list, make_directive

NONE_VALUE = "___xamznone____"
PROVIDER_DIRECTIVES = {"apiKey": "aws_api_key", "iam": "aws_iam", "oidc": "aws_oidc", "userPools": "aws_cognito_user_pools"}
AUTH_TYPES = {"AMAZON_COGNITO_USER_POOLS": "userPools", "API_KEY": "apiKey", "AWS_IAM": "iam", "OPENID_CONNECT": "oidc"}
DEFAULT_PROVIDER = {"owner": "userPools", "groups": "userPools", "private": "userPools", "public": "apiKey"}
ALLOWED_PROVIDERS = {"owner": {"userPools", "oidc"}, "groups": {"userPools", "oidc"}, "public": {"apiKey", "iam"},
                     "private": {"userPools", "iam"}}
SUBSCRIPTION_REQUEST = '{\n    "version": "2018-05-29",\n    "payload": {}\n}'
SUBSCRIPTION_RESPONSE = "$util.toJson(null)"


class Providers:
    """The API's configured auth modes, in the transformer's provider names."""

    def __init__(self, auth_config: dict[str, Any]) -> None:
        default = (auth_config.get("defaultAuthentication") or {}).get("authenticationType", "API_KEY")
        extra = [p.get("authenticationType") for p in auth_config.get("additionalAuthenticationProviders") or []]
        for mode in [default, *extra]:
            if mode not in (*AUTH_TYPES, "AWS_LAMBDA"):
                raise SchemaError(f"Invalid auth mode {mode} in the API's auth config; expected one of "
                                  "API_KEY, AMAZON_COGNITO_USER_POOLS, AWS_IAM, OPENID_CONNECT, AWS_LAMBDA.")
        self.default = AUTH_TYPES.get(default)
        self.configured = {AUTH_TYPES.get(m) for m in [default, *extra]}


def _rules(directive: DirectiveNode, providers: Providers, where: str) -> list[dict[str, Any]]:
    rules = [dict(r) for r in directive_args(directive).get("rules") or []]
    for rule in rules:
        allow = rule["allow"]
        rule.setdefault("provider", DEFAULT_PROVIDER.get(allow))
        if rule["provider"] is None:
            rule["provider"] = DEFAULT_PROVIDER.get(allow)
        provider = rule["provider"]
        if provider not in ALLOWED_PROVIDERS[allow]:
            raise SchemaError(f"{where}: @auth rule {{ allow: {allow} }} only supports the "
                              f"{' and '.join(sorted(ALLOWED_PROVIDERS[allow]))} providers, but found '{provider}'.",
                              directive)
        if provider not in providers.configured:
            mode = {v: k for k, v in AUTH_TYPES.items()}[provider]
            raise SchemaError(f"{where}: @auth rule uses provider '{provider}', but the API has no {mode} "
                              "authentication configured; add it to the API's auth modes or change the rule.",
                              directive)
        if allow == "groups" and (rule.get("identityClaim") or rule.get("identityField")):
            raise SchemaError(f"{where}: identityClaim can only be used with 'allow: owner'.", directive)
        if allow == "owner" and rule.get("groupClaim"):
            raise SchemaError(f"{where}: groupClaim can only be used with 'allow: groups'.", directive)
        if rule.get("groupsField") and rule.get("groups"):
            raise SchemaError(f"{where}: a rule takes either 'groups' (static) or 'groupsField' (dynamic), "
                              "not both.", directive)
        if rule.get("identityField") and rule.get("identityClaim"):
            raise SchemaError(f"{where}: use identityClaim only; identityField is its deprecated name.", directive)
    return rules


def _matches(rule: dict[str, Any], key: str, op: str) -> bool:
    """Whether `rule` applies to `op` by its `key` list (a missing list means every operation)."""
    if key not in rule:
        return True
    return bool(rule[key]) and op in rule[key]


def split(rules: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rules per operation: create, update, delete, read, get, list."""
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in ("create", "update", "delete", "read", "get", "list")}
    for rule in rules:
        if rule.get("operations") or ("operations" in rule and rule["operations"] is None):
            for op in ("create", "update", "delete", "read"):
                if _matches(rule, "operations", op):
                    out[op].append(rule)
            if _matches(rule, "operations", "read"):
                out["get"].append(rule)
                out["list"].append(rule)
            continue
        if "queries" not in rule:
            out["get"].append(rule)
            out["list"].append(rule)
            out["read"].append(rule)
        else:
            for op in ("get", "list"):
                if _matches(rule, "queries", op):
                    out[op].append(rule)
        for op in ("create", "update", "delete"):
            if _matches(rule, "mutations", op):
                out[op].append(rule)
    return out


def directives_for(rules: list[dict[str, Any]], providers: Providers, include_default: bool) -> list[str]:
    """The `@aws_*` directive names an operation or type needs for these rules."""
    if not rules:
        return []
    names = []
    for provider, name in PROVIDER_DIRECTIVES.items():
        others = any(r["provider"] != provider for r in rules)
        if (providers.default != provider and any(r["provider"] == provider for r in rules)) or (
                providers.default == provider and others and include_default):
            names.append(name)
    default_name = PROVIDER_DIRECTIVES.get(providers.default or "")
    if (any(r["provider"] == providers.default for r in rules)
            and any(r["provider"] != providers.default for r in rules) and default_name not in names):
        names.append(default_name)
    return names


def _has_default(rules: list[dict[str, Any]], providers: Providers) -> bool:
    return any(r["provider"] == providers.default for r in rules)


# ---- VTL pieces -------------------------------------------------------------------------------

def _user_groups(claim: str | None) -> str:
    if claim:
        return (f'#set( $userGroups = $util.defaultIfNull($ctx.identity.claims.get("{claim}"), []) )\n'
                "#if( $util.isString($userGroups) )\n  #if( $util.isList($util.parseJson($userGroups)) )\n"
                "    #set( $userGroups = $util.parseJson($userGroups) )\n  #else\n"
                "    #set( $userGroups = [$userGroups] )\n  #end\n#end")
    return '#set( $userGroups = $util.defaultIfNull($ctx.identity.claims.get("cognito:groups"), []) )'


def _identity(rule: dict[str, Any], split_line: bool = False) -> str:
    raw = rule.get("identityField") or rule.get("identityClaim") or "username"
    claim = "cognito:username" if raw == "username" else raw
    if raw == "username":
        sep = "\n                        " if split_line else " "
        return (f'$util.defaultIfNull($ctx.identity.claims.get("{raw}"),{sep}'
                f'$util.defaultIfNull($ctx.identity.claims.get("{claim}"), "{NONE_VALUE}"))')
    return f'$util.defaultIfNull($ctx.identity.claims.get("{claim}"), "{NONE_VALUE}")'


def _static_var(field: str | None) -> str:
    """The flag static group checks set: per field for field-level rules."""
    return f"{field}_isStaticGroupAuthorized" if field else "isStaticGroupAuthorized"


def _static(rules: list[dict[str, Any]], field: str | None = None) -> str:
    static = [r for r in rules if r["allow"] == "groups" and r.get("groups")]
    if not static:
        return "## No Static Group Authorization Rules **"
    var = _static_var(field)
    out = ["## [Start] Static Group Authorization Checks **",
           f"#set(${var} = $util.defaultIfNull(\n            ${var}, false))"]
    for rule in static:
        groups = ", ".join(f'"{g}"' for g in rule["groups"])
        out += [_user_groups(rule.get("groupClaim")), f"#set( $allowedGroups = [{groups}] )",
                "#foreach( $userGroup in $userGroups )\n  #if( $allowedGroups.contains($userGroup) )\n"
                f"    #set( ${var} = true )\n    #break\n  #end\n#end"]
    out.append("## [End] Static Group Authorization Checks **")
    return "\n".join(out)


def _dynamic(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rules if r["allow"] == "groups" and not r.get("groups")]


def _owners(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rules if r["allow"] == "owner"]


def _dynamic_create(rules: list[dict[str, Any]]) -> str:
    rules = _dynamic(rules)
    if not rules:
        return "## No Dynamic Group Authorization Rules **"
    out = ["## [Start] Dynamic Group Authorization Checks **"]
    for rule in rules:
        field = rule.get("groupsField") or "groups"
        out += [_user_groups(rule.get("groupClaim")),
                "#set( $isDynamicGroupAuthorized = $util.defaultIfNull($isDynamicGroupAuthorized, false) )",
                f"#foreach( $userGroup in $userGroups )\n  #if( $util.isList($ctx.args.input.{field}) )\n"
                f"    #if( $ctx.args.input.{field}.contains($userGroup) )\n"
                "      #set( $isDynamicGroupAuthorized = true )\n    #end\n  #end\n"
                f"  #if( $util.isString($ctx.args.input.{field}) )\n    #if( $ctx.args.input.{field} == $userGroup )\n"
                "      #set( $isDynamicGroupAuthorized = true )\n    #end\n  #end\n#end"]
    out.append("## [End] Dynamic Group Authorization Checks **")
    return "\n".join(out)


def _owner_matches(var: str, target: str, flag: str, identity: str) -> str:
    return (f"#set( $identityValue = {identity} )\n"
            f"#if( $util.isList(${var}) )\n  #foreach( $allowedOwner in ${var} )\n"
            f"    #if( $allowedOwner == $identityValue )\n      #set( ${flag} = true )\n    #end\n  #end\n#end\n"
            f"#if( $util.isString(${var}) )\n  #if( ${var} == $identityValue )\n    #set( ${flag} = true )\n"
            "  #end\n#end")


def _owner_create(rules: list[dict[str, Any]], is_list_field: Any) -> str:
    rules = _owners(rules)
    if not rules:
        return "## No Owner Authorization Rules **"
    out = ["## [Start] Owner Authorization Checks **", "#set( $isOwnerAuthorized = false )"]
    for i, rule in enumerate(rules):
        field = rule.get("ownerField") or "owner"
        out.append(f"#set( $allowedOwners{i} = $util.defaultIfNull($ctx.args.input.{field}, null) )")
        out.append(_owner_matches(f"allowedOwners{i}", "", "isOwnerAuthorized", _identity(rule)))
        value = '["$identityValue"]' if is_list_field(field) else "$identityValue"
        out.append(f'#if( $util.isNull($allowedOwners{i}) && (! $ctx.args.input.containsKey("{field}")) )\n'
                   f'  $util.qr($ctx.args.input.put("{field}", {value}))\n  #set( $isOwnerAuthorized = true )\n#end')
    out.append("## [End] Owner Authorization Checks **")
    return "\n".join(out)


def _dynamic_read(rules: list[dict[str, Any]], obj: str, flag: str, initial: str) -> str:
    rules = _dynamic(rules)
    if not rules:
        return "## No Dynamic Group Authorization Rules **"
    out = ["## [Start] Dynamic Group Authorization Checks **", f"#set( ${flag} = {initial} )"]
    for rule in rules:
        field = rule.get("groupsField") or "groups"
        out += [f"#set( $allowedGroups = $util.defaultIfNull(${obj}.{field}, []) )", _user_groups(rule.get("groupClaim")),
                "#foreach( $userGroup in $userGroups )\n  #if( $util.isList($allowedGroups) )\n"
                f"    #if( $allowedGroups.contains($userGroup) )\n      #set( ${flag} = true )\n    #end\n  #end\n"
                f"  #if( $util.isString($allowedGroups) )\n    #if( $allowedGroups == $userGroup )\n"
                f"      #set( ${flag} = true )\n    #end\n  #end\n#end"]
    out.append("## [End] Dynamic Group Authorization Checks **")
    return "\n".join(out)


def _owner_read(rules: list[dict[str, Any]], obj: str, flag: str, initial: str, default: str = "[]",
                split_line: bool = False) -> str:
    rules = _owners(rules)
    if not rules:
        return "## No Owner Authorization Rules **"
    out = ["## [Start] Owner Authorization Checks **", f"#set( ${flag} = {initial} )"]
    for i, rule in enumerate(rules):
        field = rule.get("ownerField") or "owner"
        out.append(f"#set( $allowedOwners{i} = $util.defaultIfNull(${obj}.{field}, {default}) )")
        out.append(_owner_matches(f"allowedOwners{i}", "", flag, _identity(rule, split_line)))
    out.append("## [End] Owner Authorization Checks **")
    return "\n".join(out)


def _dynamic_update(rules: list[dict[str, Any]], is_list_field: Any, field: str | None = None) -> str:
    rules = _dynamic(rules)
    p = f"{field}_" if field else ""
    if not rules:
        return "## No dynamic group authorization rules **"
    out = ["## [Start] Dynamic group authorization checks **", "#set( $groupAuthExpressions = [] )",
           "#set( $groupAuthExpressionValues = {} )", "#set( $groupAuthExpressionNames = {} )"]
    for i, rule in enumerate(rules):
        attribute = rule.get("groupsField") or "groups"
        check = (f"contains(#{p}groupsAttribute{i}, :{p}group{i}$foreach.count)" if is_list_field(attribute)
                 else f"#{p}groupsAttribute{i} = :{p}group{i}$foreach.count")
        out += [_user_groups(rule.get("groupClaim")),
                f'#foreach( $userGroup in $userGroups )\n  $util.qr($groupAuthExpressions.add("{check}"))\n'
                f'  $util.qr($groupAuthExpressionValues.put(":{p}group{i}$foreach.count", {{ "S": $userGroup }}))\n#end',
                f'#if( $userGroups.size() > 0 )\n  $util.qr($groupAuthExpressionNames.put("#{p}groupsAttribute{i}", '
                f'"{attribute}"))\n#end']
    out.append("## [End] Dynamic group authorization checks **")
    return "\n".join(out)


def _owner_update(rules: list[dict[str, Any]], is_list_field: Any, field: str | None = None) -> str:
    rules = _owners(rules)
    p = f"{field}_" if field else ""
    if not rules:
        return "## No owner authorization rules **"
    out = ["## [Start] Owner Authorization Checks **", "#set( $ownerAuthExpressions = [] )",
           "#set( $ownerAuthExpressionValues = {} )", "#set( $ownerAuthExpressionNames = {} )"]
    for i, rule in enumerate(rules):
        attribute = rule.get("ownerField") or "owner"
        check = (f"contains(#{p}owner{i}, :{p}identity{i})" if is_list_field(attribute)
                 else f"#{p}owner{i} = :{p}identity{i}")
        out += [f'$util.qr($ownerAuthExpressions.add("{check}"))',
                f'$util.qr($ownerAuthExpressionNames.put("#{p}owner{i}", "{attribute}"))',
                f'$util.qr($ownerAuthExpressionValues.put(":{p}identity{i}", '
                f'$util.dynamodb.toDynamoDB({_identity(rule)})))']
    out.append("## [End] Owner Authorization Checks **")
    return "\n".join(out)


COLLECT = """## [Start] Collect Auth Condition **
#set( $authCondition = $util.defaultIfNull($authCondition, {
  "expression": "",
  "expressionNames": {},
  "expressionValues": {}
}) )
#set( $totalAuthExpression = "" )
#if( $groupAuthExpressions )
  #foreach( $authExpr in $groupAuthExpressions )
    #set( $totalAuthExpression = "$totalAuthExpression $authExpr" )
    #if( $foreach.hasNext )
      #set( $totalAuthExpression = "$totalAuthExpression OR" )
    #end
  #end
#end
#if( $groupAuthExpressionNames )
  $util.qr($authCondition.expressionNames.putAll($groupAuthExpressionNames))
#end
#if( $groupAuthExpressionValues )
  $util.qr($authCondition.expressionValues.putAll($groupAuthExpressionValues))
#end
#if( $totalAuthExpression != "" && $ownerAuthExpressions && $ownerAuthExpressions.size() > 0 )
  #set( $totalAuthExpression = "$totalAuthExpression OR" )
#end
#if( $ownerAuthExpressions )
  #foreach( $authExpr in $ownerAuthExpressions )
    #set( $totalAuthExpression = "$totalAuthExpression $authExpr" )
    #if( $foreach.hasNext )
      #set( $totalAuthExpression = "$totalAuthExpression OR" )
    #end
  #end
#end
#if( $ownerAuthExpressionNames )
  $util.qr($authCondition.expressionNames.putAll($ownerAuthExpressionNames))
#end
#if( $ownerAuthExpressionValues )
  $util.qr($authCondition.expressionValues.putAll($ownerAuthExpressionValues))
#end
#if( $totalAuthExpression != "" )
  #if( $util.isNullOrEmpty($authCondition.expression) )
    #set( $authCondition.expression = "($totalAuthExpression)" )
  #else
    #set( $authCondition.expression = "$authCondition.expression AND ($totalAuthExpression)" )
  #end
#end
## [End] Collect Auth Condition **"""


def _throw(flags: list[str]) -> str:
    condition = " || ".join(f"{f} == true" if f.startswith("$") else f for f in flags)
    return f"## [Start] Throw if unauthorized **\n#if( !({condition}) )\n  $util.unauthorized()\n#end\n" \
           "## [End] Throw if unauthorized **"


THROW = _throw(["$isStaticGroupAuthorized", "$isDynamicGroupAuthorized", "$isOwnerAuthorized"])


def _modes(rules: list[dict[str, Any]], subscription: bool = False) -> list[str]:
    checked = [r for r in rules if r["allow"] == "owner" or (r["allow"] == "groups" and (
        r.get("groups") or not subscription))]
    return [mode for mode in ("userPools", "oidc") if any(r["provider"] == mode for r in checked)]


def _wrap(modes: list[str], providers: Providers, body: str) -> str:
    """Mode determination, then `body` run only for requests of those auth modes."""
    if not modes:
        return body
    checks = []
    for mode in modes:
        if mode == "userPools":
            extra = " && !$util.isNull($ctx.identity.defaultAuthStrategy)" if providers.default == "userPools" else ""
            checks.append("#if( $util.isNullOrEmpty($authMode) && !$util.isNull($ctx.identity) && "
                          "!$util.isNull($ctx.identity.sub) && !$util.isNull($ctx.identity.issuer) && "
                          "!$util.isNull($ctx.identity.username) && !$util.isNull($ctx.identity.claims) && "
                          f"!$util.isNull($ctx.identity.sourceIp){extra} )\n  #set( $authMode = \"userPools\" )\n#end")
        else:
            checks.append("#if( $util.isNullOrEmpty($authMode) && !$util.isNull($ctx.identity) && "
                          "!$util.isNull($ctx.identity.sub) && !$util.isNull($ctx.identity.issuer) && "
                          "!$util.isNull($ctx.identity.claims) && $util.isNull($ctx.identity.username) && "
                          "$util.isNull($ctx.identity.sourceIp) )\n  #set( $authMode = \"oidc\" )\n#end")
    condition = " || ".join(f'$authMode == "{m}"' for m in modes)
    return ("## [Start] Determine request authentication mode **\n" + "\n".join(checks)
            + "\n## [End] Determine request authentication mode **\n"
            + f"## [Start] Check authMode and execute owner/group checks **\n#if( {condition} )\n{body}\n#end\n"
            "## [End] Check authMode and execute owner/group checks **")


def _checked(rules: list[dict[str, Any]]) -> bool:
    """Whether the rules need VTL checks (owner/group rules, and no userPools public/private rule)."""
    return any(r["allow"] in ("owner", "groups") for r in rules) and not any(
        r["provider"] == "userPools" and r["allow"] in ("public", "private") for r in rules)


# ---- per operation ----------------------------------------------------------------------------

def single_object_check(rules: list[dict[str, Any]], providers: Providers, obj: str = "ctx.result") -> str | None:
    if not _checked(rules):
        return None
    body = "\n\n".join([_static(rules), _dynamic_read(rules, obj, "isDynamicGroupAuthorized",
                                                      "$util.defaultIfNull($isDynamicGroupAuthorized, false)"),
                        _owner_read(rules, obj, "isOwnerAuthorized", "$util.defaultIfNull($isOwnerAuthorized, false)"),
                        THROW])
    return f"#if( $util.isNullOrEmpty(${obj}) )\n  #return\n#end\n" + _wrap(_modes(rules), providers, body)


def list_filter(rules: list[dict[str, Any]], providers: Providers, items: str = "ctx.result.items") -> str | None:
    if not _checked(rules):
        return None
    loop = "\n\n".join([_dynamic_read(rules, "item", "isLocalDynamicGroupAuthorized", "false"),
                        _owner_read(rules, "item", "isLocalOwnerAuthorized", "false"),
                        "#if( ($isLocalDynamicGroupAuthorized == true || $isLocalOwnerAuthorized == true) )\n"
                        "  $util.qr($items.add($item))\n#end"])
    body = (_static(rules) + "\n\n## [Start] If not static group authorized, filter items **\n"
            f"#if( !$isStaticGroupAuthorized )\n  #set( $items = [] )\n  #foreach( $item in ${items} )\n{loop}\n"
            f"  #end\n  #set( ${items} = $items )\n#end\n## [End] If not static group authorized, filter items **")
    return _wrap(_modes(rules), providers, body)


def create_check(rules: list[dict[str, Any]], providers: Providers, is_list_field: Any,
                 field: str | None = None) -> str | None:
    """Checks on a create's input; with `field`, the rules of that field (run when the input sets it)."""
    if not _checked(rules):
        return None
    throw = _throw([f"${_static_var(field)}", "$isDynamicGroupAuthorized", "$isOwnerAuthorized"])
    body = "\n\n".join([_static(rules, field), _dynamic_create(rules), _owner_create(rules, is_list_field), throw])
    check = _wrap(_modes(rules), providers, body)
    return f'#if( $ctx.args.input.containsKey("{field}") )\n{check}\n#end' if field else check


def update_delete_check(rules: list[dict[str, Any]], providers: Providers, is_list_field: Any,
                        field: str | None = None, condition: str | None = None) -> str | None:
    """An update's or delete's auth condition; with `field`, run only when `condition` holds."""
    if not _checked(rules):
        return None
    static = _static_var(field)
    conditional = "\n\n".join([_dynamic_update(rules, is_list_field, field),
                                _owner_update(rules, is_list_field, field), COLLECT])
    body = (_static(rules, field) + f"\n\n#if( ! ${static} )\n{conditional}\n#end\n\n"
            + _throw([f"${static}", '($totalAuthExpression != "")']))
    check = _wrap(_modes(rules), providers, body)
    return f"#if( {condition} )\n{check}\n#end" if condition else check


def static_field_check(rules: list[dict[str, Any]], providers: Providers, field: str) -> str | None:
    """Static group rules on a field of a non-model type (the only rules that need no source item)."""
    static = [r for r in rules if r["allow"] == "groups" and r.get("groups")]
    if not static:
        return None
    var = _static_var(field)
    body = (_static(static, field) + f"\n\n## [Start] Throw if unauthorized **\n#if( ${var} == false )\n"
            "  $util.unauthorized()\n#end\n## [End] Throw if unauthorized **")
    return _wrap([m for m in ("userPools", "oidc") if any(r["provider"] == m for r in static)], providers, body)


def subscription_check(rules: list[dict[str, Any]], providers: Providers) -> str | None:
    if not (any(r["allow"] == "owner" or (r["allow"] == "groups" and r.get("groups")) for r in rules)
            and not any(r["provider"] == "userPools" and r["allow"] in ("public", "private") for r in rules)):
        return None
    body = "\n\n".join([_static(rules), _owner_read(rules, "ctx.args", "isOwnerAuthorized", "false", "null", True),
                        _throw(["$isStaticGroupAuthorized", "$isOwnerAuthorized"])])
    return _wrap(_modes(rules, subscription=True), providers, body)


# ---- schema -----------------------------------------------------------------------------------

def _add_directives(t: TypeDef | None, names: list[str]) -> None:
    if t is None:
        return
    for name in names:
        if t.directive(name) is None:
            t.directives.append(make_directive(name))


def _add_to_field(ctx: TransformContext, type_name: str, field_name: str, names: list[str], extend_return: bool) -> None:
    """Directives on an operation field and, as the real transformer does, on its named return type."""
    root = ctx.types.get(type_name)
    field = root.get(field_name) if root else None
    if field is None or not names:
        return
    for name in names:
        if field.directive(name) is None:
            field.directives.append(make_directive(name))
    if extend_return and not field.type.startswith("[") and not field.type.endswith("!"):
        _add_directives(ctx.types.get(field.type), names)


def _propagate(ctx: TransformContext, t: TypeDef, names: list[str], seen: set[str]) -> None:
    for f in t.fields:
        target = ctx.input_types.get(base_type(f.type))
        if target is None or target.kind != "type" or target.directive("model") or target.name in seen:
            continue
        seen.add(target.name)
        _add_directives(ctx.types.get(target.name), names)
        _propagate(ctx, target, names, seen)


def _subscription_names(config: ModelConfig) -> list[str]:
    subs = config.subscriptions
    if subs is None or subs.get("level") == "off":
        return []
    if any(subs.get(k) for k in ("onCreate", "onUpdate", "onDelete")):
        return [n for k in ("onCreate", "onUpdate", "onDelete") for n in subs.get(k) or []]
    return [f"on{upper(op)}{upper(config.name)}" for op in ("create", "update", "delete") if op in config.mutations]


def _protect_model(ctx: TransformContext, t: TypeDef, directive: DirectiveNode, config: ModelConfig,
                   providers: Providers) -> None:
    rules = _rules(directive, providers, f"@auth on {t.name}")
    out = ctx.types[t.name]
    for field in dict.fromkeys(r.get("ownerField") or "owner" for r in _owners(rules)):
        if out.get(field) is None:
            out.fields.append(Field(field, "String"))
    _propagate(ctx, t, directives_for(rules, providers, True), set())
    _add_directives(out, directives_for(rules, providers, False))
    ops = split(rules)

    def is_list_field(name: str) -> bool:
        f = t.get(name)
        return f is not None and is_list(f.type)

    def include_default(op: str) -> bool:
        return _type_has_default(t, providers, op)

    for op, check in (("create", create_check), ("update", update_delete_check), ("delete", update_delete_check)):
        if op not in config.mutations or not ops[op]:
            continue
        _add_to_field(ctx, "Mutation", config.mutations[op], directives_for(ops[op], providers, include_default(op)),
                      True)
        snippet = (create_check(ops[op], providers, is_list_field) if op == "create"
                   else check(ops[op], providers, is_list_field))
        if snippet:
            ctx.find_resolver("Mutation", config.mutations[op]).prepend(snippet + "\n")
    for op, check in (("get", single_object_check), ("list", list_filter)):
        if op not in config.queries or not ops[op]:
            continue
        _add_to_field(ctx, "Query", config.queries[op], directives_for(ops[op], providers, include_default(op)), True)
        snippet = check(ops[op], providers)
        if snippet:
            ctx.find_resolver("Query", config.queries[op]).prepend_response(snippet + "\n")
    read = ops["read"]
    if read:
        _protect_connections(ctx, t, read, providers)
        for key in ctx.metadata.get("keys", {}).get(t.name, []):
            if key.query_field:
                _add_to_field(ctx, "Query", key.query_field, directives_for(read, providers, False), True)
                snippet = list_filter(read, providers)
                if snippet:
                    ctx.find_resolver("Query", key.query_field).prepend_response(snippet + "\n")
        _protect_subscriptions(ctx, t, read, config, providers, include_default("get"))
    condition = ctx.types.get(f"Model{t.name}ConditionInput")
    if condition is not None and rules:
        drop = {r.get("ownerField") or "owner" for r in _owners(rules)}
        drop |= {r.get("groupsField") or "groups" for r in rules if r["allow"] == "groups"}
        condition.fields = [f for f in condition.fields if f.name not in drop]


def _type_has_default(t: TypeDef, providers: Providers, op: str) -> bool:
    """Whether the type's own rules give the default auth mode access to `op` (then operations keep
    the default mode's directive beside the others)."""
    directive = t.directive("auth")
    if directive is None:
        return False
    ops = split(_rules(directive, providers, f"@auth on {t.name}"))
    if op in ("get", "list"):
        return _has_default(ops["read"], providers) or _has_default(ops[op], providers)
    return _has_default(ops[op], providers)


def _level(config: ModelConfig) -> str:
    subs = config.subscriptions
    return "off" if subs is None else subs.get("level") or "on"


def _for_op(rule: dict[str, Any], op: str) -> bool:
    """Field rules: a missing `operations` means every operation, `null` none."""
    if "operations" not in rule:
        return True
    return bool(rule["operations"]) and op in rule["operations"]


def _set_operation(spec: ResolverSpec) -> None:
    """Mark mutation results so a field's resolver can tell a subscription payload apart (below)."""
    if '$ctx.result.put("operation", "Mutation")' not in spec.response:
        spec.prepend_response('## [Start] Setting the operation. **\n$util.qr($ctx.result.put("operation", '
                              '"Mutation"))\n## [End] Setting the operation. **\n')


def _blank_resolver(ctx: TransformContext, parent: str, field: str, stack: str) -> ResolverSpec:
    """The resolver a protected field gets when it has none: NONE data source, the source's value."""
    ctx.none_data_source = True
    return ctx.find_resolver(parent, field) or ctx.resolver(ResolverSpec(
        parent, field, "NONE", '{\n  "version": "2018-05-29",\n  "payload": {}\n}',
        f"$util.toJson($context.source.{field})", stack, f"{parent}{field}Resolver"))


def _protect_field(ctx: TransformContext, parent: TypeDef, field: Field, directive: DirectiveNode,
                   config: ModelConfig | None, providers: Providers) -> None:
    where = f"@auth on {parent.name}.{field.name}"
    rules = _rules(directive, providers, where)
    is_root = parent.name in ("Query", "Mutation", "Subscription")
    for rule in rules:
        if "queries" in rule or "mutations" in rule:
            raise SchemaError(f"{where}: field rules cannot use 'queries' or 'mutations'; a field rule applies "
                              "when the field is read (and, on @model types, to 'operations').", directive)
        if rule.get("operations") and (is_root or config is None):
            raise SchemaError(f"{where}: 'operations' is only allowed in field rules of @model types.", directive)
    out = ctx.types[parent.name]
    if not is_root:
        for name in dict.fromkeys(r.get("ownerField") or "owner" for r in _owners(rules)):
            if out.get(name) is None:
                out.fields.append(Field(name, "String"))
        parent_rules = parent.directive("auth")
        needs_default = parent_rules is None or any(
            r["provider"] == providers.default for r in _rules(parent_rules, providers, f"@auth on {parent.name}"))
        _add_directives(out, directives_for(rules, providers, needs_default))
    if config is None:
        _add_to_field(ctx, parent.name, field.name, directives_for(rules, providers, False), False)
        resolver = _blank_resolver(ctx, parent.name, field.name, "")
        check = static_field_check(rules, providers, field.name)
        if check:
            resolver.prepend(check + "\n")
        return

    def is_list_field(name: str) -> bool:
        f = parent.get(name)
        return f is not None and is_list(f.type)

    level = _level(config)
    read = [r for r in rules if _for_op(r, "read")]
    if read:
        names = directives_for(read, providers, False)
        if names:
            _add_to_field(ctx, parent.name, field.name, names, False)
            for op in ("get", "list"):
                if op in config.queries:
                    _add_to_field(ctx, "Query", config.queries[op],
                                  directives_for(read, providers, _type_has_default(parent, providers, op)), True)
        resolver = _blank_resolver(ctx, parent.name, field.name, parent.name)
        if level == "on":
            if field.type.endswith("!"):
                raise SchemaError(f"{where}: per-field auth on the required field {field.name} is not supported "
                                  "with subscriptions; make the field optional, put the rules on the type, or set "
                                  "@model(subscriptions: { level: off }) (or public).", field.node)
            value = "$context.result" if field.directive("connection") else f"$context.source.{field.name}"
            resolver.response = ('## [Start] Checking for allowed operations which can return this field. **\n'
                                 '#set( $operation = $util.defaultIfNull($context.source.operation, "null") )\n'
                                 f'#if( $operation == "Mutation" )\n  $util.toJson(null)\n#else\n'
                                 f"  $util.toJson({value})\n#end\n"
                                 "## [End] Checking for allowed operations which can return this field. **")
        resolver.prepend((single_object_check(read, providers, "ctx.source") or "") + "\n")
    create = [r for r in rules if _for_op(r, "create")]
    if create and "create" in config.mutations:
        names = directives_for(create, providers, False)
        if names:
            _add_to_field(ctx, parent.name, field.name, names, False)
            _add_to_field(ctx, "Mutation", config.mutations["create"],
                          directives_for(create, providers, _type_has_default(parent, providers, "create")), True)
        spec = ctx.find_resolver("Mutation", config.mutations["create"])
        check = create_check(create, providers, is_list_field, field.name)
        if check:
            spec.prepend(check + "\n")
        if level == "on":
            _set_operation(spec)
    update_resolver = ctx.find_resolver("Mutation", config.mutations["update"]) if "update" in config.mutations \
        else None
    for op, condition in (("update", f'$ctx.args.input.containsKey("{field.name}")'),
                          ("delete", f'$ctx.args.input.containsKey("{field.name}") && '
                                     f'$util.isNull($ctx.args.input.get("{field.name}"))')):
        op_rules = [r for r in rules if _for_op(r, op)]
        if not op_rules or update_resolver is None:
            continue
        if op in config.mutations:
            _add_to_field(ctx, "Mutation", config.mutations[op], directives_for(op_rules, providers, False), True)
        check = update_delete_check(op_rules, providers, is_list_field, field.name, condition)
        if check:
            update_resolver.prepend(check + "\n")
        if level == "on" and op in config.mutations:
            _set_operation(ctx.find_resolver("Mutation", config.mutations[op]))


def _protect_connections(ctx: TransformContext, t: TypeDef, rules: list[dict[str, Any]], providers: Providers) -> None:
    for parent in ctx.input_types.values():
        for field in parent.fields:
            if field.directive("connection") is None or base_type(field.type) != t.name:
                continue
            _add_to_field(ctx, parent.name, field.name, directives_for(rules, providers, False), True)
            resolver = ctx.find_resolver(parent.name, field.name)
            snippet = list_filter(rules, providers) if is_list(field.type) else single_object_check(rules, providers)
            if resolver is not None and snippet:
                resolver.prepend_response(snippet + "\n")


def _protect_subscriptions(ctx: TransformContext, t: TypeDef, rules: list[dict[str, Any]], config: ModelConfig,
                           providers: Providers, include_default: bool) -> None:
    names = _subscription_names(config)
    if not names:
        return
    ctx.none_data_source = True
    public = (config.subscriptions or {}).get("level") == "public"
    for name in names:
        spec = ResolverSpec("Subscription", name, "NONE", SUBSCRIPTION_REQUEST, SUBSCRIPTION_RESPONSE, t.name,
                            f"Subscription{name}Resolver")
        if public:
            ctx.resolver(spec)
            continue
        _add_to_field(ctx, "Subscription", name, directives_for(rules, providers, include_default), False)
        snippet = subscription_check(rules, providers)
        if snippet is None:
            continue
        spec.prepend_response(snippet + "\n")
        ctx.resolver(spec)
        owners = _owners(rules)
        optional = len(owners) > 1 or any((r["allow"] == "groups" and not r.get("groupsField"))
                                          or r["allow"] in ("private", "public") for r in rules)
        field = ctx.types["Subscription"].get(name)
        field.args = [Arg(r.get("ownerField") or "owner", "String" if optional else "String!") for r in owners]


def transform(ctx: TransformContext, configs: list[ModelConfig]) -> None:
    providers = Providers(ctx.auth_config)
    by_name = {c.name: c for c in configs}
    for t in ctx.input_types.values():
        directive = t.directive("auth")
        if directive is not None:
            if t.name not in by_name:
                raise SchemaError(f"@auth on {t.name}: types annotated with @auth must also be annotated with "
                                  "@model (for other types use AppSync's @aws_* directives).", directive)
            _protect_model(ctx, t, directive, by_name[t.name], providers)
        for f in t.fields:
            field_auth = f.directive("auth")
            if field_auth is not None:
                if t.kind != "type":
                    raise SchemaError(f"@auth on {t.name}.{f.name}: @auth can only be placed on fields of object "
                                      "types.", field_auth)
                _protect_field(ctx, t, f, field_auth, by_name.get(t.name), providers)
