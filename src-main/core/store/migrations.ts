/**
 * Schema migrations, in order. Migration `i` (0-based) brings the database from `PRAGMA user_version = i` to
 * `i + 1`. Never edit or reorder a shipped migration: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: transfers, their files, contacts, settings.
  `
  CREATE TABLE transfers (
    id TEXT PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('send', 'receive')),
    peer_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('offered', 'accepted', 'transferring', 'completed', 'declined', 'failed',
                                         'interrupted', 'cancelled')),
    total_bytes INTEGER NOT NULL,
    transferred_bytes INTEGER NOT NULL DEFAULT 0,
    file_count INTEGER NOT NULL,
    transport TEXT,
    remote_addr TEXT,
    dest_dir TEXT,
    error_code TEXT,
    error_message TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX transfers_peer_created ON transfers (peer_id, created_at);
  CREATE INDEX transfers_state ON transfers (state);

  CREATE TABLE transfer_files (
    transfer_id TEXT NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    rel_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes_done INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT,
    local_path TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'transferring', 'verified', 'failed', 'skipped')),
    PRIMARY KEY (transfer_id, idx)
  );

  CREATE TABLE contacts (
    peer_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    last_seen_at INTEGER,
    addrs TEXT NOT NULL DEFAULT '[]', -- JSON array of multiaddr strings
    trusted INTEGER NOT NULL DEFAULT 0,
    blocked INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL -- JSON
  );
  `,
  // 2: when a transfer was first accepted (entered 'transferring'). Only an accepted transfer may resume without
  // asking the person again.
  'ALTER TABLE transfers ADD COLUMN accepted_at INTEGER;',
  // 3: the kind of device a contact says it is (`desktop`, `laptop`, `server`: from its invite or its offers), shown as
  // an icon; NULL when unknown (contacts added before, or by a version that does not say).
  'ALTER TABLE contacts ADD COLUMN device TEXT;',
  // 4: the typed facts of an error besides its code: why a file operation failed (`error_reason`, one of the core's
  // FAILURE_REASONS, e.g. 'disk-full'), and the words the peer sent with its reject or error (`error_peer_message`:
  // peer-supplied text, e.g. a decline's reason). NULL for transfers recorded before, and when there is none.
  `
  ALTER TABLE transfers ADD COLUMN error_reason TEXT;
  ALTER TABLE transfers ADD COLUMN error_peer_message TEXT;
  `,
  // 5: where a contact relays for its contacts (circuit-relay-v2, docs/CONNECTIVITY.md §9 "Contacts and your own
  // devices as relays"): a JSON array of its reachable direct multiaddrs, each ending in `/p2p/<its peer ID>`, learned
  // from identify; NULL when it does not relay (or never said).
  'ALTER TABLE contacts ADD COLUMN relay_addrs TEXT;',
  // 6: the kind of a transfer ('files', or 'text': a text snippet, docs/PROTOCOL.md §4 "offer") and a snippet's text,
  // kept here and never written to the download folder. Transfers recorded before are 'files' with no text.
  `
  ALTER TABLE transfers ADD COLUMN kind TEXT NOT NULL DEFAULT 'files';
  ALTER TABLE transfers ADD COLUMN text TEXT;
  `,
  // 7: the outbox: sends queued for a contact who is offline, delivered when presence sees it online. Files are kept
  // by reference (`abs_path`) with what they were when queued — size, modification time (ms, fractional), SHA-256 of
  // the first block (docs/PROTOCOL.md BLOCK_BYTES) — so a file changed or deleted meanwhile is reported, not sent
  // stale; a text snippet by value. An entry's ID becomes its transfer's ID once it is offered.
  `
  CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    peer_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('files', 'text')),
    text TEXT,
    total_bytes INTEGER NOT NULL,
    file_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX outbox_peer_created ON outbox (peer_id, created_at);

  CREATE TABLE outbox_files (
    entry_id TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    rel_path TEXT NOT NULL,
    abs_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    head_sha256 TEXT NOT NULL,
    PRIMARY KEY (entry_id, idx)
  );
  `
]
