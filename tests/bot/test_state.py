"""DatabaseStorage: botbuilder's storage contract on our database, and dialogs that survive a restart.

The contract tests follow botbuilder-testing's ``StorageBaseTests`` (that
package pins an older pytest, so they are restated here rather than imported).
"""

from __future__ import annotations

import datetime as dt

import pytest
from botbuilder.core import ConversationState, MessageFactory, StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    Dialog,
    DialogSet,
    DialogTurnStatus,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)

from bot.state import DatabaseStorage
from switchover.storage import Database, KeyValueStore
from switchover.storage.keyvalue import ETagConflict


class Checklist(StoreItem):
    """A StoreItem subclass with nested values, like the ones features keep in state."""


async def test_reading_unknown_or_no_keys_returns_nothing(database: Database) -> None:
    storage = DatabaseStorage(database)

    assert await storage.read(["unknown"]) == {}
    assert await storage.read([]) == {}
    assert await storage.read(None) == {}


async def test_writing_none_raises_and_writing_nothing_is_fine(database: Database) -> None:
    storage = DatabaseStorage(database)

    with pytest.raises(ValueError, match="Changes are required when writing"):
        await storage.write(None)
    await storage.write({})


async def test_create_objects_with_and_without_etag(database: Database) -> None:
    storage = DatabaseStorage(database)
    items = {"createPoco": {"id": 1}, "createPocoStoreItem": {"id": 2, "e_tag": "*"}}

    await storage.write(items)

    read = await storage.read(list(items))
    assert read["createPoco"]["id"] == 1
    assert read["createPocoStoreItem"]["id"] == 2
    assert read["createPoco"]["e_tag"]
    assert read["createPocoStoreItem"]["e_tag"] not in (None, "", "*")


async def test_crazy_keys(database: Database) -> None:
    storage = DatabaseStorage(database)
    key = '!@#$%^&*()_+??><":QASD~`' + "/ünïcødé/🏥/" + "x" * 600

    await storage.write({key: {"id": 1}})

    assert (await storage.read([key]))[key]["id"] == 1


async def test_update_object_follows_etag_rules(database: Database) -> None:
    storage = DatabaseStorage(database)
    await storage.write({"pocoItem": {"id": 1, "count": 1}, "pocoStoreItem": {"id": 1, "count": 1, "e_tag": "*"}})

    loaded = await storage.read(["pocoItem", "pocoStoreItem"])
    stale_etag = loaded["pocoStoreItem"]["e_tag"]
    loaded["pocoItem"]["e_tag"] = None
    loaded["pocoItem"]["count"] += 1
    loaded["pocoStoreItem"]["count"] += 1
    await storage.write(loaded)

    reloaded = await storage.read(["pocoItem", "pocoStoreItem"])
    assert (reloaded["pocoItem"]["count"], reloaded["pocoStoreItem"]["count"]) == (2, 2)

    # An old e-tag loses; the stored item is untouched.
    with pytest.raises(ETagConflict):
        await storage.write({"pocoStoreItem": {"id": 1, "count": 123, "e_tag": stale_etag}})
    assert (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]["count"] == 2

    # The wildcard always wins.
    await storage.write({"pocoStoreItem": {"id": 1, "count": 100, "e_tag": "*"}})
    assert (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]["count"] == 100

    # An empty e-tag is refused.
    with pytest.raises(ValueError, match="empty e_tag"):
        await storage.write({"pocoStoreItem": {"id": 1, "count": 7, "e_tag": ""}})
    assert (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]["count"] == 100


async def test_a_conflict_writes_none_of_the_batch(database: Database) -> None:
    storage = DatabaseStorage(database)
    await storage.write({"a": {"n": 1}, "b": {"n": 1}})
    stale = await storage.read(["a", "b"])
    await storage.write({"b": {"n": 2, "e_tag": stale["b"]["e_tag"]}})

    with pytest.raises(ETagConflict) as raised:
        await storage.write({"a": {"n": 9, "e_tag": stale["a"]["e_tag"]}, "b": {"n": 9, "e_tag": stale["b"]["e_tag"]}})

    assert raised.value.key == "b"
    after = await storage.read(["a", "b"])
    assert (after["a"]["n"], after["b"]["n"]) == (1, 2)


async def test_writing_twice_in_one_turn_does_not_conflict_with_itself(database: Database) -> None:
    storage = DatabaseStorage(database)
    await storage.write({"k": {"n": 1}})
    state = (await storage.read(["k"]))["k"]

    state["n"] = 2
    await storage.write({"k": state})
    state["n"] = 3
    await storage.write({"k": state})

    assert (await storage.read(["k"]))["k"]["n"] == 3


async def test_delete_known_and_unknown_and_in_batches(database: Database) -> None:
    storage = DatabaseStorage(database)
    await storage.write({"delete1": {"id": 1, "e_tag": "*"}, "batch1": {"count": 10}, "batch2": {"count": 20}})

    await storage.delete(["delete1"])
    await storage.delete(["unknown_key"])

    assert set(await storage.read(["delete1", "batch1", "batch2"])) == {"batch1", "batch2"}
    await storage.delete(["batch1", "batch2"])
    assert await storage.read(["batch1", "batch2"]) == {}


async def test_store_items_round_trip_with_their_types(database: Database) -> None:
    storage = DatabaseStorage(database)
    item = Checklist(
        title='Wave "2" {braces}\nnew line 🏥',
        due=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
        steps=[{"done": True, "name": "OneDrive"}, {"done": False, "name": "Outlook"}],
        counts={"tries": 3},
        e_tag="*",
    )

    await storage.write({"checklist": item})
    back = (await storage.read(["checklist"]))["checklist"]

    assert isinstance(back, Checklist)
    assert back.title == item.title
    assert back.due == item.due
    assert back.steps == item.steps
    assert back.counts == {"tries": 3}
    assert back.e_tag not in (None, "*")


async def test_shared_objects_keep_their_identity(database: Database) -> None:
    storage = DatabaseStorage(database)
    shared = Checklist(name="shared")
    await storage.write({"k": {"first": shared, "second": shared, "zeta": [shared], "alpha": 1}})

    back = (await storage.read(["k"]))["k"]

    assert back["first"] is back["second"] is back["zeta"][0]
    assert back["first"].name == "shared"


async def test_tenants_are_kept_apart(database: Database) -> None:
    await DatabaseStorage(database, tenant_id="t1").write({"k": {"v": 1}})

    assert await DatabaseStorage(database).read(["k"]) == {}
    assert await KeyValueStore(database).read("t2", ["k"]) == {}
    assert (await DatabaseStorage(database, tenant_id="t1").read(["k"]))["k"]["v"] == 1


def _waterfall_bot(storage: DatabaseStorage):
    """The waterfall of botbuilder's StorageBaseTests.proceeds_through_waterfall, built on ``storage``."""
    convo_state = ConversationState(storage)
    dialogs = DialogSet(convo_state.create_property("dialogState"))

    async def prompt_validator(prompt_context: PromptValidatorContext) -> bool:
        if len(prompt_context.recognized.value) > 3:
            await prompt_context.context.send_activity(
                MessageFactory.text(f"You got it at the {prompt_context.options.number_of_attempts}rd try!")
            )
            return True
        await prompt_context.context.send_activity(
            f"Please send a name that is longer than 3 characters. {prompt_context.options.number_of_attempts}"
        )
        return False

    async def step_1(step: WaterfallStepContext) -> DialogTurnStatus:
        assert isinstance(step.active_dialog.state["stepIndex"], int)
        await step.context.send_activity("step1")
        return Dialog.end_of_turn

    async def step_2(step: WaterfallStepContext):
        return await step.prompt(
            TextPrompt.__name__, PromptOptions(prompt=MessageFactory.text("Please type your name"))
        )

    async def step_3(step: WaterfallStepContext) -> DialogTurnStatus:
        await step.context.send_activity(f"step3 {step.result}")
        return Dialog.end_of_turn

    dialogs.add(WaterfallDialog(WaterfallDialog.__name__, [step_1, step_2, step_3]))
    dialogs.add(TextPrompt(TextPrompt.__name__, prompt_validator))

    async def on_turn(turn_context: TurnContext) -> None:
        dialog_context = await dialogs.create_context(turn_context)
        await dialog_context.continue_dialog()
        if not turn_context.responded:
            await dialog_context.begin_dialog(WaterfallDialog.__name__)
        await convo_state.save_changes(turn_context)

    return on_turn


async def test_waterfall_proceeds_through_every_step(database: Database) -> None:
    adapter = TestAdapter(_waterfall_bot(DatabaseStorage(database)))

    step = await adapter.send("hello")
    step = await step.assert_reply("step1")
    step = await step.send("hello")
    step = await step.assert_reply("Please type your name")
    step = await step.send("hi")
    step = await step.assert_reply("Please send a name that is longer than 3 characters. 0")
    step = await step.send("hi")
    step = await step.assert_reply("Please send a name that is longer than 3 characters. 1")
    step = await step.send("Kyle")
    step = await step.assert_reply("You got it at the 2rd try!")
    await step.assert_reply("step3 Kyle")


async def test_waterfall_resumes_after_a_restart(database: Database) -> None:
    before = TestAdapter(_waterfall_bot(DatabaseStorage(database)))
    step = await before.send("hello")
    step = await step.assert_reply("step1")
    step = await step.send("hello")
    await step.assert_reply("Please type your name")

    # A new process: new storage object, new state, new dialogs, new adapter; same conversation.
    after = TestAdapter(_waterfall_bot(DatabaseStorage(database)))
    step = await after.send("Priya")
    step = await step.assert_reply("You got it at the 0rd try!")
    await step.assert_reply("step3 Priya")


async def test_a_turn_that_read_stale_state_cannot_overwrite_a_newer_one(database: Database) -> None:
    storage = DatabaseStorage(database)
    key = "msteams/conversations/a:1xyz/"
    await storage.write({key: {"dialogState": {"step": 1}}})

    first = (await storage.read([key]))[key]
    second = (await storage.read([key]))[key]
    first["dialogState"]["step"] = 2
    await storage.write({key: first})

    second["dialogState"]["step"] = 99
    with pytest.raises(ETagConflict):
        await storage.write({key: second})
    assert (await storage.read([key]))[key]["dialogState"]["step"] == 2
