"""Settings that come from the environment: the database URL, the config path, secrets.

Everything organisational (offices, sources, schedule) lives in the TOML config
(`flows/config.py`); what differs per machine or must stay secret lives here.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from vocabulary.dates import EARLIEST

DEFAULT_DB_PATH = Path("data") / "painmap.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAINMAP_", extra="ignore")

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///./data/painmap.db"
    )
    config: Path | None = Field(default=None, description="path of painmap.toml")
    pos_api_token: str | None = Field(default=None, description="token of the ПОС API")
    data_dir: Path = Field(default=Path("data"), description="where the default SQLite file lives")
    earliest_date: date = Field(default=EARLIEST, description="feedback dated earlier is quarantined")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_url(self.database_url)
        return f"sqlite:///{self.data_dir / 'painmap.db'}"


def normalise_url(url: str) -> str:
    """Accept the `postgresql://` URLs people paste and route them to psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
