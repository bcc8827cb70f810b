"""ChatTopicEntity: the settings of a chat topic, as SuperOffice carries them."""

from __future__ import annotations

from pydantic import Field

from chatsession.wire.base import WireModel
from chatsession.wire.rights import FieldProperties, TableRight
from chatsession.wire.types import (
    BoolField,
    DateTimeField,
    Int32Field,
    JsonObjectField,
    TextField,
)


class ChatTopicEntity(WireModel):
    """A chat topic (``ChatTopicEntity``).

    The nested carriers ``Language`` (CustomerLanguage), ``AlertTemplate``
    (ReplyTemplate), ``TicketCategory``, ``TicketPriority``, ``OpeningHours``
    (ChatOpeningHours), ``Widget`` (ChatWidgetSettings) and ``BotSettings``
    (ChatBotSettings) are not modelled: they are carried as the JSON objects they are.
    """

    chat_topic_id: Int32Field = None
    name: TextField = None
    description: TextField = None
    welcome_message: TextField = None
    language: JsonObjectField = None
    last_accept: DateTimeField = None
    seconds_pr_accept: Int32Field = None
    alert_recipient: TextField = None
    alert_template: JsonObjectField = None
    collect_consent: BoolField = None
    badge_header: TextField = None
    custom_queue_text_enabled: BoolField = None
    custom_queue_text: TextField = None
    warn_new_chat_minutes: Int32Field = None
    warn_manager_new_chat_minutes: Int32Field = None
    ticket_enabled: BoolField = None
    ticket_category: JsonObjectField = None
    ticket_priority: JsonObjectField = None
    opening_hours_enabled: BoolField = None
    opening_hours: JsonObjectField = None
    widget: JsonObjectField = None
    bot_enabled: BoolField = None
    bot_settings: JsonObjectField = None
    offline_collect_consent: BoolField = None
    warn_chat_message_minutes: Int32Field = None
    warn_manager_chat_message_minutes: Int32Field = None
    use_queue_offline_form: BoolField = None
    offline_form_time_limit: Int32Field = None
    offline_form_queue_length: Int32Field = None
    widget_enable_rating: BoolField = None
    widget_rating_text: TextField = None
    table_right: TableRight | None = None
    field_properties: FieldProperties = None
    # A leading underscore would make the attribute private in pydantic, so the alias
    # generator cannot give "_Links": the attribute is ``links``, the alias written out.
    links: JsonObjectField = Field(default=None, alias="_Links")
