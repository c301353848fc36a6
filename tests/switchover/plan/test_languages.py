"""The plan's words in the reader's language, and what a plan leaves untranslated."""

from __future__ import annotations

from switchover.plan.languages import faq_in, message_in, missing_translations, plan_languages
from switchover.plan.model import CalendarMessage, FaqEntry

ENTRY = FaqEntry.model_validate(
    {
        "key": "keep-mail",
        "question": "Will I keep my email?",
        "answer": "Yes, all of it.",
        "alternates": ["do my emails move"],
        "translations": {
            "es": {"question": "¿Conservo mi correo?", "answer": "Sí, todo.", "alternates": ["mis correos"]}
        },
    }
)
MESSAGE = CalendarMessage.model_validate(
    {
        "key": "t-1",
        "title": "Cutover tomorrow",
        "timing": {"days": -1, "at": "09:00"},
        "summary": "Save your work.",
        "points": ["Log off", "Restart"],
        "buttons": [{"title": "Got it", "action": "acknowledge"}],
        "translations": {"es": {"title": "Cambio mañana", "points": ["Cierre sesión", "Reinicie"]}},
    }
)


def test_a_reader_gets_their_language_when_the_plan_has_it_and_the_plans_otherwise() -> None:
    es = faq_in(ENTRY, "es-US")
    assert (es.question, es.answer, es.alternates, es.language, es.fell_back) == (
        "¿Conservo mi correo?",
        "Sí, todo.",
        ("mis correos",),
        "es",
        False,
    )
    pl = faq_in(ENTRY, "pl-PL")
    assert (pl.answer, pl.language, pl.fell_back) == ("Yes, all of it.", "en", True)
    assert faq_in(ENTRY, "en-GB").fell_back is False


def test_a_message_translated_in_part_reads_the_rest_in_the_plans_language_and_says_so() -> None:
    es = message_in(MESSAGE, "es-MX")
    assert (es.title, es.summary, es.points, [b.title for b in es.buttons]) == (
        "Cambio mañana",
        "Save your work.",
        ("Cierre sesión", "Reinicie"),
        ["Got it"],
    )
    assert es.buttons[0].action == "acknowledge" and es.fell_back is True


def test_what_is_missing_is_named_part_by_part(fabrikam_plan) -> None:  # noqa: ANN001
    plan = fabrikam_plan.model_copy(update={"faq": (ENTRY,), "calendar": (MESSAGE,)})
    assert plan_languages(plan)[0] == plan.organisation.language
    assert "es" in plan_languages(plan)
    missing = missing_translations(plan, "es")
    assert "calendar[t-1].summary" in missing and "calendar[t-1].buttons" in missing
    assert "faq[keep-mail]" not in missing and "calendar[t-1].points" not in missing
    assert "faq[keep-mail]" in missing_translations(plan, "pl")
