"""``If-Match``: the versions a conditional command may apply to.

``If-Match: "3"`` (or a list, ``"3", "4"``) makes a command apply only while the
session is at one of those versions (else 412, nothing done); ``*`` or no header makes
it unconditional. A weak tag (``W/"3"``) is compared as its version, since replies
carry strong tags only. A tag this face never sent matches no version.
"""

from __future__ import annotations

from starlette.datastructures import Headers

ANY = "*"


def if_match(headers: Headers) -> frozenset[int] | None:
    """The versions ``If-Match`` names; None without a condition."""
    raw = headers.get("if-match")
    if raw is None or raw.strip() == ANY:
        return None
    versions: set[int] = set()
    for tag in raw.split(","):
        tag = tag.strip().removeprefix("W/").strip()
        inner = tag[1:-1] if len(tag) >= 2 and tag[0] == tag[-1] == '"' else ""
        if inner.isascii() and inner.isdigit() and len(inner) < 12:
            versions.add(int(inner))
    return frozenset(versions)
