"""Conversation kinds: stored conversations Teams never called 1:1 chats stop being anyone's personal chat.

Until now a conversation without ``conversationType`` was stored as a personal chat:
a meeting chat (``isGroup: true``, no type) or a channel thread then received a
person's private notices, and broadcasts to everyone went there too. A Teams 1:1
chat's id never names a thread (``a:...``); group chats, meetings and channels do
(``19:...@thread.v2``, ``@thread.tacv2``, ``@thread.skype``, ``;messageid=`` for a
thread). Such rows become group chats, which nothing sends to on its own, and lose
the person they were filed under. Nothing is deleted; the next activity from a real
channel stores the channel as before.

Revision ID: 0009_conversation_kinds
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_conversation_kinds"
down_revision = "0001_core"
branch_labels = ("conversation_kinds",)
depends_on = None

_refs = sa.table(
    "conversation_refs",
    sa.column("conversation_id", sa.String),
    sa.column("kind", sa.String),
    sa.column("user_id", sa.String),
    sa.column("aad_object_id", sa.String),
    sa.column("upn", sa.String),
    sa.column("user_name", sa.String),
    sa.column("time_zone", sa.String),
)


def upgrade() -> None:
    op.execute(
        _refs.update()
        .where(
            _refs.c.kind == "personal",
            sa.or_(_refs.c.conversation_id.like("%@thread%"), _refs.c.conversation_id.like("%;messageid=%")),
        )
        .values(kind="groupChat", user_id=None, aad_object_id=None, upn=None, user_name=None, time_zone=None)
    )


def downgrade() -> None:
    """Nothing to undo: which rows were wrongly personal is not kept."""
