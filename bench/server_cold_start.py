"""Cold start of `amplify mock api`: spawn to the first answered `listTodos`, and the server's own CPU
seconds at that moment (utime + stime from /proc, less sensitive to the neighbours' load than the wall).

The client is a raw socket polling every 3 ms, so it costs the starting server no CPU. Run it once first
without `PYTHONDONTWRITEBYTECODE` so bytecode is cached, as in an installed package. `--python` picks the
interpreter (e.g. a venv with a regular, non-editable install, which skips the editable finder's import);
given more than once, the starts alternate between them (before/after comparisons in one run: a wrapper
script that sets `PYTHONPATH` to a `git archive` of the older commit serves as an interpreter).
`--project` starts the way a user does, in a project folder holding the API's input schema (its
`input/` files under `amplify/backend/api/<name>/`), after one unmeasured first start of that project
(which runs the transformer; later starts reuse its output while the inputs are unchanged).

    .venv/bin/python bench/server_cold_start.py [--starts 5] [--api v1/01-todo] [--project] [--python PATH ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server_mix import SHARED, answered, free_port


def start_once(python: str, folder: Path, source: list[str]) -> tuple[float, float]:
    """Start in `folder` (cwd outside the repository: the installed package runs) until the first answer."""
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen([python, "-m", "amplify_local", "mock", "api", *source, "--port", str(port)],
                               cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        while True:
            try:
                if answered(port):
                    break
            except OSError:
                pass
            if time.monotonic() - started > 60:
                raise SystemExit("the server did not answer within 60 s")
            time.sleep(0.003)
        wall = time.monotonic() - started
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--api", default="v1/01-todo")
    parser.add_argument("--python", action="append", help="interpreter to start (repeat to alternate several)")
    parser.add_argument("--project", action="store_true", help="start in a project folder, not on --build")
    options = parser.parse_args()
    pythons = [os.path.abspath(python) for python in options.python or [sys.executable]]  # cwd changes
    build = SHARED / "corpus" / options.api
    runs: dict[str, list[tuple[float, float]]] = {python: [] for python in pythons}
    with tempfile.TemporaryDirectory() as scratch:
        folders = {python: Path(scratch, str(n)) for n, python in enumerate(pythons)}
        source = ["--build", str(build)]
        if options.project:  # one project per interpreter, restarted as a user restarts the mock
            source = ["--ddb-port", "0"]
            for python, folder in folders.items():
                shutil.copytree(build / "input", folder / "amplify" / "backend" / "api" / build.name)
                start_once(python, folder, source)  # the first start of a project (transformer caches fill)
        else:
            for folder in folders.values():
                folder.mkdir()
        for _ in range(options.starts):
            for python in pythons:
                runs[python].append(start_once(python, folders[python], source))
    for python, starts in runs.items():
        walls = sorted(wall for wall, _ in starts)
        cpus = sorted(cpu for _, cpu in starts)
        print(json.dumps({"python": python, "wall_s": [round(w, 3) for w in walls],
                          "median_wall_s": round(walls[len(walls) // 2], 3), "cpu_s": cpus,
                          "median_cpu_s": cpus[len(cpus) // 2]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
