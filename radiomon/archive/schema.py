"""The archive's schema and its forward migrations.

``PRAGMA user_version`` holds the schema version. Each migration is a list of
statements applied in one transaction, so an archive is always at a whole
version. Add a new entry at the end of :data:`MIGRATIONS`; never edit one that
has shipped.

Full-text search: FTS5 with external content over ``segments.text``, kept
current by triggers, tokenizer ``unicode61 remove_diacritics 2``. That
tokenizer folds case and accents, and it also folds ñ to n ("año" and "ano"
index alike). We accept that: Whisper and people typing on a phone drop the
tilde often, and a search that misses "Piñícuaro" typed as "Pinicuaro" is
worse than the rare año/ano collision. The table and trigger names follow
sqlite-utils' conventions so Datasette finds and uses the index as it is.

Bulk writes: a per-row insert trigger into FTS5 runs at about 18,000 rows/s
here, while one ``INSERT INTO segments_fts SELECT …`` per recording runs at
about 70,000. So the archive's own writer sets a flag row in
``radiomon_bulk_insert`` inside its transaction, the insert trigger stands
aside while the flag is there, and the writer indexes the recording's rows
in one statement before clearing the flag and committing. Any other writer
(sqlite3, Datasette, a script) never sees the flag, so the triggers keep the
index current for them as usual. ``columnsize=0`` drops FTS5's per-row size
table (about a tenth of the archive); bm25 then measures the few hundred
rows it ranks on demand (see archive/fts.py).

Segment times: a station-year is about four million segments of ~90
characters, so per-row overhead decides the archive's size. Times are stored
as integer milliseconds (3–6 bytes each instead of 8-byte floats and two
24-character strings); ``start``/``end`` (seconds into the recording) and
``start_utc``/``end_utc`` (ISO text, ``2026-11-25T20:00:00.000Z``) are
generated columns, so plain ``sqlite3`` and Datasette read them as usual.
Writers insert ``start_ms``, ``end_ms`` and ``epoch_ms``.
"""

from __future__ import annotations

import sqlite3
import unicodedata

_UTC_FORMAT = "'%Y-%m-%dT%H:%M:%fZ'"

SCHEMA_V1 = [
    """
    CREATE TABLE stations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        url TEXT,
        input TEXT,
        timezone TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE recordings (
        id INTEGER PRIMARY KEY,
        station TEXT NOT NULL REFERENCES stations(id),
        path TEXT UNIQUE,                 -- audio file; NULL for an imported transcript
        source_sha256 TEXT,               -- what was imported, to make imports idempotent
        start_utc TEXT NOT NULL,          -- first sample captured
        end_utc TEXT,
        duration REAL,                    -- seconds, measured from the file
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'transcribing', 'transcribed', 'failed', 'pruned')),
        error TEXT,
        engine TEXT,
        model TEXT,
        transcript_path TEXT,
        matched_utc TEXT,                 -- NULL: its segments still need keyword matching
        created_utc TEXT NOT NULL,
        updated_utc TEXT NOT NULL,
        UNIQUE (station, source_sha256)
    )
    """,
    "CREATE INDEX recordings_station_start ON recordings (station, start_utc)",
    "CREATE INDEX recordings_status_start ON recordings (status, start_utc)",
    "CREATE INDEX recordings_start ON recordings (start_utc)",
    f"""
    CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        recording_id INTEGER NOT NULL REFERENCES recordings(id),
        start_ms INTEGER NOT NULL,        -- milliseconds into the recording
        end_ms INTEGER NOT NULL,
        epoch_ms INTEGER NOT NULL,        -- UTC milliseconds since 1970 of start
        start REAL GENERATED ALWAYS AS (start_ms / 1000.0) VIRTUAL,   -- seconds into the recording
        "end" REAL GENERATED ALWAYS AS (end_ms / 1000.0) VIRTUAL,
        start_utc TEXT GENERATED ALWAYS AS (strftime({_UTC_FORMAT}, epoch_ms / 1000.0, 'unixepoch')) VIRTUAL,
        end_utc TEXT GENERATED ALWAYS AS
            (strftime({_UTC_FORMAT}, (epoch_ms + end_ms - start_ms) / 1000.0, 'unixepoch')) VIRTUAL,
        text TEXT NOT NULL,
        avg_logprob REAL,
        no_speech_prob REAL,
        words TEXT                        -- JSON [{{"word","start","end","probability"}}], seconds into the recording
    )
    """,
    "CREATE INDEX segments_recording ON segments (recording_id)",
    """
    CREATE VIRTUAL TABLE [segments_fts] USING FTS5 (
        [text], tokenize='unicode61 remove_diacritics 2', content=[segments], columnsize=0
    )
    """,
    "CREATE TABLE radiomon_bulk_insert (active INTEGER NOT NULL)",
    """
    CREATE TRIGGER [segments_ai] AFTER INSERT ON [segments]
    WHEN NOT EXISTS (SELECT 1 FROM radiomon_bulk_insert) BEGIN
        INSERT INTO [segments_fts] (rowid, [text]) VALUES (new.rowid, new.[text]);
    END
    """,
    """
    CREATE TRIGGER [segments_ad] AFTER DELETE ON [segments] BEGIN
        INSERT INTO [segments_fts] ([segments_fts], rowid, [text]) VALUES ('delete', old.rowid, old.[text]);
    END
    """,
    """
    CREATE TRIGGER [segments_au] AFTER UPDATE ON [segments] BEGIN
        INSERT INTO [segments_fts] ([segments_fts], rowid, [text]) VALUES ('delete', old.rowid, old.[text]);
        INSERT INTO [segments_fts] (rowid, [text]) VALUES (new.rowid, new.[text]);
    END
    """,
    """
    CREATE TABLE mentions (
        id INTEGER PRIMARY KEY,
        segment_id INTEGER NOT NULL REFERENCES segments(id),
        recording_id INTEGER NOT NULL REFERENCES recordings(id),
        station TEXT NOT NULL,
        group_id TEXT NOT NULL,
        keyword TEXT NOT NULL,            -- the canonical term from keywords.yml
        matched TEXT NOT NULL,            -- the words actually heard
        score REAL NOT NULL,
        at_utc TEXT NOT NULL,
        offset REAL NOT NULL,             -- seconds into the recording
        context TEXT,
        review TEXT                       -- set by staff: confirmed / rejected / …; kept across re-matching
    )
    """,
    "CREATE INDEX mentions_recording ON mentions (recording_id)",
    "CREATE INDEX mentions_at ON mentions (at_utc)",
    "CREATE INDEX mentions_group_at ON mentions (group_id, at_utc)",
    # One row per finding: a re-match updates rows in place (ids and staff
    # reviews survive) and can never duplicate them (archive/mentions.py).
    "CREATE UNIQUE INDEX mentions_segment ON mentions (segment_id, group_id, keyword, offset)",
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,               -- e.g. crisis-mention (radiomon/events.py)
        created_utc TEXT NOT NULL,
        mention_id INTEGER,               -- no foreign key: the event outlives a re-matched mention
        payload TEXT NOT NULL,            -- JSON, the event's fields
        delivered_utc TEXT                -- NULL: the alerting stage has not sent it yet
    )
    """,
    "CREATE INDEX events_pending ON events (delivered_utc, id)",
    """
    CREATE TABLE gaps (
        id INTEGER PRIMARY KEY,
        station TEXT NOT NULL,
        start_utc TEXT NOT NULL,
        end_utc TEXT,                     -- NULL while the outage lasts
        reason TEXT NOT NULL              -- network, stall, silence, off-schedule, disk, …
    )
    """,
    "CREATE INDEX gaps_station_start ON gaps (station, start_utc)",
    """
    CREATE TABLE now_playing (
        id INTEGER PRIMARY KEY,
        station TEXT NOT NULL,
        at_utc TEXT NOT NULL,             -- when the ICY StreamTitle changed
        title TEXT NOT NULL               -- artist - song, or the programme's name
    )
    """,
    "CREATE INDEX now_playing_station_at ON now_playing (station, at_utc)",
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        command TEXT NOT NULL,
        started_utc TEXT NOT NULL,
        finished_utc TEXT,
        counts TEXT,                      -- JSON object: what the run did
        errors TEXT                       -- JSON list of one-line messages
    )
    """,
]

# The web UI: who reviewed a mention and when, and the staff accounts that
# sign in (argon2 password hashes; the API token only as its SHA-256, so a
# copy of the archive never hands out a working token).
SCHEMA_V2 = [
    "ALTER TABLE mentions ADD COLUMN reviewed_by TEXT",
    "ALTER TABLE mentions ADD COLUMN reviewed_utc TEXT",
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,      -- argon2id
        token_sha256 TEXT NOT NULL UNIQUE, -- API token, hashed; shown once at creation
        created_utc TEXT NOT NULL
    )
    """,
]

# Alert delivery and health episodes (radiomon/alerts/).
#
# An event is routed once (``routed_utc``): one ``deliveries`` row per channel
# of radiomon.yml that takes its priority, each with its own state, so a
# channel that is down is retried alone and a channel that got the alert never
# gets it again. ``sending`` is the claim taken just before the channel is
# called (with ``claimed_utc``): a second deliverer skips it, and one left
# behind by a process that died mid-send is sent again once it is older than
# the send timeout (see radiomon/alerts/delivery.py). ``events.delivered_utc``
# is set when every delivery of the event is sent (at once when no channel
# takes it).
#
# A health episode is one stretch of one problem (a station down, the backlog
# too long, a disk too full): opened when it is first seen, closed when it is
# gone, with the events that announced each end. At most one is open per key.
SCHEMA_V3 = [
    "ALTER TABLE events ADD COLUMN routed_utc TEXT",
    "CREATE INDEX events_unrouted ON events (routed_utc, id)",
    """
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES events(id),
        channel TEXT NOT NULL,            -- alerts.channels[].name in radiomon.yml
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_utc TEXT NOT NULL,           -- not sent before this (retry backoff, the high batch's time)
        claimed_utc TEXT,                 -- when the current or last send began
        sent_utc TEXT,
        last_error TEXT,                  -- one line: why the last try failed, or why it was given up
        created_utc TEXT NOT NULL,
        UNIQUE (event_id, channel)
    )
    """,
    "CREATE INDEX deliveries_due ON deliveries (state, next_utc)",
    """
    CREATE TABLE health_episodes (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,                -- what is unwell: station:radio-uno, backlog, disk:/srv/radiomon, …
        kind TEXT NOT NULL,               -- station, backlog, disk, nightly, alerts
        started_utc TEXT NOT NULL,        -- when the problem began (as far as radiomon can tell)
        opened_utc TEXT NOT NULL,         -- when it was first seen
        ended_utc TEXT,                   -- NULL while it lasts
        summary TEXT NOT NULL,            -- the problem as first seen, one line
        start_event_id INTEGER,
        end_event_id INTEGER
    )
    """,
    "CREATE UNIQUE INDEX health_episodes_open ON health_episodes (key) WHERE ended_utc IS NULL",
]

# The web UI's sign-in, kept in the archive so every web worker (and a
# restart) sees the same state.
#
# User names are one account whatever their case: ``name_key`` is the name
# as :func:`user_name_key` folds it, unique, and what every lookup uses
# (``name`` keeps the spelling it was created with, for display). An archive
# that already holds two names differing only in case keeps the older one
# under the plain key; the newer gets ``key:id``, which no typed name can
# match (':' is not allowed in names), until it is removed by its exact name.
#
# ``web_sessions``: one row per signed-in browser. The cookie carries a
# random id; only its SHA-256 is stored (a copy of the archive signs nobody
# in). Logout, ``users remove``, ``users passwd`` and ``users logout-all``
# delete rows; idle and absolute expiry are checked on each request.
#
# ``login_failures``: failed password checks per account and per address.
# A check is counted as failed when it begins (in the same BEGIN IMMEDIATE
# transaction that decides it may run), so parallel guesses cannot all
# pass the gate; a success takes its count back.
SCHEMA_V4 = [
    "ALTER TABLE users ADD COLUMN name_key TEXT",
    "UPDATE users SET name_key = radiomon_user_name_key(name)",
    """
    UPDATE users SET name_key = name_key || ':' || id
    WHERE EXISTS (SELECT 1 FROM users AS older WHERE older.name_key = users.name_key AND older.id < users.id)
    """,
    "CREATE UNIQUE INDEX users_name_key ON users (name_key)",
    """
    CREATE TABLE web_sessions (
        id INTEGER PRIMARY KEY,
        id_sha256 TEXT NOT NULL UNIQUE,   -- SHA-256 of the random session id in the signed cookie
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_utc TEXT NOT NULL,        -- sign-in: the absolute expiry counts from here
        seen_utc TEXT NOT NULL,           -- last request (updated at most once a minute): the idle expiry
        address TEXT                      -- where the sign-in came from
    )
    """,
    "CREATE INDEX web_sessions_user ON web_sessions (user_id)",
    """
    CREATE TABLE login_failures (
        key TEXT PRIMARY KEY,             -- account:<name key> or address:<IP>
        failures INTEGER NOT NULL,        -- failed checks in a row (counted when the check begins)
        wait_until_utc TEXT NOT NULL,     -- no password is checked for this key before then
        last_utc TEXT NOT NULL            -- the last check; a key quiet for an hour is forgotten
    )
    """,
]

# The press (radiomon/pipeline/press/): newspapers' web notes as a second medium.
#
# ``outlets`` mirrors radiomon.yml's press.outlets (as ``stations`` mirrors the
# stations); ``press_feeds`` keeps each feed's conditional-GET state and how
# its last pass went (what ``radiomon status`` shows per outlet). An article
# is stored once: ``article_keys`` holds every key it is known under (its URL's and
# its canonical link's, scheme and ``www.`` aside); ``story`` is the id of the first
# article of its story (the same wire note on several outlets, or re-posted),
# so every article of one story shares it. ``articles_fts`` indexes the title
# and the text with the segments' tokenizer, so one query language serves both.
#
# A mention is now of a segment (radio) or of an article (press): the table is
# rebuilt so segment, recording and station may be NULL for a press mention,
# which has ``article_id`` instead, ``at_utc`` = the article's published time
# and ``offset`` = the character offset of the matched words in the article's
# title and text as the matcher read them. ``medium`` is derived. Staff
# reviews, ids and every index are kept.
SCHEMA_V5 = [
    """
    CREATE TABLE outlets (
        id TEXT PRIMARY KEY,              -- press.outlets[].id
        name TEXT NOT NULL,
        scope TEXT                        -- local | regional | estatal | nacional
    )
    """,
    """
    CREATE TABLE press_feeds (
        url TEXT PRIMARY KEY,             -- as configured (RSS, Atom or a sitemap)
        outlet TEXT NOT NULL,
        etag TEXT,                        -- conditional GET: what the server said last time
        last_modified TEXT,
        body_sha256 TEXT,                 -- for servers that never answer 304
        checked_utc TEXT,                 -- the last pass that asked for it
        ok_utc TEXT,                      -- the last pass it answered well (200 or 304)
        new_utc TEXT,                     -- the last pass that stored a new article from it
        error TEXT,                       -- one line: why the last pass failed; NULL when it was fine
        failures INTEGER NOT NULL DEFAULT 0,  -- failed passes in a row (backoff)
        retry_utc TEXT                    -- not asked again before this (Retry-After, backoff)
    )
    """,
    "CREATE INDEX press_feeds_outlet ON press_feeds (outlet)",
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        outlet TEXT NOT NULL,
        url TEXT NOT NULL UNIQUE,         -- normalized (radiomon/pipeline/press/urls.py): one row per article
        canonical_url TEXT,               -- the page's own <link rel=canonical>, as given
        title TEXT NOT NULL,
        author TEXT,
        section TEXT,
        published_utc TEXT NOT NULL,      -- never later than fetched_utc
        fetched_utc TEXT NOT NULL,
        text TEXT NOT NULL,               -- extracted: no navigation, lists, ads, comments or footer
        content_sha256 TEXT NOT NULL,     -- of the text
        signature TEXT,                   -- near-duplicate signature of the text (stories.py)
        story INTEGER,                    -- id of the story's first article; the same for all of them
        matched_utc TEXT                  -- NULL: still to be matched against keywords.yml
    )
    """,
    """
    CREATE TABLE article_keys (
        key TEXT PRIMARY KEY,             -- url_key(): the URL without scheme, www. or tracking parameters
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX article_keys_article ON article_keys (article_id)",
    "CREATE INDEX articles_published ON articles (published_utc)",
    "CREATE INDEX articles_outlet_published ON articles (outlet, published_utc)",
    "CREATE INDEX articles_story ON articles (story)",
    "CREATE INDEX articles_unmatched ON articles (matched_utc) WHERE matched_utc IS NULL",
    """
    CREATE VIRTUAL TABLE [articles_fts] USING FTS5 (
        [title], [text], tokenize='unicode61 remove_diacritics 2', content=[articles]
    )
    """,
    """
    CREATE TRIGGER [articles_ai] AFTER INSERT ON [articles] BEGIN
        INSERT INTO [articles_fts] (rowid, [title], [text]) VALUES (new.rowid, new.[title], new.[text]);
    END
    """,
    """
    CREATE TRIGGER [articles_ad] AFTER DELETE ON [articles] BEGIN
        INSERT INTO [articles_fts] ([articles_fts], rowid, [title], [text])
        VALUES ('delete', old.rowid, old.[title], old.[text]);
    END
    """,
    """
    CREATE TRIGGER [articles_au] AFTER UPDATE OF [title], [text] ON [articles] BEGIN
        INSERT INTO [articles_fts] ([articles_fts], rowid, [title], [text])
        VALUES ('delete', old.rowid, old.[title], old.[text]);
        INSERT INTO [articles_fts] (rowid, [title], [text]) VALUES (new.rowid, new.[title], new.[text]);
    END
    """,
    """
    CREATE TABLE mentions_v5 (
        id INTEGER PRIMARY KEY,
        segment_id INTEGER REFERENCES segments(id),      -- radio; NULL for press
        recording_id INTEGER REFERENCES recordings(id),  -- radio; NULL for press
        station TEXT,                                    -- radio; NULL for press
        article_id INTEGER REFERENCES articles(id),      -- press; NULL for radio
        medium TEXT GENERATED ALWAYS AS (CASE WHEN article_id IS NULL THEN 'radio' ELSE 'press' END) VIRTUAL,
        group_id TEXT NOT NULL,
        keyword TEXT NOT NULL,            -- the canonical term from keywords.yml
        matched TEXT NOT NULL,            -- the words actually heard (or printed)
        score REAL NOT NULL,
        at_utc TEXT NOT NULL,             -- radio: recording start + offset; press: the article's published time
        offset REAL NOT NULL,             -- radio: seconds into the recording; press: characters into the article
        context TEXT,
        review TEXT,                      -- set by staff: confirmed / rejected; kept across re-matching
        reviewed_by TEXT,
        reviewed_utc TEXT,
        CHECK ((article_id IS NULL) = (segment_id IS NOT NULL AND recording_id IS NOT NULL AND station IS NOT NULL))
    )
    """,
    """
    INSERT INTO mentions_v5 (id, segment_id, recording_id, station, group_id, keyword, matched, score, at_utc,
                             offset, context, review, reviewed_by, reviewed_utc)
    SELECT id, segment_id, recording_id, station, group_id, keyword, matched, score, at_utc, offset, context,
           review, reviewed_by, reviewed_utc FROM mentions
    """,
    "DROP TABLE mentions",
    "ALTER TABLE mentions_v5 RENAME TO mentions",
    "CREATE INDEX mentions_recording ON mentions (recording_id)",
    "CREATE INDEX mentions_at ON mentions (at_utc)",
    "CREATE INDEX mentions_group_at ON mentions (group_id, at_utc)",
    "CREATE UNIQUE INDEX mentions_segment ON mentions (segment_id, group_id, keyword, offset)",
    "CREATE UNIQUE INDEX mentions_article ON mentions (article_id, group_id, keyword, offset) "
    "WHERE article_id IS NOT NULL",
]

# Transcription on a cluster: the archive is the durable queue (the Dask
# scheduler forgets everything on restart). A claim is a lease: who holds the
# recording, since when, until when, and its attempt; a result lands only
# while its claim still holds the lease, and a lease not renewed (its
# coordinator was killed) is handed back to pending. ``kills`` counts the
# claims that ended with their worker killed, so a recording that kills every
# worker it meets is failed after transcription.cluster.max_kills instead of
# looping.
SCHEMA_V6 = [
    "ALTER TABLE recordings ADD COLUMN claim_id TEXT",  # the current claim's token; NULL when unclaimed
    "ALTER TABLE recordings ADD COLUMN claimed_by TEXT",  # host:pid of the coordinator holding it
    "ALTER TABLE recordings ADD COLUMN claimed_utc TEXT",
    "ALTER TABLE recordings ADD COLUMN lease_until_utc TEXT",  # renewed while the task runs
    "ALTER TABLE recordings ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0",  # claims so far
    "ALTER TABLE recordings ADD COLUMN kills INTEGER NOT NULL DEFAULT 0",  # claims whose worker was killed
    "CREATE INDEX recordings_lease ON recordings (lease_until_utc) WHERE lease_until_utc IS NOT NULL",
]

# The office's edited products and the staff's hand (issues 28 and 29).
#
# ``users.role``: ``prensa`` (review, edit the síntesis) or ``coordinador``
# (also approves editions and edits keywords.yml from the web UI); accounts
# made before roles existed are ``prensa``.
#
# ``mentions``: ``tone`` (positiva / negativa / neutral) is set by staff on a
# síntesis item and kept on each of its mentions, so the weekly report can
# count it; ``added_by``/``added_utc`` mark a mention a person added by hand
# from a transcript line (a re-match never removes one).
#
# ``editions``: the síntesis of a local day (``cut`` '' ) or an intraday cut
# (``cut`` 'HH:MM', "Corte de las 14:00"), numbered ``version`` 1, 2, …: a
# correction of an approved edition is the next version, the approved one
# stays as sent (``frozen``: the document model as JSON). ``rev`` grows with
# every change of the edition or its items; the editor's version check.
# ``edition_items``: one row per candidate or hand-written item; ``key`` is
# the candidate's identity across rebuilds ('radio:<first mention id>',
# 'press:<story>', 'note:<n>'); an item a person touched (``edited``) keeps
# its headline, summary and place when the candidates are rebuilt.
# ``edition_changes``: who changed what and when (old and new value).
#
# ``vocabulary``: the archive's distinct transcript words with their Spanish
# phonetic key (approximate search); ``vocabulary_done`` is the highest
# segment rowid already counted, so the index grows incrementally.
#
# ``keyword_changes``: every change of keywords.yml made from the web UI or
# the API: who, when, what, the file before and after (undo restores
# ``before`` byte for byte).
SCHEMA_V7 = [
    "ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'prensa' CHECK (role IN ('prensa', 'coordinador'))",
    "ALTER TABLE mentions ADD COLUMN tone TEXT CHECK (tone IN ('positiva', 'negativa', 'neutral'))",
    "ALTER TABLE mentions ADD COLUMN added_by TEXT",
    "ALTER TABLE mentions ADD COLUMN added_utc TEXT",
    """
    CREATE TABLE editions (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL,                -- the local date, ISO
        cut TEXT NOT NULL DEFAULT '',     -- '' the whole day; 'HH:MM' an intraday cut up to then
        version INTEGER NOT NULL DEFAULT 1,
        state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'approved')),
        rev INTEGER NOT NULL DEFAULT 0,   -- bumped by every change; what the editor's version check compares
        created_utc TEXT NOT NULL,
        updated_utc TEXT NOT NULL,
        approved_utc TEXT,
        approved_by TEXT,
        frozen TEXT,                      -- the approved document (JSON), exactly as sent
        synced TEXT,                      -- the fingerprint of the mentions its candidates were built from
        coverage TEXT NOT NULL DEFAULT '', -- what was monitored, as the document says it
        UNIQUE (day, cut, version)
    )
    """,
    """
    CREATE TABLE edition_items (
        id INTEGER PRIMARY KEY,
        edition_id INTEGER NOT NULL REFERENCES editions(id),
        key TEXT NOT NULL,                -- the candidate's identity across rebuilds
        kind TEXT NOT NULL CHECK (kind IN ('radio', 'press', 'note')),
        section TEXT NOT NULL,            -- a group id of keywords.yml ('notas' for a free note)
        position INTEGER NOT NULL,
        included INTEGER NOT NULL DEFAULT 1,
        headline TEXT NOT NULL,
        summary TEXT NOT NULL,
        tone TEXT NOT NULL DEFAULT 'neutral' CHECK (tone IN ('positiva', 'negativa', 'neutral')),
        featured INTEGER NOT NULL DEFAULT 0,
        mention_ids TEXT NOT NULL DEFAULT '[]',  -- JSON list
        groups TEXT NOT NULL DEFAULT '[]',       -- JSON list of group ids, for each recipient's filter
        terms TEXT NOT NULL DEFAULT '[]',        -- JSON list of canonical terms
        source TEXT NOT NULL DEFAULT '{}',       -- JSON: the candidate as built (time, station, outlet, url, quote…)
        edited INTEGER NOT NULL DEFAULT 0,       -- a person changed it: a rebuild keeps their words and place
        rev INTEGER NOT NULL DEFAULT 0,
        updated_by TEXT,
        updated_utc TEXT,
        UNIQUE (edition_id, key)
    )
    """,
    "CREATE INDEX edition_items_order ON edition_items (edition_id, position)",
    """
    CREATE TABLE edition_changes (
        id INTEGER PRIMARY KEY,
        edition_id INTEGER NOT NULL REFERENCES editions(id),
        item_id INTEGER,                  -- NULL for the edition itself (approval, a new version)
        by TEXT NOT NULL,
        at_utc TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT,
        new TEXT
    )
    """,
    "CREATE INDEX edition_changes_edition ON edition_changes (edition_id, id)",
    """
    CREATE TABLE vocabulary (
        word TEXT PRIMARY KEY,            -- as the search index folds it: lowercase, no accents
        key TEXT NOT NULL,                -- the matcher's Spanish phonetic key
        n INTEGER NOT NULL DEFAULT 0,     -- segments that have it (approximate: never decremented)
        added INTEGER NOT NULL DEFAULT 0  -- vocabulary_done when the word was first counted
    ) WITHOUT ROWID
    """,
    "CREATE INDEX vocabulary_key ON vocabulary (key)",
    "CREATE INDEX vocabulary_added ON vocabulary (added)",
    "CREATE TABLE vocabulary_done (segment_rowid INTEGER NOT NULL)",
    "INSERT INTO vocabulary_done VALUES (0)",
    """
    CREATE TABLE keyword_changes (
        id INTEGER PRIMARY KEY,
        at_utc TEXT NOT NULL,
        by TEXT NOT NULL,
        action TEXT NOT NULL,             -- one line, Spanish: "agregó «fuga de gas» a crisis"
        before TEXT NOT NULL,             -- keywords.yml before the change, byte for byte
        after TEXT NOT NULL
    )
    """,
]

MIGRATIONS: list[list[str]] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4, SCHEMA_V5, SCHEMA_V6, SCHEMA_V7]
CURRENT_VERSION = len(MIGRATIONS)


def user_name_key(name: str) -> str:
    """The one key of a user name: "Ana", "ANA" and "ana" are one account, and so are
    a name typed with a composed "é" and with "e" plus a combining accent (NFKC, case folded)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the archive to :data:`CURRENT_VERSION`; returns the version found."""
    found = schema_version(conn)
    # Python's Unicode case folding, which SQLite's lower() lacks (ASCII only); used by V4.
    conn.create_function("radiomon_user_name_key", 1, user_name_key, deterministic=True)
    for version in range(found, CURRENT_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if schema_version(conn) > version:
                conn.execute("COMMIT")
                continue
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return found
