"""The e-mail "Got it" page in the recipient's language: their Teams language as stored with their
chat with the bot, else the browser's ``Accept-Language``, else the plan's (English)."""

from __future__ import annotations

import datetime as dt

from .conftest import BOT_DOMAIN, EmailWorld
from .test_fallback_e2e import teams_person, wave_2_t14


async def page(world: EmailWorld, url: str, accept: str | None, method: str = "GET") -> tuple[int, str]:
    headers = {"Accept-Language": accept} if accept else {}
    async with world.session.request(method, url, headers=headers) as resp:
        return resp.status, await resp.text()


async def test_the_ack_page_speaks_the_stored_teams_language_else_the_browsers(world: EmailWorld) -> None:
    ann_id = await wave_2_t14(world)
    never, in_teams, stranger = (
        world.wave_users("wave-2")[0],
        world.wave_users("wave-2")[1],
        world.wave_users("wave-3")[0],
    )

    def url(user_id: str) -> str:
        return world.service.email.ack_url(ann_id, user_id, "acknowledge").replace(
            f"https://{BOT_DOMAIN}", world.app.url
        )

    # Nobody's Teams language is known: the browser's first language with a catalog, by weight.
    status, text = await page(world, url(never.id), "it-IT, es-MX;q=0.8, en;q=0.5")
    assert status == 200 and "para avisar al equipo de migración que leyó este anuncio" in text
    assert "to tell the migration team" not in text
    status, text = await page(world, url(never.id), "pl")
    assert "aby poinformować zespół migracji" in text
    status, text = await page(world, url(never.id), None)
    assert "to tell the migration team you have read this announcement" in text  # as before
    status, text = await page(world, url(never.id), "de-DE, fr;q=0.9")
    assert "to tell the migration team you have read this announcement" in text  # none we have: the plan's

    # Someone who spoke to the bot from a Polish Teams reads Polish, whatever the browser says.
    person = teams_person(in_teams)
    await world.teams.install(person)
    await world.teams.say(person, "help", locale="pl-PL")
    status, text = await page(world, url(in_teams.id), "es-MX")
    assert status == 200 and "aby poinformować zespół migracji" in text

    # Refusals too: a link for someone the announcement never went to, and an expired one.
    status, text = await page(world, url(stranger.id), "es-US", "POST")
    assert status == 403 and "Este anuncio no se le envió a usted." in text
    link = url(never.id)
    world.clock.advance(dt.timedelta(days=45, seconds=1))  # a link lasts 45 days
    status, text = await page(world, link, "es-US")
    assert status == 410 and "Este enlace venció." in text
