"""Calls to the action server over kept-alive connections, not a new TCP connection each.

Rasa opens a new aiohttp session for every call to the action server, and with it a new
connection pool, so every call connects anew (two or three calls per message). Here the
sessions Rasa opens on the server's event loop share one pool: aiohttp's
`connector_owner=False` leaves the pool open when Rasa closes the session. Everything else
about the session is Rasa's: headers, basic auth, the timeout. The server opens the pool when
it starts and closes it when it stops (listeners in bot/channels/rest.py); on any other loop,
or before the pool is open, sessions are Rasa's own.

A kept connection could be closed by the server just as a request goes out on it. aiohttp does
not retry a POST then (rightly: the action may have run), so that call would fail. The pool
rules the race out by dropping a connection after IDLE_SECONDS without use, well before the
servers close idle ones themselves (the action server, Sanic: 5 s; nginx: 75 s). A server that
restarts closes its connections, and aiohttp does not reuse closed ones. The pool serves every
endpoint Rasa calls (today only the action server is configured): one behind a server that
closes idle connections within IDLE_SECONDS would bring the race back.
"""

from __future__ import annotations

import asyncio

import aiohttp
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig

IDLE_SECONDS = 2.0
_shared: tuple[asyncio.AbstractEventLoop, aiohttp.TCPConnector] | None = None


async def open_pool() -> None:
    """Opens the pool on the running loop (no limit on connections, as Rasa had none)."""
    global _shared
    await close_pool()
    loop = asyncio.get_running_loop()
    _shared = (loop, aiohttp.TCPConnector(limit=0, keepalive_timeout=IDLE_SECONDS))


async def close_pool() -> None:
    """Closes the pool if it belongs to the running loop: no connection is left open."""
    global _shared
    if _shared is not None and _shared[0] is asyncio.get_running_loop():
        connector, _shared = _shared[1], None
        await connector.close()


def _pool() -> aiohttp.TCPConnector | None:
    """The open pool, if this code runs on its loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop: Rasa's own session
        return None
    if _shared is None or _shared[0] is not loop or _shared[1].closed:
        return None
    return _shared[1]


def session(self: EndpointConfig) -> aiohttp.ClientSession:
    """EndpointConfig.session, on the shared pool when there is one."""
    auth = None
    if self.basic_auth:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
    pool = _pool()
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=pool,
        connector_owner=pool is None,
    )


def install() -> None:
    """Opens Rasa's HTTP sessions on the shared pool (once the server has opened it)."""
    EndpointConfig.session = session
