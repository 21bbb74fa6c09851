"""TLS on the GraphQL port: a local certificate authority, a localhost certificate, and one port that
speaks both plain HTTP/ws and TLS/wss.

Amplify JS v6 always dials `wss://<host>/graphql/realtime` for a non-AppSync endpoint, even when the
config says `http://`, while curl, the console and older clients use `http://`. So the listener looks
at the first byte of every connection: 0x16 (a TLS handshake record) gets TLS, anything else is handed
to the HTTP server as it is. Nothing is read from the socket to decide (MSG_PEEK), so both paths see
the connection from its first byte and there is no proxy hop.

The CA and the certificate are made on first use under `~/.amplify-local/tls/` (or
`$AMPLIFY_LOCAL_HOME/tls/`) and reused, so trusting the CA once is enough: `trust_instructions()` says
how (browsers, the OS store, `NODE_EXTRA_CA_CERTS` for Node).

Wiring, in place of `server.serve(sockets=[sock])` (the listener also sets `TCP_NODELAY` on every
connection: with uvicorn's own listener under plain `asyncio.run`, each keep-alive HTTP request here
took 44 ms, a delayed-ACK stall; through this listener 2-7 ms on either loop):

    paths = ensure_certificates()
    print(trust_instructions(paths))
    await serve_uvicorn(server, sock, server_context(paths))
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import logging
import os
import socket
import ssl
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # cryptography (~50 ms to import) loads in ensure_certificates, off the cold start
    import uvicorn
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

logger = logging.getLogger("amplify_local.tls")

TLS_HANDSHAKE = 0x16
CA_NAME = "amplify-local development CA"
HOSTNAMES = ("localhost",)
ADDRESSES = ("127.0.0.1", "::1")
CA_DAYS = 3650
LEAF_DAYS = 825
RENEW_BEFORE = datetime.timedelta(days=30)
FIRST_BYTE_TIMEOUT = 30.0


class Certificates:
    """Where the CA and the localhost certificate live (PEM files). A plain class: a dataclass costs ~1 ms
    of the mock's cold start to define."""

    __slots__ = ("directory",)

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca-key.pem"

    @property
    def cert(self) -> Path:
        return self.directory / "localhost.pem"

    @property
    def key(self) -> Path:
        return self.directory / "localhost-key.pem"


def default_directory() -> Path:
    home = os.environ.get("AMPLIFY_LOCAL_HOME")
    return (Path(home) if home else Path.home() / ".amplify-local") / "tls"


def ensure_certificates(directory: Path | None = None, hosts: Iterable[str] = ()) -> Certificates:
    """Create the CA and the localhost certificate if missing; renew the certificate before it expires.

    `hosts` are more names or addresses the certificate must cover (the client config may name the
    machine's LAN address, as the reference mock writes it); a certificate lacking one is reissued.
    """
    global ExtendedKeyUsageOID, NameOID, ec, hashes, serialization, x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    paths = Certificates(directory or default_directory())
    paths.directory.mkdir(parents=True, exist_ok=True)
    if paths.ca_cert.exists() and paths.ca_key.exists():
        ca_key = serialization.load_pem_private_key(paths.ca_key.read_bytes(), None)
        ca_cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    else:
        ca_key, ca_cert = _make_ca()
        _write(paths.ca_key, _key_pem(ca_key), private=True)
        _write(paths.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM))
    names = _names(hosts)
    if _needs_leaf(paths, ca_cert, names):
        key, cert = _make_leaf(ca_key, ca_cert, names)  # type: ignore[arg-type]
        _write(paths.key, _key_pem(key), private=True)
        _write(paths.cert, cert.public_bytes(serialization.Encoding.PEM))
    return paths


def server_context(paths: Certificates) -> ssl.SSLContext:
    """The server side of TLS for the sniffing listener (HTTP/1.1, which WebSocket upgrades need)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths.cert, paths.key)
    context.set_alpn_protocols(["http/1.1"])
    return context


class LazyContext:
    """`server_context(paths)`, made when the first TLS connection arrives: loading the certificate costs
    ~5 ms of the cold start, and the first clients usually speak plain HTTP."""

    def __init__(self, paths: Certificates) -> None:
        self.paths = paths
        self.context: ssl.SSLContext | None = None

    def __call__(self) -> ssl.SSLContext:
        if self.context is None:
            self.context = server_context(self.paths)
        return self.context

    def renewed(self) -> None:
        """The certificate files changed: new connections get a context that loads them."""
        self.context = None


def trust_instructions(paths: Certificates) -> str:
    """How to make clients trust the CA, printed when the mock starts."""
    return "\n".join(
        [
            f"TLS: wss:// and https:// on the same port use a local CA: {paths.ca_cert}",
            f"  Node (Amplify JS, tests):  export NODE_EXTRA_CA_CERTS={paths.ca_cert}",
            "  Browsers: import it as a trusted authority (Chrome/Edge: Settings > Privacy and security >",
            "    Security > Manage certificates > Authorities; Firefox: Settings > Certificates > Authorities),",
            "  or into the OS store (macOS: security add-trusted-cert -d -r trustRoot -k"
            f" /Library/Keychains/System.keychain {paths.ca_cert};",
            f"    Debian/Ubuntu: cp {paths.ca_cert} /usr/local/share/ca-certificates/amplify-local.crt"
            " && update-ca-certificates).",
        ]
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, private: bool = False) -> None:
    """Atomically, so two mocks starting at once never read half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _make_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _names(hosts: Iterable[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in (*HOSTNAMES, *ADDRESSES, *hosts):
        try:
            name: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            name = x509.DNSName(host)
        if name not in names:
            names.append(name)
    return names


def _make_leaf(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, names: list[x509.GeneralName]
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=LEAF_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _needs_leaf(paths: Certificates, ca_cert: x509.Certificate, names: list[x509.GeneralName]) -> bool:
    if not (paths.cert.exists() and paths.key.exists()):
        return True
    try:
        cert = x509.load_pem_x509_certificate(paths.cert.read_bytes())
    except ValueError:
        return True
    try:
        covered = list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return True
    expiring = cert.not_valid_after_utc - RENEW_BEFORE < _now()
    return cert.issuer != ca_cert.subject or expiring or any(name not in covered for name in names)


# --- one port, two protocols ------------------------------------------------------------------------


class SniffingListener:
    """Accepts on `sock`; a connection whose first byte is a TLS handshake gets `context`, others none.

    `protocol_factory` makes the HTTP server's protocol for each connection (see `serve_uvicorn`).
    `context` may be a function that returns it (`LazyContext`), called for each TLS connection.
    """

    def __init__(
        self,
        sock: socket.socket,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        context: ssl.SSLContext | Callable[[], ssl.SSLContext],
    ) -> None:
        self.sock = sock
        self.protocol_factory = protocol_factory
        self.context = context
        self.pending: set[asyncio.Task[None]] = set()
        self.accepting: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.sock.setblocking(False)
        self.accepting = asyncio.get_running_loop().create_task(self._accept())

    async def close(self) -> None:
        tasks = [task for task in (self.accepting, *self.pending) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                conn, _ = await loop.sock_accept(self.sock)
            except OSError as error:  # e.g. too many open files: wait, do not die
                logger.warning("accept failed: %s", error)
                await asyncio.sleep(0.1)
                continue
            task = loop.create_task(self._dispatch(conn))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)

    async def _dispatch(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        try:
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await _readable(loop, conn, FIRST_BYTE_TIMEOUT)
            first = conn.recv(1, socket.MSG_PEEK)
            if not first:
                conn.close()
                return
            context = None
            if first[0] == TLS_HANDSHAKE:
                context = self.context if isinstance(self.context, ssl.SSLContext) else self.context()
            await loop.connect_accepted_socket(self.protocol_factory, conn, ssl=context)
        except (OSError, ssl.SSLError, TimeoutError) as error:
            logger.debug("connection dropped before serving: %s", error)
            conn.close()
        except asyncio.CancelledError:
            conn.close()
            raise


async def _readable(loop: asyncio.AbstractEventLoop, conn: socket.socket, timeout: float) -> None:
    ready = loop.create_future()
    descriptor = conn.fileno()
    loop.add_reader(descriptor, lambda: ready.done() or ready.set_result(None))
    try:
        await asyncio.wait_for(ready, timeout)
    finally:
        loop.remove_reader(descriptor)


async def serve_uvicorn(
    server: uvicorn.Server, sock: socket.socket, context: ssl.SSLContext | Callable[[], ssl.SSLContext],
    connection: Callable[[Callable[[], asyncio.BaseProtocol], object], asyncio.BaseProtocol] | None = None,
) -> None:
    """Run a `uvicorn.Server` on `sock` with plain and TLS connections both served.

    uvicorn runs with no listening socket of its own (`sockets=[]`): it does the lifespan, the main loop
    and the graceful shutdown; the sniffing listener hands it each accepted connection, built with
    uvicorn's own HTTP protocol class, so its connection tracking and shutdown apply to them. With
    `connection` (uvicorn's protocol factory, its server state) -> protocol, that protocol takes each
    connection first (`AppSyncApp.connection`: `mock/http.py`'s `Connection`, which hands other requests
    to uvicorn's).
    """
    config = server.config
    if not config.loaded:
        config.load()

    def protocol() -> asyncio.BaseProtocol:
        return config.http_protocol_class(  # type: ignore[call-arg]
            config=config, server_state=server.server_state, app_state=server.lifespan.state
        )

    factory = protocol if connection is None else lambda: connection(protocol, server.server_state)
    listener = SniffingListener(sock, factory, context)
    serving = asyncio.ensure_future(server.serve(sockets=[]))
    try:
        while not server.started and not serving.done():
            await asyncio.sleep(0.001)
        if server.started:
            listener.start()
        await serving
    finally:
        await listener.close()
        with contextlib.suppress(OSError):
            sock.close()
