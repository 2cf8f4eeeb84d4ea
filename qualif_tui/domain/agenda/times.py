"""Times in the agenda: how they are stored, which zone they are in, how they are shown.

Storage (the ``activities`` table): ``starts_at`` / ``due`` hold a *wall time*
``YYYY-MM-DDTHH:MM`` (or a date ``YYYY-MM-DD`` for an all-day item) and ``tz``
names the IANA zone of that wall time. ``tz = ''`` means **the file's home
zone**, recorded once in the ``meta`` table (``agenda.home_zone``, set from the
machine's zone the first time an activity is written). So every stored time
is unambiguous, and the common case — everything in the user's own zone —
needs no conversion at all and keeps the day/week/month queries simple range
scans on the stored text.

Why wall time + zone rather than UTC: a recurrence is defined in wall time
("every Monday at 9:00" stays at 9:00 across daylight-saving changes, RFC 5545
§3.3.10), an all-day item has no zone at all, and the text sorts by day.

Single (non-recurring) activities are always stored in the home zone: a time
given in another zone (an imported event at 15:00 New York time) is converted
on the way in. Only recurring series keep a foreign ``tz``, because their
occurrences must be computed in their own zone.

Shown in *local* time: the machine's zone (``QUALIF_TZ`` overrides it). When
the laptop travels, stored times are converted from the home zone to it.

Daylight saving, as RFC 5545 says: a wall time that does not exist (02:30 on
the last Sunday of March in Europe/Paris) is read with the offset before the
gap, i.e. it happens at 03:30; one that exists twice (02:30 on the last
Sunday of October) is the first of the two. Typed input that falls in a gap
is refused with the time it would become (:func:`check_wall_time`).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import ValidationError
from qualif_tui.storage import Database

HOME_ZONE_META = "agenda.home_zone"

_local_override: str | None = None

Moment = date | datetime  # a date (all day) or a naive wall-time datetime


def set_local_zone(name: str | None) -> None:
    """Fix the machine's zone (tests, a user's override); None reads the machine again."""
    global _local_override
    if name is not None:
        zone(name)
    _local_override = name
    local_zone_name.cache_clear()


@lru_cache(maxsize=1)
def local_zone_name() -> str:
    """The machine's IANA zone: ``QUALIF_TZ``, ``TZ``, /etc/timezone, /etc/localtime; else UTC."""
    if _local_override:
        return _local_override
    for candidate in (os.environ.get("QUALIF_TZ", ""), os.environ.get("TZ", "").lstrip(":")):
        if candidate and _valid_zone(candidate):
            return candidate
    try:
        text = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        if text and _valid_zone(text):
            return text
    except OSError:
        pass
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
            if _valid_zone(name):
                return name
    except OSError:
        pass
    return "UTC"


def _valid_zone(name: str) -> bool:
    try:
        zone(name)
    except ValidationError:
        return False
    return True


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The zone called ``name``; a clear error for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(_("fuseau horaire inconnu « {name} »").format(name=name), "tz") from None


def home_zone_name(db: Database) -> str:
    """The zone of stored times whose ``tz`` is ''."""
    return db.get_meta(HOME_ZONE_META) or local_zone_name()


def ensure_home_zone(db: Database) -> str:
    """Record the home zone in the file (on the first write of an activity)."""
    name = db.get_meta(HOME_ZONE_META)
    if not name:
        name = local_zone_name()
        db.set_meta(HOME_ZONE_META, name)
    return name


# -- stored text ----------------------------------------------------------------


def parse_stored(text: str) -> Moment:
    """``YYYY-MM-DD`` → date, ``YYYY-MM-DDTHH:MM[:SS]`` → naive datetime."""
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text).replace(second=0, microsecond=0, tzinfo=None)


def format_stored(value: Moment) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()


def day_of(value: Moment) -> date:
    return value.date() if isinstance(value, datetime) else value


def is_all_day(value: Moment) -> bool:
    return not isinstance(value, datetime)


# -- zones and daylight saving --------------------------------------------------


def convert(wall: datetime, source: str, target: str) -> datetime:
    """A naive wall time in zone ``source`` as a naive wall time in ``target``.

    A wall time in a DST gap moves forward (RFC 5545); in a fold it is the first.
    """
    if source == target:
        return wall
    aware = wall.replace(tzinfo=zone(source), fold=0)
    return aware.astimezone(zone(target)).replace(tzinfo=None)


def to_utc(wall: datetime, zone_name: str) -> datetime:
    return wall.replace(tzinfo=zone(zone_name), fold=0).astimezone(UTC)


def from_utc(moment: datetime, zone_name: str) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(zone_name)).replace(tzinfo=None)


def real_wall_time(wall: datetime, zone_name: str) -> datetime:
    """Where a wall time actually falls: itself, or later when it is in a DST gap."""
    return convert(convert(wall, zone_name, "UTC"), "UTC", zone_name)


def in_gap(wall: datetime, zone_name: str) -> bool:
    return real_wall_time(wall, zone_name) != wall


def check_wall_time(wall: datetime, zone_name: str, field: str = "starts_at") -> datetime:
    """Refuse a typed wall time that does not exist in the zone (a DST gap)."""
    real = real_wall_time(wall, zone_name)
    if real != wall:
        raise ValidationError(
            _("{wall:%d/%m/%Y %H:%M} n'existe pas en {zone_name} (on avance les horloges cette nuit-là) ; vouliez-vous dire {real:%H:%M} ?").format(wall=wall, zone_name=zone_name, real=real), field)
    return wall


def minutes_between(start: datetime, end: datetime, zone_name: str) -> int:
    """Real elapsed minutes between two wall times of a zone (23 h on a spring-forward day)."""
    return int((to_utc(end, zone_name) - to_utc(start, zone_name)) / timedelta(minutes=1))
