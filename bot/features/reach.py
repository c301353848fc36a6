"""Reach for leads: ``reach wave-2`` shows how many of a wave's people the bot can message, per state
(a chat with the bot, the app installed, blocked, no Teams, disabled, unknown), the first names in
each state, and a paged list behind each count.

The figures are the domain's (:class:`switchover.reach.ReachService`); this module words and shapes them.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.actions import ReachPeople, ReachRefresh
from bot.routing import Router
from bot.turn import Turn
from cards.render import render_card
from switchover.i18n import N_, ngettext
from switchover.i18n import gettext as _
from switchover.plan.model import Plan
from switchover.reach import ReachService, ReachState, WaveReach
from switchover.services import Services
from switchover.status.words import figure
from switchover.timefmt import format_moment

REFUSAL = N_("Reach figures are for the project leads.")
NAMES = 10  # first names shown per state on the card
PAGE_SIZE = 25
USAGE = N_("Say which wave: for example `reach wave-2` (or `reach 2`).")


def register(router: Router, services: Services) -> None:
    """Add the lead-only ``reach`` command and its drill-downs."""

    def service() -> ReachService | None:
        return services.reach

    async def tenant(turn: Turn) -> str:
        return await services.tenant.settle(turn.asker.tenant_id) or turn.asker.tenant_id

    async def on_reach(turn: Turn, rest: str) -> None:
        reach = service()
        if reach is None:
            await turn.reply_text(_("Reach is not available on this Switchover."))
            return
        key = wave_key(services.plan, rest)
        if key is None:
            await turn.reply_text(_(USAGE))
            return
        card = reach_card(await reach.wave(await tenant(turn), key), services, turn.asker.zone)
        await turn.reply_card(card, summary=_("Reach of {wave}").format(wave=services.plan.wave(key).title))

    async def on_refresh(turn: Turn, data: ReachRefresh) -> dict[str, Any]:
        reach = service()
        if reach is None or not _has_wave(services.plan, data.wave):
            return _gone(data.wave)
        return reach_card(await reach.wave(await tenant(turn), data.wave), services, turn.asker.zone)

    async def on_people(turn: Turn, data: ReachPeople) -> dict[str, Any]:
        reach = service()
        if reach is None or not _has_wave(services.plan, data.wave):
            return _gone(data.wave)
        wave = await reach.wave(await tenant(turn), data.wave)
        state = ReachState(data.state)
        people = [p for p in wave.people if p.state is state]
        pages = max(1, -(-len(people) // PAGE_SIZE))
        page = min(max(1, data.page), pages)
        shown = people[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        pager = []
        if page > 1:
            pager.append(
                _button(_("Previous"), "reach_people", {"wave": data.wave, "state": data.state, "page": page - 1})
            )
        if page < pages:
            pager.append(_button(_("Next"), "reach_people", {"wave": data.wave, "state": data.state, "page": page + 1}))
        return render_card(
            "status-list",
            title=f"{wave.wave_title}: {state.label}",
            subtitle=ngettext(
                "{n} person · page {page} of {pages}", "{n} people · page {page} of {pages}", len(people)
            ).format(n=len(people), page=page, pages=pages),
            rows=[{"title": p.name, "value": f"{p.upn} · {p.department} · {p.detail}"} for p in shown],
            empty=_("Nobody."),
            actions=[*pager, _button(_("Back to reach"), "reach_refresh", {"wave": data.wave})],
        )

    router.command(
        "reach",
        on_reach,
        help=N_("whom the bot can message in a wave, and why not the others (`reach wave-2`)"),
        leads_only=True,
        refusal=REFUSAL,
    )
    router.action("reach_refresh", on_refresh, data=ReachRefresh, leads_only=True, refusal=REFUSAL)
    router.action("reach_people", on_people, data=ReachPeople, leads_only=True, refusal=REFUSAL)


def wave_key(plan: Plan, text: str) -> str | None:
    """``wave-2``, ``wave 2``, ``2`` or a wave's key: the wave's key, else None."""
    words = text.strip()
    for wave in plan.waves:
        if words.casefold() == wave.key.casefold():
            return wave.key
    numbers = [w for w in words.replace("-", " ").split() if w.isdigit()]
    if numbers:
        for wave in plan.waves:
            if wave.number == int(numbers[0]):
                return wave.key
    return None


def reach_card(reach: WaveReach, services: Services, zone: ZoneInfo | None = None) -> dict[str, Any]:
    """The lead's reach card of one wave (times in ``zone``, the lead's; else the plan's)."""
    zone = zone or services.plan.zone
    members = reach.members
    percent = round(100.0 * reach.reachable / members, 1) if members else 0.0
    subtitle = _("{part} of {whole} can be messaged ({percent}%)").format(
        part=reach.reachable, whole=members, percent=figure(percent)
    )
    note = None
    if reach.install_from is not None:
        when = format_moment(reach.install_from.astimezone(zone), year=True)
        if reach.install_from <= services.clock.now():
            note = _(
                "The app is being installed for this wave's people through Microsoft Graph (since {when})."
            ).format(when=when)
        else:
            note = _("The app will be installed for this wave's people through Microsoft Graph from {when}.").format(
                when=when
            )
    counts = [{"title": ReachState(k).label, "value": str(n)} for k, n in reach.counts.items()]
    states = []
    for state in ReachState:
        people = [p for p in reach.people if p.state is state]
        if not people or state.reachable:
            continue
        names = ", ".join(p.name for p in people[:NAMES])
        if len(people) > NAMES:
            names += _(" and {n} more").format(n=len(people) - NAMES)
        states.append(
            {
                "heading": f"{state.label}: {len(people)}",
                "names": names + ".",
                "button": _button(
                    _("Show all ({n})").format(n=len(people)),
                    "reach_people",
                    {"wave": reach.wave_key, "state": state.value},
                ),
            }
        )
    return render_card(
        "reach",
        title=_("Reach: {wave}").format(wave=reach.wave_title),
        subtitle=subtitle,
        note=note,
        counts=counts,
        states=states,
        actions=[_button(_("Refresh"), "reach_refresh", {"wave": reach.wave_key})],
    )


def _has_wave(plan: Plan, key: str) -> bool:
    return any(w.key == key for w in plan.waves)


def _gone(key: str) -> dict[str, Any]:
    return render_card(
        "status-list",
        title=_("No wave {wave}").format(wave=key),
        subtitle=_("The plan has no such wave any more."),
        rows=[],
        empty="",
        actions=[],
    )


def _button(title: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"title": title, "verb": verb, "data": data}
