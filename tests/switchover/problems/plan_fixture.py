"""The Fabrikam plan's problem-report parts, built in Python (the facts of the scenario README)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from switchover.plan.model import (
    Area,
    BusinessHours,
    ChannelRef,
    Contact,
    Duration,
    EscalationStep,
    EscalationTarget,
    HoursRange,
    Impact,
    MajorIncidentRule,
    Organisation,
    Person,
    Plan,
    Priority,
    ServiceDesk,
    ServiceLevel,
    Urgency,
    Wave,
)

LA = ZoneInfo("America/Los_Angeles")
DESK = ChannelRef(team="Fabrikam IT", channel="Service Desk")
TENANT = "f1a2b3c4-0000-4000-8000-fab000000001"


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


# Each area's keywords as in examples/fabrikam/plan.yaml (triage's customer words come from the plan).
KEYWORDS = {
    "email": _words(
        "email, e-mail, mail, outlook, exchange, inbox, mailbox, shared mailbox, calendar, meeting "
        "invite, appointment, delegate, signature, contacts, phone mail, mobile mail, iphone mail, "
        "android mail, out of office, distribution list, send, receive, bounce"
    ),
    "files": _words(
        "file, files, folder, onedrive, sharepoint, h: drive, h drive, s: drive, s drive, home drive, "
        "shared drive, share, document, missing file, lost file, permission, access denied, sync, "
        "read-only, read only, excel, word"
    ),
    "teams": _words(
        "teams, chat, channel, meeting, video call, call, calling, microphone, camera, webcam, headset, "
        "screen share, presence, status, team site"
    ),
    "signin": _words(
        "sign in, sign-in, signin, log in, login, logon, password, mfa, authenticator, two-factor, 2fa, "
        "verification code, approve, locked out, locked account, account locked, conditional access, "
        "blocked, new phone, hardware key"
    ),
    "devices": _words(
        "laptop, pc, computer, desktop, windows, windows 11, intune, company portal, enroll, enrollment, "
        "compliance, compliant, bitlocker, recovery key, kiosk, slow, won't start, update, restart"
    ),
    "printing": _words(
        "print, printer, printing, scan, scanner, scanning, label printer, practice management, schedule, "
        "patient schedule, patient chart, chart, charting, patient record, treatment plan, imaging, "
        "x-ray, xray, radiograph, sensor, intraoral, intraoral camera, panoramic, pano, clinical app, "
        "dentrix, eaglesoft, billing software, insurance, claim"
    ),
    "other": _words(
        "training, feedback, chair, furniture, parking, lights, alarm, coffee machine, purchase, purchasing, desk phone"
    ),
}


def _p(key: str, name: str, upn: str) -> Person:
    return Person(key=key, name=name, upn=upn)


def _wave(n: int, name: str, day: dt.date, start: int, end: int, hypercare: dt.date) -> Wave:
    return Wave(
        key=f"wave-{n}",
        number=n,
        name=name,
        cutover={
            "start": dt.datetime.combine(day, dt.time(start), LA),
            "end": dt.datetime.combine(day, dt.time(end), LA),
        },
        hypercare_until=hypercare,
    )


def fabrikam_plan() -> Plan:
    """The scenario's areas, owners, service levels, hours and incident rule."""
    people = (
        _p("dana.whitfield", "Dana Whitfield", "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"),
        _p("robert.kim", "Robert Kim", "robert.kim@fabrikamhealth.com"),
        _p("priya.raman", "Priya Raman", "priya.raman_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"),
        _p("tom.becker", "Tom Becker", "tom.becker@fabrikamhealth.com"),
        _p("luis.ortega", "Luis Ortega", "luis.ortega@fabrikamhealth.com"),
        _p("ana.silva", "Ana Silva", "ana.silva@fabrikamhealth.com"),
        _p("marcus.chen", "Marcus Chen", "marcus.chen_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"),
        _p("jordan.lee", "Jordan Lee", "jordan.lee@fabrikamhealth.com"),
        _p("kevin.obrien", "Kevin O'Brien", "kevin.obrien@fabrikamhealth.com"),
        _p("sara.novak", "Sara Novak", "sara.novak@fabrikamhealth.com"),
    )

    def person(k: str) -> Contact:
        return Contact(person=k)

    desk = Contact(channel=DESK)
    areas = (
        Area(
            key="email",
            keywords=KEYWORDS["email"],
            name="Email & calendar",
            description="Outlook, Exchange Online, shared mailboxes, calendars, delegates, mobile mail",
            owner=person("priya.raman"),
            backup=person("tom.becker"),
        ),
        Area(
            key="files",
            keywords=KEYWORDS["files"],
            name="Files",
            description="OneDrive, SharePoint, former H: and S: drives, missing files, permissions",
            owner=person("luis.ortega"),
            backup=person("tom.becker"),
        ),
        Area(
            key="teams",
            keywords=KEYWORDS["teams"],
            name="Teams & meetings",
            description="Teams chat, channels, meetings, calling",
            owner=person("ana.silva"),
            backup=person("luis.ortega"),
        ),
        Area(
            key="signin",
            keywords=KEYWORDS["signin"],
            name="Sign-in & security",
            description="passwords, MFA, Authenticator, Conditional Access, locked accounts",
            owner=person("marcus.chen"),
            backup=person("priya.raman"),
        ),
        Area(
            key="devices",
            keywords=KEYWORDS["devices"],
            name="Devices",
            description="Windows 11, Intune enrollment, compliance, BitLocker, kiosks",
            owner=person("jordan.lee"),
            backup=person("marcus.chen"),
        ),
        Area(
            key="printing",
            keywords=KEYWORDS["printing"],
            name="Printing & clinical apps",
            description="printers, scanners, practice management system, imaging software",
            owner=desk,
            backup=person("tom.becker"),
        ),
        Area(
            key="other",
            name="Anything else",
            keywords=KEYWORDS["other"],
            owner=desk,
            backup=person("dana.whitfield"),
            catch_all=True,
        ),
    )
    hours = Duration
    return Plan(
        organisation=Organisation(name="Fabrikam Health Partners", time_zone="America/Los_Angeles", tenant_id=TENANT),
        people=people,
        project_leads=("dana.whitfield",),
        sponsor="robert.kim",
        service_desk=ServiceDesk(channel=DESK, members=("kevin.obrien", "sara.novak"), phone="+1 206 555 0100"),
        waves=(
            _wave(0, "Pilot", dt.date(2027, 1, 16), 8, 14, dt.date(2027, 1, 29)),
            _wave(1, "Corporate", dt.date(2027, 1, 30), 7, 15, dt.date(2027, 2, 12)),
            _wave(2, "Seattle & Tacoma clinical", dt.date(2027, 2, 13), 7, 16, dt.date(2027, 2, 26)),
            _wave(3, "Spokane & Portland", dt.date(2027, 2, 27), 7, 16, dt.date(2027, 3, 12)),
        ),
        areas=areas,
        priority_matrix={
            Impact.SITE: {Urgency.CANT_WORK: Priority.P1, Urgency.DEGRADED: Priority.P2, Urgency.QUESTION: Priority.P3},
            Impact.SEVERAL: {
                Urgency.CANT_WORK: Priority.P2,
                Urgency.DEGRADED: Priority.P3,
                Urgency.QUESTION: Priority.P4,
            },
            Impact.ME: {Urgency.CANT_WORK: Priority.P2, Urgency.DEGRADED: Priority.P3, Urgency.QUESTION: Priority.P4},
        },
        service_levels=(
            ServiceLevel(
                priority=Priority.P1,
                acknowledge_within=hours(minutes=15),
                escalation=(
                    EscalationStep(after=hours(minutes=15), to=EscalationTarget.BACKUP),
                    EscalationStep(after=hours(minutes=30), to=EscalationTarget.PROJECT_LEAD),
                ),
                notify_at_once=(EscalationTarget.SPONSOR,),
            ),
            ServiceLevel(
                priority=Priority.P2,
                acknowledge_within=hours(minutes=30),
                escalation=(
                    EscalationStep(after=hours(minutes=30), to=EscalationTarget.BACKUP),
                    EscalationStep(after=hours(minutes=60), to=EscalationTarget.PROJECT_LEAD),
                ),
            ),
            ServiceLevel(
                priority=Priority.P3,
                acknowledge_within=hours(minutes=240, business=True),
                escalation=(EscalationStep(after=hours(minutes=240, business=True), to=EscalationTarget.BACKUP),),
            ),
            ServiceLevel(priority=Priority.P4, acknowledge_within=hours(minutes=0, business_days=1)),
        ),
        business_hours=BusinessHours(
            weekly=(HoursRange(days=("mon", "tue", "wed", "thu", "fri"), start=dt.time(7), end=dt.time(19)),),
            cutover_weekends=HoursRange(days=("sat", "sun"), start=dt.time(6), end=dt.time(18)),
            direct_to_owner_after_hours=(Priority.P1, Priority.P2),
        ),
        major_incident=MajorIncidentRule(reports=5, within=hours(minutes=30), same=("area", "wave")),
    )
