"""`$util.rds`: Data API results as rows."""

from __future__ import annotations

import json
from typing import Any

RDS = json.dumps({"sqlStatementResults": [{"records": [[{"longValue": 7}, {"isNull": True}, {"stringValue": "x"}]],
                                            "columnMetadata": [{"label": "id"}, {"name": "note"}, {"name": "s"}]}]})


def test_rds(vtl: Any) -> None:
    assert vtl.json("$util.rds.toJsonString($ctx.args.raw)", arguments={"raw": RDS}) == [[{"id": 7, "note": None, "s": "x"}]]
    assert vtl.text("#set($rows = $util.rds.toJsonObject($ctx.args.raw))$rows[0][0].s", arguments={"raw": RDS}) == "x"
