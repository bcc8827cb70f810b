"""The query and path parameters the REST pages name, typed once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from chatsession.wire.types import INT32_MAX

Select = Annotated[
    str | None,
    Query(alias="$select", max_length=4000,
          description="Comma-separated properties to return; the others come back null."),
]
SessionId = Annotated[int, Path(ge=1, le=INT32_MAX, description="The chat session's id.")]
EntityId = Annotated[int, Query(ge=1, le=INT32_MAX)]
