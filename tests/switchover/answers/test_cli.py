"""The ``switchover faq gaps`` and ``switchover answers`` commands."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from switchover.answers.evaluate import load_questions
from switchover.answers.store import AnswerStore, GapKind
from switchover.cli import main
from switchover.settings import REPO_ROOT, async_database_url
from switchover.storage import Database


def test_faq_gaps_lists_questions_with_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'gaps.db'}"

    async def seed() -> None:
        db = Database(async_database_url(url))
        await db.migrate()
        store = AnswerStore(db)
        at = dt.datetime(2027, 1, 18, 9, 0, tzinfo=dt.UTC)
        await store.record_gap("t", "can you order lunch", GapKind.UNANSWERED, at)
        await store.record_gap("t", "Can you order lunch?", GapKind.UNANSWERED, at + dt.timedelta(minutes=1))
        await store.record_feedback("t", "where did my h drive go", "h-drive", False, at + dt.timedelta(minutes=2))
        await db.dispose()

    asyncio.run(seed())
    assert main(["faq", "gaps", "--database-url", url]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "lunch" in line or "h drive" in line]
    # Newest first: the unhelpful vote came last.
    assert "unhelpful" in lines[0] and "h-drive" in lines[0]
    assert lines[1].split()[0] == "2" and "unanswered" in lines[1]
    assert "h-drive" in out.split("Votes per FAQ entry")[1]


def _seed(url: str, picks: list[tuple[str, str, str, int]], *, unhelpful: tuple[str, str] | None = None) -> None:
    """Picks (question, entry, language, minutes after 09:00) by tenant "t", and one for another tenant."""

    async def seed() -> None:
        db = Database(async_database_url(url))
        await db.migrate()
        store = AnswerStore(db)
        at = dt.datetime(2027, 1, 18, 9, 0, tzinfo=dt.UTC)
        for question, key, language, minutes in picks:
            await store.record_pick("t", question, key, language, at + dt.timedelta(minutes=minutes), asker_id="a")
        await store.record_pick("other", "elsewhere's own question", "h-drive", "en", at)
        if unhelpful:
            await store.record_feedback("t", *unhelpful, False, at + dt.timedelta(hours=1))
        await db.dispose()

    asyncio.run(seed())


def test_faq_gaps_lists_the_suggestions_picked_by_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'picks.db'}"
    wifi = [("whats the wifi password", "new-password", "en", 0), ("Whats the wifi password?", "new-password", "en", 9)]
    _seed(url, wifi)
    _seed(url, [("where will my stuff be after", "h-drive", "en", 5)])
    assert main(["faq", "gaps", "--database-url", url, "--tenant", "t"]) == 0
    out = capsys.readouterr().out.split("Picked from suggestions")[1]
    rows = [line.split() for line in out.splitlines() if line.split()[:1] and line.split()[0].isdigit()]
    # new-password's newest pick (09:09) is newer than h-drive's (09:05): it comes first, with both picks counted.
    assert [(r[0], r[-1]) for r in rows] == [("2", "new-password"), ("1", "h-drive")]
    assert "wifi password -> new-password" in out and "elsewhere" not in out


def test_faq_learn_offers_what_the_faq_does_not_answer_in_the_questions_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'learn.db'}"
    _seed(
        url,
        [
            ("where will my stuff be after", "h-drive", "en", 0),  # suggestions today: offered
            ("where will my stuff be after", "h-drive", "en", 1),
            ("mis mensajes viejos siguen ahí?", "lose-email", "es", 2),  # Spanish: under translations: es:
            ("wil i loose my emails", "lose-email", "en", 3),  # answered with lose-email already: left out
            ("Will I lose any email?", "lose-email", "en", 4),  # the entry's own question
            ("whats the wifi password", "new-password", "en", 5),  # then voted not helpful: not what they meant
            ("a question for an entry since removed", "gone-entry", "en", 6),
        ],
        unhelpful=("whats the wifi password", "new-password"),
    )
    assert main(["faq", "learn", "--customer", "fabrikam", "--database-url", url, "--tenant", "t"]) == 0
    out = capsys.readouterr().out
    fragment = yaml.safe_load(out)
    offered = {entry["key"]: entry for entry in fragment["faq"]}
    assert set(offered) == {"h-drive", "lose-email"}
    assert offered["h-drive"]["alternates"] == ["where will my stuff be after"]
    assert "translations" not in offered["h-drive"]
    assert offered["lose-email"] == {
        "key": "lose-email",
        "translations": {"es": {"alternates": ["mis mensajes viejos siguen ahí?"]}},
    }
    assert "picked 2 times" in out and "elsewhere" not in out
    plan_lines = (REPO_ROOT / "examples" / "fabrikam" / "plan.yaml").read_text(encoding="utf-8").splitlines()
    line = int(re.search(r"# lose-email: plan.yaml line (\d+)", out).group(1))  # type: ignore[union-attr]
    assert plan_lines[line - 1].strip() == "- key: lose-email"
    assert "1 phrasing(s) the FAQ now answers" in out and "1 already among" in out
    assert "'gone-entry' was picked but is no longer in plan.yaml" in out

    assert main(["faq", "learn", "--customer", "fabrikam", "--database-url", url, "--min-count", "2"]) == 0
    fragment = yaml.safe_load(capsys.readouterr().out)
    assert [entry["key"] for entry in fragment["faq"]] == ["h-drive"]


def test_faq_learn_says_a_new_language_needs_the_entry_translated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'learn.db'}"
    _seed(url, [("¿dónde acaban mis cosas del drive?", "my-drive", "es", 0)])
    assert main(["faq", "learn", "--customer", "trey", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "no es translation of the entry yet" in out
    (entry,) = yaml.safe_load(out)["faq"]
    assert entry["translations"]["es"]["alternates"] == ["¿dónde acaban mis cosas del drive?"]


def test_answers_ask_shows_the_reading(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["answers", "ask", "when is my cutover", "--customer", "fabrikam"]
    argv += ["--as", "wesley.grant@fabrikamhealth.com"]
    assert main([*argv, "--tz", "America/Boise", "--now", "2027-01-25T09:00-08:00"]) == 0
    out = capsys.readouterr().out
    assert "my_schedule" in out and "08:00-16:00 MST" in out and "in 5 days" in out


def test_answers_ask_for_an_example_customer(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["answers", "ask", "when is my migration", "--customer", "wideworld"]
    argv += ["--as", "jessica.harris@wideworldimporters.com", "--now", "2027-03-01T08:30:00+01:00"]
    assert main(argv) == 0
    assert "answer: personal" in capsys.readouterr().out


# Two tiny example customers on the demo plan, whose right answers are known: alpha's askers are bare
# names (completed with the roster's domain), and two of its five labels are deliberately wrong.
ALPHA = """
defaults: {tz: America/Los_Angeles, now: "2027-01-11T09:00:00-08:00"}
questions:
  - {q: "when is my migration", as: grace.okafor, expect: personal, wave: wave-0}
  - {q: "when is my migration", as: nora.abbott, expect: personal, wave: wave-0}
  - {q: "when is my migration", as: unknown, expect: unknown_person}
  - {q: "what is the capital of france", as: nora.abbott, expect: out_of_scope}
  - {q: "what is the capital of france", as: grace.okafor, expect: faq, faq: h-drive}
"""
BETA = """
defaults: {domain: fabrikamhealth.com, tz: America/Los_Angeles, now: "2027-01-11T09:00:00-08:00"}
questions:
  - {q: "when is my migration", as: grace.okafor, expect: personal, wave: wave-0}
  - {q: "when is my migration", as: nora.abbott, expect: personal, wave: wave-2}
"""


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    demo = Path(__file__).resolve().parents[3] / "examples" / "fabrikam"
    for name, questions in (("alpha", ALPHA), ("beta", BETA)):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(demo / "plan.yaml", folder / "plan.yaml")
        shutil.copy(demo / "roster.csv", folder / "roster.csv")
        (folder / "questions.yaml").write_text(questions, encoding="utf-8")
    (tmp_path / "no-questions").mkdir()
    shutil.copy(demo / "plan.yaml", tmp_path / "no-questions" / "plan.yaml")
    return tmp_path


def _row(out: str, label: str) -> list[str]:
    """The cells of the first table row called ``label``: [all, train, held-out] as "right/total"."""
    line = next(line for line in out.splitlines() if line.startswith(label + " "))
    return re.findall(r"\d+/\d+", line)


def _expected(path: Path, rights: list[bool], kinds: set[str] | None = None) -> list[str]:
    questions = load_questions(path, domain="fabrikamhealth.com")
    cells = []
    for split in (None, "train", "held-out"):
        rows = [
            ok
            for q, ok in zip(questions, rights, strict=True)
            if (split is None or q.split == split) and (kinds is None or q.expect in kinds)
        ]
        cells.append(f"{sum(rows)}/{len(rows)}")
    return cells


def test_eval_one_customer_counts_per_kind_and_split(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["answers", "eval", "--customer", "alpha", "--examples", str(examples)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("alpha: Fabrikam Health Partners, 5 labelled questions")
    rights = [True, False, True, True, False]
    questions = examples / "alpha" / "questions.yaml"
    assert _row(out, "overall") == _expected(questions, rights)
    assert _row(out, "overall")[0] == "3/5"
    assert _row(out, "  personal") == _expected(questions, rights, {"personal"})
    assert _row(out, "  unknown_person") == _expected(questions, rights, {"unknown_person"})
    assert _row(out, "personal")[0] == "2/3"  # the kind: personal and unknown_person together
    assert _row(out, "  no_wave") == ["0/0", "0/0", "0/0"]
    assert _row(out, "faq")[0] == "0/1"
    assert _row(out, "out_of_scope")[0] == "1/1"


def test_eval_all_customers_and_overall(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["answers", "eval", "--all", "--examples", str(examples)]) == 0
    captured = capsys.readouterr()
    assert "no-questions" in captured.err and "has no labelled questions" in captured.err
    out = captured.out
    summary = out.split("per customer:")[1]
    assert _row(summary, "alpha")[0] == "3/5"
    assert _row(summary, "beta") == _expected(examples / "beta" / "questions.yaml", [True, True])
    assert _row(summary, "overall")[0] == "5/7"
    together = out.split("all customers together, per kind:")[1].split("per customer:")[0]
    assert _row(together, "  personal")[0] == "3/4" and _row(together, "overall")[0] == "5/7"
    assert out.index("alpha: ") < out.index("beta: ") < out.index("per customer:")


def test_eval_refuses_unknown_customers_and_mixed_options(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["answers", "eval", "--customer", "gamma", "--examples", str(examples)]) == 2
    assert "no example customer 'gamma'" in capsys.readouterr().err
    assert main(["answers", "eval", "--customer", "no-questions", "--examples", str(examples)]) == 2
    assert "has no labelled questions" in capsys.readouterr().err
    argv = ["answers", "eval", "--customer", "alpha", "--examples", str(examples), "--plan", "x.yaml"]
    assert main(argv) == 2


def test_eval_with_plan_and_questions_as_before(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = examples / "beta"
    argv = ["answers", "eval", "--plan", str(folder / "plan.yaml"), "--questions", str(folder / "questions.yaml")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 labelled questions") and _row(out, "overall")[0] == "2/2"


TUNING = """
defaults: {domain: fabrikamhealth.com, tz: America/Los_Angeles, now: "2027-01-11T09:00:00-08:00"}
questions:
  - {q: "when is my migration", as: grace.okafor, expect: personal, wave: wave-0}
  - {q: "what is the capital of france", as: nora.abbott, expect: out_of_scope}
  - {q: "when is my migration", as: nora.abbott, expect: personal, wave: wave-0}
"""


def test_eval_tuning_sets_are_reported_apart_as_tuning(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (examples / "alpha" / "tuning.yaml").write_text(TUNING, encoding="utf-8")
    assert main(["answers", "eval", "--all", "--tuning", "--examples", str(examples)]) == 0
    out = capsys.readouterr().out
    tuning = out.split("alpha: TUNING SET, not accuracy: 3 questions")[1]
    assert _row(tuning, "overall") == ["2/3"]  # one column: a tuning set has no train and held-out
    # Not counted as accuracy: the per-customer summary is the questions.yaml sets' alone.
    assert _row(out.split("per customer:")[1], "alpha")[0] == "3/5"
    # Without --tuning the tuning set is not answered at all.
    assert main(["answers", "eval", "--all", "--examples", str(examples)]) == 0
    assert "TUNING" not in capsys.readouterr().out


def test_eval_one_customer_with_another_of_its_sets(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (examples / "alpha" / "tuning.yaml").write_text(TUNING, encoding="utf-8")
    argv = ["answers", "eval", "--customer", "alpha", "--examples", str(examples), "--questions"]
    assert main([*argv, str(examples / "alpha" / "tuning.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("alpha: Fabrikam Health Partners, 3 labelled questions") and _row(out, "overall")[0] == "2/3"
    assert main(["answers", "eval", "--all", "--examples", str(examples), "--questions", "x.yaml"]) == 2
