"""The status picture in words, in the reader's language: the lines the ``status`` card and the daily
digest share (a wave's heading, reach, announcement and report figures, an overdue report).

Everything here reads the language in force (:func:`switchover.i18n.use`): the bot edge sets it per
turn, the digest per recipient. Figures are the picture's; only their wording changes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from switchover.i18n import DEFAULT, N_, PSEUDO, current, ngettext
from switchover.i18n import gettext as _
from switchover.plan.languages import area_name
from switchover.plan.model import Plan
from switchover.status.model import OverdueAcknowledgement, WaveState, WaveStatus
from switchover.timefmt import format_moment

STATE_WORDS = {
    WaveState.UPCOMING: N_("upcoming"),
    WaveState.POSTPONED: N_("postponed"),
    WaveState.CUTOVER: N_("cutover in progress"),
    WaveState.HYPERCARE: N_("hypercare"),
    WaveState.DONE: N_("done"),
}


def wave_heading(wave: WaveStatus) -> str:
    """``Wave 2: cutover in progress (overrunning)``."""
    state = _(STATE_WORDS[wave.state])
    if wave.overrunning:
        return _("{wave}: {state} (overrunning)").format(wave=wave.title, state=state)
    return _("{wave}: {state}").format(wave=wave.title, state=state)


def as_of(at: dt.datetime, zone: ZoneInfo) -> str:
    """``As of Mon 15 Feb 2027 08:00 (America/Los_Angeles)``."""
    return _("As of {moment} ({zone})").format(moment=format_moment(at.astimezone(zone), year=True), zone=zone.key)


def figure(value: float) -> str:
    """A percentage's figure as the reader writes numbers: ``73.7`` (``73,7`` in Polish), ``60``."""
    lang = current()
    if lang.code in (DEFAULT, PSEUDO):
        return f"{value:g}"
    return format_decimal(value, format="0.#", locale=lang.locale)


def of(part: int, whole: int, percent: float) -> str:
    """``12 of 40 (30%)``."""
    return _("{part} of {whole} ({percent}%)").format(part=part, whole=whole, percent=figure(percent))


def reach_line(wave: WaveStatus) -> str:
    """``38 of 40 can be messaged (95%)``."""
    r = wave.reach
    return _("{part} of {whole} can be messaged ({percent}%)").format(
        part=r.reachable, whole=r.members, percent=figure(r.percent)
    )


def open_reports_line(wave: WaveStatus) -> str:
    """``3 (P1 1, P3 2)``, or ``0``."""
    by_priority = ", ".join(f"{p} {n}" for p, n in wave.open_by_priority.items() if n)
    return f"{wave.open_reports} ({by_priority})" if by_priority else "0"


def minutes(n: int) -> str:
    """A duration in minutes as a lead reads it: ``45 min``, ``2 h 5 min``, ``3 days``."""
    if n < 60:
        return _("{n} min").format(n=n)
    if n < 24 * 60:
        if n % 60:
            return _("{hours} h {minutes} min").format(hours=n // 60, minutes=n % 60)
        return _("{hours} h").format(hours=n // 60)
    days = n // (24 * 60)
    return ngettext("{n} day", "{n} days", days).format(n=days)


def area_in(plan: Plan, key: str, name: str) -> str:
    """The area's name in the reader's language when the plan has it (else ``name``, as the picture has it)."""
    try:
        area = plan.area(key)
    except KeyError:
        return name
    return area_name(area, current().code, plan.organisation.language)


def overdue_line(o: OverdueAcknowledgement, plan: Plan) -> str:
    """``PR-0012 P2 Email: Ann Lee, 2 h overdue``."""
    return _("{reference} {priority} {area}: {owner}, {duration} overdue").format(
        reference=o.reference,
        priority=o.priority,
        area=area_in(plan, o.area, o.area_name),
        owner=o.owner_name,
        duration=minutes(o.overdue_minutes),
    )
