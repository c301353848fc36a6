"""Which Service Desk serves a person: by their site (office location or city), else their country.

A plan's ``service_desk`` is the default desk; ``service_desk.contacts`` adds desks
for some sites or countries, each with its own number, channel and hours (in its own
time zone). A site match wins over a country match; contacts are tried in plan order.
Countries are compared as ISO codes (:mod:`switchover.countries`), so "Mexico", "MX",
"México" and a word from ``aliases.countries`` are one country.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from switchover.countries import country_code_aliased
from switchover.plan.model import ChannelRef, DeskContact, Plan, WorkingHours

__all__ = ["Desk", "country_codes", "desk_for", "desks", "plan_country_code"]


@dataclass(frozen=True, slots=True)
class Desk:
    """One Service Desk as a person sees it.

    Attributes:
        index: the contact's position in ``service_desk.contacts``; None for the default desk.
        name: how people say it ("Service Desk" when the plan gives no name).
        phone: its number, or None.
        channel: its Teams channel.
        hours: its own weekly hours; None: the plan's ``business_hours``.
        zone: the zone its hours are in.
    """

    index: int | None
    name: str
    phone: str | None
    channel: ChannelRef
    hours: WorkingHours | None
    zone: ZoneInfo

    @property
    def key(self) -> str:
        """A stable name for caches: ``default`` or ``contact-N``."""
        return "default" if self.index is None else f"contact-{self.index}"


def _fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def plan_country_code(plan: Plan, value: str | None) -> str | None:
    """The ISO code of a country as a plan or a roster writes it (name, code or an ``aliases.countries`` word)."""
    return country_code_aliased(value, plan.aliases.countries)


def country_codes(plan: Plan, values: tuple[str, ...]) -> frozenset[str]:
    """The ISO codes of ``values`` (unknown ones left out; the loader reports them)."""
    return frozenset(c for c in (plan_country_code(plan, v) for v in values) if c)


def _default(plan: Plan) -> Desk:
    return Desk(None, "Service Desk", plan.service_desk.phone, plan.service_desk.channel, None, plan.zone)


def _desk(plan: Plan, index: int, contact: DeskContact) -> Desk:
    zone = (contact.hours.zone if contact.hours else None) or plan.zone
    return Desk(
        index,
        contact.name or "Service Desk",
        contact.phone or plan.service_desk.phone,
        contact.channel or plan.service_desk.channel,
        contact.hours,
        zone,
    )


class _Key:
    """A plan as a cache key by identity (a plan holds dicts, so it does not hash)."""

    __slots__ = ("plan",)

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def __hash__(self) -> int:
        return id(self.plan)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.plan is self.plan


_Table = tuple[Desk, tuple[tuple[frozenset[str], frozenset[str], Desk], ...]]


@lru_cache(maxsize=32)
def _table_by_key(key: _Key) -> _Table:
    plan = key.plan
    rows = tuple(
        (frozenset(_fold(s) for s in c.sites), country_codes(plan, c.countries), _desk(plan, i, c))
        for i, c in enumerate(plan.service_desk.contacts)
    )
    return _default(plan), rows


def _table(plan: Plan) -> _Table:
    return _table_by_key(_Key(plan))


def desks(plan: Plan) -> list[Desk]:
    """Every desk of the plan: the default first, then each contact."""
    default, rows = _table(plan)
    return [default, *(d for _, _, d in rows)]


def desk_for(plan: Plan, *, site: str | None = None, city: str | None = None, country: str | None = None) -> Desk:
    """The desk that serves someone at ``site`` (office location) or ``city`` in ``country``.

    ``country`` may be a name, an ISO code or an ``aliases.countries`` word.
    """
    default, rows = _table(plan)
    if not rows:
        return default
    places = {_fold(site), _fold(city)} - {""}
    for sites, _, desk in rows:
        if places & sites:
            return desk
    code = plan_country_code(plan, country) if country else None
    if code is not None:
        for _, codes, desk in rows:
            if code in codes:
                return desk
    return default
