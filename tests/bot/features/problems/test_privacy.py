"""One person's data out (export) and gone (erase), and old data purged after the retention period."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from switchover.privacy import ERASED, PersonalData
from switchover.problems.model import Actor
from switchover.settings import REPO_ROOT
from tests.bot.features.problems.conftest import staff
from tests.support.app import TENANT_ID, person

REPORTER = "ian.jensen"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "switchover.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


async def test_privacy_export_then_erase_one_persons_data(world):
    who = person(REPORTER)
    await world.teams.install(who)
    await world.report(REPORTER, "my H drive files are missing", area="files", impact="me", urgency="cant_work")
    await world.teams.say(REPORTER, "when is my migration")
    await world.deliver()
    url = world.app.settings.async_database_url

    done = _cli("privacy", "export", who.upn, "--database-url", url)
    assert done.returncode == 0, done.stderr
    tables = json.loads(done.stdout)["tables"]
    [report] = tables["problem_reports"]
    assert report["text"] == "my H drive files are missing" and report["reporter_upn"] == who.upn
    assert [r["aad_object_id"] for r in tables["conversation_refs"]] == [who.aad_object_id]
    assert tables["delivery_outbox"] and all(d["recipient_key"] == who.aad_object_id for d in tables["delivery_outbox"])
    assert tables["problem_events"] and tables["bot_state"]
    owner_before = await PersonalData(world.services.db).export(staff("luis.ortega").upn)

    refused = _cli("privacy", "erase", who.upn, "--database-url", url)  # no --yes, and no one to confirm
    assert refused.returncode != 0
    done = _cli("privacy", "erase", who.upn, "--database-url", url, "--yes")
    assert done.returncode == 0, done.stderr
    assert "conversation_refs" in done.stdout

    after = await PersonalData(world.services.db).export(who.upn)
    assert all(rows == [] for rows in after.values()), {k: v for k, v in after.items() if v}
    # The report stays for the figures, with neither the reporter nor the words.
    kept = await world.desk.get(TENANT_ID, report["id"])
    assert kept.text == ERASED and kept.reporter.upn is None and kept.reporter.name is None
    assert kept.area == "files"
    # Nobody else's data moved.
    assert await PersonalData(world.services.db).export(staff("luis.ortega").upn) == owner_before


async def test_retention_purges_resolved_reports_and_old_conversation_data(world):
    await world.teams.install(person(REPORTER))
    await world.report(REPORTER, "my H drive files are missing", area="files", impact="me", urgency="cant_work")
    await world.report(REPORTER, "the printer on floor 2 is jammed", area="printing", impact="me")
    await world.deliver()
    [printer, drive] = await world.desk.mine(TENANT_ID, person(REPORTER).aad_object_id)
    owner = staff("luis.ortega")
    await world.desk.resolve(TENANT_ID, drive.id, Actor(owner.aad_object_id, owner.name, "luis.ortega"), "restored")
    await world.deliver()
    privacy = PersonalData(world.services.db)

    # Within the retention period nothing goes.
    assert not any((await privacy.purge(dt.timedelta(days=180), world.clock.now())).values())

    world.clock.advance(dt.timedelta(days=181))
    counts = await privacy.purge(dt.timedelta(days=180), world.clock.now())
    assert counts["problem_reports"] == 1 and counts["bot_state"] >= 1 and counts["delivery_outbox"] >= 1
    assert [r.id for r in await world.desk.mine(TENANT_ID, person(REPORTER).aad_object_id)] == [printer.id]
    # The open report's cards stay: they are still updated in place.
    assert (await world.desk.get(TENANT_ID, printer.id)).timeline
    left = await privacy.export(person(REPORTER).upn)
    assert left["bot_state"] == [] and [r["id"] for r in left["problem_reports"]] == [printer.id]
