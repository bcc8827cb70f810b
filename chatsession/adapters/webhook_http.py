"""Webhook delivery over HTTP, signed as SuperOffice signs it (standard library only).

``HttpDelivery(url, secret=...)`` POSTs a payload as JSON with the headers
``X-SuperOffice-Event``, ``X-SuperOffice-EventId`` and, with a secret,
``X-SuperOffice-Signature``: the HMAC-SHA256 of the body keyed by the secret,
base64-encoded. A failed attempt (no connection, a timeout, a 5xx or 429 answer) is retried
with exponential backoff; then, or at once for another 4xx, it raises
``WebhookDeliveryError``. ``verify_signature`` is the receiver's check. The secret never
shows in a repr or an error message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from chatsession.domain.errors import ChatSessionError, InvalidArgumentError

RETRIED_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
"""Answers worth trying again: the receiver may take the event later."""


class WebhookDeliveryError(ChatSessionError):
    """A webhook receiver did not take an event (after the retries); it stays unpublished."""

    code = "webhook_delivery_failed"
    http_status = 502


def body_of(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes POSTed for ``payload`` (compact JSON, UTF-8): what is signed."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    """SuperOffice's ``X-SuperOffice-Signature``: base64 of HMAC-SHA256(secret, body)."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(body: bytes, signature: str | None, secret: str) -> bool:
    """True if ``signature`` is ``body``'s signature with ``secret`` (constant-time compare)."""
    if not signature or not isinstance(body, bytes | bytearray):
        return False
    return hmac.compare_digest(sign(bytes(body), secret), signature.strip())


class HttpDelivery:
    """Delivers webhook payloads to ``url`` (http or https), signed with ``secret`` if given."""

    __slots__ = ("_attempts", "_backoff", "_secret", "_sleep", "_timeout", "url")

    def __init__(
        self,
        url: str,
        *,
        secret: str | None = None,
        timeout: float = 10.0,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InvalidArgumentError(f"url must be an http(s) URL, got {url!r}")
        if secret is not None and (not isinstance(secret, str) or not secret):
            raise InvalidArgumentError("secret must be a non-empty str (or None)")
        if type(attempts) is not int or attempts < 1:
            raise InvalidArgumentError(f"attempts must be an int >= 1, got {attempts!r}")
        for name, value in (("timeout", timeout), ("backoff", backoff)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                0 <= value < 3600
            ):
                raise InvalidArgumentError(f"{name} must be seconds in [0, 3600), got {value!r}")
        self.url = url
        self._secret = secret
        self._timeout = float(timeout)
        self._attempts = attempts
        self._backoff = float(backoff)
        self._sleep = sleep

    def __call__(self, payload: Mapping[str, Any]) -> None:
        """POST ``payload``; return once the receiver answered 2xx, else raise."""
        body = body_of(payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-SuperOffice-Event": str(payload.get("Event", "")),
            "X-SuperOffice-EventId": str(payload.get("EventId", "")),
        }
        if self._secret is not None:
            headers["X-SuperOffice-Signature"] = sign(body, self._secret)
        last = ""
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                status = self._post(body, headers)
            except (OSError, http.client.HTTPException) as error:
                last = f"{type(error).__name__}: {error}"
                continue
            if 200 <= status < 300:
                return
            last = f"HTTP {status}"
            if status not in RETRIED_STATUSES:
                break
        raise WebhookDeliveryError(
            f"{self.url} did not take event {headers['X-SuperOffice-EventId']} "
            f"({last}; {self._attempts} attempt(s))"
        )

    def _post(self, body: bytes, headers: dict[str, str]) -> int:
        """One POST; the answer's status. Header names go out as written (http.client)."""
        parts = urllib.parse.urlsplit(self.url)
        secure = parts.scheme == "https"
        kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        connection = kind(parts.hostname or "", parts.port, timeout=self._timeout)
        try:
            path = parts.path or "/"
            connection.request("POST", f"{path}?{parts.query}" if parts.query else path,
                               body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
            return answer.status
        finally:
            connection.close()

    def __repr__(self) -> str:
        signed = "signed" if self._secret is not None else "unsigned"
        return f"HttpDelivery({self.url!r}, {signed})"
