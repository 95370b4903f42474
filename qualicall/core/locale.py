"""Numbers, durations, shares and dates as a reader of French or English writes them.

One place for both the reasons of results (qualicall.scorer.reasons) and the coach pages
(qualicall.api.web.i18n): « 16,3 s », « 25 % », « 20/11/2026 10:00 », « sem. 45 (2026) »
in French; "16.3 s", "25%", "2026-11-20 10:00", "week 45 (2026)" in English.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

LANGUAGES = ("fr", "en")
# French puts a narrow no-break space before « % » and between a number and its unit.
_NNBSP = "\u202f"
_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


# A mean in seconds at least this long reads in hours: an e-mail's first response read « 192 100,5 » (s) where a manager
# wants « 53,4 » (h) (a manager's review), in the HTML report and on the agent and team pages alike.
HOURS_FROM_S = 7200


def in_hours_if_long(name: str, values: list[float | None]) -> list[float | None] | None:
    """A series of seconds (`name` ending in _s) in hours where one of its values reaches HOURS_FROM_S; else None."""
    if not name.endswith("_s") or max((v for v in values if v is not None), default=0.0) < HOURS_FROM_S:
        return None
    return [v / 3600 if v is not None else None for v in values]


def decimal(text: str, language: str) -> str:
    """A number written by Python ("16.3", "-0.25") with the language's decimal mark (« 16,3 »)."""
    return text.replace(".", ",") if language == "fr" else text


def grouped(text: str, language: str) -> str:
    """A number written by Python ("1785.5", "-797650") with its thousands grouped and the language's decimal mark:
    « 1 785,5 », « −797 650 » (narrow no-break spaces), "1,785.5" — what a manager reads at a glance."""
    sign, rest = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    whole, point, fraction = rest.partition(".")
    if whole.isdigit() and len(whole) > 3:
        whole = format(int(whole), ",").replace(",", _NNBSP if language == "fr" else ",")
    return sign + whole + (("," if language == "fr" else ".") + fraction if point else "")


def number(value: float | None, digits: int = 1, language: str = "en") -> str:
    """`value` with `digits` decimals; "—" for none."""
    if value is None:
        return "—"
    return decimal(f"{value:.{digits}f}", language)


def formatted(value: float, spec: str, language: str) -> str:
    """`format(value, spec)` in the language: a decimal comma in French, « 25 % » for a share (spec ending in %)."""
    if spec.endswith("%"):
        text = format(value * 100, (spec[:-1] or ".0") + "f")
        return decimal(text, language) + (_NNBSP + "%" if language == "fr" else "%")
    return decimal(format(value, spec), language)


def spreadsheet_text(value: object) -> object:
    """A CSV field as a spreadsheet reads it: text it would take for a formula (« =cmd|… », "+1+1", "@SUM(…)", "-2+3",
    a leading tab or carriage return) starts with an apostrophe, shown as text; numbers and other values as they are."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def seconds(value: float, language: str) -> str:
    """A duration in seconds, as short as it is exact: « 16,3 s », "16.3 s"."""
    return decimal(format(value, "g"), language) + (_NNBSP if language == "fr" else " ") + "s"


def moment(iso: str | None, language: str, zone: str | None = None, *, shift: bool = False) -> str:
    """The date and wall-clock time of an ISO 8601 moment, as written where it happened: « 20/11/2026 10:00 », "2026-11-20
    10:00"; with `shift`, moved to the time zone `zone` (an IANA name; None: the server's own), a naive moment read as UTC."""
    if not iso:
        return ""
    try:
        parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso[:16].replace("T", " ")
    if shift:
        parsed = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
        if zone is None:
            parsed = parsed.astimezone()
        else:
            from zoneinfo import ZoneInfo

            parsed = parsed.astimezone(ZoneInfo(zone))
    return parsed.strftime("%d/%m/%Y %H:%M" if language == "fr" else "%Y-%m-%d %H:%M")


def event(iso: str | None, language: str, zone: str | None) -> str:
    """The date and time of something the server recorded (a review, a dispute), stored in UTC, in the deployment's time
    zone (`zone`): « 06/12/2026 11:24 » in Paris for 10:24 UTC."""
    return moment(iso, language, zone, shift=True)


def period(key: str, language: str, short: bool = False) -> str:
    """A period key of the trends ("2026-11-20", "2026-W45", "2026-11") for a reader: « sem. 45 (2026) », "Nov 2026";
    `short`, for a chart's axis: without the year (« sem. 45 », « 20/11 »)."""
    try:
        if "-W" in key:
            year, week = key.split("-W")
            named = f"sem. {int(week)}" if language == "fr" else f"week {int(week)}"
            return named if short else f"{named} ({year})"
        if len(key) == 7:
            year, month = key.split("-")
            named = _MONTHS[language if language in _MONTHS else "en"][int(month) - 1]
            return named if short else f"{named} {year}"
        day = date.fromisoformat(key)
    except (ValueError, IndexError):
        return key
    if language == "fr":
        return day.strftime("%d/%m" if short else "%d/%m/%Y")
    return day.strftime("%m-%d") if short else day.isoformat()
