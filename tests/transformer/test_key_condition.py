"""Key condition VTL: argument names and the expression shape for 1, 2 and 3+ key fields."""

from __future__ import annotations

from amplify_local.transformer.key_condition import camel, composite_sort_key, key_expression, sort_key


def test_camel() -> None:
    assert camel(["amount", "orderDate"]) == "amountOrderDate"
    assert camel(["Status", "", "day"]) == "statusDay"


def test_hash_key_only() -> None:
    text = key_expression(["email"], ["S"], "q")
    assert '#set( $q.expression = "#email = :email" )' in text
    assert "Applying Key Condition" not in text


def test_simple_sort_key() -> None:
    text = key_expression(["status", "day"], ["S", "S"], "q")
    assert "When providing argument 'day' you must also provide arguments status" in text
    assert text.count('$util.qr($q.expressionNames.put("#sortKey", "day"))') == 7
    numeric = sort_key("amount", "N", "query")
    assert '{ "N": "$ctx.args.amount.between[1]" }' in numeric


def test_composite_sort_key() -> None:
    text = key_expression(["repId", "amount", "orderDate"], ["S", "N", "S"], "q")
    assert "Argument amountOrderDate must specify at most one key condition operation." in text
    assert "When providing argument 'amountOrderDate.between[0].orderDate' you must also provide " \
           "'amountOrderDate.between[0].amount'." in text
    assert '"amount#orderDate"' in text
    assert '#set( $sortKeyValue = "$sortKeyValue#$ctx.args.amountOrderDate.eq.orderDate" )' in \
           composite_sort_key(["amount", "orderDate"], "q", "amountOrderDate", "amount#orderDate")
