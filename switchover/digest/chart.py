"""The digest's chart: readiness per wave (MFA registered, devices compliant) and open problem
reports over the last 14 days, as one small PNG the digest card shows by URL.

Figures. The readiness bars come from the stored picture the digest was sent with; the open-report
line is counted from the reports' timelines (created, then each ``resolved`` / ``reopened`` event)
up to the picture's moment, so no history table is needed and the line ends at the picture's own
"open problem reports" figure.

Rendering. matplotlib's Agg canvas, without pyplot (no global figure state, safe in a worker
thread: callers use ``asyncio.to_thread``), with the DejaVu Sans font matplotlib ships (the same
pixels on every machine whatever fonts it has installed), no mathtext (a wave called ``$x$``
is shown as written) and no version stamp in the file.

Link. Teams loads a card's image by URL, without the bot's token, so the card carries a signed,
expiring address (:mod:`switchover.links`, purpose ``chart``) naming the stored digest.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_skeleton
from pydantic import BaseModel, ConfigDict

from switchover import i18n
from switchover.i18n import gettext as _
from switchover.links import LinkSigner
from switchover.problems.model import EventKind
from switchover.problems.tables import events, reports
from switchover.status.model import StatusPicture
from switchover.status.words import figure
from switchover.storage.db import Database

PURPOSE = "chart"
DAYS = 14
WIDTH, HEIGHT, DPI = 600, 560, 100  # pixels of the PNG: a card is narrow, so the two charts are stacked
LINK_AGE = dt.timedelta(days=14)  # a digest's chart can be looked at for two weeks
MAX_WAVES = 12  # as many as the card lists
MAX_LABELLED = 6  # waves whose bars carry their figure (more would overlap)
LABEL_CHARACTERS = 64  # across the width, shared by the waves' labels (two lines each at most)

_DRAWING = threading.Lock()

MFA_COLOUR = "#2b6cb0"
DEVICES_COLOUR = "#38a169"
OPEN_COLOUR = "#c05621"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WaveBars(_Frozen):
    """One wave's readiness, in percent of its members whose state is known (None: not asked or unknown)."""

    title: str
    mfa: float | None = None
    devices: float | None = None


class ChartFigures(_Frozen):
    """What the chart draws: readiness per wave, and open reports on each of the last :data:`DAYS` days."""

    readiness_known: bool
    waves: list[WaveBars]
    days: list[dt.date]  # oldest first; the last is the picture's day
    open_reports: list[int]  # open at the picture's time of day on each of ``days``


@dataclass(frozen=True, slots=True)
class ChartLinks:
    """How the digest's chart is addressed: the ``chart`` signer and the bot's public base URL."""

    signer: LinkSigner
    base_url: str  # https://BOT_DOMAIN, else http://localhost:PORT (switchover.links.public_base)
    age: dt.timedelta = LINK_AGE

    def url(self, tenant_id: str, digest_key: str, now: dt.datetime, lang: str | None = None) -> str:
        """The image's address: a token naming the stored digest, good until ``now + age``; with
        ``lang`` (a reader's locale tag other than the default), the chart's words are drawn in it."""
        expires = int((now + self.age).timestamp())
        payload: dict[str, object] = {"t": tenant_id, "d": digest_key, "x": expires}
        if lang:
            payload["l"] = lang
        token = self.signer.sign(payload)
        return f"{self.base_url}/charts/{token}.png"


def figures(picture: StatusPicture, open_by_day: Sequence[tuple[dt.date, int]]) -> ChartFigures:
    """The chart's figures from a stored picture and the open-report counts of :func:`open_reports_by_day`."""
    waves = []
    for wave in picture.waves[:MAX_WAVES]:
        r = wave.readiness
        waves.append(
            WaveBars(
                title=wave.title,
                mfa=r.mfa_percent if r.known and r.mfa_asked and r.mfa_registered is not None else None,
                devices=r.devices_percent if r.known and r.devices_asked and r.devices_compliant is not None else None,
            )
        )
    return ChartFigures(
        readiness_known=picture.readiness_known,
        waves=waves,
        days=[d for d, _ in open_by_day],
        open_reports=[n for _, n in open_by_day],
    )


async def open_reports_by_day(
    db: Database, tenant_id: str, at: dt.datetime, zone: ZoneInfo, days: int = DAYS
) -> list[tuple[dt.date, int]]:
    """Reports open (created, and not resolved since it or its last reopening) at ``at`` and at the
    same time on each of the ``days - 1`` days before, oldest first, each with its day in ``zone``."""
    moments = [at - dt.timedelta(days=k) for k in range(days - 1, -1, -1)]
    async with db.begin(read_only=True) as conn:
        created = (
            await conn.execute(
                sa.select(reports.c.id, reports.c.created_at).where(
                    reports.c.tenant_id == tenant_id, reports.c.created_at <= at
                )
            )
        ).all()
        changes = (
            await conn.execute(
                sa.select(events.c.report_id, events.c.at, events.c.kind)
                .where(
                    events.c.tenant_id == tenant_id,
                    events.c.kind.in_([EventKind.RESOLVED.value, EventKind.REOPENED.value]),
                    events.c.at <= at,
                )
                .order_by(events.c.at, events.c.id)
            )
        ).all()
    timeline: dict[int, list[tuple[dt.datetime, bool]]] = {}
    for report_id, when, kind in changes:
        timeline.setdefault(report_id, []).append((when, kind == EventKind.RESOLVED.value))
    out = []
    for moment in moments:
        count = 0
        for report_id, created_at in created:
            if created_at > moment:
                continue
            resolved = False
            for when, is_resolved in timeline.get(report_id, ()):
                if when > moment:
                    break
                resolved = is_resolved
            count += not resolved
        out.append((moment.astimezone(zone).date(), count))
    return out


def alt_text(figures: ChartFigures) -> str:
    """The chart in words, for people who cannot see it (the card's ``altText``)."""
    if not figures.readiness_known:
        readiness = _("Readiness per wave: unknown (the directory cannot tell).")
    elif not figures.waves:
        readiness = _("Readiness per wave: no waves.")
    else:
        parts = []
        for wave in figures.waves:
            said = []
            if wave.mfa is not None:
                said.append(_("MFA {percent}% registered").format(percent=figure(wave.mfa)))
            if wave.devices is not None:
                said.append(_("devices {percent}% compliant").format(percent=figure(wave.devices)))
            parts.append(f"{wave.title}: {', '.join(said) if said else _('nothing asked')}")
        readiness = _("Readiness per wave: {waves}.").format(waves="; ".join(parts))
    counts = figures.open_reports
    if not counts:
        return readiness
    first, last = figures.days[0], figures.days[-1]
    peak = max(counts)
    peak_day = figures.days[counts.index(peak)]
    trend = _("Open problem reports over the last {days} days: {first} on {first_day}, {last} on {last_day}").format(
        days=len(counts), first=counts[0], first_day=_day(first), last=counts[-1], last_day=_day(last)
    )
    if peak > max(counts[0], counts[-1]):
        trend += _(", at most {n} on {day}").format(n=peak, day=_day(peak_day))
    return f"{readiness} {trend}."


def _day(day: dt.date) -> str:
    """``3 Feb`` (in another language, as its readers write it: ``3 feb``, ``3 lut``)."""
    lang = i18n.current()
    if lang.code not in (i18n.DEFAULT, i18n.PSEUDO):
        return format_skeleton("MMMd", day, locale=lang.locale)
    return f"{day.day} {day:%b}"


def _fonts() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(str(_fonts() / "DejaVuSans.ttf")).get_charmap())


def _label(title: str, waves: int) -> str:
    # Characters the font cannot draw (emoji, CJK, controls) are shown as "?" rather than as an
    # empty box with a warning; the card's alt text has the name as written.
    glyphs = _glyphs()
    drawable = "".join(c if ord(c) in glyphs else "?" for c in title)
    lines = textwrap.wrap(
        drawable, max(5, min(18, LABEL_CHARACTERS // max(1, waves))), max_lines=2, placeholder="…"
    ) or [""]
    return "\n".join(lines)


def render_png(figures: ChartFigures) -> bytes:
    """The chart as a PNG of :data:`WIDTH` x :data:`HEIGHT` pixels (synchronous: run it in a thread)."""
    # One at a time: matplotlib shares its loaded fonts between figures and is not thread-safe.
    with _DRAWING:
        return _draw(figures)


def _draw(figures: ChartFigures) -> bytes:
    # Imported here: matplotlib takes a moment to load, and only the chart route needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    fonts = _fonts()
    regular = FontProperties(fname=fonts / "DejaVuSans.ttf", size=11)
    small = FontProperties(fname=fonts / "DejaVuSans.ttf", size=10)
    bold = FontProperties(fname=fonts / "DejaVuSans-Bold.ttf", size=12)

    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    bars, trend = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2], "hspace": 0.5})
    figure.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.06)

    def text(t):  # type: ignore[no-untyped-def]
        t.set_parse_math(False)  # a wave called "$x$" is shown as written
        return t

    # Readiness per wave.
    text(bars.set_title(_("Readiness per wave (%)"), fontproperties=bold, loc="left", pad=22))
    bars.set_ylim(0, 112)  # room for "100" over a full bar
    bars.set_yticks([0, 25, 50, 75, 100])
    waves = figures.waves
    has_devices = any(w.devices is not None for w in waves)
    if not figures.readiness_known or not waves:
        bars.set_xticks([])
        message = _("Readiness unknown") if not figures.readiness_known else _("No waves")
        text(bars.text(0.5, 0.5, message, ha="center", va="center", transform=bars.transAxes, fontproperties=regular))
    else:
        width = 0.38 if has_devices else 0.6
        xs = list(range(len(waves)))
        mfa_x = [x - width / 2 for x in xs] if has_devices else xs
        mfa = bars.bar(mfa_x, [w.mfa or 0 for w in waves], width, color=MFA_COLOUR, label=_("MFA registered"))
        drawn = [(mfa, [w.mfa for w in waves])]
        if has_devices:
            devices = bars.bar(
                [x + width / 2 for x in xs], [w.devices or 0 for w in waves], width, color=DEVICES_COLOUR,
                label=_("Devices compliant"),
            )  # fmt: skip
            drawn.append((devices, [w.devices for w in waves]))
        for container, values in drawn if len(waves) <= MAX_LABELLED else ():  # more: the alt text has them
            for rect, value in zip(container, values, strict=True):
                shown = _("n/a") if value is None else f"{value:.0f}"
                text(bars.annotate(
                    shown, (rect.get_x() + rect.get_width() / 2, rect.get_height()), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontproperties=small,
                ))  # fmt: skip
        bars.set_xticks(xs, [_label(w.title, len(waves)) for w in waves])
        legend = bars.legend(
            prop=small, loc="lower left", bbox_to_anchor=(0, 1), frameon=False, ncols=2, borderaxespad=0.2
        )
        for t in legend.get_texts():
            text(t)
    for label in bars.get_xticklabels():
        text(label).set_fontproperties(small)
    for label in bars.get_yticklabels():
        label.set_fontproperties(small)

    # Open problem reports, last 14 days.
    text(
        trend.set_title(
            _("Open problem reports ({days} days)").format(days=len(figures.days)),
            fontproperties=bold,
            loc="left",
            pad=10,
        )
    )
    counts = figures.open_reports
    xs = list(range(len(counts)))
    trend.bar(xs, counts, 0.7, color=OPEN_COLOUR)
    top = max(counts, default=0)
    trend.set_ylim(0, max(4, top * 1.2))
    trend.yaxis.get_major_locator().set_params(integer=True)
    if counts:
        text(trend.annotate(
            str(counts[-1]), (xs[-1], counts[-1]), xytext=(0, 2), textcoords="offset points", ha="center",
            va="bottom", fontproperties=small,
        ))  # fmt: skip
    ticks = [i for i in xs if (len(xs) - 1 - i) % 3 == 0]  # every third day, ending on the picture's
    trend.set_xticks(ticks, [_day(figures.days[i]) for i in ticks])
    for label in trend.get_xticklabels() + trend.get_yticklabels():
        label.set_fontproperties(small)
    for axes in (bars, trend):
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(length=2)

    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
