"""How the REST face answers: carriers as JSON, ``$select``, ``ETag`` and the outcome.

* A session reply carries ``ETag: "<version>"`` (the stored version) and, after a
  command, ``ChatSession-Outcome: changed`` or ``ChatSession-Outcome: no-op;
  reason=<reason>``, so that a documented no-op ("nothing happens", answered with the
  unchanged entity) is visible.
* ``$select`` (a comma-separated list of property names, case-insensitive) keeps those
  properties and nulls the rest, as SuperOffice's pages describe.
* A reply the caller is not entitled to see the SessionKey in has ``"SessionKey": null``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import JSONResponse, Response

from chatsession.domain.outcome import Outcome
from chatsession.wire.base import WireModel
from chatsession.wire.entity import ChatSessionEntity

OUTCOME_HEADER = "ChatSession-Outcome"
"""The header that says what a command did: ``changed`` or ``no-op; reason=...``."""

SESSION_KEY = "SessionKey"


def etag(version: int) -> str:
    """The strong entity tag of a stored version."""
    return f'"{version}"'


def outcome_value(outcome: Outcome) -> str:
    """``changed``, or ``no-op; reason=<NoOpReason>``."""
    return "changed" if outcome.changed else f"no-op; reason={outcome.reason}"


def selected(document: dict[str, Any], select: str | None) -> dict[str, Any]:
    """``document`` with every key not named in ``select`` set to null (None: all kept)."""
    if select is None or not select.strip():
        return document
    wanted = {name.strip().casefold() for name in select.split(",") if name.strip()}
    return {k: (v if k.casefold() in wanted else None) for k, v in document.items()}


def wire(model: WireModel, select: str | None = None) -> dict[str, Any]:
    """A carrier as its JSON document, ``$select`` applied."""
    return selected(model.to_wire(), select)


def entity_document(
    entity: ChatSessionEntity,
    *,
    select: str | None = None,
    with_key: bool = False,
    links: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A session's document: the SessionKey only ``with_key``, ``_Links`` when given."""
    document = entity.to_wire()
    if not with_key and SESSION_KEY in document:
        document[SESSION_KEY] = None
    if links is not None:
        document["_Links"] = dict(links)
    return selected(document, select)


def session_response(
    entity: ChatSessionEntity,
    version: int,
    *,
    outcome: Outcome | None = None,
    select: str | None = None,
    with_key: bool = False,
    links: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A session reply: its document, ``ETag`` and (after a command) the outcome header."""
    headers = {"ETag": etag(version)}
    if outcome is not None:
        headers[OUTCOME_HEADER] = outcome_value(outcome)
    document = entity_document(entity, select=select, with_key=with_key, links=links)
    return JSONResponse(document, headers=headers)


def json_response(content: Any, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """Any JSON value (a list of carriers' documents, a bool, a string, ``null``)."""
    return JSONResponse(content, headers=dict(headers or {}))


def documents(models: Sequence[WireModel], select: str | None = None) -> list[dict[str, Any]]:
    """A list of carriers as JSON documents, ``$select`` applied to each."""
    return [wire(model, select) for model in models]


def no_content() -> Response:
    """204: what SuperOffice's deletes and SaveChatPresence answer (no body)."""
    return Response(status_code=204)
