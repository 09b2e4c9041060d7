"""Understanding when an accident happened, the way customers say it.

Accepts relative days (今天, 昨天, 前天, 大前天, N天前, 上周五), dates (3月5日, 2026年3月5日,
3.5, 2026-03-05), parts of the day (早上, 下午, 晚上, 凌晨) and clock times in digits or Chinese
numerals (三点, 下午3:30, 十四点半), 刚才/刚刚 (now), and N小时前. Returns None when it cannot
tell; the caller asks again rather than guessing.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import cn2an

_NUM = r"[0-9零〇一二两三四五六七八九十百]+"
# Days back from today; 明天 and 后天 give future times, which the caller then refuses.
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "今早": 0, "今晚": 0, "昨天": 1, "昨日": 1, "昨晚": 1,
                  "前天": 2, "大前天": 3, "明天": -1, "后天": -2}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_AFTERNOON = ("下午", "晚上", "傍晚", "夜里", "夜间", "今晚", "昨晚")


def _number(text: str) -> int | None:
    """Reads 3, 十五, 两 or 二十三 as an integer."""
    if text.isdigit():
        return int(text)
    try:
        return int(cn2an.cn2an(text.replace("两", "二").replace("〇", "零"), "smart"))
    except (ValueError, KeyError):
        return None


def _day(text: str, today: date) -> date | None:
    for word, back in sorted(_RELATIVE_DAYS.items(), key=lambda kv: -len(kv[0])):
        if word in text:
            return today - timedelta(days=back)
    if match := re.search(rf"({_NUM})天(?:以)?前", text):
        days = _number(match.group(1))
        return today - timedelta(days=days) if days is not None else None
    if match := re.search(r"上(?:个)?(?:周|星期|礼拜)([一二三四五六日天])", text):
        weekday = _WEEKDAYS[match.group(1)]
        monday_this_week = today - timedelta(days=today.weekday())
        return monday_this_week - timedelta(days=7 - weekday)
    if match := re.search(r"(?:这|本)(?:周|星期|礼拜)([一二三四五六日天])", text):
        weekday = _WEEKDAYS[match.group(1)]
        return today - timedelta(days=today.weekday() - weekday)
    if match := re.search(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", text):
        year, month, day_ = (int(g) for g in match.groups())
        return _safe_date(year, month, day_)
    if match := re.search(rf"({_NUM})月({_NUM})[日号]?", text):
        month_number, day_number = _number(match.group(1)), _number(match.group(2))
        if month_number is None or day_number is None:
            return None
        found = _safe_date(today.year, month_number, day_number)
        # "12月30日" said in January means last year.
        if found and found > today:
            found = _safe_date(today.year - 1, month_number, day_number)
        return found
    if match := re.search(r"(?<!\d)(\d{1,2})[./](\d{1,2})(?!\d)", text):
        found = _safe_date(today.year, int(match.group(1)), int(match.group(2)))
        if found and found > today:
            found = _safe_date(today.year - 1, int(match.group(1)), int(match.group(2)))
        return found
    return None


def _safe_date(year: int, month: int, day_: int) -> date | None:
    try:
        return date(year, month, day_)
    except ValueError:
        return None


def _clock(text: str) -> tuple[int, int] | None:
    match = re.search(rf"({_NUM})\s*[点:：時时](?:\s*(半|({_NUM})\s*分?))?", text)
    if not match:
        return None
    hour = _number(match.group(1))
    if hour is None or hour > 24:
        return None
    minute = 30 if match.group(2) == "半" else (_number(match.group(3)) if match.group(3) else 0)
    if minute is None or minute > 59:
        return None
    if hour < 12 and any(word in text for word in _AFTERNOON):
        hour += 12
    if hour == 12 and "凌晨" in text:
        hour = 0
    return hour % 24, minute


def parse_accident_time(text: str, now: datetime) -> datetime | None:
    """Returns the moment a customer describes, or None if the text names no time."""
    if re.search(r"刚才|刚刚|就在刚|现在", text):
        return now.replace(second=0, microsecond=0)
    if match := re.search(rf"({_NUM})\s*(?:个)?(?:小时|钟头)(?:以)?前", text):
        hours = _number(match.group(1))
        return (now - timedelta(hours=hours)).replace(second=0, microsecond=0) if hours else None
    if match := re.search(rf"({_NUM})\s*分钟(?:以)?前", text):
        minutes = _number(match.group(1))
        if not minutes:
            return None
        return (now - timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    day = _day(text, now.date())
    clock = _clock(text)
    if day is None and clock is None:
        return None
    day = day or now.date()
    hour, minute = clock or (12, 0)
    if clock is None:
        # A day without a time: use a rough part of the day if given, else noon.
        for word, rough in (("凌晨", 3), ("早上", 8), ("上午", 10), ("中午", 12), ("下午", 15),
                            ("傍晚", 18), ("晚上", 20), ("夜里", 23)):
            if word in text:
                hour = rough
                break
    return datetime(day.year, day.month, day.day, hour, minute)
