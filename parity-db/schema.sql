-- Schema of parity-db/parity.sqlite, applied by the harness in version order.
-- Each `-- version: N` section is one migration; the database's PRAGMA user_version is the
-- last one applied. Add a new section to change the schema; never edit an applied one.
-- The database is derived: the text sources (go-inventory/*.tsv, not_applicable.tsv, the
-- `// go:` claims in our sources, JUnit results) rebuild it at any time.

-- version: 1
CREATE TABLE inventory_meta (
    label   TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    source  TEXT NOT NULL,
    -- Second definitions of a key under other build tags, one per line.
    also    TEXT NOT NULL
);

CREATE TABLE inventory (
    label    TEXT NOT NULL,
    package  TEXT NOT NULL,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('test', 'benchmark', 'fuzz')),
    file     TEXT NOT NULL,
    line     INTEGER NOT NULL,
    category TEXT NOT NULL,
    build    TEXT NOT NULL,
    skips    INTEGER NOT NULL,
    PRIMARY KEY (label, package, name)
);

CREATE TABLE not_applicable (
    key    TEXT PRIMARY KEY,
    reason TEXT NOT NULL
);

-- A Rust test (or, later, a harness scenario) that claims Go tests.
CREATE TABLE claimants (
    id      INTEGER PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('rust-test', 'scenario')),
    file    TEXT NOT NULL,
    line    INTEGER NOT NULL,
    binary  TEXT NOT NULL,
    path    TEXT NOT NULL,
    ignored INTEGER NOT NULL
);

CREATE TABLE claims (
    key      TEXT NOT NULL,
    claimant INTEGER NOT NULL REFERENCES claimants (id),
    line     INTEGER NOT NULL,
    PRIMARY KEY (key, claimant)
);

-- Invalid claims and not-applicable entries: the gate fails while any exist.
CREATE TABLE problems (
    file    TEXT NOT NULL,
    line    INTEGER NOT NULL,
    message TEXT NOT NULL
);

-- One recorded test run (a JUnit file) and its per-test results.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    commit_id   TEXT NOT NULL,
    source      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    passed      INTEGER NOT NULL,
    failed      INTEGER NOT NULL,
    skipped     INTEGER NOT NULL
);

CREATE TABLE results (
    run     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    binary  TEXT NOT NULL,
    name    TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'skipped')),
    seconds REAL NOT NULL,
    PRIMARY KEY (run, binary, name)
);

-- version: 2
-- Scenario runs (`harness diff`): each scenario played against the Go server and rnats. A scenario's
-- claims count with the latest result recorded for it, when that result is for the same content.
CREATE TABLE scenario_runs (
    id          INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    commit_id   TEXT NOT NULL,
    go_server   TEXT NOT NULL,
    rust_server TEXT NOT NULL,
    backend     TEXT NOT NULL
);

CREATE TABLE scenario_results (
    run         INTEGER NOT NULL REFERENCES scenario_runs (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    file        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('same', 'differs', 'error')),
    detail      TEXT NOT NULL,
    diff        TEXT NOT NULL,
    seconds     REAL NOT NULL,
    PRIMARY KEY (run, name)
);
