"""Transform time per corpus schema: ours beside the real v1 transformer, in the same run.

For each `../shared/corpus/v1/<api>/input` it measures
- ours in-process: `transform(read_project(...))`, its first run in this process (the earlier
  schemas warm the shared caches, as a running mock's earlier reloads do) and the median of
  --repeat further runs (a hot reload of an unchanged schema);
- ours as a command: a fresh `python` that imports the transformer, transforms and writes the build
  folder (what `amplify api gql-compile` costs a user), wall time;
- the reference: `node peer/transform.js <input> <out>` (the real transformer, writing the same build
  folder), wall time, once per schema (it takes seconds).
It prints a Markdown table and the ratios. Usage:

    .venv/bin/python bench/transform.py [--repeat 20] [--peer /work/peer] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from amplify_local.transformer.transform import read_project, transform

ROOT = Path(__file__).resolve().parents[1]
WRITE_BUILD = """
import sys
from pathlib import Path
from amplify_local.transformer.transform import transform_api
for relative, text in transform_api(Path(sys.argv[1])).items():
    target = Path(sys.argv[2]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
"""


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--peer", type=Path, default=Path("/work/peer"))
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    corpus = args.corpus if args.corpus.is_dir() else Path("/work/shared/corpus")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for api in sorted(p for p in (corpus / "v1").iterdir() if (p / "input").is_dir()):
            project = read_project(api / "input")
            start = time.perf_counter()
            transform(project)
            first_ms = (time.perf_counter() - start) * 1000
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                transform(project)
                runs.append(time.perf_counter() - start)
            ours_ms = statistics.median(runs) * 1000
            command_s = _wall([sys.executable, "-c", WRITE_BUILD, str(api / "input"), f"{scratch}/ours-{api.name}"])
            peer_s = _wall(["node", str(args.peer / "transform.js"), str(api / "input"), f"{scratch}/peer-{api.name}"])
            schema_lines = sum(text.count("\n") for _, text in project.schema)
            rows.append((api.name, schema_lines, first_ms, ours_ms, command_s, peer_s))
    print("| API | schema lines | ours, first run in-process (ms) | ours, again (median ms) | ours as a command (s) "
          "| real transformer (s) | ratio (command) | ratio (first run) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, lines, first_ms, ours_ms, command_s, peer_s in rows:
        print(f"| v1/{name} | {lines} | {first_ms:.1f} | {ours_ms:.1f} | {command_s:.2f} | {peer_s:.2f} | "
              f"{peer_s / command_s:.0f}x | {peer_s * 1000 / first_ms:.0f}x |")
    largest = max(rows, key=lambda row: row[1])
    print(f"\nlargest schema v1/{largest[0]}: {largest[2]:.1f} ms first run, {largest[3]:.1f} ms again (goal < 100 ms)")
    print(f"median ratio, command vs real transformer: "
          f"{statistics.median(r[5] / r[4] for r in rows):.0f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
