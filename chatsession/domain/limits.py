"""The length limits of a session's texts: SuperOffice's ``chat_session`` column sizes.

Declared once: the session's field rules, the customer model, the message commands and the
wire entity's validation and JSON Schema all read them.
"""

MESSAGE_TEXT_LIMIT = 1024
"""The most characters a chat message may have: the size of SuperOffice's ``first_message``
and ``last_message`` columns, so both keep a message whole."""

ALIAS_LIMIT = 64
"""The most characters of ``customer_alias`` (SuperOffice's column)."""

PHONE_LIMIT = 32
"""The most characters of ``customer_phone`` (SuperOffice's column)."""
