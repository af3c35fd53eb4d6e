"""Pure pieces: keys, cursors, input rules, settings and the EMF documents."""

from __future__ import annotations

import base64
import gc
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError
from sensor_api.auth import (
    AuthError,
    Principal,
    hash_key,
    matches_any,
    new_sensor_key,
    require_writer,
    sensor_id_of,
)
from sensor_api.cursor import CursorError, decode_reading_cursor, encode_reading_cursor, encode_sensor_cursor
from sensor_api.errors import ApiError
from sensor_api.gctune import OLDER_GENERATIONS, tune_collector
from sensor_api.metrics import MetricsRecorder
from sensor_api.rules import check_batch_size, check_reading_times, resolve_window, utc_stamps
from sensor_api.settings import ServiceSettings

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_sensor_key_names_its_sensor_and_only_its_hash_matches() -> None:
    sensor = uuid.uuid4()
    key = new_sensor_key(sensor)
    assert sensor_id_of(key) == sensor
    assert len(hash_key(key)) == 32 and hash_key(key) != key.encode()
    assert matches_any(hash_key(key), [hash_key("other"), hash_key(key)])
    assert not matches_any(hash_key(key + "x"), [hash_key(key)])


@pytest.mark.parametrize("key", ["", "no-dot", "not-a-uuid.secret", "0b5e9c1e-7f00-4c6a-9d3e-5a1f2b3c4d5e."])
def test_malformed_keys_name_no_sensor(key: str) -> None:
    assert sensor_id_of(key) is None


def test_a_sensor_key_may_write_only_its_own_readings() -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()
    require_writer(Principal("sensor", mine), mine)
    with pytest.raises(AuthError, match=f"belongs to sensor {mine}") as err:
        require_writer(Principal("sensor", mine), other)
    assert err.value.status == 403
    with pytest.raises(AuthError, match="not a admin key"):
        require_writer(Principal("admin"), mine)


def test_reading_cursor_round_trips_and_rejects_tampering() -> None:
    ts = NOW.replace(microsecond=123456)
    assert decode_reading_cursor(encode_reading_cursor(ts, 42)) == (ts, 42)
    overflow = base64.urlsafe_b64encode(b"r|0001-01-01T00:00:00+03:01|5").decode()
    for bad in ("garbage!", encode_sensor_cursor(uuid.uuid4()), "cnwyMDI0fHh4", overflow):
        with pytest.raises(CursorError, match="next_cursor"):
            decode_reading_cursor(bad)


def readings(*offsets: timedelta) -> list[datetime]:
    return [NOW + offset for offset in offsets]


def test_timestamps_beyond_clock_skew_are_rejected_naming_the_reading() -> None:
    check_reading_times(readings(timedelta(seconds=299)), NOW, 300, 365)
    with pytest.raises(ApiError, match=r"reading 1: ts .* more than 300 s in the future") as err:
        check_reading_times(readings(timedelta(0), timedelta(hours=1)), NOW, 300, 365)
    assert err.value.status == 422


def test_timestamps_older_than_the_ingest_horizon_are_rejected() -> None:
    with pytest.raises(ApiError, match="older than READING_MAX_AGE_DAYS=365"):
        check_reading_times(readings(timedelta(days=-400)), NOW, 300, 365)


def test_timestamps_that_overflow_in_utc_are_a_422_naming_the_reading() -> None:
    fine = datetime(2024, 5, 1, tzinfo=timezone(timedelta(hours=2)))
    assert utc_stamps([fine]) == [datetime(2024, 4, 30, 22, tzinfo=UTC)]
    overflow = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=3)))
    with pytest.raises(ApiError, match=r"reading 1: ts 0001-01-01T00:00:00\+03:00 is out of range") as err:
        utc_stamps([fine, overflow])
    assert err.value.status == 422


def test_batch_above_the_maximum_is_refused_with_the_limit() -> None:
    check_batch_size(1000, 1000)
    with pytest.raises(ApiError, match="batch has 1001 readings; INGEST_BATCH_MAX is 1000") as err:
        check_batch_size(1001, 1000)
    assert err.value.status == 413


def test_window_defaults_and_inverted_ranges() -> None:
    start, end = resolve_window(None, None, NOW, timedelta(hours=1), 300)
    assert (start, end) == (NOW - timedelta(hours=1), NOW + timedelta(seconds=300))
    with pytest.raises(ApiError, match="must be before end"):
        resolve_window(NOW, NOW - timedelta(seconds=1), NOW, timedelta(hours=1), 0)


def test_settings_without_a_database_say_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "DB_HOST"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError, match="set DATABASE_URL"):
        ServiceSettings()


def test_settings_build_dsns_from_host_parts_with_escaping() -> None:
    settings = ServiceSettings(
        db_host="writer.example", db_read_host="reader.example", db_user="api", db_password="p@ss/word"
    )
    assert settings.primary_dsn() == "postgresql://api:p%40ss%2Fword@writer.example:5432/sensors"
    assert settings.replica_dsn() == "postgresql://api:p%40ss%2Fword@reader.example:5432/sensors"
    assert ServiceSettings(database_url="postgresql://x@h/d").replica_dsn() is None


def test_admin_keys_shaped_like_sensor_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="ADMIN_API_KEYS holds a key shaped like a sensor key"):
        ServiceSettings(database_url="postgresql://x@h/d", admin_api_keys=f"{uuid.uuid4()}.secret")


def test_settings_split_comma_separated_keys() -> None:
    settings = ServiceSettings(database_url="postgresql://x@h/d", admin_api_keys=" a , b ,")
    assert settings.admin_keys() == ["a", "b"]
    assert settings.reader_keys() == []


def test_emf_documents_carry_counts_latency_samples_and_directives() -> None:
    recorder = MetricsRecorder("SensorApi", "sensor-api")
    for i in range(250):
        recorder.record("POST /v1/sensors/{sensor_id}/readings", 201 if i % 10 else 503, float(i))
    recorder.record("GET /healthz", 404, 1.0)
    recorder.record_flush(rows=40, seconds=0.01, committed=True)
    docs = recorder.documents(timestamp_ms=1_700_000_000_000)
    ingest = next(d for d in docs if d.get("Route") == "POST /v1/sensors/{sensor_id}/readings")
    assert (ingest["Requests"], ingest["ServerErrors"], ingest["ClientErrors"]) == (250, 25, 0)
    assert len(ingest["Latency"]) == 100  # EMF's limit for a value array
    directive = ingest["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "SensorApi" and directive["Dimensions"] == [["Service", "Route"]]
    assert {m["Name"] for m in directive["Metrics"]} <= set(ingest)
    assert next(d for d in docs if d.get("Route") == "GET /healthz")["ClientErrors"] == 1
    assert next(d for d in docs if "IngestRows" in d)["IngestRows"] == 40
    json.dumps(docs)


def test_collector_tuning_raises_thresholds_and_zero_leaves_them() -> None:
    before = gc.get_threshold()
    try:
        tune_collector(0)
        assert gc.get_threshold() == before
        tune_collector(123_456)
        assert gc.get_threshold() == (123_456, *OLDER_GENERATIONS)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
