# ruff: noqa: E501 - the exports' rows are kept one to a line, as in the files
"""Reading the Entra registration and Intune device exports: layouts, mistakes, the device rule and refresh."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from switchover.directory.base import DirectoryUser
from switchover.readiness.exports import (
    ExportError,
    ExportReadiness,
    read_device_export,
    read_registration_export,
)

# The portal's download, newest header spelling, with a BOM and methods in one quoted cell.
PORTAL = (
    "\ufeff"
    '"User principal name","User display name","User type","Is Admin","Is SSPR Registered","Is SSPR Enabled",'
    '"Is SSPR Capable","Is MFA Registered","Is MFA Capable","Is Passwordless Capable","Methods Registered",'
    '"Default MFA method","Last Updated Time"\r\n'
    '"ann.lee@example.org","Lee, Ann","member","False","True","True","True","True","True","False",'
    '"microsoftAuthenticatorPush, softwareOneTimePasscode","microsoftAuthenticatorPush","2026-12-01T06:10:00Z"\r\n'
    '"BO.KIM@example.org","Kim, Bo","member","False","False","True","False","False","False","False",'
    '"email","none","2026-12-01T05:00:00Z"\r\n'
)

# A PowerShell Export-Csv of Get-MgReportAuthenticationMethodUserRegistrationDetail: Graph's
# property names, another order, no BOM.
GRAPH_STYLE = (
    "Id,IsMfaRegistered,UserPrincipalName,MethodsRegistered,LastUpdatedDateTime\n"
    "1,false,ann.lee@example.org,,11/30/2026 8:14:03 AM\n"
    "2,true,bo.kim@example.org,microsoftAuthenticatorPush,11/30/2026 9:00:00 AM\n"
)

# The older portal list: "MFA Capable" with Capable / Not Capable, saved by Excel with semicolons.
OLDER = "User principal name;Name;MFA Capable;Methods registered\nann.lee@example.org;Ann Lee;Capable;Microsoft Authenticator app\nbo.kim@example.org;Bo Kim;Not Capable;\n"

INTUNE = (
    "\ufeff"
    '"Device ID","Device name","Enrollment date","Last check-in","OS version","Primary user UPN",'
    '"Primary user display name","Compliance","OS"\r\n'
    '"d1","Ann\'s iPhone","2025-01-01 10:00:00.0000000","2026-11-30 08:00:00.0000000","18.1","ann.lee@example.org","Lee, Ann","Compliant","iOS"\r\n'
    '"d2","FHP-LAPTOP1","2025-01-01 10:00:00.0000000","2026-12-01 07:00:00.0000000","10.0.22631","ann.lee@example.org","Lee, Ann","Compliant","Windows"\r\n'
    '"d3","FHP-OLD","2024-01-01 10:00:00.0000000","2026-08-01 07:00:00.0000000","10.0.19045","ann.lee@example.org","Lee, Ann","Not compliant","Windows"\r\n'
    '"d4","Bo\'s Pixel","2025-01-01 10:00:00.0000000","2026-11-29 07:00:00.0000000","15","bo.kim@example.org","Kim, Bo","In grace period","Android"\r\n'
    '"d5","Bo\'s laptop","2025-01-01 10:00:00.0000000","2026-11-28 07:00:00.0000000","10.0.22631","bo.kim@example.org","Kim, Bo","Compliant","Windows"\r\n'
    '"d6","Cy\'s laptop","2025-01-01 10:00:00.0000000","2026-11-28 07:00:00.0000000","10.0.22631","cy.day@example.org","Day, Cy","Not evaluated","Windows"\r\n'
    '"d7","KIOSK-01","2025-01-01 10:00:00.0000000","2026-11-28 07:00:00.0000000","10.0.22631","","","Compliant","Windows"\r\n'
)

# The newer export (reportName Devices through Graph's export jobs): one-word column names.
INTUNE_NEWER = (
    "DeviceId,DeviceName,UPN,ComplianceState,LastContact,OS\n"
    "d1,Ann's iPhone,ann.lee@example.org,compliant,2026-11-30T08:00:00Z,iOS\n"
    "d4,Bo's Pixel,bo.kim@example.org,noncompliant,2026-11-29T07:00:00Z,Android\n"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def user(upn: str) -> DirectoryUser:
    return DirectoryUser(id=f"id-{upn}", upn=upn, display_name=upn)


@pytest.mark.parametrize("text", [PORTAL, GRAPH_STYLE, OLDER], ids=["portal", "graph-names", "older-semicolons"])
def test_every_registration_layout_reads_the_same_people(tmp_path: Path, text: str) -> None:
    export = read_registration_export(write(tmp_path, "reg.csv", text))
    assert set(export.by_upn) == {"ann.lee@example.org", "bo.kim@example.org"}
    registered = {upn: r.mfa_registered for upn, r in export.by_upn.items()}
    expected = {"ann.lee@example.org": True, "bo.kim@example.org": False}
    if text is GRAPH_STYLE:
        expected = {"ann.lee@example.org": False, "bo.kim@example.org": True}
    assert registered == expected


def test_the_portal_download_keeps_quoted_commas_and_its_time(tmp_path: Path) -> None:
    export = read_registration_export(write(tmp_path, "reg.csv", PORTAL))
    ann = export.by_upn["ann.lee@example.org"]
    assert ann.methods == ("microsoftAuthenticatorPush", "softwareOneTimePasscode")
    assert export.as_of == dt.datetime(2026, 12, 1, 6, 10, tzinfo=dt.UTC)  # the latest Last Updated Time


def test_utf16_from_excel_reads_too(tmp_path: Path) -> None:
    export = read_registration_export(write(tmp_path, "reg.csv", PORTAL.lstrip("\ufeff"), "utf-16"))
    assert export.by_upn["bo.kim@example.org"].mfa_registered is False


def test_the_device_export_instead_of_the_registration_export_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "reg.csv", INTUNE)
    with pytest.raises(ExportError) as err:
        read_registration_export(path)
    message = str(err.value)
    assert message.startswith(f"{path}, line 1: no 'User principal name' column")
    assert "'Device ID'" in message and "User registration details" in message


def test_a_registration_export_without_its_mfa_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "reg.csv", "User principal name,User display name\nann@example.org,Ann\n")
    with pytest.raises(ExportError, match=r"line 1: no 'Is MFA Registered' column"):
        read_registration_export(path)


def test_a_bad_value_names_its_line_counting_quoted_newlines(tmp_path: Path) -> None:
    text = 'User principal name,User display name,Is MFA Registered\nann@example.org,"Ann\nLee",True\nbo@example.org,Bo,maybe\n'
    with pytest.raises(ExportError, match=r"reg.csv, line 4: 'Is MFA Registered' is 'maybe'"):
        read_registration_export(write(tmp_path, "reg.csv", text))


def test_a_device_export_without_last_check_in_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "dev.csv", "Device name,Primary user UPN,Compliance\nx,ann@example.org,Compliant\n")
    with pytest.raises(ExportError, match=r"dev.csv, line 1: no 'Last check-in' column.*Intune 'All devices' export"):
        read_device_export(path)


def test_a_device_row_with_an_unknown_compliance_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "dev.csv", INTUNE.replace('"In grace period"', '"Sort of"'))
    with pytest.raises(ExportError, match=r"dev.csv, line 5: 'Compliance' is 'Sort of'"):
        read_device_export(path)


@pytest.mark.parametrize("text", [INTUNE, INTUNE_NEWER], ids=["all-devices", "newer"])
def test_both_device_layouts_read(tmp_path: Path, text: str) -> None:
    export = read_device_export(write(tmp_path, "dev.csv", text))
    assert {d.name for d in export.by_upn["ann.lee@example.org"]} >= {"Ann's iPhone"}
    assert {d.compliance for d in export.by_upn["bo.kim@example.org"]} >= {"not compliant"}


def test_the_device_rule(tmp_path: Path) -> None:
    exports = ExportReadiness(None, write(tmp_path, "dev.csv", INTUNE), active_days=30)
    # Ann: two active compliant devices; the non-compliant one last checked in in August does not count.
    assert exports.lookup("ann.lee@example.org").device_compliant is True  # type: ignore[union-attr]
    # Bo: one active device in its grace period is enough to be not compliant.
    assert exports.lookup("bo.kim@example.org").device_compliant is False  # type: ignore[union-attr]
    # Cy: the only device has not been evaluated: unknown, not a failure.
    assert exports.lookup("cy.day@example.org") is None
    # With a year's window Ann's old laptop counts again.
    yearly = ExportReadiness(None, exports.devices_path, active_days=365).lookup("ann.lee@example.org")
    assert yearly is not None and yearly.device_compliant is False


def test_someone_missing_from_the_registration_export_is_unknown_not_unregistered(tmp_path: Path) -> None:
    exports = ExportReadiness(write(tmp_path, "reg.csv", PORTAL), None)
    assert exports.lookup("nobody@example.org") is None
    bo = exports.lookup("Bo.Kim@Example.org", "id-bo")
    assert bo is not None and bo.mfa_registered is False and bo.user_id == "id-bo"


async def test_a_changed_file_is_read_again_but_not_on_every_question(tmp_path: Path) -> None:
    now = [100.0]
    path = write(tmp_path, "reg.csv", PORTAL)
    exports = ExportReadiness(path, None, check_seconds=60, monotonic=lambda: now[0])
    bo = user("bo.kim@example.org")
    assert (await exports.readiness(bo)).mfa_registered is False  # type: ignore[union-attr]
    # Bo registers; the admin downloads the report again over the old file.
    write(
        tmp_path,
        "reg.csv",
        PORTAL.replace(
            '"Kim, Bo","member","False","False","True","False","False"',
            '"Kim, Bo","member","False","False","True","False","True"',
        ),
    )
    os.utime(path, ns=(1, 2_000_000_000_000_000_000))
    now[0] += 30  # within check_seconds: the file is not looked at
    assert (await exports.readiness(bo)).mfa_registered is False  # type: ignore[union-attr]
    now[0] += 31
    assert (await exports.readiness(bo)).mfa_registered is True  # type: ignore[union-attr]


async def test_a_file_that_turns_bad_keeps_the_last_good_reading(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    path = write(tmp_path, "reg.csv", PORTAL)
    exports = ExportReadiness(path, None, check_seconds=1, monotonic=lambda: now[0])
    write(tmp_path, "reg.csv", INTUNE)  # the wrong download saved over it
    os.utime(path, ns=(1, 2_000_000_000_000_000_000))
    now[0] += 2
    ann = await exports.readiness(user("ann.lee@example.org"))
    assert ann is not None and ann.mfa_registered is True
    [logged] = [r for r in caplog.records if r.getMessage().startswith("readiness export unreadable")]
    assert logged.exc_info is not None and "no 'User principal name' column" in str(logged.exc_info[1])


async def test_a_file_named_before_its_first_download_is_read_when_it_appears(tmp_path: Path) -> None:
    now = [0.0]
    path = tmp_path / "reg.csv"
    exports = ExportReadiness(path, None, check_seconds=1, monotonic=lambda: now[0])
    assert await exports.readiness(user("ann.lee@example.org")) is None
    write(tmp_path, "reg.csv", PORTAL)
    now[0] += 2
    ann = await exports.readiness(user("ann.lee@example.org"))
    assert ann is not None and ann.mfa_registered is True


def test_plan_check_names_a_wrong_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from switchover.cli import main
    from tests.support.app import FABRIKAM

    home = tmp_path / "fabrikam"
    shutil.copytree(FABRIKAM, home)
    assert main(["plan", "check", str(home / "plan.yaml")]) == 0
    assert "readiness exports: " in capsys.readouterr().out
    shutil.copyfile(home / "exports" / "IntuneDevices.csv", home / "exports" / "UserRegistrationDetails.csv")
    assert main(["plan", "check", str(home / "plan.yaml")]) == 1
    err = capsys.readouterr().err
    assert f"{home / 'exports' / 'UserRegistrationDetails.csv'}, line 1: no 'User principal name' column" in err
