"""The local CA and certificate, and one port serving http, https, ws and wss (real clients: httpx, websockets)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
import uvloop
from cryptography import x509
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect

from amplify_local.mock.appsync.tls import (
    Certificates,
    LazyContext,
    ensure_certificates,
    serve_uvicorn,
    trust_instructions,
)


async def where(request: Request) -> JSONResponse:
    return JSONResponse({"scheme": request.url.scheme})


async def echo(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="graphql-ws")
    text = await websocket.receive_text()
    await websocket.send_text(f"{websocket.url.scheme}:{text}")
    await websocket.close()


class DualServer:
    """uvicorn behind the sniffing listener on a free port, in a thread on uvloop (as `amplify mock` runs)."""

    def __init__(self, paths: Certificates) -> None:
        app = Starlette(routes=[Route("/where", where), WebSocketRoute("/graphql/realtime", echo)])
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.context = LazyContext(paths)  # as the mock serves: loaded on the first TLS connection
        self.thread = threading.Thread(
            target=lambda: uvloop.run(serve_uvicorn(self.server, self.sock, self.context)), daemon=True
        )

    def __enter__(self) -> DualServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        assert not self.thread.is_alive()


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return ensure_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def server(paths: Certificates) -> Iterator[DualServer]:
    with DualServer(paths) as running:
        yield running


def test_certificates_are_made_once_and_reused(tmp_path: Path) -> None:
    first = ensure_certificates(tmp_path)
    files = [first.ca_cert, first.ca_key, first.cert, first.key]
    contents = [path.read_bytes() for path in files]
    assert oct(first.ca_key.stat().st_mode & 0o777) == "0o600"
    again = ensure_certificates(tmp_path)
    assert [path.read_bytes() for path in files] == contents
    again.cert.unlink()  # a lost certificate is reissued by the same CA
    ensure_certificates(tmp_path)
    assert first.ca_cert.read_bytes() == contents[0] and first.cert.read_bytes() != contents[2]


def test_more_hosts_reissue_the_certificate_under_the_same_ca(tmp_path: Path) -> None:
    first = ensure_certificates(tmp_path)
    ca, cert = first.ca_cert.read_bytes(), first.cert.read_bytes()
    ensure_certificates(tmp_path, hosts=["192.168.1.20", "devbox.local"])
    assert first.ca_cert.read_bytes() == ca and first.cert.read_bytes() != cert
    names = x509.load_pem_x509_certificate(first.cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert names.value.get_values_for_type(x509.DNSName) == ["localhost", "devbox.local"]
    assert "192.168.1.20" in [str(ip) for ip in names.value.get_values_for_type(x509.IPAddress)]
    reissued = first.cert.read_bytes()
    ensure_certificates(tmp_path, hosts=["192.168.1.20"])  # already covered: kept
    assert first.cert.read_bytes() == reissued


def test_the_context_is_made_once_and_again_after_a_renewal(paths: Certificates) -> None:
    lazy = LazyContext(paths)
    assert lazy.context is None
    first = lazy()
    assert isinstance(first, ssl.SSLContext) and lazy() is first
    lazy.renewed()
    assert lazy.context is None and lazy() is not first


def test_the_certificate_names_localhost_and_chains_to_the_ca(paths: Certificates) -> None:
    cert = x509.load_pem_x509_certificate(paths.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "::1"]
    ca = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    cert.verify_directly_issued_by(ca)


def test_default_directory_is_under_the_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AMPLIFY_LOCAL_HOME", str(tmp_path))
    assert ensure_certificates().directory == tmp_path / "tls"


def test_trust_instructions_name_the_ca_and_node(paths: Certificates) -> None:
    text = trust_instructions(paths)
    assert f"NODE_EXTRA_CA_CERTS={paths.ca_cert}" in text
    assert "Browsers" in text


def test_http_and_https_on_one_port(server: DualServer, paths: Certificates) -> None:
    assert httpx.get(f"http://127.0.0.1:{server.port}/where").json() == {"scheme": "http"}
    verify = ssl.create_default_context(cafile=str(paths.ca_cert))
    with httpx.Client(verify=verify) as client:
        assert client.get(f"https://localhost:{server.port}/where").json() == {"scheme": "https"}
        assert client.get(f"https://127.0.0.1:{server.port}/where").json() == {"scheme": "https"}


def test_https_is_refused_by_a_client_that_does_not_trust_the_ca(server: DualServer) -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"https://localhost:{server.port}/where", verify=ssl.create_default_context(cafile=None))
    assert httpx.get(f"http://127.0.0.1:{server.port}/where").status_code == 200  # still serving


def test_ws_and_wss_on_one_port(server: DualServer, paths: Certificates) -> None:
    async def main() -> list[str]:
        answers = []
        context = ssl.create_default_context(cafile=str(paths.ca_cert))
        for url, tls in (
            (f"ws://127.0.0.1:{server.port}", None),
            (f"wss://localhost:{server.port}", context),
        ):
            async with connect(f"{url}/graphql/realtime", subprotocols=["graphql-ws"], ssl=tls) as ws:  # type: ignore[list-item]
                await ws.send("hi")
                answers.append(await ws.recv())
        return answers

    assert asyncio.run(main()) == ["ws:hi", "wss:hi"]


def test_connections_that_close_or_speak_garbage_do_not_stop_the_listener(server: DualServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port)):
        pass  # closes without a byte
    with socket.create_connection(("127.0.0.1", server.port)) as raw:
        raw.sendall(b"\x16\x03\x01\x00\x05garbage")  # a broken TLS hello
        raw.settimeout(3)
        with contextlib.suppress(ConnectionResetError):
            answer = raw.recv(100)
            assert answer == b"" or answer[0] == 0x15  # closed, or a TLS alert record first
    with socket.create_connection(("127.0.0.1", server.port)) as raw:
        raw.sendall(b"\x00\x01 not http\r\n\r\n")
        raw.settimeout(3)
        assert raw.recv(100).startswith(b"HTTP/1.1 400")
    assert httpx.get(f"http://127.0.0.1:{server.port}/where").status_code == 200


def test_node_trusts_the_ca_through_node_extra_ca_certs(server: DualServer, paths: Certificates) -> None:
    """What the e2e and users do: Node's fetch to https://localhost with NODE_EXTRA_CA_CERTS."""
    import subprocess

    script = (
        f"fetch('https://localhost:{server.port}/where').then(r => r.json()).then(j => console.log(j.scheme))"
    )
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(paths.ca_cert)}
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, env=env, timeout=30)
    assert result.stdout.strip() == "https", result.stderr
