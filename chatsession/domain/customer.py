"""Customer: what a customer tells about themselves when requesting a chat."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chatsession.domain.limits import ALIAS_LIMIT, PHONE_LIMIT
from chatsession.domain.values import INT32_MAX, is_valid_unicode


class Customer(BaseModel):
    """The customer side of a new session. Lengths follow SuperOffice's ``chat_session`` table.

    Strict, like ``ChatTopic``: ``person_id=True`` or ``"12"`` and ``consented="yes"`` are
    refused rather than stored as 1, 12 and True.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    alias: str = Field(default="", max_length=ALIAS_LIMIT)
    host: str = ""
    name: str = ""
    email: str = ""
    phone: str = Field(default="", max_length=PHONE_LIMIT)
    company_name: str = ""
    consented: bool = False
    person_id: int | None = Field(default=None, gt=0, le=INT32_MAX)
    contact_id: int | None = Field(default=None, gt=0, le=INT32_MAX)

    @field_validator("alias", "host", "name", "email", "phone", "company_name")
    @classmethod
    def _valid_unicode(cls, value: str) -> str:
        """Refuse lone surrogates: they can be neither stored nor sent as UTF-8."""
        if not is_valid_unicode(value):
            raise ValueError("holds a lone surrogate")  # pydantic reports it
        return value


ANONYMOUS = Customer()
"""A customer who told nothing."""
