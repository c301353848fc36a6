"""A draft is its reporter's, and the reporter's real screenshot (never a URL a card carries) reaches the owner."""

from __future__ import annotations

import struct
import zlib
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from switchover.problems.drafts import MAX_SCREENSHOT_BYTES
from tests.bot.features.problems.conftest import ProblemsWorld
from tests.bot.features.problems.test_e2e import report_id_of, text_of
from tests.support.app import person

REPORTER = "nora.abbott"
OTHER = "farah.price"
FORGED = "https://attacker.example/track.png"


def png(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def file_attachment(url: str, name: str = "screenshot.png", file_type: str = "png") -> dict[str, Any]:
    """A picture sent as a file in a 1:1 chat (teams-payloads/24-message-personal-file-attachment.json)."""
    return {
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "contentUrl": "https://contoso.sharepoint.com/personal/nora/Documents/Microsoft Teams Chat Files/" + name,
        "name": name,
        "content": {"downloadUrl": url, "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D", "fileType": file_type},
    }


def inline_attachment(url: str) -> dict[str, Any]:
    """A picture pasted into the message (teams-payloads/25-message-personal-inline-image.json)."""
    return {"contentType": "image/*", "contentUrl": url}


def images_in(card: dict[str, Any] | None) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Image":
                found.append(node.get("url"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return found


async def owner_card(world: ProblemsWorld) -> dict[str, Any]:
    await world.deliver()
    card = world.to("luis.ortega")[-1].card
    assert card is not None
    return card


async def fetch_from_app(world: ProblemsWorld, url: str) -> tuple[int, str, bytes]:
    path = urlsplit(url).path
    async with aiohttp.ClientSession() as session, session.get(world.app.url + path) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.read()


async def test_submitting_with_another_persons_draft_key_is_refused(world: ProblemsWorld) -> None:
    await world.teams.install(person(REPORTER))
    await world.teams.install(person(OTHER))
    noras = await world.confirm(REPORTER, "my H drive files are missing", impact="me")
    farahs = await world.confirm(OTHER, "my printer jams", impact="me")
    # Before Nora submits: Farah's Submit carrying Nora's key files nothing.
    code, body = await world.teams.invoke_action(person(OTHER), "problem_submit", {**farahs, "draft": noras["draft"]})
    assert code == 200 and "no report form of yours" in text_of(body["value"])
    assert await world.desk.list(world.teams.tenant_id) == []
    # After Nora submits: the same key does not hand Farah Nora's report card.
    code, body = await world.teams.invoke_action(person(REPORTER), "problem_submit", noras)
    assert "Submitted" in text_of(body["value"])
    code, body = await world.teams.invoke_action(person(OTHER), "problem_submit", {**farahs, "draft": noras["draft"]})
    shown = text_of(body["value"])
    assert "no report form of yours" in shown and "H drive" not in shown and "PR-" not in shown
    # A key that never was gets the same answer; Farah's own key still works.
    code, body = await world.teams.invoke_action(person(OTHER), "problem_submit", {**farahs, "draft": "0" * 32})
    assert "no report form of yours" in text_of(body["value"])
    code, body = await world.teams.invoke_action(person(OTHER), "problem_submit", farahs)
    assert "Submitted" in text_of(body["value"])
    assert len(await world.desk.list(world.teams.tenant_id)) == 2


async def test_submitting_twice_files_one_report(world: ProblemsWorld) -> None:
    await world.teams.install(person(REPORTER))
    data = await world.confirm(REPORTER, "my H drive files are missing", impact="me")
    for _ in range(2):
        code, body = await world.teams.invoke_action(person(REPORTER), "problem_submit", data)
        assert "Submitted" in text_of(body["value"])
    assert len(await world.desk.list(world.teams.tenant_id)) == 1


async def test_a_forged_screenshot_url_in_problem_submit_is_ignored_and_the_real_screenshot_reaches_the_owner(
    world: ProblemsWorld,
) -> None:
    await world.teams.install(person(REPORTER))
    picture = png()
    url = world.connector.attach_file("shot.png", "image/png", picture)
    receipt = await world.report(
        REPORTER,
        "my H drive files are missing",
        attachments=[file_attachment(url)],
        submit_extra={"screenshot_url": FORGED},
        impact="me",
    )
    assert "goes with the report" in text_of(world.confirm_card)
    card = await owner_card(world)
    [image] = images_in(card)
    assert FORGED not in str(card) and FORGED not in str(receipt)
    assert urlsplit(image).path.startswith("/screenshots/")
    status, content_type, body = await fetch_from_app(world, image)
    assert (status, content_type, body) == (200, "image/png", picture)
    # The file link is pre-authorised: the bot's token was not sent with it.
    assert world.connector.downloads == [("/files/shot.png", None)]
    report = await world.desk.get(world.teams.tenant_id, report_id_of(card))
    assert report.screenshot_url == image


async def test_an_inline_image_is_fetched_with_the_bots_token_and_reaches_the_owner(world: ProblemsWorld) -> None:
    await world.teams.install(person(REPORTER))
    picture = png(3, 1)
    url = world.connector.attach_inline("0-cus-d7-e0ee4ec5", "image/png", picture)
    await world.report(REPORTER, "my H drive files are missing", attachments=[inline_attachment(url)], impact="me")
    [image] = images_in(await owner_card(world))
    assert (await fetch_from_app(world, image))[2] == picture
    [(path, authorization)] = world.connector.downloads
    assert path.startswith("/v3/attachments/")
    if world.app.identity is not None:  # with authentication on, the loopback connector demanded the token
        assert authorization is not None and authorization.startswith("Bearer ")


async def test_the_bots_token_never_goes_to_another_address(world: ProblemsWorld) -> None:
    await world.teams.install(person(REPORTER))
    other = world.connector.url.replace("127.0.0.1", "localhost")
    sent = await world.teams.say(
        REPORTER,
        "report a problem my H drive files are missing",
        attachments=[inline_attachment(other + "v3/attachments/x/views/original")],
    )
    assert world.connector.downloads == []
    assert any("could not keep your picture" in r.text for r in sent)


async def test_a_file_that_is_not_a_picture_or_too_large_is_not_kept(world: ProblemsWorld) -> None:
    await world.teams.install(person(REPORTER))
    html = world.connector.attach_file("shot.png", "image/png", b"<html><script>alert(1)</script></html>")
    big = world.connector.attach_file("big.png", "image/png", png() + b"\0" * MAX_SCREENSHOT_BYTES)
    for url, why in ((html, "not a picture"), (big, "larger than")):
        sent = await world.teams.say(
            REPORTER, "report a problem my H drive files are missing", attachments=[file_attachment(url)]
        )
        assert [why in r.text for r in sent if "could not keep your picture" in r.text] == [True], sent
    # A file that is not an image type is not taken for a screenshot at all.
    doc = world.connector.attach_file("notes.txt", "text/plain", b"hello")
    text_file = file_attachment(doc, "notes.txt", "txt")
    await world.teams.say(REPORTER, "report a problem my H drive", attachments=[text_file])
    assert "/files/notes.txt" not in {p for p, _ in world.connector.downloads}
    await world.report(REPORTER, "my H drive files are missing", impact="me")
    assert images_in(await owner_card(world)) == []


async def test_a_picture_sent_with_the_description_goes_with_the_report(world: ProblemsWorld) -> None:
    await world.teams.install(person(REPORTER))
    picture = png(1, 1)
    url = world.connector.attach_file("later.png", "image/png", picture)
    await world.teams.say(REPORTER, "report a problem")  # the bot asks what is wrong
    await world.teams.say(REPORTER, "my H drive files are missing", attachments=[file_attachment(url)])
    assert world.connector.downloads == [("/files/later.png", None)]


async def test_a_screenshot_address_that_was_never_given_is_not_found(world: ProblemsWorld) -> None:
    status, _, _ = await fetch_from_app(world, "/screenshots/" + "A" * 43)
    assert status == 404
