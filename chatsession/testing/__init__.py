"""What adopters need to test their own adapters and services.

* ``chatsession.testing.contract``: ``ChatSessionRepositoryContract``, the pytest suite
  every repository adapter passes (the library runs it on its memory and SQLite adapters);
* ``chatsession.testing.strategies``: hypothesis strategies that build valid sessions in
  any status (``sessions(status=...)``), topics (``full_topics()``), opening hours, topic
  agents, presence and customers.

Both need the ``dev`` extra (``pytest``, ``hypothesis``); importing this package alone
does not.
"""
