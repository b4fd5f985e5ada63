"""Clauses of one document sharing a title are told apart in every list (``Clause.heading``)."""

from __future__ import annotations

from collections import Counter

from recommender.corpus import load_policies
from recommender.corpus_models import PolicyFile, opening_words


def test_no_two_clauses_of_a_document_show_the_same_heading():
    policies = load_policies()
    shared = [c for p in policies for c, n in _title_counts(p).items() if n > 1]
    assert shared, "the corpus has articles split into parts that share a title"
    for p in policies:
        headings = Counter(c.heading for c in p.clauses)
        assert [h for h, n in headings.items() if n > 1] == [], p.document.policy_id


def _title_counts(p: PolicyFile) -> Counter:
    return Counter(c.title for c in p.clauses if c.title)


def test_a_shared_title_is_followed_by_the_clause_opening_words_and_a_lone_one_is_left_alone():
    for p in load_policies():
        counts = _title_counts(p)
        for c in p.clauses:
            if c.title and counts[c.title] > 1:
                assert c.heading.startswith(f"{c.title}（") and c.heading.endswith("）")
                assert opening_words(c.text).rstrip("…") in c.text.replace(" ", "") or "之" in c.heading
            elif c.title:
                assert c.heading == c.title


def test_opening_words():
    assert opening_words("强化政府创新基金的导向作用，引导社会资本投早。") == "强化政府创新基金的导向作用"
    numbered = "（二）推动商业银行与创业投资机构、股权投资机构合作，创新模式。"
    assert opening_words(numbered) == "推动商业银行与创业投资机构、股…"
    by_2025 = "到2025年，每万人口高价值发明专利拥有量达到50件。"
    assert opening_words(by_2025).startswith("到2025年，每万人口")  # 到2025年 alone says too little
    assert len(opening_words("一" * 40)) == 16


def test_twins_by_opening_words_are_numbered(tmp_path):
    from recommender.corpus import load_policies as load

    p = load()[0]
    first = p.clauses[0]
    twin = first.model_copy(update={"id": first.id + "#z", "title": "同名标题"}, deep=True)
    other = first.model_copy(update={"id": first.id + "#y", "title": "同名标题"}, deep=True)
    rebuilt = PolicyFile(source=p.source, order=p.order, document=p.document, clauses=[twin, other])
    assert [c.heading for c in rebuilt.clauses] == [
        f"同名标题（{opening_words(first.text)}，之一）",
        f"同名标题（{opening_words(first.text)}，之二）",
    ]


def test_any_number_of_twins_loads():
    p = load_policies()[0]
    first = p.clauses[0]
    many = [first.model_copy(update={"id": f"{first.id}#{i}", "title": "同名"}, deep=True) for i in range(25)]
    built = PolicyFile(source=p.source, order=p.order, document=p.document, clauses=many)
    headings = [c.heading for c in built.clauses]
    assert len(set(headings)) == 25 and headings[9].endswith("，之十）") and headings[24].endswith("，之25）")
