"""Every corpus API served by `amplify mock api --build`, replayed against the peer's recorded answers.

For each build: our server starts on a free port with empty in-memory tables, `diff.py` (from the shared
kit, in replay mode) sends the request script, and every step must match the recorded answer except
the deliberate differences listed in `differences.json` (mirrored in docs/differences.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from kit import CORPUS, DIFF, LAMBDAS
from ports import free_port

DIFFERENCES = json.loads((Path(__file__).parent / "differences.json").read_text())
APIS = sorted(f"{path.parent.parent.name}/{path.parent.name}" for path in CORPUS.glob("v*/*/expected.json"))


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path):
    build = CORPUS / request.param
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "amplify_local", "mock", "api", "--build", str(build), "--port", str(port),
         "--lambda-dir", str(LAMBDAS)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "AppSync Mock endpoint is running" not in line:
        process.kill()
        pytest.fail(f"server did not start: {line}{process.stderr.read() if process.stderr else ''}")
    yield build, f"http://127.0.0.1:{port}/graphql"
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize("server", APIS, indirect=True)
def test_replay_matches_reference(server: tuple[Path, str], tmp_path: Path) -> None:
    build, url = server
    api = f"{build.parent.name}/{build.name}"
    out = tmp_path / "diff.json"
    completed = subprocess.run(
        [sys.executable, str(DIFF), "--corpus-dir", str(build), "--expected", str(build / "expected.json"),
         "--b", url, "--json-out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert out.is_file(), completed.stdout + completed.stderr
    steps = json.loads(out.read_text())["steps"]
    allowed = DIFFERENCES.get(api, {})
    unexpected = [
        f"{step['name']}: {step['diffs']}\n  expected {step['a']}\n  got      {step['b']}"
        for step in steps if not step["match"] and step["name"] not in allowed
    ]
    assert not unexpected, "\n".join(unexpected)
    stale = [name for name in allowed if all(step["name"] != name or step["match"] for step in steps)]
    assert not stale, f"listed as differences but matching (remove them from differences.json): {stale}"
