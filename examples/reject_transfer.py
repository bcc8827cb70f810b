"""Reject a transfer, with and without one pending: the seed operation, end to end in memory.

Run: ``python examples/reject_transfer.py``
"""

from datetime import UTC, datetime, timedelta

from chatsession import ChatSession, ChatTopic, Customer, ManualClock, NoOpReason

ALICE, BOB = 7, 8


def main() -> None:
    clock = ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    topic = ChatTopic(id=1)
    session = ChatSession.request(
        1, topic, at=clock.now(), customer=Customer(alias="Ann", email="ann@example.com")
    )
    session.post_customer_message("My invoice is wrong", at=clock.now())
    clock.advance(timedelta(seconds=40))
    session.pick_up(by=ALICE, at=clock.now())

    nothing = session.reject_transfer(by=BOB, at=clock.now())
    assert nothing.reason is NoOpReason.NO_TRANSFER_PENDING
    print(f"reject with no transfer pending: {nothing}")

    clock.advance(timedelta(minutes=2))
    session.transfer(to=BOB, by=ALICE, at=clock.now())
    clock.advance(timedelta(seconds=15))
    rejected = session.reject_transfer(by=BOB, at=clock.now())
    assert rejected.changed and session.user_id == ALICE
    print(f"reject of the pending transfer: {rejected}; {session!r}")

    for event in session.pull_events():
        print(f"  {event.occurred_at:%H:%M:%S} {event.name} by={event.by}")


if __name__ == "__main__":
    main()
