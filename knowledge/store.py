"""Loading and validating knowledge-base articles (Markdown with YAML front matter)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

AUDIENCES = {"customer", "agent", "both"}
TOPICS = {
    "coverage", "procedure", "documents", "timeline", "payment", "dispute", "general",
    "guidance",
}
LINES = {
    "通用", "车险", "交强险", "车损险", "三者险", "车上人员险", "医疗险", "重疾险", "意外险",
    "家财险", "寿险", "旅行险",
}
MOTOR_LINES = {"交强险", "车损险", "三者险", "车上人员险"}
_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")


def join_lines(text: str) -> str:
    """Joins wrapped lines: no space next to Chinese characters, one between Latin words."""
    return _SPACE_BETWEEN_CJK.sub("", " ".join(text.split()))


class ArticleError(ValueError):
    """An article file that does not follow the format in knowledge/README.md."""


@dataclass(frozen=True)
class Article:
    """One knowledge-base article."""

    id: str
    title: str
    audience: str
    lines: tuple[str, ...]
    topic: str
    questions: tuple[str, ...]
    answer: str
    details: str
    legal_basis: tuple[str, ...]
    related: tuple[str, ...]
    reviewed: date
    path: Path = field(compare=False)

    @property
    def for_customers(self) -> bool:
        """Tells whether customers may be shown this article."""
        return self.audience in ("customer", "both")


def parse_article(path: Path) -> Article:
    """Reads one article file, raising ArticleError with the reason if it is malformed."""
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^---\s*$", text, maxsplit=2, flags=re.MULTILINE)
    if len(parts) != 3 or parts[0].strip():
        raise ArticleError(f"{path}: front matter must start and end with '---'")
    try:
        meta = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError as error:
        raise ArticleError(f"{path}: front matter is not valid YAML: {error}") from error
    missing = {"id", "title", "audience", "lines", "topic", "questions", "answer"} - set(meta)
    if missing:
        raise ArticleError(f"{path}: missing {', '.join(sorted(missing))}")
    article_id = str(meta["id"])
    problems = []
    if not _ID_RE.fullmatch(article_id) or article_id != path.stem:
        problems.append("id must be lower-case with dashes and equal the file name")
    if meta["audience"] not in AUDIENCES:
        problems.append(f"audience must be one of {sorted(AUDIENCES)}")
    if meta["topic"] not in TOPICS:
        problems.append(f"topic must be one of {sorted(TOPICS)}")
    lines = tuple(meta.get("lines") or ())
    if not lines or set(lines) - LINES:
        problems.append(f"lines must be a non-empty list of {sorted(LINES)}")
    questions = tuple(str(q).strip() for q in meta.get("questions") or ())
    if len(questions) < 2:
        problems.append("give at least two example questions")
    if not str(meta["answer"]).strip():
        problems.append("answer is empty")
    if problems:
        raise ArticleError(f"{path}: " + "; ".join(problems))
    reviewed = meta.get("reviewed")
    return Article(
        id=article_id,
        title=str(meta["title"]).strip(),
        audience=meta["audience"],
        lines=lines,
        topic=meta["topic"],
        questions=questions,
        answer=join_lines(str(meta["answer"])),
        details=parts[2].strip(),
        legal_basis=tuple(str(b) for b in meta.get("legal_basis") or ()),
        related=tuple(str(r) for r in meta.get("related") or ()),
        reviewed=reviewed if isinstance(reviewed, date) else date(2000, 1, 1),
        path=path,
    )


def article_files(folder: Path) -> list[Path]:
    """Lists the article files under a folder, in a stable order."""
    return sorted(p for p in folder.rglob("*.md") if p.name != "README.md")


def load_articles(folder: Path) -> list[Article]:
    """Loads every article; raises ArticleError on a malformed file or a duplicate id."""
    articles = [parse_article(p) for p in article_files(folder)]
    ids = [a.id for a in articles]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ArticleError(f"duplicate article ids: {sorted(duplicates)}")
    return articles


def problems(articles: list[Article]) -> list[str]:
    """Lists what a reviewer must fix but the assistant can live with (broken links)."""
    known = {a.id for a in articles}
    found = []
    for article in articles:
        unknown = sorted(set(article.related) - known)
        if unknown:
            found.append(f"{article.path}: related ids not found: {unknown}")
        if article.id in article.related:
            found.append(f"{article.path}: relates to itself")
    return found


def signature(folder: Path) -> tuple[tuple[str, float], ...]:
    """Returns file names and modification times, to notice edited articles."""
    return tuple((str(p), p.stat().st_mtime) for p in article_files(folder))
