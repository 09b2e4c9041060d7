"""State the WeChat channel shares between replicas: short-lived keys and a lock.

Three things need it: the MsgIds already answered (WeChat retries a POST it got no answer
to), each user's last buttons (so "1" picks the first), and the customer-service access token
(fetching a new one invalidates the old one, so only one replica may refresh at a time). With
REDIS_URL set they live in Redis and every replica sees them; otherwise in this process's
memory, which is right for a single replica.

The interface is synchronous (redis-py is): the channel calls it in `asyncio.to_thread`, and
wechatpy's client calls it from its own worker thread.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Protocol

from settings import Settings


class StateUnavailable(Exception):
    """The shared state could not be reached or the lock not taken in time."""


class ChannelState(Protocol):
    """Keys that expire, and a lock; every key is namespaced by the caller."""

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Stores `value` unless `key` exists; returns whether it was stored."""
        ...

    def put(self, key: str, value: str, ttl: float) -> None:
        """Stores `value` under `key` for `ttl` seconds."""
        ...

    def get(self, key: str) -> str | None:
        """Returns the value of `key`, or None when missing or expired."""
        ...

    def take(self, key: str) -> bool:
        """Deletes `key`; returns whether it existed (only one caller ever gets True)."""
        ...

    def lock(self, name: str, timeout: float) -> contextlib.AbstractContextManager[None]:
        """Holds a lock across replicas; raises StateUnavailable if not taken in `timeout`."""
        ...


class MemoryState:
    """ChannelState in this process's memory (one replica)."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _live(self, key: str, now: float) -> str | None:
        """Returns the value of a key that has not expired (caller holds the guard)."""
        found = self._values.get(key)
        if found is None:
            return None
        if found[1] <= now:
            del self._values[key]
            return None
        return found[0]

    def _prune(self, now: float) -> None:
        """Drops expired keys so the dict does not grow forever (caller holds the guard)."""
        if len(self._values) > 10_000:
            for key in [k for k, (_, until) in self._values.items() if until <= now]:
                del self._values[key]

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Stores `value` unless `key` exists; returns whether it was stored."""
        now = time.monotonic()
        with self._guard:
            self._prune(now)
            if self._live(key, now) is not None:
                return False
            self._values[key] = (value, now + ttl)
            return True

    def put(self, key: str, value: str, ttl: float) -> None:
        """Stores `value` under `key` for `ttl` seconds."""
        now = time.monotonic()
        with self._guard:
            self._prune(now)
            self._values[key] = (value, now + ttl)

    def get(self, key: str) -> str | None:
        """Returns the value of `key`, or None when missing or expired."""
        with self._guard:
            return self._live(key, time.monotonic())

    def take(self, key: str) -> bool:
        """Deletes `key`; returns whether it existed."""
        with self._guard:
            existed = self._live(key, time.monotonic()) is not None
            self._values.pop(key, None)
            return existed

    @contextlib.contextmanager
    def lock(self, name: str, timeout: float) -> Iterator[None]:
        """Holds a per-name thread lock."""
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        if not lock.acquire(timeout=timeout):
            raise StateUnavailable(f"lock {name} not acquired in {timeout} s")
        try:
            yield
        finally:
            lock.release()


class RedisState:
    """ChannelState in Redis, shared by every replica."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis  # only needed when REDIS_URL is set

        self._redis = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}{key}"

    @contextlib.contextmanager
    def _reached(self) -> Iterator[None]:
        """Turns Redis errors into StateUnavailable, the one error callers handle."""
        from redis.exceptions import RedisError

        try:
            yield
        except RedisError as error:
            raise StateUnavailable(f"redis: {error}") from error

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Stores `value` unless `key` exists (SET NX PX); returns whether it was stored."""
        with self._reached():
            return bool(self._redis.set(self._key(key), value, nx=True, px=int(ttl * 1000)))

    def put(self, key: str, value: str, ttl: float) -> None:
        """Stores `value` under `key` for `ttl` seconds."""
        with self._reached():
            self._redis.set(self._key(key), value, px=int(ttl * 1000))

    def get(self, key: str) -> str | None:
        """Returns the value of `key`, or None."""
        with self._reached():
            value = self._redis.get(self._key(key))
        return value.decode() if isinstance(value, bytes) else value

    def take(self, key: str) -> bool:
        """Deletes `key`; returns whether it existed (DEL is atomic)."""
        with self._reached():
            return bool(self._redis.delete(self._key(key)))

    @contextlib.contextmanager
    def lock(self, name: str, timeout: float) -> Iterator[None]:
        """Holds a Redis lock that expires by itself if its holder dies."""
        from redis.exceptions import RedisError

        with self._reached():
            lock = self._redis.lock(
                self._key(f"lock:{name}"), timeout=timeout * 2, blocking_timeout=timeout
            )
            acquired = lock.acquire()
        if not acquired:
            raise StateUnavailable(f"lock {name} not acquired in {timeout} s")
        try:
            yield
        finally:
            with contextlib.suppress(RedisError):  # expired meanwhile: no longer ours
                lock.release()


def state_for(settings: Settings) -> ChannelState:
    """Builds the state the settings ask for: Redis when REDIS_URL is set, else memory."""
    if settings.redis_url:
        return RedisState(settings.redis_url, prefix=f"wechat:{settings.wechat_app_id}:")
    return MemoryState()
