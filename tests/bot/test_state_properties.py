"""Property: whatever JSON-shaped state a dialog keeps comes back equal through DatabaseStorage."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.state import DatabaseStorage
from switchover.storage import Database

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
# Keys starting "py/" are jsonpickle's own markers (a limitation botbuilder's Cosmos and
# blob storage share), so dialogs must not use them; everything else is fair game.
_key = (_text | st.sampled_from(["json://1", "e_tag", "", "py", "py-object", "/py/x"])).filter(
    lambda k: not k.startswith("py/")
)
_leaf = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _text
_json = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_key, inner, max_size=4),
    max_leaves=20,
)
_keys = itertools.count()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(state=st.dictionaries(_key.filter(lambda k: k != "e_tag"), _json, max_size=5))
async def test_any_json_state_round_trips(sqlite_database: Database, state: dict) -> None:
    # One database for every example: each example writes under a key of its own.
    storage = DatabaseStorage(sqlite_database)
    key = f"msteams/conversations/a:{next(_keys)}/"

    await storage.write({key: dict(state)})
    back = (await storage.read([key]))[key]

    assert back.pop("e_tag")
    assert back == state
