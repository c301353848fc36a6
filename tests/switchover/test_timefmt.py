"""Dates, times and cutover windows read as strftime would write them, in every zone the plan meets."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from switchover.timefmt import format_day, format_short_day, format_time, format_window, localise_times, names_a_day

ZONES = [ZoneInfo(z) for z in ("America/Los_Angeles", "America/Boise", "Europe/London", "UTC", "Asia/Kolkata")]
moments = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31)).map(
    lambda d: d.replace(tzinfo=dt.UTC)
)


@settings(max_examples=300, deadline=None)
@given(when=moments, zone=st.sampled_from(ZONES), hours=st.integers(0, 60))
def test_formats_match_strftime(when: dt.datetime, zone: ZoneInfo, hours: int) -> None:
    start = when.astimezone(zone)
    end = (when + dt.timedelta(hours=hours)).astimezone(zone)
    assert format_day(start) == f"{start:%A} {start.day} {start:%B %Y}"
    assert format_day(start.date(), year=False) == f"{start:%A} {start.day} {start:%B}"
    assert format_short_day(start) == f"{start:%a} {start.day} {start:%b}"
    assert format_time(start) == f"{start:%H:%M %Z}"
    if start.date() != end.date():
        expected = f"{start:%H:%M %Z} - {end:%a} {end.day} {end:%b} {end:%H:%M %Z}"
    elif start.strftime("%Z") != end.strftime("%Z"):
        expected = f"{start:%H:%M %Z} - {end:%H:%M %Z}"
    else:
        expected = f"{start:%H:%M}-{end:%H:%M} {start:%Z}"
    assert format_window(start, end) == expected


def test_a_cutover_window_in_pacific_time() -> None:
    zone = ZoneInfo("America/Los_Angeles")
    start = dt.datetime(2027, 1, 9, 7, 0, tzinfo=zone)
    assert format_day(start) == "Saturday 9 January 2027"
    assert format_window(start, start.replace(hour=16)) == "07:00-16:00 PST"
    assert format_window(start, dt.datetime(2027, 1, 10, 2, 0, tzinfo=zone)) == "07:00 PST - Sun 10 Jan 02:00 PST"


def test_a_cutover_window_with_its_day() -> None:
    zone = ZoneInfo("America/Los_Angeles")
    start = dt.datetime(2027, 1, 9, 7, 0, tzinfo=zone)
    end = start.replace(hour=16)
    assert format_window(start, end, day="long") == "Saturday 9 January 2027, 07:00-16:00 PST"
    assert format_window(start, end, day="iso") == "Sat 2027-01-09 07:00-16:00 PST"
    overnight = dt.datetime(2027, 1, 10, 2, 0, tzinfo=zone)
    assert format_window(start, overnight, day="iso") == "Sat 2027-01-09 07:00 PST - Sun 10 Jan 02:00 PST"


def test_a_window_across_the_change_to_summer_time_names_both_zones() -> None:
    zone = ZoneInfo("America/Los_Angeles")
    start = dt.datetime(2027, 3, 14, 0, 30, tzinfo=zone)
    end = dt.datetime(2027, 3, 14, 6, 0, tzinfo=zone)
    assert format_window(start, end, day="long") == "Sunday 14 March 2027, 00:30 PST - 06:00 PDT"


def test_a_line_about_today_gets_the_readers_day_with_the_readers_time() -> None:
    helsinki, denver = ZoneInfo("Europe/Helsinki"), ZoneInfo("America/Denver")
    sent = dt.datetime(2027, 3, 13, 6, 0, tzinfo=helsinki)  # Saturday in Helsinki, Friday evening in Denver
    line = "Sign-ins are paused until 08:00 today."
    assert names_a_day(line) and not names_a_day("Sign-ins are paused until 08:00 on cutover day.")
    # 08:00 EET is 23:00 MST on Friday: Friday, not Helsinki's Saturday.
    assert localise_times(line, sent, denver) == "Sign-ins are paused until 23:00 MST on Friday 12 March."
    assert localise_times(line, sent, helsinki) == "Sign-ins are paused until 08:00 EET on Saturday 13 March."
    # No time in the line: "today" is the reader's day of the sending.
    assert localise_times("Your move starts today.", sent, denver) == "Your move starts on Friday 12 March."
    assert localise_times("Do not rename folders this weekend.", sent, denver) == (
        "Do not rename folders on the cutover weekend."
    )


_ZONES = ["Europe/Helsinki", "Europe/Lisbon", "America/Denver", "Australia/Sydney", "Pacific/Auckland", "Asia/Kolkata"]


@settings(max_examples=200, deadline=None)
@given(
    writer=st.sampled_from(_ZONES),
    reader=st.sampled_from(_ZONES),
    day=st.dates(min_value=dt.date(2027, 1, 1), max_value=dt.date(2028, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
)
def test_a_localised_line_names_the_day_and_time_of_one_moment_in_the_readers_zone(
    writer: str, reader: str, day: dt.date, hour: int, minute: int
) -> None:
    sent = dt.datetime.combine(day, dt.time(12, 0), tzinfo=ZoneInfo(writer))
    line = f"Read-only at {hour:02d}:{minute:02d} today."
    moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(writer)).astimezone(ZoneInfo(reader))
    expected = f"Read-only at {moment:%H:%M} {moment.tzname()} on {format_day(moment, year=False)}."
    assert localise_times(line, sent, ZoneInfo(reader)) == expected


def test_a_line_about_today_in_spanish_or_polish_gets_the_readers_day_and_time_in_its_language() -> None:
    from switchover import i18n

    helsinki, denver = ZoneInfo("Europe/Helsinki"), ZoneInfo("America/Denver")
    sent = dt.datetime(2027, 3, 13, 6, 0, tzinfo=helsinki)  # Saturday in Helsinki, Friday evening in Denver
    spanish = "Las unidades H: y S: pasan a ser de solo lectura hoy a las 08:00."
    polish = "Dyski H: i S: będą dziś od 08:00 tylko do odczytu."
    with i18n.use("es-ES"):
        assert names_a_day(spanish) and names_a_day("La migración es esta noche.")
        assert not names_a_day("Las unidades pasan a ser de solo lectura el día del cambio.")
        assert localise_times(spanish, sent, denver) == (
            "Las unidades H: y S: pasan a ser de solo lectura el viernes, 12 de marzo a las 23:00 MST."
        )
        assert localise_times("No restablezca su contraseña este fin de semana.", sent, denver) == (
            "No restablezca su contraseña el fin de semana del cambio."
        )
    with i18n.use("es-US"):  # the region's clock
        assert localise_times(spanish, sent, denver).endswith("el viernes, 12 de marzo a las 11:00 p.\u00a0m. MST.")
    with i18n.use("pl-PL"):
        assert names_a_day(polish) and names_a_day("Migracja zaczyna się dzisiaj wieczorem.")
        assert (
            localise_times(polish, sent, denver)
            == "Dyski H: i S: będą w dniu piątek, 12 marca od 23:00 MST tylko do odczytu."
        )
        assert localise_times(polish, sent, helsinki) == (
            "Dyski H: i S: będą w dniu sobota, 13 marca od 08:00 EET tylko do odczytu."
        )
        assert (
            localise_times("Nie resetuj hasła w ten weekend.", sent, denver)
            == "Nie resetuj hasła w weekend przełączenia."
        )
        # "dzisiaj wieczorem" is one phrase, not "dzisiaj" followed by a stray word.
        assert localise_times("Migracja zaczyna się dzisiaj wieczorem.", sent, denver) == (
            "Migracja zaczyna się w dniu piątek, 12 marca."
        )


def test_a_line_reads_in_one_language_whichever_language_the_reader_reads() -> None:
    """A line the plan does not translate stays in the plan's language for a Spanish reader: the day and time
    put in are in the line's language, not the reader's; and a Spanish line read by an English reader likewise."""
    from switchover import i18n

    helsinki, denver = ZoneInfo("Europe/Helsinki"), ZoneInfo("America/Denver")
    sent = dt.datetime(2027, 3, 13, 6, 0, tzinfo=helsinki)
    with i18n.use("es-MX"):
        assert localise_times("Sign-ins are paused until 08:00 today.", sent, denver) == (
            "Sign-ins are paused until 23:00 MST on Friday 12 March."
        )
    with i18n.use("en-US"):
        assert names_a_day("La migración empieza hoy.")
        assert (
            localise_times("La migración empieza hoy.", sent, denver) == "La migración empieza el viernes, 12 de marzo."
        )
    # Words of other languages inside a word are not theirs ("hoyo", "dziśki"): nothing changes.
    assert not names_a_day("A hoyo in the road.")
