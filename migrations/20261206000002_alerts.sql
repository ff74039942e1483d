-- Alerts (see src/alerts): the problems open now, one row per server and problem, so that a
-- problem is told once when it starts, reminded at most once an interval and told once when it
-- clears, across daemon restarts; the messages to send, kept until each channel took them; and
-- marks such as the day the last daily digest went out.
CREATE TABLE alert_problems (
    server        TEXT    NOT NULL,
    -- failed | silent | quarantine | unacknowledged
    problem       TEXT    NOT NULL,
    started_at    TEXT    NOT NULL,
    last_sent_at  TEXT    NOT NULL,
    -- what went wrong (with what to do), as first told, then as last seen
    reason        TEXT    NOT NULL,
    run_id        INTEGER,
    PRIMARY KEY (server, problem)
);

CREATE TABLE alert_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- email | webhook
    channel       TEXT    NOT NULL,
    -- the server whose overrides choose the recipients (NULL: the [alerts] defaults)
    server        TEXT,
    subject       TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    json          TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    next_try_at   TEXT    NOT NULL,
    tries         INTEGER NOT NULL DEFAULT 0,
    -- pending | sent | given_up
    state         TEXT    NOT NULL DEFAULT 'pending',
    sent_at       TEXT,
    last_error    TEXT
);
CREATE INDEX alert_outbox_pending ON alert_outbox (state, next_try_at);

CREATE TABLE alert_marks (
    name          TEXT    PRIMARY KEY,
    value         TEXT    NOT NULL
);
