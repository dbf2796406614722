/**
 * Numbered schema migrations; entry N takes the database from user_version N to N+1.
 * Never edit a released entry: add a new one.
 */
export const migrations: string[] = [
  // 1: configuration in tables, users
  `
  CREATE TABLE gateway_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL            -- JSON
  );
  CREATE TABLE devices (
    id       INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    name     TEXT NOT NULL UNIQUE,
    driver   TEXT NOT NULL,
    enabled  INTEGER NOT NULL,
    uns      TEXT NOT NULL,
    settings TEXT NOT NULL         -- JSON, validated by the driver's schema
  );
  CREATE TABLE groups (
    id           INTEGER PRIMARY KEY,
    device_id    INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    interval_ms  INTEGER NOT NULL,
    publish      TEXT NOT NULL,
    heartbeat_ms INTEGER NOT NULL,
    UNIQUE (device_id, name)
  );
  CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    type        TEXT,
    length      INTEGER,
    byte_order  TEXT,
    access      TEXT NOT NULL,
    scale       REAL NOT NULL,
    "offset"    REAL NOT NULL,
    deadband    REAL NOT NULL,
    unit        TEXT,
    description TEXT
  );
  CREATE INDEX tags_group ON tags(group_id, position);
  CREATE TABLE north_apps (
    id       INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    name     TEXT NOT NULL UNIQUE,
    plugin   TEXT NOT NULL,
    enabled  INTEGER NOT NULL,
    devices  TEXT NOT NULL,        -- JSON array of device names or "*"
    settings TEXT NOT NULL         -- JSON, validated by the plugin's schema
  );
  CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  );
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: login sessions and API tokens (only a hash of the secret is kept)
  `
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,      -- session | api
    name       TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER             -- NULL = until revoked
  );
  `,
  // 3: store-and-forward spool of the north apps (QoS >= 1 messages until the broker acknowledges them)
  `
  CREATE TABLE spool (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    app        TEXT NOT NULL,
    topic      TEXT NOT NULL,
    payload    BLOB NOT NULL,
    qos        INTEGER NOT NULL,
    retain     INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX spool_app ON spool(app, id);
  `,
  // 4: configuration history: every applied configuration, who applied it and how
  `
  CREATE TABLE config_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    applied_at INTEGER NOT NULL,
    username   TEXT,
    source     TEXT NOT NULL,
    config     TEXT NOT NULL      -- JSON, as validated (defaults filled in)
  );
  `,
  // 5: a device's longest wait between reconnect attempts (devices stored before get the default)
  `
  ALTER TABLE devices ADD COLUMN reconnect_max_ms INTEGER NOT NULL DEFAULT 10000;
  `,
  // 6: audit trail: who did what, when and from where (bounded by age and count in code)
  `
  CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    action   TEXT NOT NULL,
    ok       INTEGER NOT NULL,
    username TEXT,
    source   TEXT NOT NULL,
    address  TEXT,
    value    TEXT,
    error    TEXT
  );
  CREATE INDEX audit_log_at ON audit_log(at);
  `,
  // 7: configuration history: what each change did, in words (entries recorded before have none)
  `
  ALTER TABLE config_history ADD COLUMN summary TEXT NOT NULL DEFAULT '';
  `,
  // 8: the tag fields a driver adds (Modbus byteOrder) as one JSON object, instead of a column per field
  `
  ALTER TABLE tags ADD COLUMN fields TEXT;
  UPDATE tags SET fields = json_object('byteOrder', byte_order) WHERE byte_order IS NOT NULL;
  ALTER TABLE tags DROP COLUMN byte_order;
  `,
  // 9: models (one device definition many devices are built from); a device may name one
  `
  CREATE TABLE models (
    id          INTEGER PRIMARY KEY,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    description TEXT,
    driver      TEXT NOT NULL,
    params      TEXT NOT NULL,     -- JSON array of parameter names
    settings    TEXT NOT NULL,     -- JSON, default settings
    groups      TEXT NOT NULL      -- JSON array of groups with their tags
  );
  ALTER TABLE devices ADD COLUMN model TEXT;
  ALTER TABLE devices ADD COLUMN params TEXT;   -- JSON object, with model
  `,
  // 10: alarms: definitions on tags, each alarm's state (kept across restarts) and its history (bounded in code)
  `
  ALTER TABLE tags ADD COLUMN alarms TEXT;   -- JSON array of alarm definitions, NULL = none
  CREATE TABLE alarm_state (
    alarm_id     TEXT PRIMARY KEY,
    device       TEXT NOT NULL,
    tag          TEXT NOT NULL,
    alarm        TEXT NOT NULL,
    state        TEXT NOT NULL,      -- active | normal
    acked        INTEGER NOT NULL,
    active_since INTEGER,
    changed_at   INTEGER NOT NULL,
    value        TEXT,               -- JSON
    message      TEXT NOT NULL,
    acked_by     TEXT,
    acked_at     INTEGER,
    ack_comment  TEXT
  );
  CREATE TABLE alarm_history (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    alarm_id TEXT NOT NULL,
    device   TEXT NOT NULL,
    tag      TEXT NOT NULL,
    alarm    TEXT NOT NULL,
    kind     TEXT NOT NULL,          -- active | normal | ack
    severity TEXT NOT NULL,
    message  TEXT NOT NULL,
    value    TEXT,                   -- JSON
    username TEXT,
    source   TEXT,
    comment  TEXT
  );
  CREATE INDEX alarm_history_at ON alarm_history(at);
  `,
  // 11: computed tags: a group's trigger (their expression or aggregate is a driver field, in tags.fields;
  // such a tag stores address '')
  `
  ALTER TABLE groups ADD COLUMN "trigger" TEXT;
  `,
];
