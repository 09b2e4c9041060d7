"""Calls to the action server over kept-alive connections, not a new TCP connection each.

Rasa opens a new aiohttp session for every call to the action server, and with it a new
connection pool, so every call connects anew (two or three calls per message). Here the
sessions Rasa opens share one pool per event loop: aiohttp's `connector_owner=False` leaves the
pool open when Rasa closes the session. Everything else about the session is Rasa's: headers,
basic auth, the timeout.

A kept connection could be closed by the server just as a request goes out on it. aiohttp does
not retry a POST then (rightly: the action may have run), so that call would fail. The pool
rules the race out by dropping a connection after IDLE_SECONDS without use, well before the
servers close idle ones themselves (the action server, Sanic: 5 s; nginx: 75 s). A server that
restarts closes its connections, and aiohttp does not reuse closed ones.
"""

from __future__ import annotations

import asyncio
import weakref

import aiohttp
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig

IDLE_SECONDS = 2.0
_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.TCPConnector] = (
    weakref.WeakKeyDictionary()
)


def pool() -> aiohttp.TCPConnector:
    """The running loop's connection pool (no limit on connections, as Rasa had none)."""
    loop = asyncio.get_running_loop()
    found = _pools.get(loop)
    if found is None or found.closed:
        found = aiohttp.TCPConnector(limit=0, keepalive_timeout=IDLE_SECONDS)
        _pools[loop] = found
    return found


async def close() -> None:
    """Closes the running loop's pool (when the server stops: no unclosed connections)."""
    found = _pools.pop(asyncio.get_running_loop(), None)
    if found is not None:
        await found.close()


def session(self: EndpointConfig) -> aiohttp.ClientSession:
    """EndpointConfig.session on the shared pool."""
    auth = None
    if self.basic_auth:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=pool(),
        connector_owner=False,
    )


def install() -> None:
    """Opens Rasa's HTTP sessions on the shared pools."""
    EndpointConfig.session = session
