"""Mapping between the domain ``ChatTopic`` and SuperOffice's ``ChatTopicEntity``.

``to_topic_entity`` answers callers in SuperOffice's shape; ``from_topic_entity`` reads a
topic from wire data and refuses data that breaks the topic's rules, listing every problem
(``InvalidChatTopicError``). The widget settings live in the entity's raw ``Widget`` object
(``PreFormEnabled``, ``AutoFaqEnabled``, ``PostFormEnabled``), the opening hours in its raw
``OpeningHours`` object (``ChatOpeningHours``). What the rules are is in ``docs/topics.md``:

* hours are written as ``TimeSpan`` text (``"08:00:00"``); read from that or from a
  date-time (older pages), whose wall-clock time (as written, in its own offset) counts;
* the zone is written as ``TzLocation.TZLocationCode`` (an IANA name). It is read from
  ``TZLocationCode`` or ``Name`` if ``zoneinfo`` knows either, else from the ``time_zone``
  argument; a location that names nothing (``{}``, null, absent) is UTC; any other
  (SuperOffice's own location codes are no IANA names) is refused;
* ``transfer_timeout`` and ``idle_timeout`` are the library's own: the entity does not
  carry them, so ``from_topic_entity`` takes them as arguments;
* pages of older SuperOffice versions send ``WarnNewChatSeconds`` and
  ``WarnManagerNewChatSeconds``; without the ``*Minutes`` keys they count, rounded up to
  whole minutes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any, Final

from pydantic import JsonValue, ValidationError

from chatsession.domain.errors import InvalidArgumentError, InvalidChatTopicError
from chatsession.domain.opening_hours import WEEKDAYS, DayHours, OpeningHours, is_known_zone
from chatsession.domain.topic import DEFAULT_IDLE_TIMEOUT, DEFAULT_TRANSFER_TIMEOUT, ChatTopic
from chatsession.wire.topic import ChatTopicEntity

SCALARS: Final[tuple[tuple[str, str], ...]] = (
    ("name", "name"),
    ("description", "description"),
    ("welcome_message", "welcome_message"),
    ("bot_enabled", "bot_enabled"),
    ("use_queue_offline_form", "use_queue_offline_form"),
    ("offline_form_queue_length", "offline_form_queue_length"),
    ("offline_form_time_limit", "offline_form_time_limit"),
    ("ticket_enabled", "ticket_enabled"),
    ("rating_enabled", "widget_enable_rating"),
    ("warn_new_chat_minutes", "warn_new_chat_minutes"),
    ("warn_manager_new_chat_minutes", "warn_manager_new_chat_minutes"),
    ("warn_chat_message_minutes", "warn_chat_message_minutes"),
    ("warn_manager_chat_message_minutes", "warn_manager_chat_message_minutes"),
    ("last_accept", "last_accept"),
    ("seconds_pr_accept", "seconds_pr_accept"),
)
"""(``ChatTopic`` field, ``ChatTopicEntity`` attribute) of the settings carried one to one."""

WIDGET: Final[tuple[tuple[str, str], ...]] = (
    ("use_prechat_form", "PreFormEnabled"),
    ("use_faq", "AutoFaqEnabled"),
    ("post_form_enabled", "PostFormEnabled"),
)
"""(``ChatTopic`` field, key of the ``Widget`` object) of the widget settings."""

OLDER_WARNINGS: Final[tuple[tuple[str, str, str], ...]] = (
    ("warn_new_chat_minutes", "warn_new_chat_minutes", "WarnNewChatSeconds"),
    ("warn_manager_new_chat_minutes", "warn_manager_new_chat_minutes", "WarnManagerNewChatSeconds"),
)
"""(field, entity attribute, the older pages' key in seconds) of the two new-chat warnings."""

_PREFIX: Final = dict(zip(WEEKDAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
_TIME_SPAN = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?")
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]")
_HOURS_DEFAULTS = {name: f.default for name, f in OpeningHours.model_fields.items()}
_WIRE_NAME: Final = (
    {
        field: ChatTopicEntity.model_fields[attribute].alias or attribute
        for field, attribute in SCALARS
    }
    | {field: f"Widget.{key}" for field, key in WIDGET}
    | {
        "id": "ChatTopicId",
        "opening_hours": "OpeningHours",
        "transfer_timeout": "transfer_timeout",
        "idle_timeout": "idle_timeout",
    }
)
"""Where each ``ChatTopic`` field comes from, as a problem names it."""


# ------------------------------------------------------------------ to the wire


def to_topic_entity(topic: ChatTopic) -> ChatTopicEntity:
    """The topic as a ``ChatTopicEntity``: the settings the library holds, and only those.

    ``LastAccept`` is left out while the topic was never accepted (rather than sent as
    ``null``). ``transfer_timeout`` and ``idle_timeout`` have no place on the wire.
    """
    if not isinstance(topic, ChatTopic):
        raise InvalidArgumentError(f"to_topic_entity needs a ChatTopic, got {type(topic).__name__}")
    values: dict[str, Any] = {"chat_topic_id": topic.id}
    for field, attribute in SCALARS:
        value = getattr(topic, field)
        if value is not None:
            values[attribute] = value
    values["widget"] = {key: getattr(topic, field) for field, key in WIDGET}
    values["opening_hours_enabled"] = topic.opening_hours.enabled
    values["opening_hours"] = _hours_document(topic.opening_hours)
    return ChatTopicEntity(**values)


def _hours_document(hours: OpeningHours) -> dict[str, JsonValue]:
    """SuperOffice's ``ChatOpeningHours`` object for ``hours``."""
    document: dict[str, JsonValue] = {"TzLocation": {"TZLocationCode": hours.time_zone}}
    for day in WEEKDAYS:
        prefix, day_hours = _PREFIX[day], hours.day(WEEKDAYS.index(day))
        document[f"{prefix}Enabled"] = day_hours.enabled
        document[f"{prefix}Start"] = day_hours.start.isoformat()
        document[f"{prefix}Stop"] = day_hours.stop.isoformat()
    document["UseLunchHours"] = hours.use_lunch_hours
    document["LunchStart"] = hours.lunch_start.isoformat()
    document["LunchStop"] = hours.lunch_stop.isoformat()
    return document


# ---------------------------------------------------------------- from the wire


def from_topic_entity(
    entity: ChatTopicEntity,
    *,
    topic_id: int | None = None,
    time_zone: str | None = None,
    transfer_timeout: timedelta = DEFAULT_TRANSFER_TIMEOUT,
    idle_timeout: timedelta = DEFAULT_IDLE_TIMEOUT,
) -> ChatTopic:
    """Build a ``ChatTopic`` from wire data; ``InvalidChatTopicError`` lists every problem.

    Absent (or ``null``) settings take their defaults. ``topic_id`` is the id when the
    entity has none (``ChatTopicId`` absent or 0: ``SaveChatTopicEntity`` creates a topic);
    an entity with another id is refused. ``time_zone`` is the zone when ``TzLocation``
    names none ``zoneinfo`` knows. ``transfer_timeout`` and ``idle_timeout`` are the
    library's own settings, which the entity does not carry.
    """
    if not isinstance(entity, ChatTopicEntity):
        raise InvalidArgumentError(
            f"from_topic_entity needs a ChatTopicEntity, got {type(entity).__name__}"
        )
    problems: list[str] = []
    values: dict[str, Any] = {
        "id": _topic_id(entity.chat_topic_id, topic_id, problems),
        "transfer_timeout": transfer_timeout,
        "idle_timeout": idle_timeout,
    }
    for field, attribute in SCALARS:
        value = getattr(entity, attribute)
        if value is not None:
            values[field] = value
    for field, attribute, older in OLDER_WARNINGS:
        if getattr(entity, attribute) is None and older in (entity.model_extra or {}):
            values[field] = _older_minutes(entity.model_extra, older, problems)
    widget = _object(entity.widget)
    for field, key in WIDGET:
        values[field] = _flag(widget, key, False, "Widget", problems)
    hours = _opening_hours(entity, time_zone, problems)
    if hours is not None:
        values["opening_hours"] = hours
    topic: ChatTopic | None = None
    try:
        topic = ChatTopic(**values)
    except ValidationError as exc:
        problems.extend(_described(exc, _WIRE_NAME))
    if problems or topic is None:
        carried = entity.chat_topic_id or (topic_id if type(topic_id) is int else None)
        raise InvalidChatTopicError(problems, chat_topic_id=carried)
    return topic


def _topic_id(carried: int | None, given: object, problems: list[str]) -> object:
    """The entity's ``ChatTopicId``, or ``given`` when it carries none (absent or 0).

    With a problem, a stand-in id, so that the other settings are still checked.
    """
    if not carried:
        if given is None:
            problems.append("ChatTopicId is missing (or 0): pass topic_id= for a new topic")
            return 1
        return given
    if given is not None and given != carried:
        problems.append(f"ChatTopicId is {carried}, but topic_id={_shown(given)} was given")
    return carried


def _older_minutes(extra: Mapping[str, Any] | None, key: str, problems: list[str]) -> object:
    """An older page's delay in seconds, as whole minutes (rounded up)."""
    value = (extra or {}).get(key)
    if type(value) is not int or value < 0:
        problems.append(f"{key} must be a whole number of seconds >= 0, got {_shown(value)}")
        return 0
    return -(-value // 60)


def _opening_hours(
    entity: ChatTopicEntity, time_zone: str | None, problems: list[str]
) -> OpeningHours | None:
    """``OpeningHoursEnabled`` and the ``OpeningHours`` object, as one ``OpeningHours``."""
    document = _object(entity.opening_hours)
    values: dict[str, Any] = {}
    if entity.opening_hours_enabled is not None:
        values["enabled"] = entity.opening_hours_enabled
    for day in WEEKDAYS:
        prefix, default = _PREFIX[day], _HOURS_DEFAULTS[day]
        values[day] = DayHours(
            enabled=_flag(document, f"{prefix}Enabled", default.enabled, "OpeningHours", problems),
            start=_time(document, f"{prefix}Start", default.start, problems),
            stop=_time(document, f"{prefix}Stop", default.stop, problems),
        )
    values["use_lunch_hours"] = _flag(
        document, "UseLunchHours", _HOURS_DEFAULTS["use_lunch_hours"], "OpeningHours", problems
    )
    values["lunch_start"] = _time(document, "LunchStart", _HOURS_DEFAULTS["lunch_start"], problems)
    values["lunch_stop"] = _time(document, "LunchStop", _HOURS_DEFAULTS["lunch_stop"], problems)
    zone = _zone(document.get("TzLocation"), time_zone, problems)
    if zone is not None:
        values["time_zone"] = zone
    try:
        return OpeningHours(**values)
    except ValidationError as exc:
        problems.extend(_described(exc, {"time_zone": "time_zone"}, "OpeningHours"))
        return None


def _zone(location: object, fallback: str | None, problems: list[str]) -> object:
    """The IANA name of ``TzLocation``, the ``fallback``, or None (UTC) if it names nothing."""
    if location is not None and not isinstance(location, Mapping):
        problems.append(f"OpeningHours.TzLocation must be an object, got {_shown(location)}")
        return None
    found = location or {}
    for key in ("TZLocationCode", "Name"):
        if is_known_zone(found.get(key)):
            return found.get(key)
    if fallback is not None:
        return fallback
    if any(
        found.get(key) for key in ("TZLocationCode", "Name", "TZLocationCities", "TZLocationID")
    ):
        problems.append(
            f"OpeningHours.TzLocation {_shown(dict(found))} names no time zone zoneinfo knows "
            "(TZLocationCode or Name); pass time_zone= (an IANA name) for it"
        )
    return None


def _object(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A raw JSON object of the entity (``{}`` for ``null`` or absent)."""
    return {} if value is None else value


def _flag(
    document: Mapping[str, Any], key: str, default: bool, where: str, problems: list[str]
) -> bool:
    """A ``true``/``false`` of a raw object; absent or ``null`` is ``default``."""
    value = document.get(key)
    if value is None:
        return default
    if type(value) is not bool:
        problems.append(f"{where}.{key} must be true or false, got {_shown(value)}")
        return default
    return value


def _time(document: Mapping[str, Any], key: str, default: time, problems: list[str]) -> time:
    """A wall-clock time of ``OpeningHours``: ``TimeSpan`` text or a date-time's time of day."""
    value = document.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        found = _TIME_SPAN.fullmatch(value)
        if found is not None:
            hour, minute, second, fraction = found.groups()
            if int(hour) < 24 and int(minute) < 60 and int(second or 0) < 60:
                micro = int((fraction or "0")[:6].ljust(6, "0"))
                return time(int(hour), int(minute), int(second or 0), micro)
        elif _DATE_TIME.match(value):
            try:
                return datetime.fromisoformat(value).time()
            except ValueError:
                pass
    problems.append(
        f'OpeningHours.{key} must be a time of day ("08:00:00") or a date-time, got {_shown(value)}'
    )
    return default


def _described(exc: ValidationError, names: Mapping[str, str], where: str = "") -> list[str]:
    """One problem per error of ``exc``, naming the field as the wire does (no input echoed)."""
    found = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = [str(part) for part in error["loc"]]
        head = names.get(loc[0], loc[0]) if loc else ""
        path = ".".join(p for p in (where, head, *loc[1:]) if p)
        found.append(f"{path}: {error['msg']}" if path else str(error["msg"]))
    return found


def _shown(value: object) -> str:
    """``repr(value)``, cut short."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."
