"""One typed settings object, loaded once in ``app.main()`` from the environment / ``.env``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "data"


def async_database_url(url: str) -> str:
    """Map plain ``sqlite://`` / ``postgresql://`` URLs to their async drivers."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


class Settings(BaseSettings):
    """Everything Switchover reads from its environment.

    The bot identity uses the names Azure Bot Service uses, so an App Service
    configured for a Bot Framework bot works unchanged.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    app_id: str = Field("", validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID"))
    app_password: SecretStr = Field(
        SecretStr(""), validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD")
    )
    app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = Field(
        "MultiTenant", validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE")
    )
    app_tenant_id: str = Field("", validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID"))
    # Sovereign clouds (and the test suite's loopback identity provider) override these.
    botframework_openid_metadata_url: str = Field("", validation_alias=AliasChoices("BOTFRAMEWORK_OPENID_METADATA_URL"))
    botframework_token_issuer: str = Field("", validation_alias=AliasChoices("BOTFRAMEWORK_TOKEN_ISSUER"))
    botframework_login_url: str = Field("", validation_alias=AliasChoices("BOTFRAMEWORK_LOGIN_URL"))
    botframework_oauth_scope: str = Field("", validation_alias=AliasChoices("BOTFRAMEWORK_OAUTH_SCOPE"))
    # Comma-separated tenant ids whose activities are accepted (the plan's organisation.tenant_id,
    # when set, is the only one). With an app id and no tenant named anywhere, the app refuses
    # to start unless SWITCHOVER_ALLOW_ANY_TENANT=true (see switchover.tenant.served_tenants).
    allowed_tenants: str = Field("", validation_alias=AliasChoices("SWITCHOVER_ALLOWED_TENANTS"))
    allow_any_tenant: bool = Field(False, validation_alias=AliasChoices("SWITCHOVER_ALLOW_ANY_TENANT"))

    # The migration plan; no default: every deployment names its own (./scripts/demo names an example).
    plan_path: Path | None = Field(None, validation_alias=AliasChoices("SWITCHOVER_PLAN"))
    roster_path: Path | None = Field(None, validation_alias=AliasChoices("SWITCHOVER_ROSTER"))
    database_url: str = Field("", validation_alias=AliasChoices("DATABASE_URL"))
    data_dir: Path = Field(DEFAULT_DATA_DIR, validation_alias=AliasChoices("SWITCHOVER_DATA_DIR"))
    port: int = Field(3978, validation_alias=AliasChoices("PORT"))
    # Where to listen; empty: 127.0.0.1 in local mode (no app id: nothing is authenticated),
    # every interface (0.0.0.0) with an app id. See ``listen_host``.
    host: str = Field("", validation_alias=AliasChoices("HOST"))
    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    # Bearer token for the HTTP API (announcements, problems); empty disables the API.
    # (the single token is a full-access token for the tenant served; docs/security.md)
    api_token: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices("SWITCHOVER_API_TOKEN"))
    # Scoped API tokens, name:scope:tenant:sha256 entries (switchover/api_tokens.py), inline and/or in a
    # file that is re-read when it changes (rotation without a restart).
    api_tokens: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices("SWITCHOVER_API_TOKENS"))
    api_tokens_file: Path | None = Field(None, validation_alias=AliasChoices("SWITCHOVER_API_TOKENS_FILE"))
    max_body_bytes: int = Field(256 * 1024, validation_alias=AliasChoices("SWITCHOVER_MAX_BODY_BYTES"))
    # A client that stops sending mid-body is answered 408 after this, not waited on forever.
    body_timeout_seconds: float = Field(10.0, gt=0, validation_alias=AliasChoices("SWITCHOVER_BODY_TIMEOUT_SECONDS"))

    # Microsoft Graph (switchover.directory.graph). ``roster`` keeps the CSV directory.
    directory_source: Literal["roster", "graph"] = Field(
        "roster", validation_alias=AliasChoices("SWITCHOVER_DIRECTORY")
    )
    graph_tenant_id: str = Field("", validation_alias=AliasChoices("GRAPH_TENANT_ID"))
    graph_client_id: str = Field("", validation_alias=AliasChoices("GRAPH_CLIENT_ID"))
    graph_client_secret: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices("GRAPH_CLIENT_SECRET"))
    graph_certificate_path: Path | None = Field(None, validation_alias=AliasChoices("GRAPH_CERTIFICATE_PATH"))
    graph_use_managed_identity: bool = Field(False, validation_alias=AliasChoices("GRAPH_USE_MANAGED_IDENTITY"))
    # Where Graph lives, version included; tests point it at a loopback fake.
    graph_base_url: str = Field("https://graph.microsoft.com/v1.0", validation_alias=AliasChoices("GRAPH_BASE_URL"))
    graph_sync_minutes: float = Field(60.0, gt=0, validation_alias=AliasChoices("GRAPH_SYNC_MINUTES"))
    graph_cache_seconds: float = Field(300.0, ge=0, validation_alias=AliasChoices("GRAPH_CACHE_SECONDS"))
    # A live Graph lookup never holds an answer longer than this; the snapshot answers instead.
    graph_timeout_seconds: float = Field(5.0, gt=0, validation_alias=AliasChoices("GRAPH_TIMEOUT_SECONDS"))
    teams_app_catalog_id: str = Field("", validation_alias=AliasChoices("TEAMS_APP_CATALOG_ID"))
    # Readiness without Graph: the Entra "User registration details" and Intune "All devices"
    # exports (switchover.readiness.exports); each overrides the plan's readiness.sources.
    mfa_export_path: Path | None = Field(None, validation_alias=AliasChoices("SWITCHOVER_MFA_EXPORT"))
    devices_export_path: Path | None = Field(None, validation_alias=AliasChoices("SWITCHOVER_DEVICES_EXPORT"))

    # The Teams app package (``switchover manifest build``). The app id defaults to the bot's app id.
    teams_app_id: str = Field("", validation_alias=AliasChoices("TEAMS_APP_ID"))
    teams_app_version: str = Field("", validation_alias=AliasChoices("TEAMS_APP_VERSION"))
    teams_app_name: str = Field("Switchover", validation_alias=AliasChoices("TEAMS_APP_NAME"))
    teams_app_developer: str = Field("Switchover", validation_alias=AliasChoices("TEAMS_APP_DEVELOPER"))
    # The public host name of the messaging endpoint, e.g. switchover.example.org.
    bot_domain: str = Field("", validation_alias=AliasChoices("BOT_DOMAIN"))
    # Signs the links the bot hands out beyond Teams (chart images, email acknowledgements:
    # switchover/links.py); the same on every instance. Empty: a random one per process.
    link_secret: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices("SWITCHOVER_LINK_SECRET"))
    # Delivery (announcements, problem notifications): Teams' per-app-per-tenant limit, what to
    # do with a send a hard crash left in doubt, and how late a missed announcement still goes.
    tenant_rate: float = Field(50.0, gt=0, le=1000, validation_alias=AliasChoices("SWITCHOVER_TENANT_RATE"))
    delivery_in_doubt: Literal["resend", "hold"] = Field(
        "resend", validation_alias=AliasChoices("SWITCHOVER_DELIVERY_IN_DOUBT")
    )
    missed_grace_minutes: float = Field(120.0, ge=0, validation_alias=AliasChoices("SWITCHOVER_MISSED_GRACE_MINUTES"))
    # Who gets the list of people who have not acknowledged after an announcement's last reminder:
    # the plan's site champions, or each person's manager from Graph (else their site's champion).
    chasers_escalate_to: Literal["champions", "managers"] = Field(
        "champions", validation_alias=AliasChoices("SWITCHOVER_CHASERS_ESCALATE_TO")
    )
    # How long resolved problem reports, dialog state, sent messages and FAQ questions are kept
    # (switchover/privacy.py purges what is older, once an hour).
    retention_days: int = Field(180, ge=1, validation_alias=AliasChoices("SWITCHOVER_RETENTION_DAYS"))

    @field_validator("allowed_tenants")
    @classmethod
    def _strip(cls, v: str) -> str:
        return ",".join(t.strip() for t in v.split(",") if t.strip())

    @property
    def allowed_tenant_ids(self) -> frozenset[str]:
        return frozenset(t.lower() for t in self.allowed_tenants.split(",") if t)

    @property
    def auth_enabled(self) -> bool:
        return bool(self.app_id)

    @property
    def listen_host(self) -> str:
        """``HOST`` if set; else loopback only in local mode, every interface with an app id."""
        if self.host:
            return self.host
        return "0.0.0.0" if self.auth_enabled else "127.0.0.1"  # noqa: S104 - tokens are checked

    @property
    def async_database_url(self) -> str:
        url = self.database_url or f"sqlite:///{self.data_dir / 'switchover.db'}"
        return async_database_url(url)
