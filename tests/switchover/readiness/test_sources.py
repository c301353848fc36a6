"""Graph first, the exports for what it cannot tell: ReadinessService with both sources."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from switchover.directory.base import DirectoryUser, Readiness
from switchover.plan.loader import load_plan
from switchover.readiness.exports import ExportReadiness
from switchover.readiness.service import ReadinessService
from tests.support.app import FABRIKAM

SYNCED = dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC)
ANN = DirectoryUser(id="id-ann", upn="ann.lee@example.org", display_name="Ann Lee")
BO = DirectoryUser(id="id-bo", upn="bo.kim@example.org", display_name="Bo Kim")

REGISTRATION = "User principal name,Is MFA Registered\nann.lee@example.org,False\nbo.kim@example.org,False\n"
DEVICES = (
    "Device name,Primary user UPN,Compliance,Last check-in\n"
    "A1,ann.lee@example.org,Not compliant,2026-12-01 07:00:00\n"
    "B1,bo.kim@example.org,Compliant,2026-12-01 07:00:00\n"
)


class GraphLike:
    """A directory that knows MFA for Ann only and no device compliance (no Intune permission)."""

    def __init__(self) -> None:
        self.users = {u.id: u for u in (ANN, BO)}

    async def get(self, id_or_upn: str) -> DirectoryUser | None:
        return self.users.get(id_or_upn)

    async def all_users(self) -> list[DirectoryUser]:
        return list(self.users.values())

    async def readiness(self, user_id: str) -> Readiness | None:
        if user_id == ANN.id:
            return Readiness(ANN.id, True, ("microsoftAuthenticatorPush",), None, SYNCED)
        return Readiness(user_id, None, (), None, SYNCED)

    async def check_readiness(self, user_id: str) -> Readiness | None:
        return await self.readiness(user_id)


def service(tmp_path: Path, *, devices: bool) -> ReadinessService:
    (tmp_path / "reg.csv").write_text(REGISTRATION, encoding="utf-8")
    (tmp_path / "dev.csv").write_text(DEVICES, encoding="utf-8")
    plan = load_plan(FABRIKAM / "plan.yaml")
    plan = plan.model_copy(update={"readiness": plan.readiness.model_copy(update={"device_compliance": devices})})
    exports = ExportReadiness(tmp_path / "reg.csv", tmp_path / "dev.csv")
    return ReadinessService(plan, GraphLike(), exports)  # type: ignore[arg-type]


async def test_graph_answers_mfa_where_it_knows_and_the_export_fills_in_the_rest(tmp_path: Path) -> None:
    readiness = service(tmp_path, devices=True)
    ann = await readiness.readiness_for(ANN)
    # Graph says Ann registered (the export, older, says not): Graph wins; devices only the export knows.
    assert ann is not None and ann.mfa_registered is True and ann.checked_at == SYNCED
    assert ann.device_compliant is False
    assert readiness.to_do(ann) == ["bring your work device into compliance (check the Company Portal app)"]
    # Graph cannot tell Bo's MFA: the export's answer is used.
    bo = await readiness.readiness_for(BO)
    assert bo is not None and bo.mfa_registered is False and bo.device_compliant is True
    # By id, from the last sync and the exports (the status card's figures): the same.
    assert await readiness.last_known(ANN.id) == ann
    assert await readiness.to_do_for([ANN.id, BO.id]) == {
        ANN.id: ("bring your work device into compliance (check the Company Portal app)",),
        BO.id: ("set up Microsoft Authenticator (https://aka.ms/mfasetup)",),
    }


async def test_device_figures_count_only_when_the_plan_asks(tmp_path: Path) -> None:
    without = service(tmp_path, devices=False)
    ann = await without.readiness_for(ANN)
    assert ann is not None and without.to_do(ann) == []  # Graph knows all the plan asks
    assert (await without.report()).device_compliance is False
    assert (await service(tmp_path, devices=True).report()).device_compliance is True


async def test_mfa_done_against_an_export_alone_is_taken_at_its_word(tmp_path: Path) -> None:
    readiness = service(tmp_path, devices=False)
    assert (await readiness.confirm_mfa(BO))[0] is None  # the export may predate the registration
    assert (await readiness.confirm_mfa(ANN))[0] is True  # Graph shows it
