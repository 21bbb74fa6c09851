"""Behaviour, not text: our mock serving OUR transform of each v1 corpus schema answers every step of the
corpus request script exactly as our mock serving the real transformer's build (`diff.py`, two live
servers of ours, messages compared too). That the golden build matches the reference mock is
tests/corpus/test_corpus_replay.py's part.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from kit import CORPUS as SHARED_CORPUS
from kit import DIFF, LAMBDAS

from amplify_local.transformer.transform import read_project, transform

CORPUS = SHARED_CORPUS / "v1"
APIS = sorted(path.name for path in CORPUS.iterdir() if (path / "requests.json").is_file())


@contextmanager
def mock_api(build: Path, cwd: Path) -> Iterator[str]:
    """`amplify mock api --build` on a free port with in-memory tables; yields its GraphQL URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "amplify_local", "mock", "api", "--build", str(build), "--port", str(port),
         "--lambda-dir", str(LAMBDAS)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    try:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        if "AppSync Mock endpoint is running" not in line:
            process.kill()
            pytest.fail(f"mock api on {build} did not start: {line}{process.stderr.read()}")
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_every_v1_corpus_api_is_replayed() -> None:
    assert len(APIS) == 10


@pytest.mark.parametrize("api", APIS)
def test_our_transform_answers_like_the_golden_build(api: str, tmp_path: Path) -> None:
    golden = CORPUS / api
    ours = tmp_path / "build"
    for name, text in transform(read_project(golden / "input")).items():
        (ours / name).parent.mkdir(parents=True, exist_ok=True)
        (ours / name).write_text(text)
    out = tmp_path / "diff.json"
    with ExitStack() as stack:
        golden_url = stack.enter_context(mock_api(golden, tmp_path))
        our_url = stack.enter_context(mock_api(ours, tmp_path))
        completed = subprocess.run(
            [sys.executable, str(DIFF), "--corpus-dir", str(golden), "--a", golden_url, "--b", our_url,
             "--strict-messages", "--json-out", str(out)],
            capture_output=True, text=True, timeout=300)
    assert out.is_file(), completed.stdout + completed.stderr
    steps = json.loads(out.read_text())["steps"]
    assert len(steps) == len(json.loads((golden / "requests.json").read_text()))
    different = [f"{step['name']}: {step['diffs']}\n  golden {step['a']}\n  ours   {step['b']}"
                 for step in steps if not step["match"]]
    assert not different, "\n".join(different)
