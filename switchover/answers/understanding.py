"""What a question is about: its intent and its slots (waves, sites, departments, services, dates).

Everything runs locally from vocabularies derived from the plan (wave names and
numbers, sites, departments) and the directory (offices, departments), with
rapidfuzz repairing typos. No model, no download, no external service.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import fuzz, process

from switchover.answers.dates import DateRange, find_date_range, find_day_span
from switchover.answers.text import CHAT, STOPWORDS, Speller, fold, is_common_word, words
from switchover.countries import all_countries, country_code, country_name, country_names
from switchover.embedding import shipped_embedder
from switchover.plan.model import Plan

_SINGLE_WORD_CHAT = {k: v for k, v in CHAT.items() if " " not in v and "'" not in k}


class Intent(StrEnum):
    """What the asker wants."""

    MY_SCHEDULE = "my_schedule"  # when do *I* move, which wave am I in, by when must I ...
    GROUP_SCHEDULE = "group_schedule"  # when does a site / Finance / wave 2 / the pilot move
    WHATS_ON = "whats_on"  # what's happening this weekend / next week
    FAQ = "faq"  # anything else: retrieved from the plan's FAQ
    GREETING = "greeting"  # hi / help / what can you do


class Facet(StrEnum):
    """Which part of a schedule the question is about (the answer's headline)."""

    CUTOVER = "cutover"
    WAVE = "wave"
    EMAIL = "email"
    FILES = "files"
    MFA = "mfa"
    HYPERCARE = "hypercare"


SERVICES: dict[str, tuple[str, ...]] = {
    "email": ("email", "mail", "outlook", "inbox", "mailbox", "exchange", "calendar"),
    "files": (
        "files",
        "file",
        "home drive",
        "onedrive",
        "one drive",
        "sharepoint",
        "share drive",
    ),
    "mfa": (
        "mfa",
        "authenticator",
        "authentication",
        "authenticator app",
        "two factor",
        "multi factor",
        "2 step",
        "phone app",
    ),
    "hypercare": ("hypercare", "hyper care", "support period", "extra support", "extra help", "support extra"),
}

# Per service: its one-word names (matched as tokens) and its phrases (matched " padded ").
_SERVICE_WORDS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    key: (frozenset(p for p in phrases if " " not in p), tuple(f" {p} " for p in phrases if " " in p))
    for key, phrases in SERVICES.items()
}

# Any mapped drive named by its letter: "the J drive", "U: drive", "q-drive". "I"/"a" only with a colon
# ("I drive to work" is not a drive).
_DRIVE_LETTER = re.compile(r"\b([a-z])(:)?[\s-]*drives?\b", re.IGNORECASE)


def _names_a_drive(text: str) -> bool:
    return any(m.group(2) or m.group(1).casefold() not in "ia" for m in _DRIVE_LETTER.finditer(text))


# A drive's letter in the plan's own name for it ("T: drive", "P:").
_PLAN_DRIVE = re.compile(r"^\s*([a-z]):", re.IGNORECASE)
# A letter standing alone, as typed: "when will T: stop saving", "my P folders", "documents from P".
_LONE_LETTER = re.compile(r"(?<![\w'’:\\/.-])([A-Za-z])(:)?(?![\w'’/\\-])")


def _plan_drive_letters(plan: Plan) -> frozenset[str]:
    """The letters of the plan's legacy drives (folded): what "T:" or "the P folders" name."""
    letters = set()
    for resource in (*plan.legacy, *(r for w in plan.waves for r in w.legacy)):
        if resource.kind == "drive" and (m := _PLAN_DRIVE.match(resource.name)):
            letters.add(m.group(1).casefold())
    return frozenset(letters)


def _names_a_plan_drive(text: str, letters: frozenset[str]) -> bool:
    """Whether ``text`` names one of the plan's drives by its letter alone: with a colon ("T:"), or as a
    capital ("my P folders"); "I" and "A" only with a colon (they are words)."""
    if not letters:
        return False
    for m in _LONE_LETTER.finditer(text):
        letter, colon = m.group(1), m.group(2)
        if letter.casefold() in letters and (colon or (letter.isupper() and letter not in "IA")):
            return True
    return False


def _service_words(plan: Plan) -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    """The services' words, with the plan's own names for what people use today: legacy drives
    (names and aliases) as files words, and each of the plan's ``changes`` whose replacement is a
    service ("Old Mail" -> "Exchange Online (Outlook)") as that service's words."""
    extra: dict[str, list[str]] = {key: [] for key in _SERVICE_WORDS}
    for resource in (*plan.legacy, *(r for w in plan.waves for r in w.legacy)):
        if resource.kind == "drive":
            extra["files"].extend(p for p in (fold(n) for n in (resource.name, *resource.aliases)) if p)
    # A change's name: what "today" says before any comma or bracket ("Old Mail", "Old Calendar").
    # What it becomes is named first ("Exchange Online (Outlook)", "the Outlook calendar"); a change whose
    # new name keeps the old one ("Timesheets from the Outlook add-in") is the same system, reached anew.
    named: dict[str, set[str]] = {}
    for change in plan.changes:
        head = fold(re.split(r"[,(;]", change.today, maxsplit=1)[0])
        becomes = fold(re.split(r"[,(;:]", change.after, maxsplit=1)[0]).split()[:4]
        after = f" {' '.join(becomes)} "
        services = {
            key
            for key, (single, multi) in _SERVICE_WORDS.items()
            if not single.isdisjoint(becomes) or any(p in after for p in multi)
        }
        if len(head) > 2 and len(head.split()) <= 3 and len(services) == 1 and set(head.split()).isdisjoint(becomes):
            named.setdefault(head, set()).update(services)
    # A word shared by the names of changes to different services ("Old" in "Old Calendar" and
    # "Old Drive") says neither; the whole name still does.
    owners: dict[str, set[str]] = {}
    for head, services in named.items():
        for w in head.split():
            owners.setdefault(w, set()).update(services)
    for head, services in named.items():
        (service,) = services
        extra[service].append(head)
        extra[service].extend(
            w
            for w in head.split()
            # a name of the plan's own (a product's), not an everyday word ("shared", "premises")
            if len(owners[w]) == 1 and len(w) > 2 and not w.isdigit() and not shipped_embedder().is_word(w)
        )
    if not any(extra.values()):
        return _SERVICE_WORDS
    out = dict(_SERVICE_WORDS)
    for key, said in extra.items():
        if said:
            single, multi = _SERVICE_WORDS[key]
            out[key] = (
                single | {p for p in said if " " not in p},
                (*multi, *dict.fromkeys(f" {p} " for p in said if " " in p)),
            )
    return out


# Words that make a question about *when*. "by when", "how long until", "what day" ...
_WHEN_WORDS = frozenset("when date dates deadline until till til".split())
# Weaker cues: only about the migration when a move word or a service comes with them.
_WEAK_WHEN_WORDS = frozenset("day days schedule scheduled time timing soon".split())
_WHEN_PHRASES = (
    "before or after",  # "do I move before or after the holidays"
    "how long until",
    "how long till",
    "how many days",
    "how long before",
    "what time",
    "what hour",
    "which hour",
    "which day",
    "what day",
    # "last day I can still save to the S drive before we switch": the deadline the move sets
    "last day",
    "last date",
    "final day",
)
# "how long do we have before the switch", "how many weeks left till we move": a count of time to the move.
_HOW_LONG = re.compile(r"\bhow\s+(long|many\s+(days|weeks|sleeps))\b.*\b(until|till|til|before|left|to\s+go)\b")
_MOVE_WORDS = frozenset(
    "move moving moves moved migrate migrating migrated migration migrations cutover cut over switch switching "
    "switched switchover go live golive transition transfer changeover wave waves turn upgrade".split()
)
_SELF_WORDS = frozenset("i me my mine myself am we our ours us".split())
_ABSENCE = frozenset("vacation leave holiday holidays pto away off sick".split())
# "my own cutover", "our actual date": the asker's own, said against another group's ("I know theirs is March").
_OWN = r"(own\s+|actual\s+|personal\s+|real\s+|individual\s+)?"
_FIRST_PERSON_MOVE = re.compile(
    rf"\b(my|our)\s+{_OWN}(wave|move|cutover|migration|pilot|switchover|switch|changeover|date|go\s+live|golive)\b|"
    r"\bi\s+am\s+one\s+of\s+(them|those|us)\b|\bwave\s+(am|are)\s+(i|we)\b|"
    r"\b(migration|move|cutover|switch)\s+for\s+(me|us)\b|\b(i|we)\s+(actually\s+|really\s+|personally\s+)?(move|migrate|switch|go|cut)\b|"
    # "when does my stuff move over": the asker's own things, moving with the asker
    r"\bmy\s+(stuff|things|data|account|files|mailbox|email|emails)\s+(move|moves|migrate|migrates|go|goes|switch|switches)\b|\b(am|are)\s+(i|we)\s+mov|"
    r"\b(i|we)\s+be\s+(moved|migrated|switched)\b|"
    # "what time does it start for us in <our city>", "when do we in <our city> change to Outlook": the asker's place
    r"\bfor\s+(me|us)\s+(here\s+)?(in|at)\b|\bwe\s+(here\s+)?(in|at)\b"
)
_WAVE_NUMBER = re.compile(r"\bwave\s*(\d+|zero|one|two|three|four)\b|\bw(\d)\b|\bwave(\d)\b")
_ORDINAL_WAVE = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+wave\b")
_CAPITALS = re.compile(r"\b[^\W\d_]{2,}\b")
_ASKS_WAVE = re.compile(r"\b(which|what|wat)\s+wave\b|\bwave\s+(am|are)\b|\bmy\s+wave\b")
# "my wave" naming the wave in a sentence about something else ("I'm on leave when my wave moves").
_MY_WAVE_ONLY = re.compile(r"\bmy\s+wave\s+(moves|migrates|goes|switches|is\s+moving)\b")
_MY_SCHEDULE = re.compile(
    rf"\bmy\s+{_OWN}(migration\s+|move\s+|cutover\s+)?(schedule|date|day|turn|slot|window)\b"
    # "my windows password" (read "window"): a thing of the asker's, not a time window
    r"(?!\s+(password|passwords|account|login|laptop|pc|computer|machine|update|updates|version|licence|license)\b)"
)
# "I'm a contractor, do I move?", "will we be migrated too": whether the asker moves at all, said last.
_DO_I_MOVE = re.compile(
    r"\b(do|will|am|are|shall|should|must)\s+(i|we)\s+(also\s+)?(move|moving|migrate|migrating|switch|switching|"
    r"be\s+(moved|migrated|switched|moving|migrating))(\s+(too|as\s+well|at\s+all|then|also))?$"
)
# "when's it happening for me", "what weekend is mine": the asker's own move, said without a move word.
_MINE = re.compile(r"\b(for|to)\s+(me|us)\b|\b(mine|ours)\b")
_WHICH_TIME_IS_MINE = re.compile(
    r"\b(which|what)\s+(weekend|day|date|night|saturday|sunday|slot)\s+(is\s+(mine|ours)|s\s+(mine|ours)|(am|are)\s+(i|we))\b"
)
# "what group am I in", "am I in the first batch": other words for a wave.
_ASKS_MY_GROUP = re.compile(
    r"\b(which|what|wat)\s+(\w+\s+)?(batch|group|lot|phase|round|tranche|cohort)\s+(am|are)\s+(i|we)\b|"
    r"\b(am|are)\s+(i|we)\s+(in|on|part\s+of)\s+(the\s+)?(\w+\s+)?(wave|batch|lot|group|phase|round|tranche|cohort|pilot)\b"
    r"(?!(\s+\w+)?\s+(chat|call|email|mail|mailbox|list|meeting|policy|drive|folder|site|channel))|"
    # "am I pilot?", "are we a pilot team?"
    r"\b(am|are)\s+(i|we)\s+(a\s+|the\s+)?pilot(\s+(user|users|team|group))?$|"
    # "I'm in the pilot, right?": a statement asked back
    r"\b(i|we)\s+(am|are)\s+in\s+(the\s+)?(\w+\s+)?(wave|pilot|batch|group|phase|round|cohort)\s+"
    r"(right|correct|yes|yeah|eh|arent\s+i|are\s+not\s+i)$"
)
# "am I pilot or with everyone else in <site>?", "are we with <site> or <wave>?": which of two groups
# the asker moves with (counted only when the plan's groups are named).
_EITHER_GROUP = re.compile(
    r"^(\w+\s+){0,2}?(am|are)\s+(i|we)\s+((in|on|with|part\s+of|going\s+with|moving\s+with)\s+)?(the\s+)?"
    r"(\w+\s+){1,3}?or\s+"
)
_HAVE_I_MOVED = re.compile(
    r"\b((have|has|did)\s+(i|we)|will\s+(i|we)\s+have)\s+(already\s+)?(been\s+)?"
    r"(moved|migrated|switched|cut\s+over|transferred|missed)\b|"
    # "is my cutover finished yet", "is our move done"
    r"\b(is|was|has)\s+(my|our)\s+(move|migration|cutover|switch|switchover|changeover)\s+(been\s+)?"
    r"(finished|done|over|complete|completed|through)\b"
)
# "rest of accounting goes on the 30th, am I with them", "is the pilot on the 16th for me too", "which date
# counts for me": whether a group's date is the asker's, asked of the asker.
_AM_I_WITH = re.compile(
    r"\b(am|are|do|will)\s+(i|we)\s+(go\s+|move\s+|going\s+|moving\s+)?(with|in\s+with)\s+(them|those|that\s+\w+)\b|"
    r"\bfor\s+(me|us)\s+(too|as\s+well|also)\b|\b(counts|applies|apply|count)\s+(for|to)\s+(me|us)\b|"
    r"\b(am|are|will)\s+(i|we|my\s+\w+)\s+(be\s+)?(part\s+of|included\s+in)\s+(the\s+)?(move|migration|cutover|switch)\b"
)
# A question about what to do or whether something still works on the day, not when the move is:
# "I work nights on the cutover weekend, what do I do?", "can customers still send us mail then?".
_WHAT_TO_DO = re.compile(
    r"\bwhat\s+(do|should|must|shall|can|to)?\s*(i|we)\s+(do|need)\b|\bwhat\s+happens\s+(to|with)\b|"
    r"\bhow\s+(do|should|can|will)\s+(i|we)\b|"
    r"\bstill\s+(be\s+able\s+to\s+)?(send|receive|get|use|work|access|open|reach|email|call|join|log|sign)\b|"
    r"\bcan\s+(\w+\s+){0,2}(send|receive|write|read|use|access|open|reach|email|call|join|log|sign|print|work|book|"
    r"edit|save|see)\b|"
    # "will our stand-ups still be in my calendar": whether a thing is still there, not when
    r"\bstill\s+be\s+(in|there|on|available|here)\b|"
    r"\b(i|we)\s+(have|work|do|am\s+on|are\s+on|am\s+working|are\s+working)\s+(a\s+|the\s+|on\s+|in\s+)?(\w+\s+)?"
    r"(shift|shifts|rota)\b|\b(i|we)\s+(am|are)\s+on\s+(nights|days|lates|earlies|call)\b|"
    # "can I change it then", "do they have to do anything", "do I come in as normal", "will that be affected"
    r"\bcan\s+(i|we)\b|\b(have|need)\s+to\s+do\b|\bdo\s+anything\b|\bdo\s+(i|we)\s+(come|still)\b|"
    r"\b(affected|impacted|affect|affects|impact)\b|"
    # where a thing is or goes: "where do I find the department share once we move"
    r"\bwhere\s+(do|does|will|is|are|can|should|did)\b|"
    # what the move does to a thing: "the same after the move", "anything change", "while the move is happening"
    r"\b(the\s+same|different|change|changes)\s+(after|with|when)\b|\banything\s+changes?\b|"
    r"\bwhile\s+(the\s+)?(\w+\s+){0,2}(is\s+|are\s+|does\s+)?(the\s+)?(move|moving|migration|migrating|cutover|switch|switching|happening)\b|"
    # something not working: "is outlook going to be offline", "mail coming in super slow"
    r"\b(offline|slow|outage|unavailable|down)\b|\bnot\s+(working|arriving|arrived|syncing|loading)\b|"
    r"\bnothing\s+(in|arrived|arriving|comes|coming)\b|"
    # a person to turn to: "who is the go-to person in our office for all this"
    r"\bwho\s+is\s+(the\s+)?(\w+\s+){0,3}(person|personal|contact|champion|lead|responsible)\b|"
    r"\bwho\s+(do|should|can)\s+(i|we)\s+(ask|call|ring|contact|talk|speak)\b|"
    # moving into a room is not the migration: "who is moving into the empty office next to finance"
    r"\bmov\w*\s+in(to)?\s+(the\s+)?(\w+\s+){0,2}(office|desk|room|building|space|floor)\b"
)
# Everyday things with dates of their own, not the move's: "when do we get paid", "when does daylight saving end",
# "what time does the office shut", "what is on the canteen menu today".
_ELSEWHERE = frozenset(
    "paid payday salary payroll wages menu canteen lunch cafeteria daylight dst shut shuts close closes closed "
    "closing open opens opening".split()
)
# "my account": the asker's own thing, even when a plan calls a department "accounts". A people word
# after it ("my accounts colleagues") makes it the group again.
_PEOPLE_WORDS = frozenset("team teams colleagues colleague people staff folks guys lot crew department dept".split())
_GREETINGS = frozenset("hi hello hey help morning afternoon yo hiya howdy".split())
# "Lisbon time", "NZ time": a place naming a clock, not a group that moves.
_CLOCK_WORDS = frozenset(("time", "timezone", "zone"))
# Words that ask "when" inside a longer question: "do you know when ...", "tell me when ...".
_ASKS_ABOUT = frozenset(
    "know tell me idea sure ask asking wondering wonder confirm remind check find out say by until till".split()
)
_AUXILIARIES = frozenset("is are am was were do does did will would can could should shall must has have".split())
# "when am I due?", "when's my big day?": a when-question about the asker and nothing else. Words
# that say nothing of what is asked about (besides function words, "when", "I" and the like).
_NOTHING_ELSE = frozenset(
    "due scheduled schedule going go gone up big day turn happening happen what which any idea it s so".split()
    # "when is my change to Microsoft", "when do we go over to the new system": the move, said by where it goes
    + "change over across microsoft m365 o365 365 new system teams get".split()
    # "when do we start using Microsoft 365", "when do I get onto Teams", "when do I get my new account"
    + "start starting begin use using onto going office account".split()
    # "when's my lot going": the asker's wave, by another name
    + "lot batch group phase round tranche cohort".split()
) | (_SELF_WORDS | _WHEN_WORDS | _AUXILIARIES | _ASKS_ABOUT | STOPWORDS)
# Words that only say which day: "is it this Saturday or next for me".
_WHICH_DAY = frozenset("this next or the coming weekend week day one".split()) | frozenset(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)
# A weekday that names someone's routine, not a day they ask about: "the Sunday early shift", "I work Saturdays".
_DAY_NUMBER = re.compile(r"^\d{1,2}(st|nd|rd|th)?$")
# A sentence that says something of the asker ("I'll be on site that weekend", "we are at a client")...
# (Not "we are moving this weekend": a question about the move without its question mark.)
_STATEMENT = re.compile(
    r"^(i|we)\s+(will\s+be|am|are|have|work|shall\s+be)\b"
    r"(?!\s+(also\s+)?(moving|migrating|switching|going|cutting|being|moved|migrated|switched|in\s+the\s+(pilot|wave)))"
)
# ... and asks nothing after it ("I'm in night shift, is my switch on Saturday?").
_ASKED_AFTER = re.compile(r"[,.;:!\-]\s*(is|am|are|do|does|did|will|can|could|when|what|which|how|where)\b")
# A shared mailbox by its address's first half: "orders@", "purchasing@".
_MAILBOX = re.compile(r"([^\W_][\w.-]*)@")
_ROUTINE_WORDS = frozenset("shift shifts every work works working rota roster".split())
# What is on then, asked of the move's own day: "what's on", "anything planned for", "the day before".
_ON_THEN = frozenset("on anything planned scheduled events for before after".split())
_WHATS_ON_ALONE = frozenset((("what", "is", "on"), ("what", "is", "on", "now"), ("anything", "on")))
# Asking what is on at all ("anything going on for the migration on the 23rd"), not only which waves move.
_ANYTHING_ON = frozenset("on anything happening happen happens something events event".split())
_HAPPENING = frozenset("happening happen happens going planned scheduled anything something events".split())

_ORDINALS = {
    "zero": 0,
    "first": 1,
    "one": 1,
    "1st": 1,
    "second": 2,
    "two": 2,
    "2nd": 2,
    "third": 3,
    "three": 3,
    "3rd": 3,
    "fourth": 4,
    "four": 4,
    "4th": 4,
}


@dataclass(frozen=True, slots=True)
class Understanding:
    """The result of reading one question."""

    text: str
    intent: Intent
    facet: Facet = Facet.CUTOVER
    tokens: tuple[str, ...] = ()  # folded, chat spellings expanded, typos repaired
    waves: tuple[str, ...] = ()  # wave keys named
    sites: tuple[str, ...] = ()  # canonical site / office / city names
    departments: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # English country names
    services: tuple[str, ...] = ()  # keys of SERVICES
    dates: DateRange | None = None
    about_self: bool = False
    asks_when: bool = False
    # "when does Scotland move": a place or group named as the one that moves, which the plan does not know
    # (as typed); answered as unknown, never with the asker's own schedule.
    unknown_group: str = ""
    # ... and some of its words are the FAQ's ("when does the intranet move"): an FAQ entry may answer it.
    unknown_in_faq: bool = False
    # "which waves go live in february", "who moves between the 10th and the 20th": only the moves (cutovers)
    # of a date range, not everything on then ("what's on in february" also has read-only times and hypercare).
    moves_only: bool = False


@dataclass
class Vocabulary:
    """Names the questions may use, derived from the plan (and optionally the directory).

    Every table maps a folded phrase to its canonical name; ``cased`` holds the
    phrases spelt like everyday words ("it" for a department "IT", "us" for the
    United States), which count only when typed in capitals.
    """

    sites: dict[str, str] = field(default_factory=dict)  # folded phrase -> canonical site
    departments: dict[str, str] = field(default_factory=dict)  # folded phrase -> canonical department
    wave_names: dict[str, str] = field(default_factory=dict)  # folded phrase -> wave key
    wave_numbers: dict[int, str] = field(default_factory=dict)  # number -> wave key
    countries: dict[str, str] = field(default_factory=dict)  # folded phrase -> English name (someone is there)
    other_countries: dict[str, str] = field(default_factory=dict)  # every other country, by English name
    cased: set[str] = field(default_factory=set)

    @classmethod
    def from_plan(
        cls,
        plan: Plan,
        *,
        offices: Iterable[str] = (),
        departments: Iterable[str] = (),
        countries: Iterable[str] = (),
    ) -> Vocabulary:
        """Collect names from the plan's waves, rules and aliases, plus the directory's offices,
        departments and countries (as written in the directory, or ISO codes)."""
        vocab = cls()
        site_names: set[str] = set(offices)
        dept_names: set[str] = set(departments)
        for wave in plan.waves:
            vocab.wave_numbers[wave.number] = wave.key
            vocab._add(vocab.wave_names, wave.name, wave.key)
            vocab._add(vocab.wave_names, wave.plan_title, wave.key)
            for translated in wave.translations.values():  # "¿cuándo migra Cracovia?": the plan's own words for it
                vocab._add(vocab.wave_names, translated.name, wave.key)
            site_names.update(wave.sites)
            for rule in wave.include:
                site_names.update(rule.offices)
                site_names.update(rule.cities)
                dept_names.update(rule.departments)
        aliases = plan.aliases
        site_names.update(aliases.sites)
        dept_names.update(aliases.departments)
        ordered = sorted(n for n in site_names if n and fold(n))
        for name in ordered:
            vocab._add(vocab.sites, name, name)
        for name in ordered:
            # "Riverside Clinic" is also asked about as "riverside" and "the riverside office".
            first = fold(name).split()[0]
            if first not in ("remote", "the") and len(first) > 2 and not is_common_word(first):
                vocab.sites.setdefault(first, name)
        for name in dept_names:
            if name:
                vocab._add(vocab.departments, name, name)
        for name, said in aliases.sites.items():
            for alias in said:
                vocab._add(vocab.sites, alias, name)
        for name, said in aliases.departments.items():
            for alias in said:
                vocab._add(vocab.departments, alias, name)
        for key, said in aliases.waves.items():
            for alias in said:
                vocab._add(vocab.wave_names, alias, key)
        # Countries: where people are (any name of it, its ISO code in capitals), then the plan's words.
        present: dict[str, str] = {}
        for written in countries:
            code = country_code(written)
            label = country_name(code) if code else written.strip()
            if not label:
                continue
            present.setdefault(label, code or "")
            vocab._add(vocab.countries, written, label, cased=bool(code) and len(written.strip()) == 2)
        for label, code in present.items():
            for name in country_names(code) if code else (label,):
                vocab._add(vocab.countries, name, label)
            if code:
                vocab._add(vocab.countries, code, label, cased=True)
        for name, said in aliases.countries.items():
            code = country_code(name)
            label = country_name(code) if code else name
            for alias in (label, *said):
                table = vocab.countries if label in present else vocab.other_countries
                vocab._add(table, alias, label)
        taken = set(vocab.sites) | set(vocab.departments) | set(vocab.wave_names)
        for name in all_countries().values():
            if name not in present:
                vocab.other_countries.setdefault(fold(name), name)
        for table in (vocab.countries, vocab.other_countries):
            for phrase in [p for p in table if p in taken]:
                del table[phrase]  # a site or department of that name wins ("Jersey" the office)
        return vocab

    def _add(self, table: dict[str, str], phrase: str, canonical: str, *, cased: bool = False) -> None:
        folded = fold(phrase)
        if not folded:
            return
        table.setdefault(folded, canonical)
        if cased or (" " not in folded and is_common_word(folded)):
            self.cased.add(folded)

    def words(self) -> set[str]:
        """Every single word in the vocabulary (for typo repair)."""
        out: set[str] = set()
        for table in (self.sites, self.departments, self.wave_names, self.countries):
            for phrase in table:
                if phrase not in self.cased:
                    out.update(phrase.split())
        return out

    def kept_words(self) -> set[str]:
        """Words to leave as typed without repairing towards them: other countries' names."""
        return {w for phrase in self.other_countries for w in phrase.split()}


class _PhraseTable:
    """One vocabulary table (folded phrase -> canonical name), ready to be matched against tokens.

    Phrases of at least five letters are fuzzy candidates, grouped by word count;
    a fuzzy lookup is remembered per n-gram (the same words come back question
    after question, as the speller's repairs do).
    """

    def __init__(
        self, table: dict[str, str], protected: frozenset[str], *, cased: Iterable[str] = (), fuzzy: bool = True
    ) -> None:
        self.table = table
        self.protected = protected
        self.cased = frozenset(p for p in cased if p in table)
        self.candidates: dict[int, list[str]] = {}
        for phrase in table if fuzzy else ():
            if len(phrase) >= 5 and phrase not in self.cased:
                self.candidates.setdefault(phrase.count(" ") + 1, []).append(phrase)
        # Without fuzzy candidates a phrase can only start at one of its own first words, so a
        # question none of whose words starts a phrase is not looked at (a table of every
        # country's names, say).
        self.first_words = frozenset(p.split(" ", 1)[0] for p in table) if not self.candidates else None
        # Word counts worth trying: an exact phrase or a fuzzy candidate of that length.
        self.sizes = tuple(n for n in (3, 2, 1) if n in self.candidates or any(p.count(" ") + 1 == n for p in table))
        self._fuzzy = lru_cache(maxsize=4096)(self._fuzzy_uncached)

    def _fuzzy_uncached(self, gram: str, n: int) -> str | None:
        choices = self.candidates.get(n)
        if not choices or len(gram) < 6 or gram in self.protected:
            return None
        best = process.extractOne(gram, choices, scorer=fuzz.ratio, score_cutoff=85)
        return self.table[best[0]] if best else None

    def match(
        self, tokens: list[str], *, capitals: frozenset[str] = frozenset(), used: list[bool] | None = None
    ) -> list[str]:
        """Canonical names whose phrase appears in ``tokens`` (exactly, or fuzzily when long).

        Longer phrases are tried first and claim their words, so "riverside clinic" wins over "riverside";
        ``used`` (one flag per token) carries claimed words from one table to the next. A cased
        phrase counts only when typed in capitals (it is in ``capitals``).
        """
        found: list[str] = []
        first_words = self.first_words
        if first_words is not None and first_words.isdisjoint(tokens):
            return found
        if used is None:
            used = [False] * len(tokens)
        table = self.table
        for n in self.sizes:
            for i in range(len(tokens) - n + 1):
                if n == 1:
                    if used[i]:
                        continue
                    gram = tokens[i]
                else:
                    if True in used[i : i + n]:
                        continue
                    gram = " ".join(tokens[i : i + n])
                hit = table.get(gram)
                if hit is not None and gram in self.cased and gram not in capitals:
                    continue
                if hit is None:
                    hit = self._fuzzy(gram, n)
                if hit is not None:
                    used[i : i + n] = [True] * n
                    if hit not in found:
                        found.append(hit)
        return found


class Understander:
    """Reads questions against one plan's vocabulary.

    Args:
        plan: the migration plan.
        vocabulary: names to recognise (``Vocabulary.from_plan``).
        extra_words: more words typos may be repaired towards (e.g. the FAQ's words).
    """

    def __init__(
        self,
        plan: Plan,
        vocabulary: Vocabulary,
        *,
        extra_words: Iterable[str] = (),
        gloss: Callable[[str], str] | None = None,
    ) -> None:
        self.plan = plan
        # A question in another language, said in the English words read below (see answers.lang).
        self.gloss = gloss
        self.vocabulary = vocabulary
        known = set(vocabulary.words()) | set(extra_words) | _WHEN_WORDS | _WEAK_WHEN_WORDS | _MOVE_WORDS | _HAPPENING
        for phrases in SERVICES.values():
            for phrase in phrases:
                known.update(phrase.split())
        self._service_words = _service_words(plan)
        self._drive_letters = _plan_drive_letters(plan)
        for single, multi in self._service_words.values():
            known.update(single)
            known.update(w for p in multi for w in p.split())
        known.update(("pilot", "weekend", "tomorrow", "today", "week", "next", "this", "person"))
        known.update(("count", "counts", "apply", "applies"))  # "which date counts for me", not "accounts"
        known.update(w for w in _SINGLE_WORD_CHAT if len(w) >= 5)
        self.speller = Speller(known, keep=vocabulary.kept_words())
        # Words only the FAQ knows: "when does reception move" names no group even where the FAQ
        # speaks of mobile reception.
        self._faq_only = frozenset(extra_words) - (known - set(extra_words))
        protected = frozenset(("the", "what", "when", "this", "next", "week"))
        cased = vocabulary.cased
        self._sites = _PhraseTable(vocabulary.sites, protected, cased=cased)
        self._departments = _PhraseTable(vocabulary.departments, protected, cased=cased)
        self._wave_names = _PhraseTable(vocabulary.wave_names, protected, cased=cased)
        self._countries = _PhraseTable(vocabulary.countries, protected, cased=cased)
        self._other_countries = _PhraseTable(vocabulary.other_countries, protected, fuzzy=False)
        organisation = plan.organisation
        self._organisation_words = frozenset(fold(f"{organisation.name} {organisation.short_name or ''}").split())

    def tokens(self, text: str) -> list[str]:
        """Folded, expanded and typo-repaired words of ``text``."""
        # A typo may land on a chat form ("emials" -> "emails"), which then maps on ("email").
        typed = words(text)  # chat forms are expanded here, except a drive letter ("U drive")
        return [
            r if r == w else _SINGLE_WORD_CHAT.get(r, r)
            for w, r in zip(typed, self.speller.repair_all(typed), strict=True)
        ]

    def _waves(self, tokens: list[str], text: str, capitals: frozenset[str]) -> list[str]:
        found: list[str] = []
        numbers = self.vocabulary.wave_numbers
        joined = " ".join(tokens)
        for m in _WAVE_NUMBER.finditer(joined):
            raw = next(g for g in m.groups() if g is not None)
            number = int(raw) if raw.isdigit() else _ORDINALS[raw]
            key = numbers.get(number)
            if key and key not in found:
                found.append(key)
        for m in _ORDINAL_WAVE.finditer(joined):
            # "first wave" is the first after the pilot when the plan numbers from 0.
            number = _ORDINALS[m.group(1)]
            key = numbers.get(number if 0 in numbers and number > 0 else number)
            if key and key not in found:
                found.append(key)
        waves_named = self._wave_names.match(tokens, capitals=capitals)
        for key in waves_named:
            if key not in found:
                found.append(key)
        return found

    def read(self, text: str, *, today: dt.date) -> Understanding:
        """Intent and slots of ``text``; ``today`` is the asker's local date."""
        if self.gloss is not None:
            text = self.gloss(text)
        tokens = self.tokens(text)
        joined = " ".join(tokens)
        token_set = set(tokens)
        order = self.plan.organisation.date_order
        dates = (
            find_day_span(text, today, order=order)
            or find_date_range(joined, today, order=order)
            or find_date_range(text, today, order=order)
        )
        if dates is None and tuple(tokens) in _WHATS_ON_ALONE:
            # "what's on?" (British for "what's happening?"): the coming week.
            dates = DateRange(today, today + dt.timedelta(days=6), "in the coming week")
        # Names spelt like everyday words ("IT", "US") count only when typed in capitals.
        capitals = frozenset(fold(w) for w in _CAPITALS.findall(text) if w.isupper())
        waves = self._waves(tokens, text, capitals)
        used = [False] * len(tokens)
        mailboxes = {fold(m) for m in _MAILBOX.findall(text)}
        for i, token in enumerate(tokens):
            if token in mailboxes:
                used[i] = True  # "the purchasing@ box": a mailbox, not the department it is named after
            if token in _CLOCK_WORDS and i > 0:
                used[max(0, i - 2) : i] = [True] * (i - max(0, i - 2))
        sites = self._sites.match(tokens, capitals=capitals, used=used)
        if "my" in token_set:
            for i in range(1, len(tokens)):
                if tokens[i - 1] == "my" and (i + 1 >= len(tokens) or tokens[i + 1] not in _PEOPLE_WORDS):
                    used[i] = True  # "my account" is the asker's, not a department called "accounts"
                    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
                    after = tokens[i + 2] if i + 2 < len(tokens) else ""
                    if nxt and nxt not in STOPWORDS and after not in _PEOPLE_WORDS:
                        used[i + 1] = True  # "my new account", "my google account"
        departments = self._departments.match(tokens, capitals=capitals, used=used)
        departments = [d for d in departments if d not in sites]
        countries = self._countries.match(tokens, capitals=capitals, used=used)
        countries += [c for c in self._other_countries.match(tokens, used=used) if c not in countries]
        padded = f" {joined} "
        services = [
            key
            for key, (single, multi) in self._service_words.items()
            if not single.isdisjoint(token_set)
            or any(p in padded for p in multi)
            or (key == "files" and (_names_a_drive(text) or _names_a_plan_drive(text, self._drive_letters)))
        ]
        about_self = bool(token_set & _SELF_WORDS)
        asks_when = (
            _asks_when(tokens, text) or any(p in joined for p in _WHEN_PHRASES) or bool(_HOW_LONG.search(joined))
        )
        move_day = dates is not None and (at := _day_of_the_move(tokens, dates.text)) >= 0
        if move_day:
            # "is my cutover weekend this weekend": the move's own day is no date; another may follow.
            dates = find_date_range(" ".join(tokens[:at] + tokens[at + 1 :]), today, order=order)
        if dates is not None and _routine_day(tokens, dates.text):
            dates = None
        weak_when = bool(token_set & _WEAK_WHEN_WORDS)
        moving = bool(token_set & _MOVE_WORDS) or "cut over" in joined or "go live" in joined
        # "my wave moves" names the wave in a clause; "which wave", "my wave?" ask for it.
        asks_wave = bool(_ASKS_WAVE.search(joined)) and not _MY_WAVE_ONLY.search(joined)
        asks_wave = asks_wave or (about_self and bool(_ASKS_MY_GROUP.search(joined)))
        happening = bool(token_set & _HAPPENING) or "what is on" in joined or "anything on" in joined
        groups = bool(waves or sites or departments or countries)
        asks_wave = asks_wave or (groups and not services and bool(_EITHER_GROUP.search(joined)))

        facet = Facet.CUTOVER
        if asks_wave:
            facet = Facet.WAVE
        if "mfa" in services:
            facet = Facet.MFA
        elif "hypercare" in services:
            facet = Facet.HYPERCARE
        elif "email" in services:
            facet = Facet.EMAIL
        elif "files" in services:
            facet = Facet.FILES

        intent = Intent.FAQ
        # "hypercare" questions are about a date even without "when" ("hypercare end?").
        hypercare_end = facet is Facet.HYPERCARE and (
            bool(token_set & {"end", "ends", "over", "finish", "finishes", "last", "stop", "stops"})
            or "how long" in joined
        )
        schedule_cue = asks_when or asks_wave or hypercare_end or (weak_when and (moving or bool(services)))
        my_schedule = bool(_MY_SCHEDULE.search(joined))
        mine = False
        if about_self and not services:
            # "what weekend is mine", "have I been migrated yet?": the asker's own move.
            my_schedule = my_schedule or bool(_WHICH_TIME_IS_MINE.search(joined) or _HAVE_I_MOVED.search(joined))
            # "when's it happening for me", "is mine this weekend?", "when am I due?": a question about
            # the asker's move with nothing else to be about.
            said = {t for t in token_set if not _DAY_NUMBER.match(t)}  # "the 20th", "on 6"
            if dates is not None:
                said -= set(dates.text.split())  # the words of the date itself: "on the 6th of march"
            short = dates is not None and (len(tokens) <= 5 or said <= _NOTHING_ELSE | _WHICH_DAY)
            mine = (((asks_when and happening) or short) and bool(_MINE.search(joined))) or (
                asks_when and token_set <= _NOTHING_ELSE and not token_set & _ABSENCE
            )
        if groups and (schedule_cue or (moving and not _about_a_thing(tokens))):
            intent = Intent.GROUP_SCHEDULE
        elif dates is not None and about_self and (moving or schedule_cue or mine):
            intent = Intent.MY_SCHEDULE
        elif dates is not None and not about_self and (happening or moving or len(tokens) <= 3):
            intent = Intent.WHATS_ON
        elif asks_wave or my_schedule or mine or (schedule_cue and (moving or bool(services))):
            intent = Intent.MY_SCHEDULE
        elif _DO_I_MOVE.search(joined):
            intent = Intent.MY_SCHEDULE  # "I'm a contractor, do I move?"
        elif moving and about_self and len(tokens) <= 4:
            intent = Intent.MY_SCHEDULE  # "my migration?" / "my cutover"
        elif (
            moving
            and (_MINE.search(joined) or _FIRST_PERSON_MOVE.search(joined))
            and token_set <= _NOTHING_ELSE | _MOVE_WORDS | {"live", "please"}
        ):
            intent = Intent.MY_SCHEDULE  # "what's the go live for me", "the cutover for us?"
        elif token_set and token_set <= (_GREETINGS | {"there", "bot", "please", "can", "you", "what", "do"}):
            intent = Intent.GREETING
        am_i_with = about_self and bool(_AM_I_WITH.search(joined))
        if am_i_with and (groups or dates is not None or moving) and intent is not Intent.GREETING:
            intent = Intent.MY_SCHEDULE  # "rest of accounting goes on the 30th, am I with them"
            facet = Facet.WAVE if not services else facet
        if intent is Intent.GROUP_SCHEDULE and about_self and (_FIRST_PERSON_MOVE.search(joined) or asks_wave):
            intent = Intent.MY_SCHEDULE
        have_moved = about_self and bool(_HAVE_I_MOVED.search(joined))  # "will I have moved by then?"
        if intent is Intent.MY_SCHEDULE and not (asks_when or asks_wave or have_moved) and token_set & _ABSENCE:
            intent = Intent.FAQ  # "I'm on leave when my wave moves": what to do, not when
        if (
            intent in (Intent.MY_SCHEDULE, Intent.WHATS_ON, Intent.GROUP_SCHEDULE)
            and not (asks_when or asks_wave or my_schedule or have_moved or am_i_with)
            and _WHAT_TO_DO.search(joined)
        ):
            intent = Intent.FAQ  # "night shift on the cutover weekend, what do I do?": what to do, not when
        if intent in (Intent.MY_SCHEDULE, Intent.WHATS_ON, Intent.GROUP_SCHEDULE) and not (
            moving or services or asks_wave or token_set.isdisjoint(_ELSEWHERE)
        ):
            intent = Intent.FAQ  # "when does daylight saving end in NZ": a date, not the move's
        if (
            intent in (Intent.MY_SCHEDULE, Intent.WHATS_ON)
            and not (asks_when or asks_wave or my_schedule or have_moved)
            and _STATEMENT.match(joined)
            and "?" not in text
            and not _ASKED_AFTER.search(text.casefold())
        ):
            # "I'll be up a hill with no coverage on cutover weekend": the asker says where they will be
            # and asks nothing of the date; what to do then is the FAQ's.
            intent = Intent.FAQ
        if (
            move_day
            and intent is Intent.FAQ
            and not services
            and token_set <= _NOTHING_ELSE | _MOVE_WORDS | _WHICH_DAY | _ON_THEN
        ):
            # "what's on migration weekend?", "anything planned for cutover saturday": the asker's own cutover
            # (it was "what's on this Saturday"). "What happens on cutover weekend" stays the FAQ's to explain.
            intent = Intent.MY_SCHEDULE
        unknown_group = ""
        unknown_in_faq = False
        if intent is Intent.MY_SCHEDULE and not groups and not services:
            unknown = self._unknown_subject(tokens, words(text))
            if unknown:
                intent, unknown_group = Intent.GROUP_SCHEDULE, _as_typed(text, unknown, self.speller.repair)
                unknown_in_faq = not self._faq_only.isdisjoint(unknown)
        moves_only = (
            intent is Intent.WHATS_ON
            and (moving or "cutovers" in token_set)
            and not services
            and token_set.isdisjoint(_ANYTHING_ON)
        )
        return Understanding(
            text=text,
            intent=intent,
            facet=facet,
            tokens=tuple(tokens),
            waves=tuple(waves),
            sites=tuple(sites),
            departments=tuple(departments),
            countries=tuple(countries),
            services=tuple(services),
            dates=dates,
            about_self=about_self,
            asks_when=asks_when,
            unknown_group=unknown_group,
            unknown_in_faq=unknown_in_faq,
            moves_only=moves_only,
        )

    def _unknown_subject(self, tokens: list[str], typed: list[str]) -> list[str]:
        """The words of what a "when does X move" question says moves, when no word of it is known.

        "when does Scotland move", "when is the Leeds office migrating", "when is EMEA's cutover": X
        is not the asker, a service or anything of the plan's groups, so it is a place or group the
        plan does not have (a word only the FAQ uses, "reception", is no group either: the engine
        answers from the FAQ when it is sure, else says it does not know X). Empty when the question
        has no such subject. ``typed`` are the words as typed (``tokens`` before typo repair): a word
        repaired into one of the FAQ's ("whole" read as "while") is no name of a group.
        """
        if _MINE.search(" ".join(tokens)):
            return []  # "when's the big move for me", "when does the old system go off for us": the asker's
        for i, token in enumerate(tokens[:2]):
            if token not in ("when", "date", "day") or i + 1 >= len(tokens) or tokens[i + 1] not in _AUXILIARIES:
                continue
            subject: list[tuple[str, str]] = []
            for word, as_typed in zip(tokens[i + 2 :], typed[i + 2 :], strict=False):
                if word in _SUBJECT_ENDS:
                    break
                subject.append((word, as_typed))
            else:
                return []  # no move word: "when is payday"
            named = [(w, t) for w, t in subject if w not in GENERIC_GROUP_WORDS]
            if not named or len(named) > 3:
                return []
            known = (self.speller.known - self._faq_only) | self._organisation_words
            if any(
                w in _SELF_WORDS or is_common_word(w) or w.isdigit() or w in known or (w in self._faq_only and w != t)
                for w, t in named
            ):
                return []
            return [w for w, _ in named]
        return []


def _asks_when(tokens: list[str], text: str) -> bool:
    """Whether a "when" word asks when, rather than joining two clauses.

    "when do I move" and "by when ..." ask; so does "do you know when I move". In "do my
    calendar invites survive when we switch?" or "I'll be on leave when my wave moves", "when"
    only says under what circumstances: the question is about something else.
    """
    for i, token in enumerate(tokens):
        if token not in _WHEN_WORDS:
            continue
        if token != "when":
            return True  # "date", "deadline", "until" ...
        prev = tokens[i - 1] if i > 0 else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if i == 0 or not nxt or nxt in _AUXILIARIES or prev in _ASKS_ABOUT:
            return True
        if prev in _GREETINGS or prev in _WHEN_STARTS:
            return True
        # A new sentence or clause: "I'm in Leeds, when ...".
        if _CLAUSE_WHEN.search(text.casefold()):
            return True
    return False


def _routine_day(tokens: list[str], said: str) -> bool:
    """Whether the date found is a weekday naming the asker's routine ("the Sunday early shift")."""
    words_said = said.split()
    if not words_said or words_said[-1].rstrip("s") not in _WEEKDAY_WORDS:
        return False
    day = words_said[-1]
    for i, token in enumerate(tokens):
        if token.rstrip("s") == day.rstrip("s"):
            if token.endswith("s") and token != day:
                return True  # "Sundays"
            window = tokens[max(0, i - 2) : i + 4]
            if _ROUTINE_WORDS & set(window) and "cutover" not in window:
                return True
    return False


def _day_of_the_move(tokens: list[str], said: str) -> int:
    """Where the weekday or weekend found (said alone, "saturday") is the move's own ("on cutover saturday",
    "the migration weekend", "the friday before cutover"), not a day on the calendar; -1 if it is not."""
    words_said = said.split()
    if len(words_said) != 1:
        return -1  # "this saturday", "next weekend": a day on the calendar
    day = words_said[0]
    if day.rstrip("s") not in _WEEKDAY_WORDS and day not in ("weekend", "weekends"):
        return -1
    at = tokens.index(day) if day in tokens else -1
    if at < 0:
        return -1
    if at > 0 and tokens[at - 1] in _MOVE_WORDS:
        return at  # "cutover saturday", "migration weekend"
    after = [t for t in tokens[at + 1 : at + 4] if t not in ("the", "our", "my", "of")]
    if len(after) >= 2 and after[0] in ("before", "after") and after[1] in _MOVE_WORDS:
        return at  # "friday before cutover", "the monday after the switch"
    return -1


# Where the subject of "when does X move" ends, and the words that only say X is a group ("the Leeds office").
_SUBJECT_ENDS = _MOVE_WORDS | frozenset("go goes going gone get gets getting be being cut".split())
GENERIC_GROUP_WORDS = frozenset(
    "the a an office offices site sites team teams department departments dept branch branches location locations "
    "region regions country countries city people staff lot folks guys crew group groups everyone everybody "
    "company organisation organization business firm rest whole".split()
)
_TYPED_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def _as_typed(text: str, folded: list[str], repair: Callable[[str], str] = str) -> str:
    """The words of ``text`` whose folded (and repaired) form is in ``folded``, as the asker typed them
    ("Leeds office", "intranet" even where typo repair read it as "internet")."""
    wanted = set(folded) | set(GENERIC_GROUP_WORDS - {"the", "a", "an"})
    said: list[str] = []
    started = False
    for raw in _TYPED_WORD.findall(text):
        word = raw.removesuffix("'s").removesuffix("’s")
        key = repair(fold(word))
        if key in folded:
            started = True
        if started and key in wanted:
            said.append(word)
        elif started:
            break
    return " ".join(said) or " ".join(folded)


# Words after which "when" starts the question: "so when ...", "from when ..." ("since when").
_WHEN_STARTS = frozenset(("so", "and", "but", "ok", "okay", "then", "question", "quick", "from", "since"))
_CLAUSE_WHEN = re.compile(r"[,.;:?!(]\s*(when|wen|whn)\b")
_WEEKDAY_WORDS = frozenset(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))

# Words that make a question about a thing the group has, not about when the group moves.
_THINGS = frozenset(
    "docs documents document files file folder folders data mailbox reports report system drive drives share shares "
    "password passwords login logins account accounts tablet tablets laptop laptops phone phones app apps timesheet "
    "timesheets".split()
)


def _about_a_thing(tokens: list[str]) -> bool:
    """Whether the question asks about something ("quality docs after migration?"), not a group's move."""
    return bool(_THINGS & set(tokens)) and not ({"when", "date", "day"} & set(tokens))
