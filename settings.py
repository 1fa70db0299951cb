"""The one place RevRisk reads its environment.

Every other module receives a `Settings` (or values taken from it) instead of reading
`os.environ`. Values come from the environment, then from `.env` in the working directory;
`.env.example` lists them all.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, NonNegativeInt, PositiveFloat, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Application settings: each is read from `REVRISK_` + its name in capitals, unless its
    `validation_alias` names the variable (OpenAI's standard names, a few shorter ones)."""

    model_config = SettingsConfigDict(
        env_prefix="REVRISK_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        use_attribute_docstrings=True,  # a field's description is the docstring under it
    )

    warehouse_path: Path = Field(
        default=Path("var/revrisk.duckdb"), validation_alias="REVRISK_WAREHOUSE"
    )
    var_dir: Path = Path("var")
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    openai_model: str = "gpt-4o-mini"
    offline: bool = False
    max_import_mb: float = 200.0
    host: str = "127.0.0.1"
    port: int = 8000
    auth_users: str | None = Field(default=None, validation_alias="REVRISK_USERS")
    """Optional chat logins as 'user:password,user2:password2'."""
    allowed_origins: str | None = None
    """Extra browser origins the chat accepts, comma-separated (localhost on the server's port is
    always allowed)."""
    chainlit_auth_secret: SecretStr | None = Field(
        default=None, validation_alias="CHAINLIT_AUTH_SECRET"
    )
    # Bounds of one `query_duckdb` query (data.sql_guard.SqlLimits). Measured without them
    # (issue 11): `SELECT range(1000000000)` passed 12 GB at 30 s.
    sql_timeout_s: PositiveFloat = 10.0
    """Time limit of one agent SQL query; a timer interrupts it."""
    sql_memory_limit_mb: int = Field(default=1024, ge=64, validation_alias="REVRISK_SQL_MEMORY_MB")
    """DuckDB memory_limit of the agent's SQL connection, and the growth of the process's resident
    memory at which the watchdog interrupts a query."""
    sql_threads: int = Field(default=2, ge=1)
    sql_max_temp_mb: NonNegativeInt = 1024
    """DuckDB max_temp_directory_size: how much a query may spill to disk."""
    sql_max_result_mb: PositiveFloat = 4.0
    """Largest result (the capped rows, as text) a query may return."""

    @field_validator("warehouse_path", "var_dir", mode="after")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        """Resolved once, against the working directory at start-up: a relative default such as
        `var` is never joined to another relative path later (uploads under `make run` were read
        from `var/uploads/<id>/var/uploads/<id>/…`), and a server started elsewhere sees the
        same files."""
        return path.expanduser().resolve()

    @property
    def use_openai(self) -> bool:
        """True when a remote/OpenAI-compatible model is configured and offline is not forced."""
        has_endpoint = self.openai_api_key is not None or self.openai_base_url is not None
        return has_endpoint and not self.offline


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return Settings()
