-- Sensors and their readings.
CREATE TABLE sensors (
    id             uuid PRIMARY KEY,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind           text NOT NULL DEFAULT '' CHECK (length(kind) <= 100),
    key_hash       bytea NOT NULL CHECK (length(key_hash) = 32),  -- SHA-256 of the API key
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    deactivated_at timestamptz
);

-- One index serves ingest, range queries and keyset pagination: (sensor_id, ts, id).
CREATE TABLE readings (
    sensor_id uuid NOT NULL REFERENCES sensors (id),
    ts        timestamptz NOT NULL,
    id        bigint GENERATED ALWAYS AS IDENTITY (CACHE 100),
    value     double precision NOT NULL
              CHECK (value <> 'NaN'::float8 AND value <> 'Infinity'::float8 AND value <> '-Infinity'::float8),
    PRIMARY KEY (sensor_id, ts, id)
);
