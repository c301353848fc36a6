"""The Teams app package: ``manifest.json`` from the template in ``manifest/``, plus both icons, in one zip.

The template (``manifest/manifest.template.json``) is valid JSON whose string
values may hold ``${{NAME}}`` placeholders. Filling happens on the parsed JSON,
one string at a time, so a value can never change the manifest's structure; a
placeholder left without a value is an error, never an empty string.

Also the ``switchover manifest build`` command (see :func:`add_parser`).
"""

from __future__ import annotations

import argparse
import json
import re
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from switchover.settings import REPO_ROOT, Settings

__all__ = [
    "ICON_FILES",
    "MANIFEST_DIR",
    "ManifestError",
    "ManifestValues",
    "add_parser",
    "build_package",
    "render_manifest",
]

MANIFEST_DIR = REPO_ROOT / "manifest"
TEMPLATE_NAME = "manifest.template.json"
ICON_FILES = ("color.png", "outline.png")
# The accent colour matches the colour icon (manifest/icons.py).
ACCENT_COLOR = "#0E7C86"

# The activity-feed notification types the app sends (Graph sendActivityNotification's
# activityType, switchover/directory/activity.py); each must be declared in the manifest's
# activities.activityTypes, with a templateText whose {parameters} the sender fills.
ACTIVITY_TYPES = {"migrationAnnouncement": ("title",)}

_PLACEHOLDER = re.compile(r"\$\{\{\s*([A-Z][A-Z0-9_]*)\s*\}\}")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_DOMAIN = re.compile(r"^(\*\.)?([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+(:[0-9]+)?$")


class ManifestError(ValueError):
    """The manifest cannot be built: a value is missing or malformed, or the template is broken."""


@dataclass(frozen=True)
class ManifestValues:
    """Everything the template's placeholders ask for.

    Attributes:
        teams_app_id: the Teams app's id (a GUID); often the bot's app id.
        bot_id: the bot's Microsoft App ID (the Azure Bot's app registration).
        bot_domain: public host name of the messaging endpoint, without scheme or path.
        version: the app package version (x.y.z); raise it for every upload.
        short_name: the name people see in Teams (30 characters at most).
        full_name: the longer name (100 characters at most).
        developer_name: who publishes the app (32 characters at most).
        website_url: the developer's web site; privacy and terms pages default to pages under it.
    """

    teams_app_id: str
    bot_id: str
    bot_domain: str
    version: str
    short_name: str = "Switchover"
    full_name: str = "Switchover: your move to Microsoft 365"
    developer_name: str = "Switchover"
    website_url: str = ""

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: str) -> ManifestValues:
        """Values from the running configuration; ``overrides`` (non-empty only) win.

        Raises:
            ManifestError: when a required value is missing or malformed.
        """
        values: dict[str, str] = {
            "bot_id": settings.app_id,
            "teams_app_id": settings.teams_app_id,
            "bot_domain": settings.bot_domain,
            "version": settings.teams_app_version or package_version(),
            "short_name": settings.teams_app_name,
            "developer_name": settings.teams_app_developer,
        }
        values.update({k: v for k, v in overrides.items() if v})
        # One app registration usually serves as both the bot and the Teams app.
        values["teams_app_id"] = values["teams_app_id"] or values["bot_id"]
        result = cls(**values)
        result.check()
        return result

    def check(self) -> None:
        """Raise :class:`ManifestError` listing every missing or malformed value."""
        problems = []
        if not self.bot_id:
            problems.append("the bot's app id is missing (set MicrosoftAppId)")
        elif not _GUID.match(self.bot_id):
            problems.append(f"the bot's app id {self.bot_id!r} is not a GUID (MicrosoftAppId)")
        if not _GUID.match(self.teams_app_id):
            problems.append(f"the Teams app id {self.teams_app_id!r} is not a GUID (TEAMS_APP_ID)")
        if not self.bot_domain:
            problems.append("the bot's public host name is missing (set BOT_DOMAIN, e.g. switchover.example.org)")
        elif not _DOMAIN.match(self.bot_domain):
            problems.append(f"BOT_DOMAIN {self.bot_domain!r} must be a host name only, without https:// or a path")
        if not _SEMVER.match(self.version):
            problems.append(f"the app version {self.version!r} must look like 1.2.3 (TEAMS_APP_VERSION)")
        if not self.short_name or len(self.short_name) > 30:
            problems.append(f"the app name {self.short_name!r} must be 1 to 30 characters (TEAMS_APP_NAME)")
        if len(self.full_name) > 100:
            problems.append("the full app name must be at most 100 characters")
        if not self.developer_name or len(self.developer_name) > 32:
            problems.append(
                f"the developer name {self.developer_name!r} must be 1 to 32 characters (TEAMS_APP_DEVELOPER)"
            )
        if problems:
            raise ManifestError("cannot build the Teams app manifest: " + "; ".join(problems))

    def placeholders(self) -> dict[str, str]:
        """The template's placeholder names and their values."""
        website = (self.website_url or f"https://{self.bot_domain}").rstrip("/")
        return {
            "TEAMS_APP_ID": self.teams_app_id,
            "BOT_ID": self.bot_id,
            "BOT_DOMAIN": self.bot_domain,
            "APP_VERSION": self.version,
            "APP_SHORT_NAME": self.short_name,
            "APP_FULL_NAME": self.full_name,
            "DEVELOPER_NAME": self.developer_name,
            "WEBSITE_URL": website,
            "PRIVACY_URL": f"{website}/privacy",
            "TERMS_URL": f"{website}/terms",
            "ACCENT_COLOR": ACCENT_COLOR,
        }


def package_version() -> str:
    """Switchover's own version, used as the app version unless TEAMS_APP_VERSION says otherwise."""
    try:
        return metadata.version("switchover")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def _fill(node: Any, values: dict[str, str], missing: set[str]) -> Any:
    if isinstance(node, dict):
        return {key: _fill(value, values, missing) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(item, values, missing) for item in node]
    if isinstance(node, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                missing.add(name)
                return match.group(0)
            return values[name]

        return _PLACEHOLDER.sub(substitute, node)
    return node


def render_manifest(values: ManifestValues, manifest_dir: Path = MANIFEST_DIR) -> dict[str, Any]:
    """The filled-in manifest as a dict.

    Raises:
        ManifestError: the template is not valid JSON or names a placeholder with no value.
    """
    path = manifest_dir / TEMPLATE_NAME
    try:
        template = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    missing: set[str] = set()
    manifest = _fill(template, values.placeholders(), missing)
    if missing:
        raise ManifestError(f"{path}: no value for placeholder(s) {', '.join(sorted(missing))}")
    declared = {a.get("type"): a for a in (manifest.get("activities") or {}).get("activityTypes", [])}
    for kind, parameters in ACTIVITY_TYPES.items():
        if kind not in declared:
            raise ManifestError(f"{path}: activities.activityTypes does not declare {kind!r}, which the app sends")
        wanted = set(re.findall(r"\{(\w+)\}", declared[kind].get("templateText", "")))
        if not wanted <= set(parameters):
            raise ManifestError(f"{path}: {kind!r}'s templateText asks for {sorted(wanted - set(parameters))}")
    return manifest


def build_package(out: Path, values: ManifestValues, manifest_dir: Path = MANIFEST_DIR) -> Path:
    """Write the app package Teams accepts for upload: manifest.json and both icons at the zip's root.

    Args:
        out: the zip file to write (its folder is created).
        values: the placeholder values.
        manifest_dir: where the template and icons are.

    Returns:
        ``out``.

    Raises:
        ManifestError: a value, the template or an icon is missing.
    """
    manifest = render_manifest(values, manifest_dir)
    icons = [manifest_dir / name for name in ICON_FILES]
    absent = [str(icon) for icon in icons if not icon.is_file()]
    if absent:
        raise ManifestError(f"icon(s) missing: {', '.join(absent)} (run manifest/icons.py)")
    out.parent.mkdir(parents=True, exist_ok=True)
    entries = [("manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())]
    entries += [(icon.name, icon.read_bytes()) for icon in icons]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, data in entries:
            # A fixed timestamp: the same inputs give the same bytes, so a changed package means changed content.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            package.writestr(info, data)
    return out


# ---------------------------------------------------------------------------
# switchover manifest build


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``manifest build`` to the ``switchover`` command."""
    manifest = subparsers.add_parser("manifest", help="build the Teams app package")
    manifest_sub = manifest.add_subparsers(dest="manifest_command", metavar="SUBCOMMAND", required=True)
    build = manifest_sub.add_parser(
        "build",
        help="write the Teams app package (manifest.json and icons in a zip) for upload to Teams",
        description=(
            "Fill manifest/manifest.template.json from the settings (MicrosoftAppId, TEAMS_APP_ID, BOT_DOMAIN, "
            "TEAMS_APP_VERSION, TEAMS_APP_NAME, TEAMS_APP_DEVELOPER); options override them."
        ),
    )
    build.add_argument("--out", type=Path, default=Path("build/switchover-app.zip"), help="the zip to write")
    build.add_argument("--bot-id", default="", help="the bot's Microsoft App ID (default: MicrosoftAppId)")
    build.add_argument("--app-id", default="", help="the Teams app id (default: TEAMS_APP_ID, else the bot id)")
    build.add_argument("--domain", default="", help="public host name of the bot (default: BOT_DOMAIN)")
    build.add_argument("--version", default="", help="app package version x.y.z (default: TEAMS_APP_VERSION)")
    build.add_argument("--name", default="", help="short app name (default: TEAMS_APP_NAME)")
    build.set_defaults(func=manifest_build)


def manifest_build(args: argparse.Namespace) -> int:
    """Run ``switchover manifest build``; returns the exit status."""
    import sys

    try:
        values = ManifestValues.from_settings(
            Settings(),  # type: ignore[call-arg]  # pydantic-settings fills it from the environment
            bot_id=args.bot_id,
            teams_app_id=args.app_id,
            bot_domain=args.domain,
            version=args.version,
            short_name=args.name,
        )
        out = build_package(args.out, values)
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return 1
    print(f"wrote {out} (app {values.teams_app_id}, bot {values.bot_id}, version {values.version})")  # noqa: T201
    return 0
