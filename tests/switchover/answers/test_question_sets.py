"""The labelled, tuning and blind question sets measure understanding only if the plan does not already
hold them: a held-out or blind question copied into the plan's FAQ alternates is recited, not understood."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from switchover.answers.cli import EXAMPLES, blind_files, customers, language_files, tuning_files
from switchover.answers.evaluate import load_questions
from switchover.plan.loader import load_plan


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(re.findall(r"\w+", "".join(c for c in text if not unicodedata.combining(c))))


def _alternates(plan_path: Path) -> set[str]:
    """Every FAQ alternate of the plan, in every language, normalised."""
    plan = load_plan(plan_path)
    out: set[str] = set()
    for entry in plan.faq:
        out.update(_norm(a) for a in entry.alternates)
        for translation in entry.translations.values():
            out.update(_norm(a) for a in translation.alternates)
    return out


def _entry_questions(plan_path: Path) -> set[str]:
    plan = load_plan(plan_path)
    out = {_norm(e.question) for e in plan.faq}
    for entry in plan.faq:
        out.update(_norm(t.question) for t in entry.translations.values() if t.question)
    return out


@pytest.mark.parametrize("customer", customers())
def test_no_held_out_question_is_a_plan_alternate(customer: str) -> None:
    folder = EXAMPLES / customer
    alternates = _alternates(folder / "plan.yaml")
    sets = [folder / "questions.yaml", *(p for _, p in language_files(folder / "questions.yaml"))]
    recited = [
        (path.name, q.text)
        for path in sets
        for q in load_questions(path, domain="example.invalid")
        if q.split == "held-out" and _norm(q.text) in alternates
    ]
    assert not recited, f"held-out questions copied into {customer}'s plan alternates: {recited}"


@pytest.mark.parametrize("customer", customers())
def test_no_blind_question_is_in_the_plan(customer: str) -> None:
    folder = EXAMPLES / customer
    wording = _alternates(folder / "plan.yaml") | _entry_questions(folder / "plan.yaml")
    for _, path in blind_files(folder / "questions.yaml"):
        questions = load_questions(path, domain="example.invalid")
        # Positions only: a blind set's texts are never shown, not even in a failure.
        copied = [n for n, q in enumerate(questions, start=1) if _norm(q.text) in wording]
        assert not copied, f"{path}: questions {copied} are worded as in the plan's FAQ; a blind set must not be"


def test_blind_sets_are_found_by_language_and_never_tune(tmp_path: Path) -> None:
    for name in ("questions.yaml", "questions.es.yaml", "tuning.yaml", "blind.yaml", "blind.es.yaml", "blindly.yaml"):
        (tmp_path / name).write_text("questions: []\n", encoding="utf-8")
    questions = tmp_path / "questions.yaml"
    assert blind_files(questions) == [("en", tmp_path / "blind.yaml"), ("es", tmp_path / "blind.es.yaml")]
    assert tuning_files(questions) == [tmp_path / "tuning.yaml"]
    assert [lang for lang, _ in language_files(questions)] == ["es"]
