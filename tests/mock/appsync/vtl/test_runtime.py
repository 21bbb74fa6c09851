"""The render frame's objects: `$foreach` status, `#define` blocks, `$util` groups."""

from __future__ import annotations

from typing import Any

from amplify_local.mock.appsync.types import ResolverContext
from amplify_local.mock.appsync.vtl.runtime import DefinedBlock, Frame, LoopStatus, UtilGroup


def test_loop_status_getters() -> None:
    outer = LoopStatus(1, None)
    loop = LoopStatus(3, outer)
    loop.count = 3
    methods = loop.vtl_methods
    assert [methods.find(name, 0)(loop) for name in ("getCount", "getIndex", "hasNext", "isFirst", "isLast")] == [
        3, 2, False, False, True]
    assert methods.find("getParent", 0)(loop) is outer


def test_defined_block_renders_with_the_frame() -> None:
    frame = Frame(ResolverContext(arguments={}), {"who": "x"})
    block = DefinedBlock(lambda f, out: out.append(f"hi {f.vars['who']}"))
    assert block.render(frame) == "hi x"


def test_util_group_counts_arity_after_the_frame() -> None:
    def helper(frame: Any, a: Any, b: Any = 2) -> Any:
        return a + b

    group = UtilGroup("util.test", {"add": helper})
    assert group.functions.find("add", 1) is helper and group.functions.find("add", 2) is helper
    assert group.functions.find("add", 0) is None and group.functions.find("add", 3) is None
    assert repr(group) == "<util.test>"
