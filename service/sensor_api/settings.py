"""Every setting of the sensor API, read once from the environment."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Literal
from urllib.parse import quote

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Environment variables of the sensor API (names are the field names in upper case)."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    service_name: str = "sensor-api"

    # Databases: a full URL, or host parts (the writer host is what changes after a promotion).
    database_url: SecretStr | None = None
    read_database_url: SecretStr | None = None
    db_host: str | None = None
    db_read_host: str | None = None
    db_port: int = Field(default=5432, ge=1, le=65535)
    db_name: str = "sensors"
    db_user: str = "sensor_api"
    db_password: SecretStr = SecretStr("")
    # An AWS Secrets Manager secret (JSON with username and password): when set, the credentials come
    # from it, and it is re-read when the database refuses them (a rotation), see credentials.py.
    db_secret_arn: str | None = None
    # An SSM parameter holding the writer host (host or host:port), followed at run time, see writer.py.
    db_writer_host_parameter: str | None = None
    writer_check_seconds: float = Field(default=5.0, gt=0)
    aws_region: str | None = None

    # Connection budget: pools are derived from these three, see budget.py.
    db_connection_budget: int = Field(default=300, ge=1)
    max_tasks: int = Field(default=20, ge=1)
    web_concurrency: int = Field(default=4, ge=1)
    db_pool_size: int | None = Field(default=None, ge=1)
    db_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    db_command_timeout_seconds: float = Field(default=10.0, gt=0)
    db_acquire_timeout_seconds: float = Field(default=10.0, gt=0)

    # Lag-aware reads.
    read_max_lag_seconds: float = Field(default=5.0, ge=0)
    replica_poll_seconds: float = Field(default=1.0, gt=0)

    # Ingest.
    ingest_batch_max: int = Field(default=1000, ge=1, le=100_000)
    ingest_coalesce: bool = True
    ingest_coalesce_window_ms: float = Field(default=2.0, ge=0, le=1000)
    ingest_coalesce_max_rows: int = Field(default=5000, ge=1)
    ingest_flushers: int = Field(default=2, ge=1)  # concurrent COPYs per worker, at most pool size - 1
    ingest_max_pending_rows: int = Field(default=50_000, ge=1)
    ingest_queue_timeout_seconds: float = Field(default=10.0, gt=0)
    reading_max_future_seconds: float = Field(default=300.0, ge=0)
    reading_max_age_days: float = Field(default=365.0, gt=0)

    # Queries and requests.
    read_limit_max: int = Field(default=1000, ge=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Slow clients: headers must arrive within this (the server's protocol closes the connection), and a
    # body within that once the app asks for it (408).
    http_header_timeout_seconds: float = Field(default=10.0, gt=0)
    http_body_timeout_seconds: float = Field(default=10.0, gt=0)

    # Auth: comma-separated keys (two allow a rotation). No key configured = nobody is admin/reader.
    admin_api_keys: SecretStr = SecretStr("")
    reader_api_keys: SecretStr = SecretStr("")
    auth_cache_seconds: float = Field(default=5.0, ge=0)

    migrate_on_start: bool = True
    gc_gen0_threshold: int = Field(default=100_000, ge=0)  # see gctune.py; 0 keeps CPython's defaults
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True  # JSON lines on stdout; false leaves logging to the host (tests)
    metrics_namespace: str = "SensorApi"
    metrics_interval_seconds: float = Field(default=60.0, gt=0)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _require_primary(self) -> ServiceSettings:
        if self.database_url is None and not self.db_host:
            raise ValueError(
                "no database configured: set DATABASE_URL (postgresql://user:password@host:5432/db) "
                "or DB_HOST with DB_NAME, DB_USER and DB_PASSWORD"
            )
        return self

    @model_validator(mode="after")
    def _writer_parameter_needs_host_parts(self) -> ServiceSettings:
        if self.db_writer_host_parameter and self.database_url is not None:
            raise ValueError(
                "DB_WRITER_HOST_PARAMETER replaces the host of DB_HOST: configure the database with DB_HOST, "
                "DB_PORT, DB_NAME and DB_USER instead of DATABASE_URL"
            )
        return self

    @model_validator(mode="after")
    def _role_keys_unlike_sensor_keys(self) -> ServiceSettings:
        for name, keys in (("ADMIN_API_KEYS", self.admin_keys()), ("READER_API_KEYS", self.reader_keys())):
            for key in keys:
                head, dot, _ = key.partition(".")
                if dot and _is_uuid(head):
                    raise ValueError(
                        f"{name} holds a key shaped like a sensor key (<uuid>.<secret>); "
                        "such keys are checked as sensor keys only: choose another admin or reader key"
                    )
        return self

    def primary_dsn(self) -> str:
        """The writer's connection string."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.dsn_for(self.db_host or "")

    def replica_dsn(self) -> str | None:
        """The read replica's connection string, or None when there is no replica."""
        if self.read_database_url is not None:
            return self.read_database_url.get_secret_value() or None
        if self.db_read_host:
            return self.dsn_for(self.db_read_host)
        return None

    def admin_keys(self) -> list[str]:
        return _split_keys(self.admin_api_keys)

    def reader_keys(self) -> list[str]:
        return _split_keys(self.reader_api_keys)

    def dsn_for(self, host: str, port: int | None = None) -> str:
        """The connection string for `host` with the configured port (or `port`), database and user."""
        user = quote(self.db_user, safe="")
        password = quote(self.db_password.get_secret_value(), safe="")
        auth = f"{user}:{password}" if password else user
        return f"postgresql://{auth}@{host}:{port or self.db_port}/{quote(self.db_name, safe='')}"


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _split_keys(raw: SecretStr) -> list[str]:
    return [key.strip() for key in raw.get_secret_value().split(",") if key.strip()]


@lru_cache(maxsize=1)
def get_settings() -> ServiceSettings:
    """The process's settings, read from the environment once."""
    return ServiceSettings()
