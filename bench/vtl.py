"""VTL render time per case: amplify-local's compiled engine vs the reference engine vs stock Airspeed.

    .venv/bin/python bench/vtl.py [--cases corpus|feature] [--repeat N] [--limit K]
    .venv/bin/python bench/vtl.py --mix v2/01-todo [--requests N]

Runs the reference engine (`node /work/peer/vtl_oracle.js CASES --repeat N`, microseconds per render,
template parsing excluded) and this engine on the same cases in the same run, then prints the median
of the per-case ratios. A timed render here is `template.render(context)` on a fresh context (built
before the clock starts, as the server builds it from the request); the reference's figure includes
its per-request context copy, which is the work its server does per render. Stock Airspeed renders
the same text with the same `$util` helpers exposed as plain Python methods, and its output is parsed
as JSON as ours is; cases it cannot parse or render (AppSync directives such as `#return`) are
counted and left out of its ratio.

`--mix API` measures instead what the server's Todo mix renders: it runs `bench/server_inprocess.py`'s
mix on the API, records every template render (template, context), then renders the recorded ones again
as `resolvers.Template` does (render, then parse the output) and prints CPU microseconds per render (best
of 5 rounds; `time.process_time`, so other load on the machine matters little). Run it on two checkouts
(`git archive <commit> | tar -x -C DIR`, `PYTHONPATH=DIR`) to compare engine versions on the same work.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import airspeed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # kit.py: where the shared kit is
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "mock" / "appsync" / "vtl"))
import contextlib

from conftest import CORPUS, context_for, load_cases, template_text

from amplify_local.mock.appsync.errors import AppSyncError
from amplify_local.mock.appsync.types import Info, ResolverContext
from amplify_local.mock.appsync.vtl import compile_template, parse_output
from amplify_local.mock.appsync.vtl.context import context_variables
from amplify_local.mock.appsync.vtl.runtime import Frame, UtilGroup

ORACLE = Path("/work/peer/vtl_oracle.js")


def _median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def time_ours(case: dict[str, Any], repeat: int) -> float:
    template = compile_template(template_text(case), case.get("template") or "INLINE_TEMPLATE")
    contexts = [context_for(case) for _ in range(repeat + 1)]
    samples = []
    for context in contexts:
        start = time.perf_counter()
        with contextlib.suppress(AppSyncError):
            template.render(context)
        samples.append(time.perf_counter() - start)
    return _median_us(samples[1:])


class _StockGroup:
    """`$util` for stock Airspeed: helpers as plain methods bound to one frame."""

    def __init__(self, group: UtilGroup, frame: Frame) -> None:
        self._group, self._frame = group, frame

    def __getattr__(self, name: str) -> Any:
        if name in self._group.groups:
            return _StockGroup(self._group.groups[name], self._frame)

        def call(*args: Any) -> Any:
            helper = self._group.functions.find(name, len(args))
            return None if helper is None else helper(self._frame, *args)
        return call


def time_stock(case: dict[str, Any], repeat: int) -> float | None:
    template = airspeed.Template(template_text(case))
    try:
        template.ensure_compiled()
    except airspeed.TemplateError:
        return None
    samples = []
    for _ in range(repeat + 1):
        context = context_for(case)
        variables = context_variables(context)
        variables["util"] = _StockGroup(variables["util"], Frame(context, variables))
        start = time.perf_counter()
        try:
            output = template.merge(variables)
            with contextlib.suppress(ValueError):
                json.loads(output)  # a render is used as a JSON value, as ours parses it
        except Exception:  # stock Airspeed cannot render every AppSync template
            return None
        samples.append(time.perf_counter() - start)
    return _median_us(samples[1:])


def time_reference(cases: list[dict[str, Any]], repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        cases_file = Path(folder) / "cases.json"
        out_file = Path(folder) / "out.json"
        # template paths in the case files are relative to the corpus folder
        portable = [{**case, "template": str(CORPUS / case["template"])} if case.get("template") else case
                    for case in ({k: v for k, v in c.items() if k != "oracle"} for c in cases)]
        cases_file.write_text(json.dumps({"cases": portable}))
        subprocess.run(["node", str(ORACLE), str(cases_file), "--repeat", str(repeat), "--out", str(out_file)],
                       check=True, cwd=ORACLE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return {entry["name"]: entry["us"] for entry in json.loads(out_file.read_text())["cases"]
                if entry.get("us") is not None}


def record_mix(api: str, requests: int) -> list[tuple[Any, ResolverContext]]:
    """The (template, context) of every render the in-process Todo mix does, contexts as they were before."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import server_inprocess

    import amplify_local.mock.appsync.vtl as vtl

    recorded: list[tuple[Any, ResolverContext]] = []
    render = vtl.Template.render

    def recording(self: Any, context: ResolverContext, *, parse_json: bool = True) -> Any:
        info = context.info
        before = copy.copy(context)
        before.info = None
        before = copy.deepcopy(before)
        if info is not None:  # the server's lazy Info, as a plain one
            before.info = Info(info.field_name, info.parent_type_name, copy.deepcopy(info.variables),
                               list(info.selection_set_list), info.selection_set_graphql)
        recorded.append((self, before))
        return render(self, context, parse_json=parse_json)

    vtl.Template.render = recording  # type: ignore[method-assign]
    try:
        asyncio.run(server_inprocess.run(argparse.Namespace(requests=requests, api=api, profile=None)))
    finally:
        vtl.Template.render = render  # type: ignore[method-assign]
    return recorded


def time_mix(recorded: list[tuple[Any, ResolverContext]], rounds: int = 5) -> float:
    """Best CPU seconds over `rounds` to render the recorded renders again (fresh context copies each round)."""
    best = float("inf")
    for _ in range(rounds):
        work = [(template, copy.deepcopy(context)) for template, context in recorded]
        start = time.process_time()
        for template, context in work:
            try:
                result = template.render(context, parse_json=False)
                if not result.returned and result.text.strip():
                    parse_output(result.text)
            except AppSyncError:
                pass
        best = min(best, time.process_time() - start)
    return best


def main_mix(api: str, requests: int) -> None:
    recorded = record_mix(api, requests)
    seconds = time_mix(recorded)
    print(json.dumps({"api": api, "renders": len(recorded), "templates": len({id(t) for t, _ in recorded}),
                      "cpu_us_per_render": round(seconds / len(recorded) * 1e6, 2)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="corpus", choices=["corpus", "feature"])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--limit", type=int, default=0, help="only the first K cases")
    parser.add_argument("--worst", type=int, default=0, help="list the K cases slowest relative to stock Airspeed")
    parser.add_argument("--mix", help="time the renders of the in-process Todo mix on this corpus API instead")
    parser.add_argument("--requests", type=int, default=1000, help="requests of the mix (--mix)")
    options = parser.parse_args()
    if options.mix:
        main_mix(options.mix, options.requests)
        return
    cases = load_cases(options.cases)
    if options.limit:
        cases = cases[:options.limit]
    reference = time_reference(copy.deepcopy(cases), options.repeat)
    ours, stock, vs_reference, vs_stock = {}, {}, [], []
    by_stock: list[tuple[float, str]] = []
    for case in cases:
        name = case["name"]
        ours[name] = time_ours(case, options.repeat)
        stock_us = time_stock(case, options.repeat)
        if stock_us is not None:
            stock[name] = stock_us
            vs_stock.append(ours[name] / stock_us)
            by_stock.append((ours[name] / stock_us, name))
        if name in reference:
            vs_reference.append(ours[name] / reference[name])
    print(f"cases: {len(cases)} ({options.cases}), repeat {options.repeat}")
    print(f"median us per render: amplify-local {statistics.median(ours.values()):.1f}, "
          f"reference {statistics.median(reference.values()):.1f}, "
          f"stock Airspeed {statistics.median(stock.values()) if stock else float('nan'):.1f} "
          f"({len(stock)} cases it renders)")
    print(f"median ratio amplify-local / reference: {statistics.median(vs_reference):.3f} "
          f"(p90 {statistics.quantiles(vs_reference, n=10)[-1]:.3f}, {len(vs_reference)} cases)")
    if vs_stock:
        print(f"median ratio amplify-local / stock Airspeed: {statistics.median(vs_stock):.3f} "
              f"(max {max(vs_stock):.3f}, {len(vs_stock)} cases)")
    for ratio, name in sorted(by_stock, reverse=True)[:options.worst]:
        print(f"  {ratio:.3f}  {ours[name]:8.1f} us vs stock {stock[name]:8.1f} us  {name}")


if __name__ == "__main__":
    main()
