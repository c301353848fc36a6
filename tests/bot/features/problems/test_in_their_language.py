"""People read the bot in their Teams language, over /api/messages (issue 19).

A Spanish-reading person (activity locale ``es-US``) gets the welcome and the help in Spanish,
reports a problem through the dialog in Spanish, and later hears in Spanish that it was
acknowledged, while the owner, whose Teams language the bot does not know, works from an
English card. Someone whose Teams is in a language without a catalog (``it-IT``) reads English.
"""

from __future__ import annotations

from typing import Any

from tests.bot.features.problems.conftest import ProblemsWorld, executes, inputs, staff
from tests.support.app import Person, person
from tests.support.connector import Received

REPORTER = "nora.abbott"


async def post_as(world: ProblemsWorld, who: Person, locale: str | None, **fields: Any) -> list[Received]:
    """Post an activity from ``who``'s 1:1 chat with Teams' ``locale``; returns what the bot sent there."""
    before = len(world.connector.received)
    activity = world.teams.activity(who, **fields)
    if locale:
        activity["locale"] = locale
    resp = await world.teams.post(activity)
    assert resp.status == 202
    return [r for r in world.connector.received[before:] if r.conversation_id == who.personal_conversation]


async def press(world: ProblemsWorld, who: Person, locale: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    """Press an ``Action.Execute`` as ``who`` with Teams' ``locale``; returns the invoke response's value."""
    activity = world.teams.activity(
        who,
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
    )
    activity["locale"] = locale
    headers = {"Content-Type": "application/json", **world.teams.auth_headers()}
    async with world.teams.session.post(f"{world.app.url}/api/messages", json=activity, headers=headers) as resp:
        assert resp.status == 200
        body = await resp.json()
    return body["value"]


def last_card(sent: list[Received]) -> dict[str, Any]:
    card = next((r.card for r in reversed(sent) if r.card), None)
    assert card is not None, [r.body for r in sent]
    return card


def text_of(card: dict[str, Any] | str) -> str:
    return (
        Received(
            "send",
            "",
            None,
            {"attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]},
            0.0,
        ).card_text()
        if isinstance(card, dict)
        else card
    )


def owner_of(world: ProblemsWorld, report_id: int) -> str:
    """The plan person whose chat got the working card of ``report_id``."""
    for r in world.connector.received[world.since :]:
        if any(v == "problem_ack" and d.get("report_id") == report_id for v, d in executes(r.card or {})):
            for key in ("luis.ortega", "tom.becker", "dana.whitfield", "priya.raman", "robert.kim", "kevin.obrien"):
                if r.conversation_id == staff(key).personal_conversation:
                    return key
    raise AssertionError(f"nobody got a working card for report {report_id}")


async def test_a_spanish_reader_gets_the_welcome_and_the_help_in_spanish(world: ProblemsWorld) -> None:
    nora = person(REPORTER)
    welcome = text_of(
        last_card(
            await post_as(world, nora, "es-US", type="conversationUpdate", membersAdded=[{"id": world.teams.bot_id}])
        )
    )
    assert "Hola, Nora: soy Switchover" in welcome
    assert "Escriba **ayuda** para ver ejemplos." in welcome
    assert "I'm Switchover" not in welcome

    card = last_card(await post_as(world, nora, "es-US", text="ayuda"))
    help_text = text_of(card)
    assert "Lo que puedo hacer" in help_text
    assert "avisar a la persona adecuada de algo que falla" in help_text
    assert "What I can do" not in help_text
    # The buttons say Spanish words, and those words are commands the bot answers.
    says = [a["data"]["msteams"]["value"] for a in card["actions"]]
    assert "reportar un problema" in says
    asked = last_card(await post_as(world, nora, "es-US", text="reportar un problema"))
    assert "¿Qué falla? Dígalo con sus propias palabras" in text_of(asked)


async def test_an_unsupported_language_reads_english(world: ProblemsWorld) -> None:
    nora = person(REPORTER)
    welcome = text_of(
        last_card(
            await post_as(world, nora, "it-IT", type="conversationUpdate", membersAdded=[{"id": world.teams.bot_id}])
        )
    )
    assert "Hi Nora, I'm Switchover" in welcome
    help_text = text_of(last_card(await post_as(world, nora, "it-IT", text="help")))
    assert "What I can do" in help_text
    assert "tell the right person about something that broke" in help_text
    asked = text_of(last_card(await post_as(world, nora, "it-IT", text="report a problem")))
    assert 'What is wrong? Say it in your own words, e.g. "my H drive files are missing".' in asked


async def test_the_report_dialog_and_the_later_notice_follow_the_reporters_language(world: ProblemsWorld) -> None:
    nora = person(REPORTER)
    await post_as(world, nora, "es-US", type="conversationUpdate", membersAdded=[{"id": world.teams.bot_id}])

    # The dialog, in Spanish: the command in Spanish with the description after it.
    sent = await post_as(world, nora, "es-US", text="reportar un problema se borraron mis archivos de la unidad H")
    card = last_card(sent)
    for _ in range(3):  # the questions triage is unsure of, each answered with its first choice
        actions = executes(card)
        if any(verb == "problem_submit" for verb, _ in actions):
            break
        shown = text_of(card)
        assert any(q in shown for q in ("¿A quién afecta?", "¿Qué tan grave es?")), shown
        assert any(c in shown for c in ("Solo a mí", "No puedo trabajar")), shown
        before = len(world.connector.received)
        await press(world, nora, "es-US", actions[0][0], dict(actions[0][1]))
        card = last_card(
            [r for r in world.connector.received[before:] if r.conversation_id == nora.personal_conversation]
        )
    confirm = text_of(card)
    assert "Esto es lo que entendí. Corrija lo que esté mal y luego envíelo." in confirm
    assert "Solo a mí" in confirm and "Varias personas" in confirm
    # Area names as the plan translates them.
    assert "Correo y calendario" in confirm and "Email & calendar" not in confirm
    # The Spanish command words are not part of the description.
    assert inputs(card)["text"] == "se borraron mis archivos de la unidad H"

    submit = next(data for verb, data in executes(card) if verb == "problem_submit")
    status = text_of(await press(world, nora, "es-US", "problem_submit", {**submit, **inputs(card)}))
    assert "Enviado. Su referencia es PR-" in status
    assert "Referencia" in status and "Abierto, en espera de confirmación" in status

    await world.deliver()
    [report] = await world.desk.mine(world.teams.tenant_id, nora.aad_object_id)
    report_id = report.id
    told = [r.card_text() for r in world.to(nora)]
    assert any(f"Su informe {report.reference} está registrado" in t for t in told), told

    # The owner's card: the owner's Teams language is not known, so the plan's (English).
    owner = owner_of(world, report_id)
    [owner_card] = [
        r for r in world.to(owner) if any(d.get("report_id") == report_id for _, d in executes(r.card or {}))
    ]
    assert "Acknowledge by" in owner_card.card_text() and "Reference" in owner_card.card_text()
    assert "Referencia" not in owner_card.card_text()
    assert "Email & calendar" in owner_card.card_text()

    # The owner acknowledges (in English); the reporter hears of it later, in Spanish.
    code, body = await world.teams.invoke_action(staff(owner), "problem_ack", {"report_id": report_id})
    assert code == 200, body
    assert "Acknowledged, being worked on" in text_of(body["value"])
    await world.deliver()
    name = world.services.plan.person(owner).name
    notices = [t for t in (r.card_text() for r in world.to(nora)) if f"{name} se está encargando." in t]
    assert len(notices) == 1
    assert "Confirmado, en curso" in notices[0] and "Estado" in notices[0]
    assert "is on it" not in notices[0]


async def test_an_owner_whose_teams_is_in_polish_gets_the_card_in_polish(world: ProblemsWorld) -> None:
    nora = person(REPORTER)
    await post_as(world, nora, "es-US", type="conversationUpdate", membersAdded=[{"id": world.teams.bot_id}])
    for key in ("luis.ortega", "tom.becker", "dana.whitfield", "priya.raman", "robert.kim", "kevin.obrien"):
        await post_as(world, staff(key), "pl-PL", text="pomoc")  # each owner's Teams is in Polish
    since = len(world.connector.received)
    await world.report(REPORTER, "my H drive files are missing", impact="me")
    await world.deliver()
    [report] = await world.desk.mine(world.teams.tenant_id, nora.aad_object_id)
    owner = owner_of(world, report.id)
    cards = [
        r.card_text()
        for r in world.connector.received[since:]
        if r.conversation_id == staff(owner).personal_conversation and r.card
    ]
    assert any("Potwierdzić do" in t and "Zgłaszający" in t for t in cards), cards
