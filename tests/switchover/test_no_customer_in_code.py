"""No customer in the engine: every customer word comes from the plan.

The names of each example customer (its organisation, offices, cities, departments, wave
names, people, the products its FAQ and areas talk about, its aliases) are collected from
``examples/*/plan.yaml`` and ``roster.csv`` when the test runs, and no module of
``switchover/``, ``cards/`` or ``bot/`` (code or template) may contain one. Words any
organisation uses ("IT", "Finance", "Pilot", "Outlook" ...) are in ``GENERIC`` below, each
there because it names something of every migration, not of one customer.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
ENGINE = ("switchover", "cards", "bot", "api", "dialogs", "scheduler")

# Names every organisation may have, or Microsoft 365 / migration words the engine must know.
GENERIC = frozenset(
    w.casefold()
    for w in (
        # departments and teams any organisation has
        "IT",
        "Finance",
        "Operations",
        "Sales",
        "Marketing",
        "Executive",
        "Leadership",
        "Engineering",
        "Human Resources",
        "HR",
        "Purchasing",
        "Customer Service",
        "Quality Assurance",
        "Field Sales",
        "Project Management",
        "Office Services",
        "Accounting",
        "Accounts",
        "Payroll",
        "Management",
        "Front Desk",
        "Reception",
        "Revenue",
        "Billing",
        "Executives",
        "Information Technology",
        "Digital",
        # waves and places in general
        "Pilot",
        "the pilot",
        "IT pilot",
        "Corporate",
        "Head office",
        "Headquarters",
        "HQ",
        "Main office",
        "Home Office",
        "Remote",
        "Warehouse",
        "Warehouses",
        "Last wave",
        "Final wave",
        # products and services every Microsoft 365 migration talks about
        "Outlook",
        "Teams",
        "OneDrive",
        "SharePoint",
        "Exchange",
        "Exchange Online",
        "Microsoft Authenticator",
        "Authenticator",
        "Microsoft 365",
        "Windows 11",
        "Intune",
        "BitLocker",
        "MFA",
        "Entra",
        "Gmail",
        "Google",
        "Service Desk",
        "Intranet",
        "Calendar",
        "Email",
        "Mail",
        "Files",
        "Devices",
        "Printing",
        "Sign-in",
        "Access",
        "Other",
        "Anything else",
        "Everything else",
        "Hypercare",
        "Windows",
        # words that are customers' aliases but name no customer
        "America",
        "the States",
        "Personal",
        "Transport",
        "Management",
        "Comms",
        "Marketing & Communications",
    )
)
# Shorter than this (folded), a name is too likely to be part of some ordinary word.
MIN_LENGTH = 4


def _aliases(aliases: dict) -> list[str]:  # type: ignore[type-arg]
    """The plan's alias tables: the names (not wave keys), and the aliases written as names (capitalised)."""
    out: list[str] = []
    for table, entries in aliases.items():
        for name, said in entries.items():
            if table != "waves":
                out.append(name)
            out += [a for a in ([said] if isinstance(said, str) else said) if a[:1].isupper()]
    return out


def _countries() -> set[str]:
    """Every country's names: places of the world, not of one customer."""
    from switchover.countries import all_countries, country_names

    return {n.casefold() for code in all_countries() for n in country_names(code)}


@cache
def customer_names() -> dict[str, str]:
    """Each example customer's names (folded) -> the customer they belong to."""
    names: dict[str, str] = {}
    for plan_path in sorted(EXAMPLES.glob("*/plan.yaml")):
        customer = plan_path.parent.name
        plan = yaml.safe_load(plan_path.read_text(encoding="utf-8"))
        org = plan["organisation"]
        found = [org["name"], org.get("short_name") or "", *org.get("email_domains", ())]
        for person in plan.get("people", {}).values():
            found.append(person["name"])
            found.append(person.get("organisation") or "")
        for wave in plan["waves"]:
            found += [wave["name"], *wave.get("sites", ())]
            for rule in wave.get("include", ()):
                found += [*rule.get("offices", ()), *rule.get("cities", ()), *rule.get("departments", ())]
        for champion in plan.get("champions", ()):
            found.append(champion.get("site") or "")
        found += _aliases(plan.get("aliases", {}))
        # Products and systems: the capitalised names in the areas' descriptions, the changes and the
        # FAQ (an area's own name is generic words: "Mail & calendars", "Accounts & MFA").
        for area in plan.get("areas", ()):
            found += re.findall(r"\b[A-Z][a-z0-9]*[A-Z][A-Za-z0-9]*\b", area.get("description", ""))
        for change in plan.get("changes", ()):
            found += re.findall(r"\b[A-Z][A-Za-z0-9]+(?:\s[A-Z][A-Za-z0-9]+)*\b", change["today"])
        for entry in plan.get("faq", ()):
            found += re.findall(r"\b[A-Z][a-z0-9]*[A-Z][A-Za-z0-9]*\b", entry["answer"])  # WWInet, AnyDesk
        roster = plan_path.parent / "roster.csv"
        if roster.exists():
            with roster.open(encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    found += [row["displayName"], row["department"], row["officeLocation"], row["city"]]
                    found.append(row["companyName"])
        countries = _countries()
        for name in found:
            folded = " ".join(name.casefold().split())
            if len(folded) >= MIN_LENGTH and folded not in GENERIC | countries and not folded.isdigit():
                names.setdefault(folded, customer)
    return names


def engine_files() -> list[object]:
    files: list[object] = []
    for room in ENGINE:
        for path in sorted((REPO / room).rglob("*")):
            if path.suffix in (".py", ".j2", ".json") and "__pycache__" not in path.parts:
                files.append(pytest.param(path, id=str(path.relative_to(REPO))))
    return files


def test_the_word_list_is_built_from_the_examples() -> None:
    names = customer_names()
    # One of each kind, so a broken collector cannot pass the test below by finding nothing.
    for expected in ("seattle hq", "revenue cycle", "kraków warehouse", "manchester (ancoats)", "hamburg"):
        assert expected in names, expected
    assert "it" not in names and "finance" not in names


_ZONE = re.compile(r"\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Za-z_/+-]+")


@cache
def _any_name() -> re.Pattern[str]:
    names = sorted(customer_names(), key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])")


@pytest.mark.parametrize("path", engine_files())
def test_no_customer_name_in_engine_code(path: Path) -> None:
    # IANA zone names ("America/Boise") are the world's, not a customer's.
    text = _ZONE.sub(" ", path.read_text(encoding="utf-8")).casefold()
    names = customer_names()
    found = sorted({f"{m.group(1)!r} ({names[m.group(1)]})" for m in _any_name().finditer(text)})
    assert not found, f"{path.relative_to(REPO)} names an example customer's {', '.join(found)}; take it from the plan"
