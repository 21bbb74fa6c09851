"""The transform context: shipped templates, generated types added once, resolvers and stacks."""

from __future__ import annotations

from amplify_local.transformer.context import ResolverSpec, TransformContext, template


def test_template_fills_placeholders() -> None:
    text = template("model_create", type="Todo")
    assert '$util.qr($context.args.input.put("__typename", "Todo"))' in text
    assert "{{" not in text


def test_add_keeps_the_first_definition_and_copies() -> None:
    ctx = TransformContext({}, {})
    ctx.add("enum ModelSortDirection {\n  ASC\n  DESC\n}\n")
    ctx.types["ModelSortDirection"].values.append("SIDEWAYS")
    ctx.add("enum ModelSortDirection {\n  ASC\n  DESC\n}\ninput X {\n  a: Int\n}\n")
    assert ctx.types["ModelSortDirection"].values == ["ASC", "DESC", "SIDEWAYS"]
    other = TransformContext({}, {})
    other.add("enum ModelSortDirection {\n  ASC\n  DESC\n}\n")
    assert other.types["ModelSortDirection"].values == ["ASC", "DESC"]
    assert "X" in ctx.types


def test_resolvers_register_their_stack() -> None:
    ctx = TransformContext({}, {})
    spec = ctx.resolver(ResolverSpec("Query", "a", None, "{}", "{}", "Todo", "QueryaResolver"))
    ctx.resolver(ResolverSpec("Stats", "b", "NONE", "{}", "{}", "", "StatsbResolver"))
    assert ctx.stacks == ["Todo"]
    assert ctx.find_resolver("Query", "a") is spec
    spec.prepend("#set($x = 1)")
    spec.prepend_response("#set($y = 2)")
    assert spec.request == "#set($x = 1)\n{}" and spec.response == "#set($y = 2)\n{}"
