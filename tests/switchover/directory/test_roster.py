"""The roster directory: reading the Entra users export and finding people in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchover.directory.roster import RosterDirectory, RosterError

ROSTER = Path(__file__).resolve().parents[3] / "examples" / "fabrikam" / "roster.csv"

HEADER = "userPrincipalName,displayName,mail,id,userType,department,accountEnabled,officeLocation,city,favouriteColour"


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding=encoding)
    return path


@pytest.fixture(scope="module")
def roster() -> RosterDirectory:
    return RosterDirectory.from_csv(ROSTER)


async def test_fabrikam_roster_loads_every_row(roster: RosterDirectory) -> None:
    users = await roster.all_users()
    assert len(users) == len(roster) == 244
    assert sum(u.is_guest for u in users) == 3
    assert sum(not u.enabled for u in users) == 3


async def test_get_by_id_upn_or_mail_case_insensitive(roster: RosterDirectory) -> None:
    wesley = await roster.get("wesley.grant@fabrikamhealth.com")
    assert wesley is not None
    assert (wesley.display_name, wesley.department, wesley.office, wesley.city, wesley.state) == (
        "Wesley Grant",
        "Revenue Cycle",
        "Remote - Boise",
        "Boise",
        "ID",
    )
    assert await roster.get(wesley.id.upper()) is wesley
    assert await roster.get("  WESLEY.GRANT@FABRIKAMHEALTH.COM ") is wesley
    dana = await roster.get("dana.whitfield@northwindmsp.com")  # a guest, by mail
    assert dana is not None and dana.is_guest
    assert dana.upn == "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"
    assert await roster.get(dana.upn.upper()) is dana
    assert await roster.get("nobody@fabrikamhealth.com") is None


async def test_readiness_is_unknown(roster: RosterDirectory) -> None:
    user = roster.users[0]
    assert await roster.readiness(user.id) is None


async def test_load_runs_in_a_thread() -> None:
    roster = await RosterDirectory.load(ROSTER)
    assert len(roster) == 244


def test_bom_blank_lines_and_unknown_columns(tmp_path: Path) -> None:
    text = (
        "\n"
        + HEADER
        + "\n"
        + "a@c.com,Ann,a@c.com,id-a,Member,Finance,True,HQ,Seattle,blue\n"
        + "\n,,,,,,,,,\n"
        + "b@c.com,Bob,,id-b,Guest,,FALSE,,,\n"
    )
    roster = RosterDirectory.from_csv(write(tmp_path, text, encoding="utf-8-sig"))
    a, b = roster.users
    assert (a.upn, a.department, a.office, a.enabled, a.is_guest) == ("a@c.com", "Finance", "HQ", True, False)
    assert (b.mail, b.department, b.enabled, b.is_guest) == (None, None, False, True)


def test_optional_groups_column(tmp_path: Path) -> None:
    text = "userPrincipalName,displayName,id,userType,accountEnabled,groups\na@c.com,Ann,id-a,Member,True,Pilot; g-1\n"
    (a,) = RosterDirectory.from_csv(write(tmp_path, text)).users
    assert a.groups == frozenset({"Pilot", "g-1"})


def test_missing_columns_named(tmp_path: Path) -> None:
    path = write(tmp_path, "userPrincipalName,displayName,mail\na@c.com,Ann,a@c.com\n")
    with pytest.raises(RosterError) as info:
        RosterDirectory.from_csv(path)
    message = str(info.value)
    assert str(path) in message
    assert "missing columns id, accountEnabled, userType" in message


def test_bad_rows_name_their_lines(tmp_path: Path) -> None:
    text = (
        HEADER
        + "\n"
        + "a@c.com,Ann,a@c.com,id-a,Member,Finance,True,HQ,Seattle,\n"
        + "b@c.com,Bob,,id-b,Member,,Maybe,,,\n"
        + "\n"
        + "c@c.com,Cy,,id-a,Member,,True,,,\n"
        + ",Dee,,id-d,Visitor,,True,,,\n"
    )
    path = write(tmp_path, text)
    with pytest.raises(RosterError) as info:
        RosterDirectory.from_csv(path)
    errors = info.value.errors
    assert [e.line for e in errors] == [3, 5, 6]
    assert "accountEnabled is 'Maybe'; expected True or False" in errors[0].message
    assert "id 'id-a' is already on line 2" in errors[1].message
    assert "userPrincipalName is empty" in errors[2].message and "userType is 'Visitor'" in errors[2].message
    assert f"{path}:3:" in str(info.value)


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff"])
def test_empty_roster(tmp_path: Path, text: str) -> None:
    with pytest.raises(RosterError, match="empty"):
        RosterDirectory.from_csv(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="cannot read the roster"):
        RosterDirectory.from_csv(tmp_path / "absent.csv")


def test_mail_never_shadows_another_users_upn() -> None:
    roster = RosterDirectory.from_text(
        "userPrincipalName,displayName,mail,id,userType,accountEnabled\n"
        "a@c.com,Ann,b@c.com,id-a,Member,True\n"
        "b@c.com,Bob,,id-b,Member,True\n"
    )
    found = roster.lookup("b@c.com")
    assert found is not None and found.display_name == "Bob"


def test_optional_preferred_language_column() -> None:
    roster = RosterDirectory.from_text(
        "userPrincipalName,id,displayName,accountEnabled,userType,preferredLanguage\n"
        "a@x.com,1,A,True,Member,es-MX\nb@x.com,2,B,True,Member,\n"
    )
    assert [u.preferred_language for u in roster.users] == ["es-MX", None]
