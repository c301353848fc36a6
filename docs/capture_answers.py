"""Screenshot a personal schedule answer in the Microsoft 365 Agents Playground.

Starts Switchover (with the answers feature) on a free port in local mode, the
Agents Playground playing Wesley Grant (the Boise remote worker of the
Fabrikam roster), and headless Chromium in the America/Boise zone; asks
"when is my migration" and saves the page to docs/answers-personal-schedule.png.

Usage: .venv/bin/python docs/capture_answers.py [--question TEXT] [--out PATH]
Needs: npm install (the Playground), /usr/bin/chromium, playwright (dev extra).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WESLEY = {
    "id": "user-id-0",
    "name": "Wesley Grant",
    "upn": "wesley.grant@fabrikamhealth.com",
    "aad": "9eaecc0a-cc40-4343-bb05-6dab59b1d92f",
}
TENANT = "6b1c7a5e-2f4d-4c1e-9a63-0f2d9c7e1a11"
CONFIG = f"""\
version: "0.1.1"
tenantId: {TENANT}
bot:
  id: 00000000-0000-0000-0000-00000000000011
  name: Switchover
currentUser:
  id: {WESLEY["id"]}
  name: {WESLEY["name"]}
  userPrincipleName: {WESLEY["upn"]}
  aadObjectId: {WESLEY["aad"]}
  givenName: Wesley
  surname: Grant
  email: {WESLEY["upn"]}
# The Playground's schema wants exactly five other users.
users:
  - id: user-id-1
    name: Grace Okafor
    userPrincipleName: grace.okafor@fabrikamhealth.com
    aadObjectId: 5ef37a9d-0ebf-411a-8621-f0495d90a8d7
    givenName: Grace
    surname: Okafor
    email: grace.okafor@fabrikamhealth.com
  - id: user-id-2
    name: Omar Reyes
    userPrincipleName: omar.reyes@fabrikamhealth.com
    aadObjectId: c3f05504-35a8-4bd7-97a2-dfa732bef675
    givenName: Omar
    surname: Reyes
    email: omar.reyes@fabrikamhealth.com
  - id: user-id-3
    name: Farah Ahmed
    userPrincipleName: farah.ahmed@fabrikamhealth.com
    aadObjectId: ba3fc28e-76e7-431d-9812-c00dc6e1ac2d
    givenName: Farah
    surname: Ahmed
    email: farah.ahmed@fabrikamhealth.com
  - id: user-id-4
    name: Nora Abbott
    userPrincipleName: nora.abbott@fabrikamhealth.com
    aadObjectId: 0c743f78-1e9c-4bc1-b2d2-293915ba597d
    givenName: Nora
    surname: Abbott
    email: nora.abbott@fabrikamhealth.com
  - id: user-id-5
    name: Vanessa Fox
    userPrincipleName: vanessa.fox@fabrikamhealth.com
    aadObjectId: c65adfd9-b2a5-46fa-88f4-527544f75dd3
    givenName: Vanessa
    surname: Fox
    email: vanessa.fox@fabrikamhealth.com
personalChat:
  id: a:personal-wesley
groupChat:
  id: 19:group-chat
  name: Group Chat
team:
  id: 19:team-fabrikam-it
  name: Fabrikam IT
  aadGroupId: 00000000-0000-0000-0000-000000000031
  channels:
    - id: 19:service-desk
      name: Service Desk
"""

SERVE = """
import sys
from aiohttp import web
import app as app_module
from switchover.settings import Settings
from pathlib import Path
if "bot.features.answers" not in app_module.FEATURES:
    app_module.FEATURES = [*app_module.FEATURES, "bot.features.answers"]
data = Path(sys.argv[2])
settings = Settings(_env_file=None, database_url=f"sqlite:///{data / 'demo.db'}", data_dir=data, app_id="")
web.run_app(app_module.create_app(settings), host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--question", default="when is my migration")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "answers-personal-schedule.png")
    parser.add_argument("--zone", default="America/Boise")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="switchover-playground-") as tmp:
        workdir = Path(tmp)
        (workdir / ".m365agentsplayground.yml").write_text(CONFIG, encoding="utf-8")
        bot_port, ui_port = free_port(), free_port()
        env = {**os.environ, "PYTHONPATH": str(REPO), "TEAMSAPPTESTER_BROWSER": "none", "LOG_LEVEL": "WARNING"}
        bot = subprocess.Popen([sys.executable, "-c", SERVE, str(bot_port), str(workdir)], cwd=REPO, env=env)
        playground = subprocess.Popen(
            [
                str(REPO / "node_modules" / ".bin" / "agentsplayground"),
                "-e",
                f"http://127.0.0.1:{bot_port}/api/messages",
                "-c",
                "msteams",
                "-p",
                str(ui_port),
            ],
            cwd=workdir,
            # The Playground stamps localTimezone from its own process's zone, so it runs in the asker's.
            env={**env, "TZ": args.zone},
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_http(f"http://127.0.0.1:{bot_port}/healthz")
            wait_http(f"http://127.0.0.1:{ui_port}/")
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    headless=True,
                    args=[
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run",
                    ],
                )
                page = browser.new_context(timezone_id=args.zone, viewport={"width": 1200, "height": 1100}).new_page()
                page.goto(f"http://127.0.0.1:{ui_port}/")
                box = page.get_by_role("textbox").last
                box.wait_for(timeout=30_000)
                box.fill(args.question)
                box.press("Enter")
                page.get_by_text("Your move to Microsoft 365 is on").first.wait_for(timeout=30_000)
                page.wait_for_timeout(1000)  # let the card finish laying out
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out), full_page=True)
                print(page.get_by_text("Your move to Microsoft 365 is on").first.inner_text())  # noqa: T201
                browser.close()
        finally:
            for proc in (playground, bot):
                proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(10)
                if proc.poll() is None:
                    proc.kill()
    print(f"saved {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
