"""The REST face's routers: the ``ChatSession`` resource, the Chat agent, the console."""
