"""Date expressions relative to the asker's today."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchover.answers.dates import find_date_range, month_of, weekday_of

WED = dt.date(2027, 1, 27)  # a Wednesday
SAT = dt.date(2027, 1, 30)
SUN = dt.date(2027, 1, 31)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("is my move this weekend", SAT, SUN),
        ("whats happening next weekend", dt.date(2027, 2, 6), dt.date(2027, 2, 7)),
        ("what happened last weekend", dt.date(2027, 1, 23), dt.date(2027, 1, 24)),
        ("anything next week", dt.date(2027, 2, 1), dt.date(2027, 2, 7)),
        ("this week?", dt.date(2027, 1, 25), dt.date(2027, 1, 31)),
        ("tomorrow", dt.date(2027, 1, 28), dt.date(2027, 1, 28)),
        ("tmrw", dt.date(2027, 1, 28), dt.date(2027, 1, 28)),
        ("today", WED, WED),
        ("on saturday", SAT, SAT),
        ("friday", dt.date(2027, 1, 29), dt.date(2027, 1, 29)),
        # "next friday" is the Friday of next week, not the coming one.
        ("next friday", dt.date(2027, 2, 5), dt.date(2027, 2, 5)),
        ("wednesday", WED, WED),
        ("Feb 13", dt.date(2027, 2, 13), dt.date(2027, 2, 13)),
        ("13 February", dt.date(2027, 2, 13), dt.date(2027, 2, 13)),
        ("febuary 13th", dt.date(2027, 2, 13), dt.date(2027, 2, 13)),
        ("the 27th of february", dt.date(2027, 2, 27), dt.date(2027, 2, 27)),
        ("2027-02-13", dt.date(2027, 2, 13), dt.date(2027, 2, 13)),
        ("2/13", dt.date(2027, 2, 13), dt.date(2027, 2, 13)),
        ("1/16/2027", dt.date(2027, 1, 16), dt.date(2027, 1, 16)),
        ("in march", dt.date(2027, 3, 1), dt.date(2027, 3, 31)),
        ("this month", dt.date(2027, 1, 1), dt.date(2027, 1, 31)),
        ("next month", dt.date(2027, 2, 1), dt.date(2027, 2, 28)),
    ],
)
def test_expressions(text: str, start: dt.date, end: dt.date) -> None:
    found = find_date_range(text, WED)
    assert found is not None, text
    assert (found.start, found.end) == (start, end)


@pytest.mark.parametrize(
    "text", ["may i ask something", "when is my move", "what is wave 2", "who do i contact", "the h drive", ""]
)
def test_no_date(text: str) -> None:
    assert find_date_range(text, WED) is None


def test_this_weekend_on_a_sunday_is_the_current_one() -> None:
    found = find_date_range("this weekend", SUN)
    assert found is not None and (found.start, found.end) == (SAT, SUN)


def test_month_day_without_year_prefers_the_coming_one() -> None:
    # Asked in December 2026, "jan 16" is the pilot's date next month.
    found = find_date_range("jan 16", dt.date(2026, 12, 20))
    assert found is not None and found.start == dt.date(2027, 1, 16)


def test_typos_in_names() -> None:
    assert month_of("feburary") == 2
    assert month_of("janaury") == 1
    assert month_of("match") == 3  # close to "march"; only ever read next to a day number
    assert weekday_of("saturdy") == 5
    assert weekday_of("tody") is None


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_this_weekend_is_always_a_saturday_and_sunday_not_in_the_past(today: dt.date) -> None:
    found = find_date_range("this weekend", today)
    assert found is not None
    assert found.start.weekday() == 5 and found.end == found.start + dt.timedelta(days=1)
    assert found.end >= today and (found.start - today).days < 7


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), st.integers(0, 6))
def test_next_weekday_is_in_next_week(today: dt.date, weekday: int) -> None:
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    found = find_date_range(f"next {names[weekday]}", today)
    assert found is not None and found.start.weekday() == weekday
    monday = today - dt.timedelta(days=today.weekday())
    assert monday + dt.timedelta(days=7) <= found.start <= monday + dt.timedelta(days=13)


@given(st.text(max_size=80))
def test_never_raises_on_any_text(text: str) -> None:
    found = find_date_range(text, WED)
    assert found is None or found.start <= found.end


# Numeric dates in the organisation's order (the plan's organisation.date_order).
@pytest.mark.parametrize(
    ("text", "order", "day"),
    [
        ("what's happening on 6/3", "mdy", dt.date(2027, 6, 3)),  # the default: month first, as before
        ("what's happening on 6/3", "dmy", dt.date(2027, 3, 6)),  # UK, Ireland, Australia, New Zealand
        ("what's happening on 6/3", "ymd", dt.date(2027, 6, 3)),
        ("is my move on 6/3/2027", "dmy", dt.date(2027, 3, 6)),
        ("is my move on 6/3/27", "dmy", dt.date(2027, 3, 6)),
        ("what's going on 20/2", "mdy", dt.date(2027, 2, 20)),  # only one reading is a date
        ("what's going on 20/2", "dmy", dt.date(2027, 2, 20)),
        ("what's going on 2/20", "dmy", dt.date(2027, 2, 20)),
        ("what happens on 21.03.", "mdy", dt.date(2027, 3, 21)),  # the dot form: always day first
        ("do i move on 20.03.?", "mdy", dt.date(2027, 3, 20)),
        ("do i move on 6.3.", "mdy", dt.date(2027, 3, 6)),
        ("am 20.03.2027", "mdy", dt.date(2027, 3, 20)),
        ("2027/03/06", "dmy", dt.date(2027, 3, 6)),  # a year first: always year-month-day
        ("2027.03.06", "mdy", dt.date(2027, 3, 6)),
    ],
)
def test_numeric_dates_in_the_organisations_order(text: str, order: str, day: dt.date) -> None:
    found = find_date_range(text, WED, order=order)
    assert found is not None, text
    assert (found.start, found.end) == (day, day)


@pytest.mark.parametrize("text", ["meet at 10.30 tomorrow", "version 1.2.3", "teams 2.5"])
def test_a_time_or_a_version_is_not_a_dotted_date(text: str) -> None:
    found = find_date_range(text, WED, order="dmy")
    assert found is None or found.text == "tomorrow"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("what happens on 21.03.", "on 21.03"),  # the answer adds its own full stop
        ("whats on the 8th of may", "on the 8th of may"),
        ("what's on at the weekend", "this weekend"),
        ("anything over the weekend", "this weekend"),
    ],
)
def test_how_the_date_is_said_back(text: str, said: str) -> None:
    found = find_date_range(text, WED)
    assert found is not None and found.text == said


@pytest.mark.parametrize("order", ["mdy", "dmy", "ymd"])
@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("whats on the 8th of may", dt.date(2027, 5, 8), dt.date(2027, 5, 8)),
        ("is it may 8th", dt.date(2027, 5, 8), dt.date(2027, 5, 8)),
        ("anything on 8 may", dt.date(2027, 5, 8), dt.date(2027, 5, 8)),
        ("the 3rd of march", dt.date(2027, 3, 3), dt.date(2027, 3, 3)),
        ("whats going on in may", dt.date(2027, 5, 1), dt.date(2027, 5, 31)),
        ("during may", dt.date(2027, 5, 1), dt.date(2027, 5, 31)),
        ("what's on this w/e", SAT, SUN),
    ],
)
def test_dates_in_words_need_no_order(text: str, start: dt.date, end: dt.date, order: str) -> None:
    found = find_date_range(text, WED, order=order)
    assert found is not None, text
    assert (found.start, found.end) == (start, end)


@given(st.integers(1, 31), st.integers(1, 31), st.sampled_from(["mdy", "dmy", "ymd"]))
def test_a_numeric_date_is_read_one_of_the_two_ways(first: int, second: int, order: str) -> None:
    found = find_date_range(f"on {first}/{second}", WED, order=order)
    if found is not None:
        assert {(found.start.month, found.start.day)} & {(first, second), (second, first)}
        if first <= 12 and second <= 12:
            day_first = order == "dmy"
            assert (found.start.day, found.start.month) == ((first, second) if day_first else (second, first))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("is my cutover on the 30th", dt.date(2027, 1, 30)),  # still to come this month
        ("is it the 27th", WED),  # today
        ("is my move on the 6th", dt.date(2027, 2, 6)),  # passed this month: the next one
        ("saturday the 6th?", dt.date(2027, 2, 6)),  # the weekday beside it does not win
        ("on the 31st", dt.date(2027, 1, 31)),
    ],
)
def test_a_day_of_the_month_without_a_month_is_the_next_such_day(text: str, day: dt.date) -> None:
    found = find_date_range(text, WED, order="dmy")
    assert found is not None and found.start == found.end == day, found


def test_a_day_of_the_month_that_the_next_month_lacks_is_in_the_month_after() -> None:
    # On 1 February 2027 "the 30th" is not in February: 30 March.
    found = find_date_range("is it on the 30th", dt.date(2027, 2, 1))
    assert found is not None and found.start == dt.date(2027, 3, 30)


@pytest.mark.parametrize("text", ["on the 2 drives", "the 6 of us", "in 2nd place"])
def test_a_number_without_its_ordinal_ending_or_the_is_no_day(text: str) -> None:
    assert find_date_range(text, WED) is None


@pytest.mark.parametrize(
    ("text", "start", "end", "said"),
    [
        # Australian and New Zealand "arvo": this afternoon, said in plain words in the answer.
        ("is my move this arvo", WED, WED, "this afternoon"),
        ("anything on sarvo", WED, WED, "this afternoon"),
        ("is it this morning", WED, WED, "this morning"),
        # "morning" alone is a greeting, not a date.
        ("morning, when do i move", None, None, None),
        ("is it tomoz", dt.date(2027, 1, 28), dt.date(2027, 1, 28), "tomorrow"),
        # British and Irish: "saturday week" is the Saturday after the coming one (30 January).
        ("is it saturday week", dt.date(2027, 2, 6), dt.date(2027, 2, 6), "saturday week"),
        ("friday fortnight?", dt.date(2027, 2, 12), dt.date(2027, 2, 12), "friday fortnight"),
        ("the weekend after next", dt.date(2027, 2, 6), dt.date(2027, 2, 7), "the weekend after next"),
        ("in the next fortnight", WED, dt.date(2027, 2, 9), "in the next fortnight"),
    ],
)
def test_regional_words_for_a_day(text: str, start: dt.date | None, end: dt.date | None, said: str | None) -> None:
    found = find_date_range(text, WED, order="dmy")
    if start is None:
        assert found is None
        return
    assert found is not None and (found.start, found.end, found.text) == (start, end, said)


@pytest.mark.parametrize(
    ("text", "order", "start", "end", "said"),
    [
        # two ends, said in words, as numbers in the organisation's order, or day-first with dots
        (
            "who moves between feb 2 and feb 12",
            "mdy",
            dt.date(2027, 2, 2),
            dt.date(2027, 2, 12),
            "from 2 February to 12 February",
        ),
        (
            "anything planned from march 3rd to march 9th?",
            "mdy",
            dt.date(2027, 3, 3),
            dt.date(2027, 3, 9),
            "from 3 March to 9 March",
        ),
        (
            "anything on between 2/3 and 14/3?",
            "dmy",
            dt.date(2027, 3, 2),
            dt.date(2027, 3, 14),
            "from 2 March to 14 March",
        ),
        ("whats happening 4-10 march", "mdy", dt.date(2027, 3, 4), dt.date(2027, 3, 10), "from 4 March to 10 March"),
        ("whats happening march 4-10", "dmy", dt.date(2027, 3, 4), dt.date(2027, 3, 10), "from 4 March to 10 March"),
        ("was ist los 4.-10.03.?", "dmy", dt.date(2027, 3, 4), dt.date(2027, 3, 10), "from 4 March to 10 March"),
        # a week of a month, the weekend of a day
        (
            "anything in the second week of march",
            "mdy",
            dt.date(2027, 3, 8),
            dt.date(2027, 3, 14),
            "in the second week of march",
        ),
        (
            "whats on the last week of february",
            "mdy",
            dt.date(2027, 2, 22),
            dt.date(2027, 2, 28),
            "in the last week of february",
        ),
        (
            "what moves the weekend of feb 13",
            "mdy",
            dt.date(2027, 2, 13),
            dt.date(2027, 2, 14),
            "the weekend of feb 13",
        ),
        ("what moves the weekend of friday feb 12", "mdy", dt.date(2027, 2, 13), dt.date(2027, 2, 14), None),
    ],
)
def test_a_range_of_days_is_read_whole(text: str, order: str, start: dt.date, end: dt.date, said: str | None) -> None:
    found = find_date_range(text, WED, order=order)
    assert found is not None, text
    assert (found.start, found.end) == (start, end), text
    if said is not None:
        assert found.text == said


@pytest.mark.parametrize(
    "text", ["wave 1-2", "what time is it 10-12", "from 9 to 5", "between wave 1 and wave 2", "version 10.2-3.1"]
)
def test_numbers_that_are_no_days_make_no_range(text: str) -> None:
    found = find_date_range(text, WED)
    assert found is None or found.is_single_day, (text, found)
