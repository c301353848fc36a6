"""The FAQ's meaning signal: sentence vectors from the model shipped in its wheel, and what they change."""

from __future__ import annotations

import numpy as np
import pytest

from switchover.answers.engine import AnswerEngine
from switchover.answers.faq import FaqIndex, FaqVerdict
from switchover.answers.model import AnswerKind, Who
from switchover.answers.text import words
from switchover.embedding import shipped_embedder
from switchover.plan.model import FaqEntry

ENTRIES = (
    FaqEntry(
        key="contact",
        question="Who do I contact?",
        answer="Call the Service Desk on the number below.",
        alternates=("How do I get help?", "What is the Service Desk phone number?"),
        topics=("help",),
    ),
    FaqEntry(
        key="password",
        question="Do I need a new password?",
        answer="No. Keep your password; you sign in with it as before.",
        alternates=("Does my password change?", "Which password do I use after the move?"),
        topics=("sign-in", "password"),
    ),
    FaqEntry(
        key="pc",
        question="Will my PC be replaced?",
        answer="No, you keep your computer.",
        alternates=("Am I getting a new computer?",),
        topics=("devices",),
    ),
    FaqEntry(
        key="prepare",
        question="What do I need to do before my move?",
        answer="Set up Microsoft Authenticator and sign out of Outlook on Friday evening.",
        alternates=("How do I prepare for the migration?", "What is my checklist?"),
        topics=("preparation",),
    ),
)


def test_a_sentence_is_the_sum_of_its_words_as_the_model_embeds_it() -> None:
    """Per-word vectors are remembered; the sentence they add up to is the model's own vector."""
    from pathlib import Path

    import wordllama
    from wordllama import WordLlama

    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    embedder = shipped_embedder()
    for sentence in ("who do i ring if it goes wrong", "wifi", "zamowienia h-drive 2fa ünïcode"):
        ours = embedder.vector(sentence.split())
        theirs = model.embed([sentence], norm=True)[0]
        assert np.allclose(ours, theirs, atol=1e-5)
        assert float(np.linalg.norm(ours)) == pytest.approx(1.0, abs=1e-5)
    assert not embedder.vector([]).any()


def test_a_paraphrase_with_no_word_in_common_finds_its_entry() -> None:
    index = FaqIndex(ENTRIES, words)
    lexical = FaqIndex(ENTRIES, words, weights=(0.75, 0.25, 0.0))  # the same without meaning
    question = words("who do i ring if it goes wrong")
    assert index.rank(question)[0].entry.key == "contact"
    assert lexical.rank(question)[0].score < 0.2  # coverage and spelling alone see next to nothing


def test_one_shared_word_is_not_an_answer() -> None:
    """The entry knows "password" but not "wifi": never a confident answer, whatever the wording."""
    index = FaqIndex(ENTRIES, words)
    for question in ("whats the wifi password", "what is the guest wifi password"):
        result = index.search(words(question))
        assert result.verdict is not FaqVerdict.ANSWER, question
    assert index.search(words("will my password stay the same")).best.entry.key == "password"


async def test_one_word_several_entries_know_is_not_an_answer(engine: AnswerEngine) -> None:
    """ "email?" could be any of the email entries: suggestions, not a pick among near-equals."""
    who = Who(upn="vanessa.fox@fabrikamhealth.com", time_zone="America/Los_Angeles")
    for question in ("email?", "what happens"):
        answer = await engine.answer(question, who)
        assert answer.kind is AnswerKind.SUGGESTIONS, (question, answer.kind)
    index = FaqIndex(ENTRIES, words)
    assert index.search(words("password?")).verdict is FaqVerdict.ANSWER  # one word only one entry knows


KIOSK = FaqEntry(
    key="kiosk",
    question="How do I sign in on the shared kiosk PCs?",
    answer="Kiosk PCs keep their shared account.",
    alternates=("Do I need MFA on the warehouse kiosk?",),
    topics=("devices", "kiosk"),
)


def test_new_and_a_thing_no_entry_is_about_is_not_an_answer() -> None:
    """ "new" alone says which one, not what: the new-password entry is no answer to a new laptop (an
    entry that knows "PC" but means nothing like the question: see the Wide World test over /api/messages)."""
    offline = FaqEntry(
        key="offline",
        question="I'm on site with no signal on cutover weekend.",
        answer="Carry on offline: files synced to your laptop are still there.",
        topics=("field",),
    )
    without_pcs = FaqIndex([*(e for e in ENTRIES if e.key != "pc"), offline], words)
    assert without_pcs.search(words("when do I get a new laptop")).verdict is not FaqVerdict.ANSWER
    # Where an entry is about new PCs, it answers; "new" still counts for the password entry.
    assert FaqIndex(ENTRIES, words).search(words("when do I get a new laptop")).best.entry.key == "pc"
    assert without_pcs.search(words("do i need a new password")).best.entry.key == "password"


def test_two_words_that_name_one_thing() -> None:
    index = FaqIndex((*ENTRIES, KIOSK), words)
    assert index.search(words("how do i log in on the kiosk")).best.entry.key == "kiosk"
    mfa = FaqEntry(
        key="mfa",
        question="What is MFA?",
        answer="A second check at sign-in.",
        alternates=("What is two-step verification?",),
        topics=("mfa",),
    )
    result = FaqIndex((*ENTRIES, mfa), words).search(words("why do i need two factor"))
    assert result.verdict is FaqVerdict.ANSWER and result.best.entry.key == "mfa"
