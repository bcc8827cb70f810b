"""Errors as ``application/problem+json`` (RFC 9457), each with the library's stable code.

Every ``ChatSessionError`` answers with its class's ``http_status`` and a body
``{"type", "title", "status", "detail", "code"}``; ``code`` is the error's stable code
(``docs/errors.md``). A 401 adds ``WWW-Authenticate``; a busy store (503) adds
``Retry-After``. A body or parameter that does not validate is 422
(``code: "invalid_request"``), listing where, never the values (they may be secrets). An
unexpected error is a 500 with ``code: "internal_error"`` and no detail; it is logged
with its traceback (the logger ``chatsession.web``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from chatsession.domain.errors import ChatSessionError
from chatsession.web.auth import CHALLENGES

PROBLEM = "application/problem+json"
"""The media type of error replies."""

RETRY_AFTER_SECONDS = 1
"""What a 503 (store busy or unavailable) asks the client to wait."""

_log = logging.getLogger("chatsession.web")


def problem(
    status: int, code: str, title: str, detail: str = "", *, extra: dict[str, Any] | None = None
) -> JSONResponse:
    """A problem reply."""
    body: dict[str, Any] = {
        "type": f"https://chatsession.invalid/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    body.update(extra or {})
    headers: list[tuple[str, str]] = []
    if status == 401:
        headers += [("WWW-Authenticate", challenge) for challenge in CHALLENGES]
    if status == 503:
        headers.append(("Retry-After", str(RETRY_AFTER_SECONDS)))
    response = JSONResponse(body, status_code=status, media_type=PROBLEM)
    for name, value in headers:
        response.headers.append(name, value)
    return response


def _title(code: str) -> str:
    """A short title from a code: ``not_transfer_target`` -> "Not transfer target"."""
    return code.replace("_", " ").capitalize()


def _chat_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ChatSessionError)
    status = exc.http_status
    if status >= 500 and status != 503:
        _log.error("%s %s failed: %s", request.method, request.url.path, exc.code)
    return problem(status, exc.code, _title(exc.code), str(exc))


def _invalid(request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError | ValidationError) else []
    where = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in errors[:50]
    ]
    return problem(
        422, "invalid_request", "The request does not validate",
        f"{len(errors)} problem(s) in the request", extra={"errors": where},
    )


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return problem(exc.status_code, code, str(exc.detail))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.exception("%s %s failed unexpectedly", request.method, request.url.path)
    return problem(500, "internal_error", "Internal error")


def install(app: FastAPI) -> None:
    """Make ``app`` answer every error as a problem."""
    app.add_exception_handler(ChatSessionError, _chat_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(ValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
