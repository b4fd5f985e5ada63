"""Hints name pages, steps and buttons as they are labelled: a hint that names a button nobody can find misleads."""

from __future__ import annotations

import re

from recommender.paths import ROOT
from webapp.ui.hints import EMPTY_REGISTRY

SOURCES = [ROOT / "app.py", *sorted((ROOT / "webapp").rglob("*.py"))]
OPTIONS = [ROOT / "recommender" / "registry" / "states.py", ROOT / "recommender" / "vocab.py"]  # choices pages offer
# “X” where a hint tells people to act on X: 点“X”, 选“X”, 勾选“X”, 打开“X”, 见“X”, 在“X”中 / 一步 / 页
NAMED = re.compile(r"(?:点|选|打开|见)“([^”{}]+)”|在“([^”{}]+)”(?:中|一步|页)")


def _labels(text: str) -> set[str]:
    """Every label the source can show: a string literal's text up to a placeholder, and section titles."""
    literals = re.findall(r"""(?:title=|\(|\[|,|=|^)\s*f?"([^"{]+)""", text, re.M)
    titles = re.findall(r'　([^\s"]+)', text)  # "##### 4　加入企业档案库"
    return {s.strip() for s in literals} | {t.strip() for t in titles}


def _unknown(hint: str, labels: set[str]) -> list[str]:
    """The names a hint acts on that no page, step or button carries (a label may add a count: 某某（3 份）)."""
    named = [a or b for a, b in NAMED.findall(hint)] + re.findall(r"“([^”{}]+)”", hint) * (hint == EMPTY_REGISTRY)
    return [n for n in named if not any(label == n or label.startswith(f"{n}（") for label in labels)]


def test_every_page_step_and_button_a_hint_names_exists():
    texts = {path: path.read_text(encoding="utf-8") for path in SOURCES}
    labels = set().union(*(_labels(p.read_text(encoding="utf-8")) for p in SOURCES + OPTIONS))
    wrong = {str(p.relative_to(ROOT)): bad for p, t in texts.items() if (bad := _unknown(t, labels))}
    assert not wrong
    assert not _unknown(EMPTY_REGISTRY, labels)


def test_the_check_finds_a_button_that_does_not_exist():
    labels = _labels('st.button("加入档案库")\nst.button(f"导入 {n} 家到档案库")\n')
    assert _unknown("请点“导入到档案库”", labels) == ["导入到档案库"]
    assert _unknown("请点“加入档案库”", labels) == []
