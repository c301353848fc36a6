"""Drive Switchover through the Microsoft 365 Agents Playground in headless Chromium.

Reusable pieces for browser tests (fixtures in ``tests/e2e/conftest.py``):

- :class:`BotProcess` runs the real app (``python app.py``) on a free loopback port
  with its own database and data folder; :class:`ShippedBot` runs it as the installed
  module does (``app.main()``).
- :class:`PlaygroundProcess` runs the real Playground (``node_modules/.bin/agentsplayground``)
  pointed at that bot, signed in as a roster persona, in the persona's time zone and, when
  given one, Teams language (``locale="es-US"``: through :class:`RelayProcess`, as the
  Playground itself always says en-US).
- :func:`started` starts any of them and stops it for sure; :class:`Processes` starts a
  module's bots and Playgrounds and stops them all at its end (the ``processes`` fixture).
- :func:`send_and_wait` types a message into the page and waits for an answer.
- :func:`save_screenshot` writes ``docs/screenshots/<name>.png``; call it after your
  assertions so a failing test never replaces a good picture.

Everything listens on 127.0.0.1 and the browser is not allowed beyond loopback.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Locator, Page, Playwright, Route, expect

from switchover.playground import config_text, posix_locale, read_locale, read_time_zone
from switchover.settings import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
PLAYGROUND_BIN = REPO_ROOT / "node_modules" / ".bin" / "agentsplayground"
RELAY_SCRIPT = REPO_ROOT / "scripts" / "playground_relay.py"
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
FABRIKAM = REPO_ROOT / "examples" / "fabrikam"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous: two cores, and the rest of the suite may be running beside us.
START_TIMEOUT_S = 90.0
ANSWER_TIMEOUT_MS = 30_000
MESSAGE_BOX = "[role=textbox][contenteditable=true]"
# The project lead of the Fabrikam demo (the lead commands are hers).
LEAD = "dana.whitfield@northwindmsp.com"


class ProcessFailed(RuntimeError):
    """A subprocess exited or did not get ready in time; the message holds its log's tail."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class _Process:
    """A child process with its output in a log file, stopped for sure on exit."""

    name = "process"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.log_path = workdir / f"{self.name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def _spawn(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        with self.log_path.open("wb") as log:
            # A new session: stopping it stops the node/python children it may start.
            self.proc = subprocess.Popen(  # noqa: S603 - our own programs
                args,
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def check_alive(self) -> None:
        """Raise :class:`ProcessFailed` if the process has exited."""
        if self.proc is not None and self.proc.poll() is not None:
            raise ProcessFailed(
                f"{self.name} exited with status {self.proc.returncode}; its log ({self.log_path}):\n"
                f"{_tail(self.log_path)}"
            )

    def log(self) -> str:
        """What the process has written so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Terminate the process group; kill it if it lingers."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, 9)
                self.proc.wait(timeout=10)
        self.proc = None


def _get(url: str, timeout: float = 2.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


class BotProcess(_Process):
    """``python app.py`` in local mode (no app id) with the Fabrikam demo, on a free port."""

    name = "bot"

    def __init__(self, workdir: Path, *, plan: Path = FABRIKAM / "plan.yaml", roster: Path = FABRIKAM / "roster.csv"):
        super().__init__(workdir)
        self.port = free_port()
        self.plan = plan
        self.roster = roster

    @property
    def endpoint(self) -> str:
        """The messaging endpoint the Playground posts to."""
        return f"http://127.0.0.1:{self.port}/api/messages"

    def start(self, **extra_env: str) -> BotProcess:
        """Start the app and wait until ``/readyz`` says ready."""
        data = self.workdir / "data"
        data.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "PORT": str(self.port),
            "HOST": "",  # local mode's own default: loopback only
            "DATABASE_URL": f"sqlite:///{data / 'switchover.db'}",
            "SWITCHOVER_DATA_DIR": str(data),
            "SWITCHOVER_PLAN": str(self.plan),
            "SWITCHOVER_ROSTER": str(self.roster),
            "SWITCHOVER_DIRECTORY": "roster",
            # Local mode: the Playground sends no token.
            "MicrosoftAppId": "",
            "MicrosoftAppPassword": "",
            "LOG_LEVEL": "INFO",
            **extra_env,
        }
        # cwd is the temp folder so a developer's .env never leaks into the test.
        self._spawn([sys.executable, str(REPO_ROOT / "app.py")], env, self.workdir)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            self.check_alive()
            with contextlib.suppress(OSError):
                status, _ = _get(f"http://127.0.0.1:{self.port}/readyz")
                if status == 200:
                    return self
            time.sleep(0.2)  # polling a child process, not waiting on the clock
        raise ProcessFailed(f"the bot was not ready in {START_TIMEOUT_S:.0f} s:\n{_tail(self.log_path)}")


# The app as shipped: imported as the module ``app`` and started with ``app.main()``.
LAUNCH = f"import sys, app; sys.path.insert(0, {str(REPO_ROOT)!r}); app.main()"


class ShippedBot(BotProcess):
    """:class:`BotProcess` started as the app module (``app.main()``), the repository on ``PYTHONPATH``."""

    def _spawn(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        super()._spawn([sys.executable, "-c", LAUNCH], {**env, "PYTHONPATH": str(REPO_ROOT)}, cwd)


class RelayProcess(_Process):
    """``scripts/playground_relay.py``: the Playground's activities to the bot, in a persona's language."""

    name = "relay"

    def __init__(self, workdir: Path, bot: BotProcess, locale: str) -> None:
        super().__init__(workdir)
        self.bot = bot
        self.locale = locale
        self.port = free_port()

    @property
    def endpoint(self) -> str:
        """Where the Playground posts instead of the bot."""
        return f"http://127.0.0.1:{self.port}/api/messages"

    def start(self) -> RelayProcess:
        """Start the relay and wait until it answers ``/healthz``."""
        args = [sys.executable, str(RELAY_SCRIPT), "--port", str(self.port), "--bot", self.bot.endpoint]
        self._spawn([*args, "--locale", self.locale], dict(os.environ), self.workdir)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            self.check_alive()
            with contextlib.suppress(OSError):
                if _get(f"http://127.0.0.1:{self.port}/healthz")[0] == 200:
                    return self
            time.sleep(0.2)  # polling a child process, not waiting on the clock
        raise ProcessFailed(f"the relay did not start in {START_TIMEOUT_S:.0f} s:\n{_tail(self.log_path)}")


class PlaygroundProcess(_Process):
    """The Agents Playground serving its Teams-like page on a free port, talking to ``bot``."""

    name = "playground"

    def __init__(
        self,
        workdir: Path,
        bot: BotProcess,
        persona: str = "nora.abbott",
        *,
        tenant_id: str | None = None,
        locale: str | None = None,
    ) -> None:
        super().__init__(workdir)
        self.bot = bot
        self.requested_port = free_port()
        self.port = self.requested_port
        self.config = workdir / "playground.yml"
        # The tenant the Playground speaks for: the plan's when it names one (as ./scripts/demo does).
        self.config.write_text(config_text(persona, bot.roster, tenant_id, locale=locale), encoding="utf-8")
        self.time_zone = read_time_zone(self.config)
        # The persona's Teams language, as ./scripts/demo passes it on; None: the Playground's own.
        self.locale = read_locale(self.config)
        self.relay: RelayProcess | None = None

    @property
    def url(self) -> str:
        """The page to open."""
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> PlaygroundProcess:
        """Start the Playground and wait until it serves its config."""
        if not PLAYGROUND_BIN.exists():
            raise ProcessFailed(f"{PLAYGROUND_BIN} is missing; run ./scripts/setup (it runs `npm ci`)")
        env = {
            **os.environ,
            "TEAMSAPPTESTER_BROWSER": "none",  # it exits at start when it cannot open a browser
            "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(self.config),
            "M365_AGENTS_PLAYGROUND_LOGFILE": str(self.workdir / "playground-events.log"),
            "TZ": self.time_zone,
        }
        endpoint = self.bot.endpoint
        if self.locale is not None:
            # The Playground's own language (Intl, from LC_ALL / LANG) for what it shows; its activities
            # say en-US whatever that is, so they reach the bot through the relay, in the persona's.
            env["LANG"] = env["LC_ALL"] = posix_locale(self.locale)
            self.relay = RelayProcess(self.workdir, self.bot, self.locale).start()
            endpoint = self.relay.endpoint
        args = [str(PLAYGROUND_BIN), "-e", endpoint, "-c", "msteams", "-p", str(self.requested_port), "--dt"]
        try:
            self._spawn(args, env, self.workdir)
            return self._until_serving()
        except BaseException:
            self.stop()  # and the relay: a fixture never gets to stop what failed to start
            raise

    def _until_serving(self) -> PlaygroundProcess:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            self.check_alive()
            # It falls back to a random port if ours was taken meanwhile; it says which.
            found = re.search(r"Listening on (\d+)", self.log())
            if found:
                self.port = int(found.group(1))
                with contextlib.suppress(OSError):
                    status, body = _get(f"http://127.0.0.1:{self.port}/_internal/v1/config")
                    if status == 200 and '"currentUser"' in body:
                        return self
            time.sleep(0.2)  # polling a child process, not waiting on the clock
        raise ProcessFailed(f"the Playground did not start in {START_TIMEOUT_S:.0f} s:\n{_tail(self.log_path)}")

    def stop(self) -> None:
        """Stop the Playground, then its relay if it has one."""
        super().stop()
        if self.relay is not None:
            self.relay.stop()
            self.relay = None


class _Startable(Protocol):
    def start(self) -> object: ...

    def stop(self) -> None: ...


P = TypeVar("P", bound=_Startable)


@contextlib.contextmanager
def started(process: P) -> Iterator[P]:
    """Start ``process`` (a bot, a Playground and its relay) and stop it on the way out, even if it never got ready."""
    try:
        process.start()
        yield process
    finally:
        process.stop()


class Processes:
    """A module's bots and Playgrounds, each in a folder of its own, stopped together (last started first).

    Args:
        folder: where each bot gets its working folder; a Playground works in a subfolder of its bot's.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._stack = contextlib.ExitStack()

    def bot(self, name: str = "bot", *, shipped: bool = True, **options: Path) -> BotProcess:
        """A running bot in ``<folder>/<name>``: the app as shipped (:class:`ShippedBot`), or ``python app.py``.

        ``options`` go to :class:`BotProcess` (``plan``, ``roster``).
        """
        workdir = self.folder / name
        workdir.mkdir(parents=True, exist_ok=True)
        kind = ShippedBot if shipped else BotProcess
        return self._stack.enter_context(started(kind(workdir, **options)))

    def playground(
        self,
        bot: BotProcess,
        persona: str,
        *,
        folder: str | None = None,
        prepare: Callable[[PlaygroundProcess], None] | None = None,
        **options: str | None,
    ) -> PlaygroundProcess:
        """A running Playground talking to ``bot``, signed in as ``persona``.

        Args:
            bot: the bot it talks to.
            persona: a roster person (``"nora.abbott"``, an email address).
            folder: its subfolder of the bot's folder (default: the persona's first name).
            prepare: called with the Playground after its config is written and before it starts.
            **options: for :class:`PlaygroundProcess` (``tenant_id``, ``locale``).
        """
        workdir = bot.workdir / (folder or re.split(r"[.@]", persona)[0])
        workdir.mkdir(exist_ok=True)
        playground = PlaygroundProcess(workdir, bot, persona, **options)
        if prepare is not None:
            prepare(playground)
        return self._stack.enter_context(started(playground))

    def close(self) -> None:
        """Stop everything started here."""
        self._stack.close()


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless (Playwright's own browser download is not available here)."""
    if not CHROMIUM.exists():
        raise ProcessFailed(f"{CHROMIUM} is missing; run ./scripts/setup (it installs Debian's chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def _loopback_only(route: Route) -> None:
    host = urlsplit(route.request.url).hostname or ""
    if host in {"127.0.0.1", "localhost", "::1"} or route.request.url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        # The page asks a CDN for fonts; tests stay on this machine.
        route.abort("blockedbyclient")


@contextlib.contextmanager
def open_chat(browser: Browser, playground: PlaygroundProcess) -> Iterator[Page]:
    """A fresh page on the Playground's personal chat, in the persona's time zone and language, ready to type into."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        timezone_id=playground.time_zone,
        locale=playground.locale or "en-US",
    )
    try:
        context.route("**/*", _loopback_only)
        page = context.new_page()
        page.goto(playground.url)
        expect(page.locator(MESSAGE_BOX)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        yield page
    finally:
        context.close()


def send_and_wait(page: Page, text: str, expect_text: str, timeout_ms: int = ANSWER_TIMEOUT_MS) -> None:
    """Type ``text`` into the chat, press Enter, and wait for a new element showing ``expect_text``.

    "New" counts what was on the page before sending, so an earlier card with the same
    words (a welcome card, a previous answer) does not satisfy the wait.
    """
    answers = page.get_by_text(expect_text)
    before = answers.count()
    box = page.locator(MESSAGE_BOX)
    box.click()
    box.fill(text)
    box.press("Enter")
    expect(answers.nth(before)).to_be_visible(timeout=timeout_ms)


def save_screenshot(page: Page, name: str, fit: Locator | None = None) -> Path:
    """Write ``docs/screenshots/<name>.png``, replacing the old one in one step.

    Args:
        page: the page; the picture is what its window shows.
        name: the file name without ``.png``.
        fit: make the window tall enough to show this element whole (a long card), then shoot.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    viewport = page.viewport_size
    box = fit.bounding_box() if fit is not None else None
    if viewport is not None and box is not None and box["height"] + 250 > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": int(box["height"]) + 250})
        fit.scroll_into_view_if_needed()  # type: ignore[union-attr]
        # The chat re-lays out after a resize; the last message must be in place before the picture.
        expect(fit).to_be_in_viewport(ratio=1.0)  # type: ignore[arg-type]
    try:
        picture = page.screenshot(type="png")
    finally:
        if viewport is not None:
            page.set_viewport_size(viewport)
    with tempfile.NamedTemporaryFile(dir=SCREENSHOTS, suffix=".tmp", delete=False) as tmp:
        tmp.write(picture)
        tmp_path = Path(tmp.name)
    try:
        # NamedTemporaryFile makes files only the owner can read; a picture in docs/ is for everyone.
        tmp_path.chmod(0o644)
        tmp_path.replace(target)
    finally:
        tmp_path.unlink(missing_ok=True)
    return target


def node_available() -> bool:
    """Whether ``node`` is on PATH (the Playground is a Node.js program)."""
    return shutil.which("node") is not None
