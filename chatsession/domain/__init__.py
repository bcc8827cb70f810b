"""The chat-session domain: pure, with no I/O. Time comes from the ``Clock`` port."""
