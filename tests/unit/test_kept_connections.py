"""Rasa's HTTP calls reuse connections on the server's loop, drop idle ones, survive restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_speedups import kept_connections


async def _with_server(test: Callable[[str, list[Any]], Awaitable[None]], port: int = 0) -> int:
    """Runs `test(url, seen)` against a server recording each request's client port."""
    seen: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.transport.get_extra_info("peername")[1],  # type: ignore[union-attr]
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
        await runner.cleanup()
    return port


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)  # undone afterwards
    kept_connections.install()


async def _calls(url: str, n: int, **settings: Any) -> None:
    endpoint = EndpointConfig(f"{url}/webhook", **settings)
    for i in range(n):
        reply = await endpoint.request(json={"n": i}, method="post")
        assert reply["echo"] == {"n": i}


def test_calls_share_one_connection_and_keep_rasas_settings() -> None:
    async def test(url: str, seen: list[Any]) -> None:
        await kept_connections.open_pool()
        try:
            await _calls(url, 5, headers={"X-Test": "1"},
                         basic_auth={"username": "u", "password": "p"})
        finally:
            await kept_connections.close_pool()
        assert len({port for port, _, _ in seen}) == 1  # one TCP connection for five calls
        assert {(auth, header) for _, auth, header in seen} == {("Basic dTpw", "1")}

    asyncio.run(_with_server(test))


def test_without_the_pool_each_call_connects_as_in_rasa() -> None:
    async def test(url: str, seen: list[Any]) -> None:
        await _calls(url, 3)  # the pool was never opened on this loop
        assert len({port for port, _, _ in seen}) == 3

    asyncio.run(_with_server(test))


def test_an_idle_connection_is_dropped_before_the_server_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kept_connections, "IDLE_SECONDS", 0.2)

    async def test(url: str, seen: list[Any]) -> None:
        await kept_connections.open_pool()
        try:
            await _calls(url, 1)
            await asyncio.sleep(0.6)
            await _calls(url, 1)
        finally:
            await kept_connections.close_pool()
        assert len({port for port, _, _ in seen}) == 2

    asyncio.run(_with_server(test))
    assert kept_connections.IDLE_SECONDS < 5  # Sanic's keep-alive timeout


def test_a_restarted_server_gets_a_new_connection() -> None:
    async def run() -> None:
        await kept_connections.open_pool()
        try:
            async def first(url: str, seen: list[Any]) -> None:
                await _calls(url, 1)

            port = await _with_server(first)  # the server stops, closing the kept connection
            await asyncio.sleep(0.05)

            async def second(url: str, seen: list[Any]) -> None:
                await _calls(url, 2)
                assert len(seen) == 2

            await _with_server(second, port)  # the same address again
        finally:
            await kept_connections.close_pool()

    asyncio.run(run())


def test_the_pool_serves_only_its_own_loop_and_closes() -> None:
    async def open_here() -> Any:
        await kept_connections.open_pool()
        return kept_connections._pool()

    pool = asyncio.run(open_here())  # that loop is closed now
    assert pool is not None and not pool.closed

    async def elsewhere() -> None:
        assert kept_connections._pool() is None  # another loop: Rasa's own sessions
        await kept_connections.open_pool()  # replaces the old pool
        assert kept_connections._pool() is not pool
        await kept_connections.close_pool()
        assert kept_connections._pool() is None

    asyncio.run(elsewhere())
