"""Problem cards and the reporter's notices are written in the reader's language (issue 19)."""

from __future__ import annotations

from switchover import i18n
from switchover.plan.model import Impact, Urgency
from switchover.problems import views
from switchover.problems.model import ReportStatus
from tests.switchover.problems.plan_fixture import fabrikam_plan
from tests.switchover.problems.test_views import report

OPEN, CLOSE = i18n.PSEUDO_OPEN, i18n.PSEUDO_CLOSE


def fact_titles(card: dict) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "FactSet":
                found.extend(f["title"] for f in node["facts"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return found


def test_every_fact_title_the_code_writes_goes_through_the_catalog() -> None:
    plan = fabrikam_plan()
    r = report("my H drive files are missing")
    with i18n.use(i18n.PSEUDO):
        cards = [views.owner_card(plan, r), views.status_card(plan, r, "hello")]
    titles = [t for card in cards for t in fact_titles(card)]
    assert titles
    assert all(t.startswith(OPEN) and t.endswith(CLOSE) for t in titles), titles


def test_the_reporters_notices_go_through_the_catalog() -> None:
    plan = fabrikam_plan()
    r = report("my H drive files are missing")
    with i18n.use(i18n.PSEUDO):
        said = [
            views.acknowledged("Luis Ortega"),
            views.assigned("Tom Becker"),
            views.rerouted(plan, r, "Luis Ortega"),
            views.escalated("project_lead", ["Kevin O'Brien"]),
            views.escalated("backup", []),
            views.commented("Luis Ortega", "try again"),
            views.resolved(r, "Fixed."),
            views.reopened("Luis Ortega", ""),
            views.reopened("Luis Ortega", "still broken"),
            views.in_incident(r, 7),
        ]
    for words in said:
        assert words.startswith(OPEN), words
    # Names and the reference are kept as they are, whatever the language.
    assert "Luis Ortega" in said[0] and r.reference in said[2]


def test_spanish_notices_and_cards_keep_the_facts_and_read_spanish() -> None:
    plan = fabrikam_plan()
    r = report("my H drive files are missing")
    with i18n.use("es-US"):
        assert views.acknowledged("Luis Ortega") == "Luis Ortega se está encargando."
        assert views.escalated("backup", ["Tom Becker"]) == (
            "Su problema no se confirmó a tiempo; ahora lo tiene el suplente: Tom Becker."
        )
        assert views.resolved(r, views.REPORTER_FIXED_NOTE).startswith(
            f"Su problema {r.reference} está resuelto: Quien lo informó dice que está solucionado."
        )
        card = views.status_card(plan, r, "hola")
        titles = fact_titles(card)
        choices = views.confirm_card(
            plan, draft_id="d", text="x", area="files", impact=Impact.ME, urgency=Urgency.CANT_WORK, intro="i"
        )
    assert titles[:2] == ["Referencia", "Estado"]
    assert r.reference in str(card) and "Abierto, en espera de confirmación" in str(card)
    assert "Solo a mí" in str(choices) and "No puedo trabajar" in str(choices)


def test_english_is_unchanged_and_a_typed_note_stays_as_typed() -> None:
    plan = fabrikam_plan()
    r = report("my H drive files are missing", ReportStatus.RESOLVED, note="Resolved.")
    assert views.escalated("project_lead", []) == (
        "Your problem was not acknowledged in time; it is now with the project lead, nobody reachable yet."
    )
    with i18n.use("pl-PL"):
        typed = views.resolved(r, "Restarted the file server.")
        own = views.status_card(plan, r, "x")
    assert "Restarted the file server." in typed
    assert "Uwaga: Rozwiązano." in str(own)
