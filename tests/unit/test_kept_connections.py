"""Rasa's HTTP calls reuse connections, drop idle ones, and survive a server restart."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_speedups import kept_connections


async def _with_server(test: Callable[[str, list[Any]], Awaitable[None]], port: int = 0) -> int:
    """Runs `test(url, seen)` against a server recording each request's client address."""
    seen: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.transport.get_extra_info("peername")[1],
                     request.headers.get("Authorization"), request.headers.get("X-Test")))
        return web.json_response({"events": [], "echo": await request.json()})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, reuse_address=True)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await test(f"http://127.0.0.1:{port}", seen)
    finally:
        await kept_connections.close()
        await runner.cleanup()
    return port


@pytest.fixture(autouse=True)
def installed() -> None:
    kept_connections.install()


def test_calls_share_one_connection_and_keep_rasas_settings() -> None:
    async def test(url: str, seen: list[Any]) -> None:
        endpoint = EndpointConfig(f"{url}/webhook", headers={"X-Test": "1"},
                                  basic_auth={"username": "u", "password": "p"})
        for n in range(5):
            reply = await endpoint.request(json={"n": n}, method="post")
            assert reply["echo"] == {"n": n}
        assert len({port for port, _, _ in seen}) == 1  # one TCP connection for five calls
        assert {(auth, header) for _, auth, header in seen} == {("Basic dTpw", "1")}

    asyncio.run(_with_server(test))


def test_an_idle_connection_is_dropped_before_the_server_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kept_connections, "IDLE_SECONDS", 0.2)

    async def test(url: str, seen: list[Any]) -> None:
        endpoint = EndpointConfig(f"{url}/webhook")
        await endpoint.request(json={}, method="post")
        await asyncio.sleep(0.6)
        await endpoint.request(json={}, method="post")
        assert len({port for port, _, _ in seen}) == 2

    asyncio.run(_with_server(test))
    assert kept_connections.IDLE_SECONDS < 5  # Sanic's keep-alive timeout


def test_a_restarted_server_gets_a_new_connection() -> None:
    async def run() -> None:
        async def first(url: str, seen: list[Any]) -> None:
            await EndpointConfig(f"{url}/webhook").request(json={}, method="post")

        port = await _with_server(first)  # the server stops, closing the kept connection
        await asyncio.sleep(0.05)

        async def second(url: str, seen: list[Any]) -> None:
            for _ in range(2):
                reply = await EndpointConfig(f"{url}/webhook").request(json={}, method="post")
                assert reply["events"] == []
            assert len(seen) == 2

        await _with_server(second, port)  # the same address again

    asyncio.run(run())


def test_each_event_loop_has_its_own_pool() -> None:
    async def get() -> Any:
        return kept_connections.pool()

    first, second = asyncio.run(get()), asyncio.run(get())
    assert first is not second


def test_closing_closes_the_loops_pool() -> None:
    async def run() -> None:
        found = kept_connections.pool()
        await kept_connections.close()
        assert found.closed
        assert kept_connections.pool() is not found  # a new one on the next call
        await kept_connections.close()

    asyncio.run(run())
