"""The knowledge base: article format, the analyzer, ranking, threshold and reloading."""

import copy
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from knowledge import search
from knowledge.analyzer import Analyzer
from knowledge.check import REFERENCE_DIR
from knowledge.citations import unknown_citations
from knowledge.search import KnowledgeBase, Library
from knowledge.store import ArticleError, load_articles, parse_article, problems
from settings import get_settings

ARTICLES = Path(__file__).resolve().parents[2] / "knowledge" / "articles"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def kb(analyzer: Analyzer) -> KnowledgeBase:
    return KnowledgeBase(load_articles(ARTICLES), analyzer)


def test_every_article_is_valid_and_links_resolve() -> None:
    articles = load_articles(ARTICLES)
    assert len(articles) >= 100
    assert problems(articles) == []
    assert all(a.answer and a.questions for a in articles)
    assert {a.audience for a in articles} >= {"customer", "agent"}


@pytest.mark.skipif(not REFERENCE_DIR.is_dir(), reason="../shared/reference not present")
def test_every_cited_article_of_law_exists(tmp_path: Path) -> None:
    assert unknown_citations(load_articles(ARTICLES), REFERENCE_DIR) == []
    wrong = tmp_path / "wrong-citation.md"
    text = (ARTICLES / "timeline" / "timeline-limitation-period.md").read_text(encoding="utf-8")
    text = text.replace("id: timeline-limitation-period", "id: wrong-citation", 1)
    bad = "  - 《中华人民共和国保险法》第二百零一条\n"  # the law has 185 articles
    text = text.replace("legal_basis:\n", "legal_basis:\n" + bad, 1)
    wrong.write_text(text, encoding="utf-8")
    assert unknown_citations([parse_article(wrong)], REFERENCE_DIR) == [
        f"{wrong}: '《中华人民共和国保险法》第二百零一条' is not an article of that law"
    ]


def test_malformed_article_is_rejected_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad-one.md"
    bad.write_text("---\nid: bad-one\ntitle: x\naudience: everyone\n---\nbody", encoding="utf-8")
    with pytest.raises(ArticleError, match="missing"):
        parse_article(bad)


def test_analyzer_tags_colloquial_words_with_concepts(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("我的車被水泡了，發動機還能不能賠")
    assert {"水淹", "发动机"} <= analysis.concepts
    assert "的" not in analysis.words


def test_asking_how_much_is_not_the_compulsory_limits(analyzer: Analyzer) -> None:
    """赔多少 asks about any product; tagging it 交强险限额 sent 重疾险 questions to 交强险."""
    assert "交强险限额" not in analyzer.analyze("重疾险最多能赔多少").concepts
    assert "交强险限额" in analyzer.analyze("交强险的赔偿限额是多少").concepts


def test_insurer_names_are_ignored_whole(analyzer: Analyzer) -> None:
    """中国人寿 is a company, not a sign of life insurance: no 人寿 may be left behind."""
    words = analyzer.analyze("中国人寿的意外险怎么理赔").words
    assert "意外险" in words
    assert not {"中国", "人寿", "中国人寿"} & set(words)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("车被水淹了能赔吗", "motor-flood-engine"),
        ("猝死算不算意外", "accident-sudden-death"),
        ("交强险最多赔多少钱", "motor-compulsory-limits"),
    ],
)
def test_questions_find_their_article(kb: KnowledgeBase, question: str, expected) -> None:
    hits = kb.search(question)
    assert hits and hits[0].article.id == expected
    assert hits[0].confidence >= get_settings().kb_threshold


def test_matcher_gives_sklearns_probabilities_without_copying(kb: KnowledgeBase) -> None:
    terms = kb.analyzer.analyze("车被水淹了发动机还能赔吗").terms
    model = copy.copy(kb.matcher.model)
    model.coef_ = np.ascontiguousarray(model.coef_)  # sklearn's own layout
    expected = np.zeros(kb.matcher.size)
    expected[model.classes_] = model.predict_proba(kb.matcher.vectorizer.transform([terms]))[0]
    assert np.array_equal(kb.matcher.probabilities(terms), expected)
    assert kb.matcher.model.coef_.T.flags.c_contiguous  # nothing to copy per search


def test_agent_only_articles_are_not_shown_to_customers(kb: KnowledgeBase) -> None:
    assert all(h.article.for_customers for h in kb.search("怎么安抚情绪激动的客户", k=10))
    agent_hits = kb.search("怎么安抚情绪激动的客户", audience="agent")
    assert agent_hits[0].article.audience in ("agent", "both")


def test_product_line_narrows_the_search(kb: KnowledgeBase) -> None:
    plain = [h.article.id for h in kb.search("理赔要什么材料", k=10)]
    medical = [h.article.id for h in kb.search("理赔要什么材料", product_lines={"医疗险"}, k=10)]
    assert medical.index("doc-medical") < plain.index("doc-medical")
    asked = kb.search("医疗险理赔要什么材料", product_lines={"医疗险"})
    assert asked[0].article.id == "doc-medical"


def test_a_named_product_prefers_its_own_article_to_a_general_one(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "交强险出了事，保险公司几天内得给我核定结论"  # 交强险 has its own 5-day rule
    asked = {"intent": "ask_timeline", "product_lines": {"交强险"}}
    assert kb.search(question, **asked)[0].article.id == "motor-compulsory-payment-time"
    monkeypatch.setattr(search, "GENERAL_WHEN_LINE_NAMED", 1.0)
    assert kb.search(question, **asked)[0].article.id == "timeline-decision-deadline"


def test_a_question_about_time_goes_to_the_timeline_articles(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "伤残鉴定做完了，赔款多久能到"  # names disability, asks how long
    assert kb.search(question)[0].article.id == "timeline-typical-durations"
    monkeypatch.setattr(search, "CUE_BOOST", 1.0)  # without the cue, the product's article won
    assert kb.search(question)[0].article.id == "accident-disability-grading"


def test_edited_articles_are_picked_up_without_restart(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(ARTICLES / "travel", folder)
    library = Library(folder, check_every=0)
    before = len(library.get().articles)
    new = folder / "travel-test-new.md"
    new.write_text(
        "---\nid: travel-test-new\ntitle: 签证被拒能退保险费吗\naudience: customer\n"
        "lines: [旅行险]\ntopic: general\nquestions: [签证被拒保险费退不退, 拒签了旅行险能退吗]\n"
        "answer: 测试回答。\n---\n细节。\n",
        encoding="utf-8",
    )
    time.sleep(0.01)
    kb = library.get()
    assert len(kb.articles) == before + 1
    assert kb.search("拒签了旅行险能退吗")[0].article.id == "travel-test-new"
    # A broken edit keeps the previous index instead of failing.
    new.write_text("---\nid: broken\n", encoding="utf-8")
    assert len(library.get().articles) == before + 1
