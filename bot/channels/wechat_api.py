"""WeChat's customer-service message API (客服消息), for answers that miss the 5-second rule.

wechatpy's WeChatClient does the calls; this subclass makes three changes:

- every call, the access-token fetch included, goes to WECHAT_API_BASE (wechatpy hard-codes
  https://api.weixin.qq.com for the token), so tests and proxies can stand in for WeChat;
- the token lives in the channel's shared state (Redis or memory) until shortly before it
  expires, and a miss is refreshed under a lock by one replica at a time: every fetch makes
  a new token and the old one stops working soon after, so replicas must not race;
- when WeChat rejects the token anyway (40001, 40014, 42001: another system refreshed it,
  or it was revoked), the client forgets that token, refreshes once and retries once —
  wechatpy's own retry refreshes without a lock and retries without limit.

The client is synchronous (requests): call it in `asyncio.to_thread`.
"""

from __future__ import annotations

import logging
from typing import Any

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.channels.wechat_state import ChannelState
from settings import Settings

logger = logging.getLogger(__name__)

# Error codes meaning "this access token is not (or no longer) valid".
TOKEN_REJECTED = frozenset({40001, 40014, 42001})
# Refresh this long before WeChat's expiry, so a token is never used in its last minutes.
EXPIRY_MARGIN = 300
TOKEN_KEY = "access_token"
# Seconds for one HTTP call, and to wait for another replica's refresh.
HTTP_TIMEOUT = 10.0
LOCK_TIMEOUT = 15.0
# Where wechatpy sends calls unless told otherwise (some endpoint classes name it themselves).
WECHAT_BASE = "https://api.weixin.qq.com/"


class CustomerServiceClient(WeChatClient):
    """wechatpy's client aimed at WECHAT_API_BASE, with a token shared by all replicas."""

    def __init__(self, settings: Settings, state: ChannelState) -> None:
        super().__init__(
            settings.wechat_app_id,
            settings.wechat_app_secret,
            timeout=HTTP_TIMEOUT,
            auto_retry=False,
        )
        self._base = settings.wechat_api_base.rstrip("/") + "/"
        # An instance attribute: wechatpy builds endpoint URLs from API_BASE_URL.
        self.API_BASE_URL = self._base + "cgi-bin/"
        self._state = state

    def _rebased(self, url: str) -> str:
        """Points a URL wechatpy built for api.weixin.qq.com at WECHAT_API_BASE."""
        return self._base + url[len(WECHAT_BASE) :] if url.startswith(WECHAT_BASE) else url

    def fetch_access_token(self) -> dict[str, Any]:
        """Fetches a new token from WECHAT_API_BASE and stores it in the shared state."""
        logger.info("fetching a WeChat access token")
        response = self._http.get(
            self.API_BASE_URL + "token",
            params={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
            },
            timeout=self.timeout,
        )
        response.raise_for_status()
        result: dict[str, Any] = self._handle_result(response)  # raises on an errcode
        expires_in = int(result.get("expires_in") or 7200)
        ttl = expires_in - EXPIRY_MARGIN if expires_in > 2 * EXPIRY_MARGIN else expires_in / 2
        self._state.put(TOKEN_KEY, str(result["access_token"]), ttl)
        return result

    @property
    def access_token(self) -> str:
        """Returns the shared token; on a miss one replica fetches while the others wait."""
        token = self._state.get(TOKEN_KEY)
        if token:
            return token
        with self._state.lock(TOKEN_KEY, LOCK_TIMEOUT):
            token = self._state.get(TOKEN_KEY)  # another replica may have just refreshed it
            if not token:
                self.fetch_access_token()
                token = self._state.get(TOKEN_KEY)
        if not token:
            raise WeChatClientException(None, "no access token after a refresh", client=self)
        return token

    def forget_token(self, rejected: str) -> None:
        """Forgets a token WeChat rejected, unless another replica already replaced it."""
        with self._state.lock(TOKEN_KEY, LOCK_TIMEOUT):
            if self._state.get(TOKEN_KEY) == rejected:
                self._state.take(TOKEN_KEY)

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """Calls the API with the shared token; on a rejected token refreshes and retries once."""
        url_or_endpoint = self._rebased(url_or_endpoint)
        if kwargs.get("api_base_url"):
            kwargs["api_base_url"] = self._rebased(kwargs["api_base_url"])
        token = self.access_token
        kwargs["params"] = {**(kwargs.get("params") or {}), "access_token": token}
        try:
            return super()._request(method, url_or_endpoint, **kwargs)
        except WeChatClientException as error:
            if error.errcode not in TOKEN_REJECTED:
                raise
            logger.info("WeChat rejected the access token (%s): refreshing once", error.errcode)
        self.forget_token(token)
        kwargs["params"] = {**kwargs["params"], "access_token": self.access_token}
        return super()._request(method, url_or_endpoint, **kwargs)

    def send_text(self, openid: str, text: str) -> None:
        """Sends one text message to a follower (message/custom/send)."""
        self.message.send_text(openid, text)
