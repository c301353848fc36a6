"""The first conversation: welcome on install and ``help``."""

from __future__ import annotations

import logging
from functools import lru_cache

from bot.routing import Router
from bot.turn import Turn
from cards.render import render_card
from switchover.plan.model import Plan
from switchover.services import Services
from switchover.timefmt import format_window

log = logging.getLogger(__name__)

HELP_ITEMS = (
    ("when is my migration", "your wave, cutover date and time in your time zone, and what to do first"),
    ("when does {site} move?", "any site's, department's or wave's dates"),
    ("will I lose email?", "answers to common questions about the move"),
    ("report a problem", "tell the right person about something that broke; you get a reference number"),
    ("my problems", "the status of what you reported"),
)
LEAD_ITEMS = (
    ("announce", "compose an announcement for a wave, a department, a site or everyone"),
    ("announcements", "scheduled and sent announcements with delivery and acknowledgement figures"),
    (
        "reschedule <wave> <date> [HH:MM-HH:MM]",
        "move a wave and its hypercare: pending notices move, sent cards are updated in place",
    ),
    ("cutover started <wave> / cutover complete <wave>", "record where a wave is; sends its cutover-complete card"),
    ("readiness", "who has registered MFA, per wave and department"),
    ("status", "where each wave stands: reach, readiness, announcements and problem reports"),
)
HELP_BUTTONS = (
    {"title": "When is my move?", "say": "when is my migration"},
    {"title": "Will I lose email?", "say": "will I lose any email"},
    {"title": "Report a problem", "say": "report a problem"},
)


async def help_card(turn: Turn) -> dict:
    plan: Plan = turn.services.plan
    return _help_card(plan.organisation.name, plan.service_desk.phone, await turn.is_lead(), _example_site(plan))


def _example_site(plan: Plan) -> str:
    """A place of this plan to show in the help ("when does <site> move?"): a wave's first site, else a wave."""
    for wave in plan.waves:
        if wave.sites:
            return wave.sites[0]
    return f"wave {plan.waves[-1].number}" if plan.waves else "wave 1"


@lru_cache(maxsize=16)
def _help_card(organisation: str, phone: str | None, is_lead: bool, site: str = "wave 1") -> dict:
    # The same card for everyone with the same role in the same plan: rendered
    # once. Cards are not changed after rendering (they are only serialised).
    return render_card(
        "help",
        title="What I can do",
        intro=f"I keep you up to date on {organisation}'s move to Microsoft 365. Ask me in your own words:",
        items=[{"say": say.format(site=site), "does": does} for say, does in HELP_ITEMS],
        lead_items=[{"say": say, "does": does} for say, does in LEAD_ITEMS] if is_lead else [],
        footer=f"Urgent? Call the Service Desk at {phone}." if phone else "Urgent? Contact the Service Desk.",
        buttons=list(HELP_BUTTONS),
    )


async def welcome_card(turn: Turn) -> dict:
    from switchover.membership import resolve_wave

    plan = await turn.services.answers.plan_as_it_stands()  # a wave a lead rescheduled shows its new date
    user = await turn.user()
    name = (user.given_name if user and user.given_name else None) or (turn.asker.name or "").split(" ")[0]
    wave_title = cutover_text = None
    if user is not None:
        assignment = resolve_wave(plan, user)
        wave = assignment.wave if assignment is not None else None
        if wave is not None:
            zone = turn.asker.zone or plan.zone
            wave_title = f"You move with {wave.title}"
            start, end = wave.cutover.start.astimezone(zone), wave.cutover.end.astimezone(zone)
            cutover_text = f"Cutover: {format_window(start, end, day='long')} ({zone.key})"
    return render_card(
        "welcome",
        greeting=f"Hi {name}, I'm Switchover" if name else "Hi, I'm Switchover",
        intro=(
            f"I'll keep you informed while {plan.organisation.name} moves to Microsoft 365: when your move is, "
            "what to do before it, and who to tell when something breaks."
        ),
        wave_title=wave_title,
        cutover_text=cutover_text,
        closing="Ask me anything about the move, in your own words. Type **help** for examples.",
    )


async def on_help(turn: Turn, rest: str) -> None:
    await turn.reply_card(await help_card(turn), summary="What I can do")


async def on_bot_added(turn: Turn, _: object) -> None:
    if not turn.is_personal:
        plan = turn.services.plan
        await turn.reply_text(
            f"Hello! I'm Switchover. I'll post {plan.organisation.name}'s Microsoft 365 migration notices here. "
            "Mention me with **help** to see what I can do."
        )
        return
    await turn.reply_card(await welcome_card(turn), summary="Welcome to Switchover")


def register(router: Router, services: Services) -> None:
    """Add ``help`` and the welcome when the bot is installed."""
    router.command("help", on_help, help="what I can do", exact=True)
    router.command("what can you do", on_help, exact=True)
    router.event("bot_added", on_bot_added)
