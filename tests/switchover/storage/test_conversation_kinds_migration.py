"""Conversations stored as personal chats before Teams' word was taken for it are put right at start."""

from __future__ import annotations

import datetime as dt

from alembic import command

from switchover.storage import Database
from switchover.storage.conversations import ConversationRecord, ConversationStore
from switchover.storage.migrate import alembic_config

NOW = dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC)
MEETING = "19:meeting_MWJlNGViOTgtMGExYi00NDA3@thread.v2"
THREAD = "19:6848757105754c8981c67612732d9aa7@thread.tacv2;messageid=1759881511856"


def _personal(conversation_id: str, aad: str) -> ConversationRecord:
    return ConversationRecord(
        "t", "personal", conversation_id, "https://smba.example/amer/", user_id=f"29:{aad}", aad_object_id=aad
    )


async def test_meeting_chats_and_threads_stored_as_personal_chats_stop_being_anyones(empty_database: Database) -> None:
    async with empty_database.engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(connection=c), "0001_core"))
        # The store of today writes every column it has, the person's language among them.
        await conn.run_sync(lambda c: command.upgrade(alembic_config(connection=c), "languages@head"))
    store = ConversationStore(empty_database)
    for record in (_personal(MEETING, "a-1"), _personal(THREAD, "a-2"), _personal("a:1xyz", "a-3")):
        await store.upsert(record, NOW)

    await empty_database.migrate()

    store = ConversationStore(empty_database)
    assert [r.conversation_id for r in await store.all_personal("t")] == ["a:1xyz"]
    assert await store.personal_for_user("t", "a-1") is None
    meeting = await store.get("t", MEETING)
    assert meeting is not None and (meeting.kind, meeting.aad_object_id, meeting.user_id) == ("groupChat", None, None)
    assert (await store.get("t", THREAD)).kind == "groupChat"  # type: ignore[union-attr]
