"""Tests for kgraph.dates: date phrases in (normalised) Traditional Chinese reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.dates import (
    DateMatch,
    InvalidDateError,
    find_dates,
    finer,
    parse_date,
    published_date,
    relative_date,
    report_year,
    roc_to_gregorian,
    span_bounds,
    span_overlaps,
)
from kgraph.model import DateSpan

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def spans(text: str, year: int | None = None, month: int | None = None) -> list[tuple[str, str]]:
    return [(m.span.start, m.span.end) for m in find_dates(text, year, month)]


# ---------------------------------------------------------------- single dates


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("112年1月13日", "2023-01-13", "2023-01-13"),
        ("111年4月", "2022-04", "2022-04"),
        ("112年", "2023", "2023"),
        ("112年度", "2023", "2023"),
        ("2025年", "2025", "2025"),
        ("2025年3月", "2025-03", "2025-03"),
        ("2026 年 3 月", "2026-03", "2026-03"),
        ("2025年9月14日", "2025-09-14", "2025-09-14"),
        ("112 年 10 月 2 日", "2023-10-02", "2023-10-02"),
        ("99年5月", "2010-05", "2010-05"),
        ("114/9/1", "2025-09-01", "2025-09-01"),
        ("2025/9/1", "2025-09-01", "2025-09-01"),
        ("2025/9", "2025-09", "2025-09"),
        ("114.9.1", "2025-09-01", "2025-09-01"),
        ("３月５日", "2023-03-05", "2023-03-05"),  # full-width digits are tolerated
    ],
)
def test_single_dates(phrase: str, start: str, end: str) -> None:
    assert parse_date(phrase, default_year=2023) == DateSpan(start, end)
    (match,) = find_dates(phrase, default_year=2023)
    assert (match.start, match.end, match.text) == (0, len(phrase), phrase)


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("111年6月9日至10日", "2022-06-09", "2022-06-10"),
        ("111年7月24日至7月28日", "2022-07-24", "2022-07-28"),
        ("111年7月24至28日", "2022-07-24", "2022-07-28"),
        ("111年8月16日至8月28日", "2022-08-16", "2022-08-28"),
        ("111年9月7日及8日", "2022-09-07", "2022-09-08"),
        ("111年10月20、21日", "2022-10-20", "2022-10-21"),
        ("自110年1月起至111年4月止", "2021-01", "2022-04"),
        ("114年9月1日至115年2月28日", "2025-09-01", "2026-02-28"),
        ("111年1~11月", "2022-01", "2022-11"),
        ("2025 年 1 至 12 月", "2025-01", "2025-12"),
        ("112 年 9 月至 11 月", "2023-09", "2023-11"),
        ("114 年下半年", "2025-07", "2025-12"),
        ("114上半年度", "2025-01", "2025-06"),
        ("1950年代", "1950", "1959"),
        ("114/9/1至114/9/3", "2025-09-01", "2025-09-03"),
    ],
)
def test_ranges_with_year(phrase: str, start: str, end: str) -> None:
    assert parse_date(phrase) == DateSpan(start, end)
    assert find_dates(phrase)[0].explicit_year


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("9月14至16日", "2025-09-14", "2025-09-16"),
        ("1月13日至15日", "2025-01-13", "2025-01-15"),
        ("2月21日至23日", "2025-02-21", "2025-02-23"),
        ("5月30日至6月1日", "2025-05-30", "2025-06-01"),
        ("11月2日至11月23日", "2025-11-02", "2025-11-23"),
        ("12月29日至1月2日", "2025-12-29", "2026-01-02"),  # crosses into the next year
        ("12 月 16 日至 23 日", "2025-12-16", "2025-12-23"),
        ("7月25日", "2025-07-25", "2025-07-25"),
        ("3月上旬", "2025-03", "2025-03"),
        ("3月下旬", "2025-03", "2025-03"),
    ],
)
def test_dates_without_year_take_the_default(phrase: str, start: str, end: str) -> None:
    assert parse_date(phrase, default_year=2025) == DateSpan(start, end)
    (match,) = find_dates(phrase, default_year=2025)
    assert not match.explicit_year
    assert parse_date(phrase) is None  # no year at all: not a date


@pytest.mark.parametrize("sep", ["至", "到", "~", "～", "－", "-", "–"])
def test_range_separators(sep: str) -> None:
    assert spans(f"3月14日{sep}16日", 2024) == [("2024-03-14", "2024-03-16")]


def test_bare_day_needs_a_default_month() -> None:
    assert find_dates("8日", default_year=2022) == []
    assert spans("8日", 2022, 9) == [("2022-09-08", "2022-09-08")]
    assert find_dates("第8日", default_year=2022, default_month=9) == []
    assert find_dates("3日內完成", default_year=2022, default_month=9) == []


def test_list_continuation_keeps_the_year() -> None:
    found = find_dates("111年7月14日、12月20日，召開", default_year=2030)
    assert [(m.text, m.span.start, m.explicit_year) for m in found] == [
        ("111年7月14日", "2022-07-14", True),
        ("12月20日", "2022-12-20", False),
    ]
    assert spans("分別於114年9月1日、9日及115年2月3日辦理") == [
        ("2025-09-01", "2025-09-09"),
        ("2026-02-03", "2026-02-03"),
    ]


def test_offsets_point_into_the_text() -> None:
    text = "依規定於111年2月28 前完成111年度計畫，3.111年9月1日與111年9月7日"
    found = find_dates(text)
    assert [m.text for m in found] == ["111年2月28", "111年度", "111年9月1日", "111年9月7日"]
    for m in found:
        assert text[m.start : m.end] == m.text


@pytest.mark.parametrize(
    "text",
    [
        "3.5%",
        "第36個",
        "40周年",
        "1,500台",
        "2022台灣燈會",
        "12年國教",
        "締盟第40年",
        "百年來",
        "6-7樓",
        "每月5日",
        "2025/26球季",
        "共 1,420 人次",
        "第4屆第7次定期大會",
    ],
)
def test_numbers_that_are_not_dates(text: str) -> None:
    assert find_dates(text, default_year=2023, default_month=1) == []


@pytest.mark.parametrize(
    "phrase",
    ["112年13月45日", "2月30日", "112年2月29日", "111年0月1日", "3000年", "0年", "9月31日", ""],
)
def test_impossible_dates(phrase: str) -> None:
    assert parse_date(phrase, default_year=2023) is None
    assert find_dates(phrase, default_year=2023) == []


def test_leap_day() -> None:
    assert parse_date("113年2月29日") == DateSpan("2024-02-29", "2024-02-29")


def test_longest_match_wins() -> None:
    (match,) = find_dates("111年12月17日至12月18日，日本")
    assert match.text == "111年12月17日至12月18日"


# ---------------------------------------------------------------- helpers


def test_roc_to_gregorian() -> None:
    assert roc_to_gregorian(112) == 2023
    assert roc_to_gregorian(1) == 1912
    assert roc_to_gregorian(2025) == 2025


def test_span_bounds_and_overlaps() -> None:
    assert span_bounds("2023-02") == (date(2023, 2, 1), date(2023, 2, 28))
    for bad in ["2023-2", "23", "2023-02-30", "x", "2023-00"]:
        with pytest.raises(ValueError):
            span_bounds(bad)
    with pytest.raises(InvalidDateError):
        span_bounds("2023/01/01")
    march = DateSpan("2025-03", "2025-03")
    assert span_overlaps(march, DateSpan("2025-03-31", "2025-04-02"))
    assert not span_overlaps(march, DateSpan("2025-04-01", "2025-04-02"))
    assert span_overlaps(DateSpan("2025", "2025"), march)
    assert span_overlaps(DateSpan("2021-01", "2022-04"), DateSpan("2022-04-30", "2022-04-30"))


def test_report_year() -> None:
    assert report_year("高雄市政府行政暨國際處111年度施政績效成果報告\n重要施政項目") == 2022
    assert report_year(" 高雄市政府行政暨國際處 112年度施政績效成果報告 ") == 2023
    assert report_year("業務報告\n謹就114年9月1日至115年2月28日(以下簡稱本期)") == 2025
    assert report_year("2026 年日光海島生活節\n2025 年 1 至 12 月總計") == 2025
    assert report_year("國際事務\n114年1月16日，普里斯提納市") == 2025
    assert report_year("") is None


# ---------------------------------------------------------------- properties

DATEISH = st.text(
    alphabet=st.sampled_from(
        list("0123456789０１年月日號度至到~－-–、及起止上中下旬半/. 　\n第個%,，")
    ),
    max_size=40,
)


def check_matches(text: str, found: list[DateMatch]) -> None:
    previous_end = 0
    for m in found:
        assert previous_end <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        previous_end = m.end
        lo_start, _ = span_bounds(m.span.start)
        lo_end, hi_end = span_bounds(m.span.end)
        assert lo_start <= lo_end <= hi_end
        assert lo_start.year >= 1900 and hi_end.year <= 2100


@settings(deadline=None)
@given(st.text(max_size=60), st.one_of(st.none(), st.integers(1800, 2200)))
def test_never_raises_on_arbitrary_text(text: str, year: int | None) -> None:
    check_matches(text, find_dates(text, year))
    result = parse_date(text, year)
    assert result is None or span_bounds(result.start)[0] <= span_bounds(result.end)[1]
    report_year(text)


@settings(deadline=None)
@given(
    DATEISH,
    st.one_of(st.none(), st.integers(1900, 2100)),
    st.one_of(st.none(), st.integers(-3, 15)),
)
def test_dateish_text_gives_valid_spans(text: str, year: int | None, month: int | None) -> None:
    check_matches(text, find_dates(text, year, month))
    result = parse_date(text, year)
    if result is not None:
        assert span_bounds(result.start)[0] <= span_bounds(result.end)[0]


@settings(deadline=None)
@given(st.integers(10, 189), st.integers(1, 12), st.integers(1, 31))
def test_roc_dates_round_trip(y: int, m: int, d: int) -> None:
    try:
        expected: str | None = date(y + 1911, m, d).isoformat()
    except ValueError:
        expected = None
    span = parse_date(f"{y}年{m}月{d}日")
    assert (span.start if span else None) == expected


# ---------------------------------------------------------------- corpus


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name)
def test_corpus(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    year = report_year(text)
    assert year is not None
    found = find_dates(text, default_year=year)
    assert found
    check_matches(text, found)


def test_corpus_known_dates() -> None:
    expected_years = {
        "kaohsiung-2022-annual-report.txt": 2022,
        "kaohsiung-2023-annual-report.txt": 2023,
        "kaohsiung-2025h1-international-affairs.txt": 2025,
        "kaohsiung-council-2025h2-report.txt": 2025,
        "kaohsiung-council-2025h2-slides.txt": 2025,
    }
    for name, year in expected_years.items():
        assert report_year((CORPUS / name).read_text(encoding="utf-8")) == year, name
    text = (CORPUS / "kaohsiung-2025h1-international-affairs.txt").read_text(encoding="utf-8")
    found = find_dates(text, default_year=report_year(text))
    assert DateSpan("2025-04-15", "2025-04-15") in {m.span for m in found}
    assert DateSpan("2025-05-30", "2025-06-01") in {m.span for m in found}


@pytest.mark.parametrize(
    ("text", "iso"),
    [("2024-03-15", "2024-03-15"), ("113-03-15", "2024-03-15"), ("2024.3.5", "2024-03-05")],
)
def test_dates_written_with_dashes_or_dots(text: str, iso: str) -> None:
    assert parse_date(text) == DateSpan(iso, iso)


@pytest.mark.parametrize("text", ["07-799-5678", "2024-2025", "1-2-3"])
def test_dashed_numbers_that_are_no_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("陳其邁今（15）日接見", "2024-03-15"),
        ("陳其邁今天接見", "2024-03-15"),
        ("訪團昨（14）日抵達", "2024-03-14"),
        ("訪團昨日抵達", "2024-03-14"),
        ("訪團於本月2日抵達", "2024-03-02"),
        ("訪團上月28日抵達", "2024-02-28"),
        ("今（16）日", "2024-03-16"),  # a dateline just after midnight
        ("今（31）日", "2024-03-31"),  # March's 31st is nearer than February's (none)
        ("如今日本熊本縣", None),
    ],
)
def test_days_told_from_an_articles_date(text: str, iso: str | None) -> None:
    published = DateSpan("2024-03-15", "2024-03-15")
    expected = DateSpan(iso, iso) if iso else None
    assert relative_date(text, published) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("本月20日至22日", "2024-03-20", "2024-03-22"),
        ("上月3~5日", "2024-02-03", "2024-02-05"),
        # The days a passage tells, from the first to the last.
        ("昨（14）日抵達高雄，今（15）日簽署備忘錄", "2024-03-14", "2024-03-15"),
        ("訪團13日晚間抵達，今天參訪，16日返國", "2024-03-13", "2024-03-16"),
        # A day alone is the nearest day of that number (8日 is this month's 8th).
        ("代表（Ann Lee）8日拜會市長", "2024-03-08", "2024-03-08"),
        ("清山知憲昨天（14日）抵達", "2024-03-14", "2024-03-14"),
    ],
)
def test_a_range_of_days_told_from_an_articles_date(text: str, start: str, end: str) -> None:
    assert relative_date(text, DateSpan("2024-03-15", "2024-03-15")) == DateSpan(start, end)


@pytest.mark.parametrize(
    ("text", "published", "start", "end"),
    [
        # Across a month's end: the day of that number nearest the article's date.
        ("訪團29日抵達，預定2日返國", "2025-07-30", "2025-07-29", "2025-08-02"),
        ("訪團30日抵達", "2025-01-02", "2024-12-30", "2024-12-30"),
    ],
)
def test_days_across_a_months_end(text: str, published: str, start: str, end: str) -> None:
    assert relative_date(text, DateSpan(published, published)) == DateSpan(start, end)


def test_no_day_is_told_without_an_articles_date() -> None:
    """A report has no dateline: its 今日 names no day, and better dates are kept."""
    assert relative_date("陳其邁今（15）日接見", None) is None
    assert relative_date("訪團8日抵達", None) is None


@pytest.mark.parametrize(
    "text",
    [
        "2024年3月8日",
        "3月8日",
        "2024/3/8日",
        "3.8日",
        "為期5日",
        "停留3日",
        "30日內",
        "5日遊",
        "24日本企業",
    ],
)
def test_a_day_of_a_written_date_is_no_day_alone(text: str) -> None:
    assert relative_date(text, DateSpan("2024-03-15", "2024-03-15")) is None


def test_a_day_is_finer_than_a_month_or_a_year() -> None:
    day, month, year = (
        DateSpan("2025-07-08", "2025-07-08"),
        DateSpan("2025-10", "2025-10"),
        DateSpan("2025", "2025"),
    )
    assert finer(month, day) == day and finer(year, month) == month
    assert finer(day, month) == day and finer(month, None) == month and finer(None, None) is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("114.9.1-114.9.5", "2025-09-01", "2025-09-05"),
        ("2024.3.5-2024.3.8", "2024-03-05", "2024-03-08"),
    ],
)
def test_dotted_ranges_stay_ranges(text: str, start: str, end: str) -> None:
    assert parse_date(text) == DateSpan(start, end)


def test_an_articles_date_is_a_day_in_its_first_lines() -> None:
    text = "標題\n〔記者王小明／高雄報導〕\n2024/04/22\n內文於本月20日抵達。"
    assert published_date(text) == DateSpan("2024-04-22", "2024-04-22")
    assert published_date("謹就114年9月1日至115年2月28日(以下簡稱本期)本處職掌") is None
    assert published_date("國際交流\n114年1月16日，普里斯提納市長與大使參與活動。") is None
