"""Settings of the assistant, read from the environment when asked for.

Every process (Rasa server, action server, scripts, tests) reads its settings here, so the
names and defaults documented in `.env.example` live in one place. Nothing is read at import:
call :func:`get_settings` (cached) and, in tests, :func:`reset_settings` after changing the
environment.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Calibrated on the labelled questions (README, "Knowledge base"); recalibrate when articles change.
DEFAULT_KB_THRESHOLD = 0.24
# The lower bar when the article covers every concept the question names (same calibration).
DEFAULT_KB_COVERED_THRESHOLD = 0.18


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    try:
        return int(_env(name, str(default)))
    except ValueError:
        return default


def _env_float(name: str, default: float) -> float:
    try:
        return float(_env(name, str(default)))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    """The assistant's settings; field comments name the environment variable."""

    # CLAIMS_DB_URL: SQLAlchemy URL of the claims database.
    claims_db_url: str
    # CLAIMS_DB_TIMEOUT: seconds before a database call counts as "unavailable".
    claims_db_timeout: float
    # CLAIMS_SECRET: key for hashing verification digits and phone numbers.
    claims_secret: str
    # CLAIMS_DATA_KEY: Fernet key that encrypts contact phones of newly reported claims.
    claims_data_key: str
    # VERIFY_MAX_ATTEMPTS: wrong verification answers allowed before a lock-out.
    verify_max_attempts: int
    # VERIFY_LOCK_MINUTES: how long a claim reference stays locked after the lock-out.
    verify_lock_minutes: int
    # KNOWLEDGE_DIR: folder of the knowledge-base articles.
    knowledge_dir: Path
    # KB_THRESHOLD: retrieval confidence below which the assistant declines to answer.
    kb_threshold: float
    # KB_STRICT_THRESHOLD: the stricter bar for answering from the knowledge base a message
    # the NLU sent elsewhere (out of scope, stop without a form, a report that asks a question).
    kb_strict_threshold: float
    # KB_COVERED_THRESHOLD: the lower bar for an article that covers every insurance concept
    # the question names (knowledge/search.py, is_sure); not for the stricter cases.
    kb_covered_threshold: float
    # SERVICE_HOTLINE: the claims hotline shown to customers.
    service_hotline: str
    # SERVICE_HOURS: when human agents are available.
    service_hours: str
    # VAR_DIR: runtime data (demo database, knowledge-gap log).
    var_dir: Path
    # AGENT_TOKENS: comma-separated "agent_id:token" pairs for the agents' console.
    agent_tokens: str
    # REDIS_URL: shared state of several replicas (WeChat dedup, access token); "" = in memory.
    redis_url: str
    # WECHAT_TOKEN: the token configured on the 公众号 developer page (signatures).
    wechat_token: str
    # WECHAT_AES_KEY: the 43-character EncodingAESKey ("" = plain-text mode only).
    wechat_aes_key: str
    # WECHAT_APP_ID / WECHAT_APP_SECRET: for the customer-service message API.
    wechat_app_id: str
    wechat_app_secret: str
    # WECHAT_API_BASE: base URL of WeChat's API (tests point it at a local fake).
    wechat_api_base: str
    # WECHAT_REPLY_SECONDS: how long to wait for a passive reply before answering "success"
    # and sending the answer through the customer-service API (WeChat allows 5 s).
    wechat_reply_seconds: float
    # TURN_SLOTS: turns the Rasa server runs at once, the others wait in line (0 = no limit).
    turn_slots: int
    # TURN_SLOT_WAIT: seconds a turn waits for a slot before it runs anyway.
    turn_slot_wait: float


def default_db_url(var_dir: Path) -> str:
    """Returns the embedded SQLite database under `var/`."""
    return f"sqlite:///{var_dir / 'claims.db'}"


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Reads the settings from the environment (once per process, see reset_settings)."""
    var_dir = Path(_env("VAR_DIR", str(ROOT / "var")))
    return Settings(
        claims_db_url=_env("CLAIMS_DB_URL", default_db_url(var_dir)),
        claims_db_timeout=_env_float("CLAIMS_DB_TIMEOUT", 3.0),
        claims_secret=_env("CLAIMS_SECRET", "dev-only-secret-change-me"),
        claims_data_key=_env(
            "CLAIMS_DATA_KEY", "ZGV2LW9ubHkta2V5LWNoYW5nZS1pbi1wcm9kLTAwMDA="
        ),
        verify_max_attempts=_env_int("VERIFY_MAX_ATTEMPTS", 3),
        verify_lock_minutes=_env_int("VERIFY_LOCK_MINUTES", 30),
        knowledge_dir=Path(_env("KNOWLEDGE_DIR", str(ROOT / "knowledge" / "articles"))),
        kb_threshold=_env_float("KB_THRESHOLD", DEFAULT_KB_THRESHOLD),
        kb_strict_threshold=_env_float("KB_STRICT_THRESHOLD", 0.4),
        kb_covered_threshold=_env_float("KB_COVERED_THRESHOLD", DEFAULT_KB_COVERED_THRESHOLD),
        service_hotline=_env("SERVICE_HOTLINE", "95518"),
        service_hours=_env("SERVICE_HOURS", "每天 8:00–20:00"),
        var_dir=var_dir,
        agent_tokens=_env("AGENT_TOKENS", ""),
        redis_url=_env("REDIS_URL", ""),
        wechat_token=_env("WECHAT_TOKEN", ""),
        wechat_aes_key=_env("WECHAT_AES_KEY", ""),
        wechat_app_id=_env("WECHAT_APP_ID", ""),
        wechat_app_secret=_env("WECHAT_APP_SECRET", ""),
        wechat_api_base=_env("WECHAT_API_BASE", "https://api.weixin.qq.com"),
        wechat_reply_seconds=_env_float("WECHAT_REPLY_SECONDS", 4.0),
        turn_slots=_env_int("TURN_SLOTS", 4),
        turn_slot_wait=_env_float("TURN_SLOT_WAIT", 2.0),
    )


def reset_settings() -> None:
    """Forgets the cached settings so the next call re-reads the environment."""
    get_settings.cache_clear()
