-- 0008 stations: reception days (接待日) at deputies' liaison stations and homes, with the
-- deputies on duty, and the receptions recorded there (接待记录).
-- Kept column-for-column in step with ../postgres/0008_stations.sql (tested).

-- The station's public telephone (an office line, not a person's).
ALTER TABLE stations ADD COLUMN contact TEXT NOT NULL DEFAULT '';

CREATE TABLE reception_days (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    station_id INTEGER NOT NULL REFERENCES stations(id),
    on_date TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    topic TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    cancelled_at INTEGER,
    cancel_reason TEXT
);
CREATE INDEX reception_days_station ON reception_days (station_id, on_date);
CREATE INDEX reception_days_congress ON reception_days (congress_id, on_date);

CREATE TABLE reception_day_deputies (
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    reception_day_id INTEGER NOT NULL REFERENCES reception_days(id),
    deputy_id INTEGER NOT NULL REFERENCES deputies(id),
    PRIMARY KEY (reception_day_id, deputy_id)
);

-- What a citizen raised at a reception, entered by station staff on their behalf. The visitor's
-- name and contact are personal data: sealed, and shown masked.
CREATE TABLE receptions (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    reception_day_id INTEGER NOT NULL REFERENCES reception_days(id),
    deputy_id INTEGER REFERENCES deputies(id),
    visitor_sealed TEXT,
    matter TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX receptions_day ON receptions (reception_day_id, id);
