"""How everyday Spanish is read: mood, stress, whom to call, the impersonal "se", chat spellings,
diminutives, pronouns on verbs, Spanglish and regional words (switchover/answers/lang/es.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from switchover import i18n
from switchover.answers.engine import AnswerEngine
from switchover.answers.lang.es import gloss
from switchover.answers.model import AnswerKind, Who
from switchover.answers.understanding import Facet, Intent, Understander

TODAY = dt.date(2027, 1, 11)  # a Monday
ASKER = Who(upn="vanessa.fox@fabrikamhealth.com")


@pytest.fixture
async def es(engine: AnswerEngine) -> Understander:
    await engine.prepare()
    return engine.reader("es")[0]


@pytest.mark.parametrize(
    "text",
    [
        "voy a estar de licencia cuando me toque el cambio",
        "estaremos de vacaciones cuando nos toque la migración",
    ],
)
def test_the_subjunctive_says_a_time_to_come_not_a_question(es: Understander, text: str) -> None:
    # "cuando me toque" (subjunctive) is "when my move comes": the asker says they will be away then
    assert es.read(text, today=TODAY).intent is Intent.FAQ, gloss(text)


def test_the_indicative_still_asks_when(es: Understander) -> None:
    assert es.read("¿cuándo me toca?", today=TODAY).intent is Intent.MY_SCHEDULE


@pytest.mark.parametrize(
    "text", ["soy de finanzas, ¿y cuándo me toca a mí?", "yo soy de marketing, cuando me toca a mi"]
)
def test_a_mi_asks_for_the_askers_own_move_not_their_departments(es: Understander, text: str) -> None:
    assert es.read(text, today=TODAY).intent is Intent.MY_SCHEDULE, gloss(text)


def test_a_subject_said_twice_is_said_once() -> None:
    assert gloss("yo soy de finanzas") == "i am in finance"
    assert gloss("en qué grupo quedé yo") == "in what group am i"


def test_where_one_ended_up_asks_for_the_wave(es: Understander) -> None:
    got = es.read("¿en qué grupo quedé?", today=TODAY)
    assert (got.intent, got.facet) == (Intent.MY_SCHEDULE, Facet.WAVE)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("¿a quién llamo si no funciona el correo?", "who do i call"),
        ("con quién hablo del authenticator", "who do i talk to"),
        ("¿a quién le aviso?", "who do i tell"),
    ],
)
def test_asking_whom(text: str, said: str) -> None:
    assert said in gloss(text)


async def test_whom_to_call_when_something_fails_is_the_desk_not_the_calendar(engine: AnswerEngine) -> None:
    with i18n.use("es-MX"):
        answer = await engine.answer("si algo falla el fin de semana, a quién llamo", ASKER)
    assert answer.kind is not AnswerKind.WHATS_ON, answer.kind


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("¿se pierden mis contactos?", "are lost my contacts"),
        ("¿se borra el calendario?", "is deleted the calendar"),
        ("qué se hace el sábado", "what is happening"),
    ],
)
def test_the_impersonal_se(text: str, said: str) -> None:
    assert said in gloss(text)


def test_shared_mail_however_it_is_said() -> None:
    assert "shared mailbox" in gloss("usamos un correo compartido en recepción")
    assert "shared mailboxes" in gloss("¿y los buzones compartidos?")


@pytest.mark.parametrize(
    ("chat", "written"),
    [
        ("k pasa con mi correo", "qué pasa con mi correo"),
        ("cdo me toca", "cuándo me toca"),
        ("q dia es mi migracion", "qué día es mi migración"),
        ("xfa dime cuando me toca", "por favor dime cuándo me toca"),
        ("mis archivos tmb se mudan?", "mis archivos también se mudan?"),
    ],
)
def test_chat_spellings_read_as_the_words(chat: str, written: str) -> None:
    assert gloss(chat) == gloss(written)


@pytest.mark.parametrize(("text", "said"), [("¿qué pasa con la K:?", "K drive"), ("ya no veo la Q", "Q drive")])
def test_a_capital_letter_alone_stays_a_drive(text: str, said: str) -> None:
    # "k" and "q" are chat spellings of "que", but a capital letter alone names a drive
    assert said in gloss(text)


@pytest.mark.parametrize(
    ("small", "plain"),
    [("mis correitos", "mis correos"), ("los archivitos", "los archivos"), ("una cosita", "una cosa")],
)
def test_diminutives_are_the_word_they_are_of(small: str, plain: str) -> None:
    assert gloss(small) == gloss(plain)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("no puedo conectarme", "connect"),
        ("tengo que loguearme otra vez", "sign in again"),
        ("hay que hacer login de nuevo", "sign in again"),
        ("¿se van a deletear mis mails?", "delete my email"),
        ("quiero forwardear un correo", "forward"),
        ("¿cómo lo checo en el celu?", "check"),
    ],
)
def test_verbs_with_their_pronouns_and_spanglish(text: str, said: str) -> None:
    assert said in gloss(text)


@pytest.mark.parametrize(
    ("word", "english"),
    [
        ("celu", "phone"),
        ("computador", "pc"),
        ("junta", "meeting"),
        ("liga", "link"),
        ("chamba", "work"),
        ("curro", "work"),
        ("ahorita", "now"),
    ],
)
def test_regional_words(word: str, english: str) -> None:
    assert gloss(word) == english


def test_we_in_the_verb_of_moving(es: Understander) -> None:
    assert gloss("¿cuándo migramos?") == "when we migrate?"
    assert es.read("¿cuándo migramos?", today=TODAY).intent is Intent.MY_SCHEDULE


def test_said_not_asked_my_turn_then_what_to_prepare(es: Understander) -> None:
    # "me toca en dos semanas" says when the move is; the question is what to prepare
    assert es.read("me toca en dos semanas, ¿hay algo que tenga que hacer antes?", today=TODAY).intent is Intent.FAQ


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("¿me toca trabajar el domingo?", "i have to work"),
        ("nos toca estar de guardia", "we have to be on call"),
        ("no me deja entrar al correo", "i can not sign in"),
        ("se me olvidó la contraseña", "i forgot the password"),
        ("estoy de incapacidad, ¿qué hago?", "i am on sick leave, what do i do"),
    ],
)
def test_everyday_turns_of_phrase(text: str, said: str) -> None:
    assert said in gloss(text)


def test_having_to_work_on_a_day_is_no_question_about_the_askers_turn(es: Understander) -> None:
    # "me toca trabajar el sábado" (I have to work on Saturday) against "¿me toca el sábado?" (is my move then?)
    assert es.read("¿me toca el sábado?", today=TODAY).intent is Intent.MY_SCHEDULE
    assert es.read("me toca trabajar el sábado de la migración, ¿qué hago?", today=TODAY).intent is Intent.FAQ


@pytest.mark.parametrize("text", ["¿ya me migraron?", "¿ya me mudaron el correo?", "¿ya nos cambiaron?"])
def test_the_preterite_of_moving_asks_about_the_askers_move(es: Understander, text: str) -> None:
    assert es.read(text, today=TODAY).intent is Intent.MY_SCHEDULE, gloss(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("¿qué onda con la migración?", "what happens with the migration"),
        ("¿va a haber soporte el lunes?", "will there be support"),
        ("¿cuánto va a durar el corte?", "last the outage"),
        ("¿a qué hora arranca el cambio?", "what time start"),
        ("el finde que viene", "next weekend"),
    ],
)
def test_regional_ways_of_asking(text: str, said: str) -> None:
    assert said in gloss(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("¿cuándo me pasan el correo?", "my email move"),
        ("¿cuándo nos cambian las compus?", "our pcs switch"),
    ],
)
def test_the_thing_moved_is_the_askers(text: str, said: str) -> None:
    # "me pasan el correo" (they move my email): the pronoun says whose, the article stays "my"
    assert said in gloss(text)
