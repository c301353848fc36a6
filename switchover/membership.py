"""Which wave a person moves in, and why.

Precedence, first match wins:

1. an ``exclude`` exception: in no wave (``excluded``);
2. a ``move`` exception: the exception's wave (``moved``);
3. a champion entry: the champion's wave (``champion``);
4. a wave's explicit ``users`` list (``explicit``);
5. disabled accounts, then guests: in no wave (``disabled``, ``guest``);
6. the first wave (plan order) with a membership rule that matches (``rule``);
7. otherwise in no wave (``no_rule``).

So disabled accounts and guests are only in a wave when the plan names them.
Matching is case-insensitive; the folded rule sets are computed once per plan.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from switchover.directory.base import Directory, DirectoryUser
from switchover.plan.desks import country_codes, plan_country_code
from switchover.plan.diff import PersonMove
from switchover.plan.model import Champion, ExceptionKind, MembershipRule, Plan, Wave, WaveException

__all__ = [
    "AssignmentReason",
    "WaveAssignment",
    "members_by_wave",
    "people_moved",
    "resolve_wave",
    "rule_wave",
    "wave_for_upn",
    "wave_members",
]


class AssignmentReason(StrEnum):
    """Why a person is (or is not) in a wave."""

    RULE = "rule"
    CHAMPION = "champion"
    MOVED = "moved"
    EXPLICIT = "explicit"
    EXCLUDED = "excluded"
    DISABLED = "disabled"
    GUEST = "guest"
    NO_RULE = "no_rule"


@dataclass(frozen=True, slots=True)
class WaveAssignment:
    """The wave a person moves in (None: no wave) and the reason.

    Attributes:
        wave: the wave, or None.
        reason: why.
        rule: for ``rule``, the membership rule that matched.
        champion: for ``champion``, the champion entry (with its site).
        exception: for ``moved``/``excluded``, the plan's exception (with its reason).
        from_wave: for ``moved``, the wave key the rules would have given (None if no rule matched).
    """

    wave: Wave | None
    reason: AssignmentReason
    rule: MembershipRule | None = None
    champion: Champion | None = None
    exception: WaveException | None = None
    from_wave: str | None = None

    @property
    def wave_key(self) -> str | None:
        """The wave's key, or None."""
        return self.wave.key if self.wave else None

    def __bool__(self) -> bool:
        return self.wave is not None

    def explain(self) -> str:
        """A short sentence for people: why this wave."""
        if self.reason is AssignmentReason.MOVED and self.exception is not None:
            because = f": {self.exception.reason}" if self.exception.reason else ""
            origin = f" from {self.from_wave}" if self.from_wave else ""
            return f"moved{origin} to {self.wave_key}{because}"
        if self.reason is AssignmentReason.CHAMPION and self.champion is not None:
            site = f" for {self.champion.site}" if self.champion.site else ""
            return f"site champion{site}, moves with {self.wave_key}"
        return {
            AssignmentReason.RULE: f"in {self.wave_key} by its membership rules",
            AssignmentReason.EXPLICIT: f"named in {self.wave_key}",
            AssignmentReason.EXCLUDED: "excluded from the migration waves",
            AssignmentReason.DISABLED: "account disabled",
            AssignmentReason.GUEST: "guest account",
            AssignmentReason.NO_RULE: "no wave's rules match",
        }.get(self.reason, str(self.reason))


def _fold(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values)


@dataclass(frozen=True, slots=True)
class _Rule:
    rule: MembershipRule
    departments: frozenset[str]
    offices: frozenset[str]
    cities: frozenset[str]
    groups: frozenset[str]
    countries: frozenset[str] = frozenset()  # ISO codes

    def matches(self, department: str, office: str, city: str, groups: frozenset[str], country: str | None) -> bool:
        if not (self.departments or self.offices or self.cities or self.groups or self.countries):
            return False  # an empty rule selecting everyone is almost certainly a mistake
        return (
            (not self.departments or department in self.departments)
            and (not self.offices or office in self.offices)
            and (not self.cities or city in self.cities)
            and (not self.groups or not self.groups.isdisjoint(groups))
            and (not self.countries or country in self.countries)
        )


class _Resolver:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rules: list[tuple[Wave, _Rule]] = [
            (
                wave,
                _Rule(
                    r,
                    _fold(r.departments),
                    _fold(r.offices),
                    _fold(r.cities),
                    _fold(r.groups),
                    country_codes(plan, r.countries),
                ),
            )
            for wave in plan.waves
            for r in wave.include
        ]
        self._uses_groups = any(r.groups for _, r in self.rules)
        self._uses_countries = any(r.countries for _, r in self.rules)
        self.waves = {w.key: w for w in plan.waves}
        self.exceptions = {e.user.casefold(): e for e in plan.exceptions}
        self.champions = {c.user.casefold(): c for c in plan.champions}
        self.explicit: dict[str, Wave] = {}
        for wave in plan.waves:
            for upn in wave.users:
                self.explicit.setdefault(upn.casefold(), wave)

    def by_rule(self, user: DirectoryUser) -> tuple[Wave, MembershipRule] | None:
        department = (user.department or "").strip().casefold()
        office = (user.office or "").strip().casefold()
        city = (user.city or "").strip().casefold()
        groups = _fold(user.groups) if self._uses_groups else frozenset()
        # The roster's country: the address's, else the usage location (names, codes and the plan's aliases).
        country = None
        if self._uses_countries:
            country = plan_country_code(self.plan, user.country) or plan_country_code(self.plan, user.usage_location)
        for wave, rule in self.rules:
            if rule.matches(department, office, city, groups, country):
                return wave, rule.rule
        return None

    @staticmethod
    def _named(table: dict, upn: str, mail: str | None):  # type: ignore[no-untyped-def]
        hit = table.get(upn)
        if hit is None and mail:
            hit = table.get(mail)
        return hit

    def resolve(self, user: DirectoryUser) -> WaveAssignment:
        upn = user.upn.casefold()
        mail = user.mail.casefold() if user.mail else None
        exc: WaveException | None = self._named(self.exceptions, upn, mail)
        if exc is not None:
            if exc.kind is ExceptionKind.EXCLUDE:
                return WaveAssignment(None, AssignmentReason.EXCLUDED, exception=exc)
            by_rule = self.by_rule(user)
            origin = exc.from_wave or (by_rule[0].key if by_rule else None)
            return WaveAssignment(
                self.waves.get(exc.to_wave or ""), AssignmentReason.MOVED, exception=exc, from_wave=origin
            )
        champ: Champion | None = self._named(self.champions, upn, mail)
        if champ is not None:
            return WaveAssignment(self.waves.get(champ.wave), AssignmentReason.CHAMPION, champion=champ)
        wave: Wave | None = self._named(self.explicit, upn, mail)
        if wave is not None:
            return WaveAssignment(wave, AssignmentReason.EXPLICIT)
        if not user.enabled:
            return WaveAssignment(None, AssignmentReason.DISABLED)
        if user.is_guest:
            return WaveAssignment(None, AssignmentReason.GUEST)
        hit = self.by_rule(user)
        if hit is None:
            return WaveAssignment(None, AssignmentReason.NO_RULE)
        return WaveAssignment(hit[0], AssignmentReason.RULE, rule=hit[1])


# A plan is immutable, so its resolver can be kept; the plan object is held to make the id safe to reuse.
_CACHE: dict[int, _Resolver] = {}
_CACHE_SIZE = 8


_CACHE_LOCK = threading.Lock()


def _resolver(plan: Plan) -> _Resolver:
    hit = _CACHE.get(id(plan))
    if hit is not None and hit.plan is plan:
        return hit
    resolver = _Resolver(plan)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[id(plan)] = resolver
    return resolver


def resolve_wave(plan: Plan, user: DirectoryUser) -> WaveAssignment:
    """The wave ``user`` moves in under ``plan``, and why (see the module docstring for precedence)."""
    return _resolver(plan).resolve(user)


def rule_wave(plan: Plan, user: DirectoryUser) -> Wave | None:
    """The wave the membership rules alone give (ignoring exceptions, champions and account state)."""
    hit = _resolver(plan).by_rule(user)
    return hit[0] if hit else None


def members_by_wave(plan: Plan, users: Iterable[DirectoryUser]) -> dict[str, list[DirectoryUser]]:
    """Every wave's members, keyed by wave key in plan order (waves with no one get an empty list)."""
    resolver = _resolver(plan)
    out: dict[str, list[DirectoryUser]] = {w.key: [] for w in plan.waves}
    for user in users:
        assignment = resolver.resolve(user)
        if assignment.wave is not None:
            out[assignment.wave.key].append(user)
    return out


def people_moved(old: Plan, new: Plan, users: Iterable[DirectoryUser]) -> tuple[PersonMove, ...]:
    """The users whose wave differs between two plans (for :func:`switchover.plan.diff.diff_plans`),
    in directory order; a person moving into or out of every wave counts too."""
    old_resolver, new_resolver = _resolver(old), _resolver(new)
    out = []
    for user in users:
        was, now = old_resolver.resolve(user), new_resolver.resolve(user)
        if was.wave_key != now.wave_key:
            out.append(PersonMove(user.upn, user.display_name, was.wave_key, now.wave_key, now.explain()))
    return tuple(out)


def wave_for_upn(plan: Plan, users: Iterable[DirectoryUser], upn: str) -> WaveAssignment | None:
    """The assignment of the user with this UPN (or mail) among ``users``, or None if not among them."""
    folded = upn.strip().casefold()
    for user in users:
        if user.upn.casefold() == folded or (user.mail and user.mail.casefold() == folded):
            return resolve_wave(plan, user)
    return None


async def wave_members(plan: Plan, directory: Directory, wave_key: str) -> list[DirectoryUser]:
    """The members of one wave among everyone in ``directory``, in directory order.

    Raises:
        KeyError: no wave has that key.
    """
    plan.wave(wave_key)
    resolver = _resolver(plan)
    return [u for u in await directory.all_users() if resolver.resolve(u).wave_key == wave_key]
