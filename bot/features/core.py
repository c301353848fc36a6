"""The first conversation: welcome on install and ``help``."""

from __future__ import annotations

import logging
from functools import lru_cache

from bot.routing import Router
from bot.turn import Turn
from cards.render import render_card
from switchover import i18n
from switchover.i18n import N_
from switchover.i18n import gettext as _
from switchover.plan.model import Plan
from switchover.services import Services
from switchover.timefmt import format_window

log = logging.getLogger(__name__)

# What a person can say, in their language (the commands below also answer to their translations,
# see bot.features.problems.COMMAND_WORDS), and what it does.
HELP_ITEMS = (
    (N_("when is my migration"), N_("your wave, cutover date and time in your time zone, and what to do first")),
    # Translators: {site} is a place of the plan, as the plan writes it.
    (N_("when does {site} move?"), N_("any site's, department's or wave's dates")),
    (N_("will I lose email?"), N_("answers to common questions about the move")),
    (
        N_("report a problem"),
        N_("tell the right person about something that broke; you get a reference number"),
    ),
    (N_("my problems"), N_("the status of what you reported")),
)
# Lead commands are typed as they are (English words); only what they do is translated.
LEAD_ITEMS = (
    ("announce", N_("compose an announcement for a wave, a department, a site or everyone")),
    ("announcements", N_("scheduled and sent announcements with delivery and acknowledgement figures")),
    (
        "reschedule <wave> <date> [HH:MM-HH:MM]",
        N_("move a wave and its hypercare: pending notices move, sent cards are updated in place"),
    ),
    (
        "cutover started <wave> / cutover complete <wave>",
        N_("record where a wave is; sends its cutover-complete card"),
    ),
    ("readiness", N_("who has registered MFA, per wave and department")),
    ("status", N_("where each wave stands: reach, readiness, announcements and problem reports")),
)
HELP_BUTTONS = (  # (title, what pressing it says)
    (N_("When is my move?"), N_("when is my migration")),
    (N_("Will I lose email?"), N_("will I lose any email")),
    (N_("Report a problem"), N_("report a problem")),
)


async def help_card(turn: Turn) -> dict:
    plan: Plan = turn.services.plan
    return help_card_for(plan, await turn.is_lead())


def _example_site(plan: Plan) -> str:
    """A place of this plan to show in the help ("when does <site> move?"): a wave's first site, else a wave."""
    for wave in plan.waves:
        if wave.sites:
            return wave.sites[0]
    number = plan.waves[-1].number if plan.waves else 1
    return _("wave {number}").format(number=number)


def help_card_for(plan: Plan, is_lead: bool) -> dict:
    """The help card for a person of ``plan`` in the language in force."""
    return _help_card(
        plan.organisation.name, plan.service_desk.phone, is_lead, _example_site(plan), i18n.current().code
    )


@lru_cache(maxsize=64)
def _help_card(organisation: str, phone: str | None, is_lead: bool, site: str, language: str) -> dict:
    # The same card for everyone with the same role and language in the same plan: rendered
    # once. Cards are not changed after rendering (they are only serialised).
    return render_card(
        "help",
        title=_("What I can do"),
        intro=_("I keep you up to date on {organisation}'s move to Microsoft 365. Ask me in your own words:").format(
            organisation=organisation
        ),
        items=[{"say": _(say).format(site=site), "does": _(does)} for say, does in HELP_ITEMS],
        lead_items=[{"say": say, "does": _(does)} for say, does in LEAD_ITEMS] if is_lead else [],
        footer=_("Urgent? Call the Service Desk at {phone}.").format(phone=phone)
        if phone
        else _("Urgent? Contact the Service Desk."),
        buttons=[{"title": _(title), "say": _(say)} for title, say in HELP_BUTTONS],
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
            wave_title = _("You move with {wave}").format(wave=wave.title)
            start, end = wave.cutover.start.astimezone(zone), wave.cutover.end.astimezone(zone)
            cutover_text = _("Cutover: {window} ({zone})").format(
                window=format_window(start, end, day="long"), zone=zone.key
            )
    return render_card(
        "welcome",
        greeting=_("Hi {name}, I'm Switchover").format(name=name) if name else _("Hi, I'm Switchover"),
        intro=_(
            "I'll keep you informed while {organisation} moves to Microsoft 365: when your move is, "
            "what to do before it, and who to tell when something breaks."
        ).format(organisation=plan.organisation.name),
        wave_title=wave_title,
        cutover_text=cutover_text,
        closing=_("Ask me anything about the move, in your own words. Type **help** for examples."),
    )


async def on_help(turn: Turn, rest: str) -> None:
    await turn.reply_card(await help_card(turn), summary=_("What I can do"))


async def on_bot_added(turn: Turn, event: object) -> None:
    if not turn.is_personal:
        plan = turn.services.plan
        await turn.reply_text(
            _(
                "Hello! I'm Switchover. I'll post {organisation}'s Microsoft 365 migration notices here. "
                "Mention me with **help** to see what I can do."
            ).format(organisation=plan.organisation.name)
        )
        return
    await turn.reply_card(await welcome_card(turn), summary=_("Welcome to Switchover"))


# "help" in the languages the bot speaks (typed words are matched folded: lower case, no punctuation).
HELP_WORDS = ("help", "what can you do", "ayuda", "qué puedes hacer", "que puedes hacer", "pomoc", "co potrafisz")


def register(router: Router, services: Services) -> None:
    """Add ``help`` and the welcome when the bot is installed."""
    router.command("help", on_help, help="what I can do", exact=True)
    for words in HELP_WORDS[1:]:
        router.command(words, on_help, exact=True)
    router.event("bot_added", on_bot_added)
