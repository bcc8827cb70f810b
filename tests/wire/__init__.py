"""Tests of the SuperOffice wire models (``chatsession.wire``)."""
