"""Write preview renderings of the announcement cards to docs/cards/*.json.

Run: ``.venv/bin/python docs/cards/render_announcements.py``. Paste a file into
https://adaptivecards.io/designer (host app: Microsoft Teams) to see it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from switchover.announcements.calendar import WaveDates, calendar_content, campaign_id
from switchover.announcements.model import Announcement, AnnouncementStatus, Audience, Button, Content, Urgency
from switchover.announcements.service import AnnouncementService
from switchover.plan.loader import load_plan

HERE = Path(__file__).resolve().parent
PLAN = load_plan(HERE.parents[1] / "examples" / "fabrikam" / "plan.yaml")


def main() -> None:
    service = AnnouncementService(None, PLAN, None, None, None, None, tenant_id="preview")  # type: ignore[arg-type]
    wave = PLAN.wave("wave-3")
    dates = WaveDates(wave.cutover.start.astimezone(dt.UTC), wave.cutover.end.astimezone(dt.UTC))
    zone = ZoneInfo(PLAN.organisation.time_zone)
    created = dt.datetime(2027, 1, 4, 17, tzinfo=dt.UTC)
    written = []
    for message in PLAN.calendar:
        ann = Announcement(
            id=campaign_id(wave.key, message.key),
            tenant_id="preview",
            kind="calendar",
            wave_key=wave.key,
            calendar_key=message.key,
            title=message.title,
            content=calendar_content(message),
            audience=Audience(kind="wave", values=(wave.key,)),
            send_at=None,
            status=AnnouncementStatus.SCHEDULED,
            created_by="plan",
            created_at=created,
            started_at=None,
        )
        card = service.render(ann, zone=zone, dates=dates, refresh_user_ids=["29:preview-user"])
        written.append(_write(f"announcement-{message.key}", card))
        if message.key == "one-week":
            # As a recipient the last directory sync shows without MFA registered sees it.
            not_ready = service.render(
                ann,
                zone=zone,
                dates=dates,
                refresh_user_ids=["29:preview-user"],
                to_do=("set up Microsoft Authenticator (https://aka.ms/mfasetup)",),
            )
            written.append(_write(f"announcement-{message.key}-not-ready", not_ready))
    freeform = Announcement(
        id="a-preview",
        tenant_id="preview",
        kind="freeform",
        wave_key=None,
        calendar_key=None,
        title="Tacoma parking closed on Saturday",
        content=Content(
            body="The **car park** is closed on Saturday 13 February for the kiosk delivery. Use the street lot.",
            urgency=Urgency.IMPORTANT,
            buttons=(Button(title="Got it", verb="acknowledge"), Button(title="Map", url="https://example.com/map")),
        ),
        audience=Audience(kind="office", values=("Tacoma Clinic",)),
        send_at=None,
        status=AnnouncementStatus.SCHEDULED,
        created_by="dana.whitfield",
        created_at=created,
        started_at=None,
    )
    written.append(_write("freeform", service.render(freeform, zone=zone, dates=None)))
    moved = WaveDates(dates.start + dt.timedelta(days=7), dates.end + dt.timedelta(days=7))
    notice = freeform.model_copy(
        update={
            "id": "wave-3/reschedule-2027-03-06",
            "kind": "reschedule",
            "wave_key": "wave-3",
            "content": Content(
                summary="The messages you already have now show the new date.",
                previous_cutover=(dates.start, dates.end),
            ),
        }
    )
    written.append(_write("reschedule", service.render(notice, zone=zone, dates=moved)))
    print("\n".join(str(p.relative_to(HERE.parents[1])) for p in written))  # noqa: T201 - a script's output


def _write(name: str, card: dict) -> Path:
    path = HERE / f"{name}.json"
    path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    main()
