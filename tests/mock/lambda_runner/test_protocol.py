"""Framing of the runner <-> worker protocol."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from amplify_local.mock.lambda_runner import protocol


def frames(data: bytes) -> list[object]:
    async def main() -> list[object]:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        out = []
        while (message := await protocol.read_frame(reader)) is not None:
            out.append(message)
        return out
    return asyncio.run(main())


READY = protocol.HEADER.pack(16) + b'{"type":"ready"}'


def test_round_trip_with_decimals_and_unicode() -> None:
    event = protocol.dumps({"n": Decimal("2"), "f": Decimal("1.5"), "s": "héllo"})
    data = protocol.invoke_frame(1, event, {"awsRequestId": "r"}) + READY
    assert frames(data) == [{"type": "invoke", "id": 1, "context": {"awsRequestId": "r"},
                             "event": {"n": 2, "f": 1.5, "s": "héllo"}}, {"type": "ready"}]


def test_truncated_frame_is_end_of_stream() -> None:
    assert frames(READY[:-2]) == []


@pytest.mark.parametrize(("data", "message"), [
    (protocol.HEADER.pack(protocol.MAX_FRAME_BYTES + 1), "exceeds"),
    (protocol.HEADER.pack(3) + b"{x}", "not JSON"),
    (protocol.HEADER.pack(2) + b"[]", "not a JSON object"),
])
def test_broken_frames(data: bytes, message: str) -> None:
    with pytest.raises(protocol.ProtocolError, match=message):
        frames(data)
