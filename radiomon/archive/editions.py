"""Editions of the síntesis: their items, every change, the approved version kept as sent.

A draft's candidate items are brought up to date from the day's mentions
(:meth:`EditionsMixin.sync_candidates`): an item is the same item while it
shares a mention with the candidate (a re-match keeps mention ids; a story
gains or loses a sentence), so a person's headline, summary, tone and place
survive new mentions arriving. Every change bumps the item's ``rev`` and
the edition's: a save that names an older ``rev`` is refused with who made
the newer change (:class:`radiomon.errors.EditConflict`), never applied over it.
An approved edition is frozen: nothing here changes it; a correction is a
new version (:meth:`EditionsMixin.new_version`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from radiomon.archive.db import ArchiveBase, now_iso
from radiomon.errors import EditConflict, QueryError
from radiomon.sintesis.model import NOTES_SECTION, TONES, Candidate, Edition, Item

_ITEM_COLUMNS = ("id, edition_id, key, kind, section, position, included, headline, summary, tone, featured, "
                 "mention_ids, groups, terms, source, edited, rev, updated_by, updated_utc")
_EDITION_COLUMNS = ("id, day, cut, version, state, rev, created_utc, updated_utc, approved_utc, approved_by, frozen, "
                    "coverage")
# What staff may change on an item, and how each is stored.
EDITABLE = {"headline": str, "summary": str, "tone": str, "featured": bool, "included": bool, "section": str}
MAX_TEXT = {"headline": 300, "summary": 2000}


def _item(row: dict) -> Item:
    return Item(
        id=row["id"], edition_id=row["edition_id"], key=row["key"], kind=row["kind"], section=row["section"],
        position=row["position"], included=bool(row["included"]), headline=row["headline"], summary=row["summary"],
        tone=row["tone"], featured=bool(row["featured"]), mention_ids=tuple(json.loads(row["mention_ids"])),
        groups=tuple(json.loads(row["groups"])), terms=tuple(json.loads(row["terms"])),
        source=json.loads(row["source"]), edited=bool(row["edited"]), rev=row["rev"],
        updated_by=row["updated_by"], updated_utc=row["updated_utc"],
    )


def _edition(row: dict, items: Sequence[Item] = ()) -> Edition:
    return Edition(
        id=row["id"], day=row["day"], cut=row["cut"], version=row["version"], state=row["state"], rev=row["rev"],
        created_utc=row["created_utc"], updated_utc=row["updated_utc"], approved_utc=row["approved_utc"],
        approved_by=row["approved_by"], frozen=json.loads(row["frozen"]) if row["frozen"] else None,
        coverage=row["coverage"], items=tuple(items),
    )


class EditionsMixin(ArchiveBase):
    # -- reading ------------------------------------------------------------------------------------
    def edition(self, edition_id: int) -> Edition | None:
        """The edition with its items in order (None when there is none)."""
        rows = self.query(f"SELECT {_EDITION_COLUMNS} FROM editions WHERE id = ?", (edition_id,))
        if not rows:
            return None
        items = self.query(f"SELECT {_ITEM_COLUMNS} FROM edition_items WHERE edition_id = ? ORDER BY position, id",
                           (edition_id,))
        return _edition(rows[0], [_item(r) for r in items])

    def latest_edition(self, day: str, cut: str = "") -> Edition | None:
        """The newest version of the day's (or the cut's) edition, without items."""
        rows = self.query(f"SELECT {_EDITION_COLUMNS} FROM editions WHERE day = ? AND cut = ? "
                          "ORDER BY version DESC LIMIT 1", (day, cut))
        return _edition(rows[0]) if rows else None

    def editions(self, *, day: str | None = None, state: str | None = None, since_day: str | None = None
                 ) -> list[Edition]:
        """Editions without items, newest day first, then cut, then newest version first."""
        sql, params = f"SELECT {_EDITION_COLUMNS} FROM editions WHERE 1", []
        for clause, value in (("day = ?", day), ("state = ?", state), ("day >= ?", since_day)):
            if value is not None:
                sql += f" AND {clause}"
                params.append(value)
        return [_edition(r) for r in self.query(sql + " ORDER BY day DESC, cut, version DESC", tuple(params))]

    def edition_item_counts(self, edition_id: int) -> dict:
        """``{"total", "included"}`` items of an edition."""
        row = self.conn.execute("SELECT count(*), coalesce(sum(included), 0) FROM edition_items WHERE edition_id = ?",
                                (edition_id,)).fetchone()
        return {"total": row[0], "included": row[1]}

    def edition_item(self, item_id: int) -> Item | None:
        rows = self.query(f"SELECT {_ITEM_COLUMNS} FROM edition_items WHERE id = ?", (item_id,))
        return _item(rows[0]) if rows else None

    def edition_changes(self, edition_id: int, limit: int = 200) -> list[dict]:
        """Who changed what and when, newest first."""
        return self.query("SELECT id, item_id, by, at_utc, field, old, new FROM edition_changes "
                          "WHERE edition_id = ? ORDER BY id DESC LIMIT ?", (edition_id, limit))

    def edition_fingerprint(self, since_utc: str, until_utc: str) -> str:
        """What the period's mentions look like now (count, newest id, newest review): a draft whose
        candidates were built from the same fingerprint needs no rebuilding."""
        row = self.conn.execute(
            "SELECT count(*), max(id), max(reviewed_utc), sum(review = 'rejected') FROM mentions "
            "WHERE at_utc >= ? AND at_utc < ?", (since_utc, until_utc)).fetchone()
        return json.dumps(list(row))

    # -- writing ------------------------------------------------------------------------------------
    def open_edition(self, day: str, cut: str = "") -> Edition:
        """The newest version of the day's edition, created (version 1, a draft) when there is none."""
        with self.write() as conn:
            found = self.latest_edition(day, cut)
            if found is not None:
                return found
            now = now_iso()
            conn.execute("INSERT INTO editions (day, cut, version, created_utc, updated_utc) VALUES (?, ?, 1, ?, ?)",
                         (day, cut, now, now))
            return self.latest_edition(day, cut)

    def sync_candidates(self, edition_id: int, candidates: Sequence[Candidate], fingerprint: str,
                        coverage: str = "") -> tuple[int, int]:
        """Bring a draft's candidate items up to date; returns (added, removed).

        An existing item is matched to the candidate it shares a mention (or,
        for press, a key) with. An untouched item takes the candidate's words;
        an edited one keeps its own. A candidate item no candidate matches any
        more (its mentions were all marked false positives, or a re-match
        dropped them) leaves the edition. Notes are never touched."""
        with self.write() as conn:
            state = conn.execute("SELECT state FROM editions WHERE id = ?", (edition_id,)).fetchone()
            if state is None or state[0] != "draft":
                return 0, 0
            existing = [_item(r) for r in self.query(
                f"SELECT {_ITEM_COLUMNS} FROM edition_items WHERE edition_id = ? AND kind != 'note'", (edition_id,))]
            by_mention = {m: item for item in existing for m in item.mention_ids}
            by_key = {item.key: item for item in existing}
            claimed: set[int] = set()
            added = 0
            next_position = (conn.execute("SELECT max(position) FROM edition_items WHERE edition_id = ?",
                                          (edition_id,)).fetchone()[0] or 0) + 1
            now = now_iso()
            for candidate in candidates:
                match = by_key.get(candidate.key)
                if match is None or match.id in claimed:
                    match = next((by_mention[m] for m in candidate.mention_ids
                                  if m in by_mention and by_mention[m].id not in claimed), None)
                facts = (json.dumps(list(candidate.mention_ids)), json.dumps(list(candidate.groups)),
                         json.dumps(list(candidate.terms)), json.dumps(candidate.source, ensure_ascii=False))
                if match is None:
                    try:
                        conn.execute(
                            "INSERT INTO edition_items (edition_id, key, kind, section, position, headline, summary, "
                            "mention_ids, groups, terms, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (edition_id, candidate.key, candidate.kind, candidate.section, next_position,
                             candidate.headline, candidate.summary, *facts))
                    except sqlite3.IntegrityError:  # the key is an old item's that no longer shares a mention
                        conn.execute(
                            "INSERT INTO edition_items (edition_id, key, kind, section, position, headline, summary, "
                            "mention_ids, groups, terms, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (edition_id, f"{candidate.key}@{next_position}", candidate.kind, candidate.section,
                             next_position, candidate.headline, candidate.summary, *facts))
                    next_position += 1
                    added += 1
                    continue
                claimed.add(match.id)
                if match.edited:
                    conn.execute("UPDATE edition_items SET mention_ids = ?, groups = ?, terms = ?, source = ? "
                                 "WHERE id = ?", (*facts, match.id))
                else:
                    conn.execute("UPDATE edition_items SET mention_ids = ?, groups = ?, terms = ?, source = ?, "
                                 "headline = ?, summary = ?, section = ? WHERE id = ?",
                                 (*facts, candidate.headline, candidate.summary, candidate.section, match.id))
            gone = [item.id for item in existing if item.id not in claimed]
            for item_id in gone:
                conn.execute("DELETE FROM edition_items WHERE id = ?", (item_id,))
                conn.execute("INSERT INTO edition_changes (edition_id, item_id, by, at_utc, field, old, new) "
                             "VALUES (?, ?, 'radiomon', ?, 'removed', ?, NULL)",
                             (edition_id, item_id, now, by_key_headline(existing, item_id)))
            conn.execute("UPDATE editions SET synced = ?, coverage = ?, rev = rev + ? WHERE id = ?",
                         (fingerprint, coverage, 1 if added or gone else 0, edition_id))
            return added, len(gone)

    def edition_synced(self, edition_id: int) -> str | None:
        row = self.conn.execute("SELECT synced FROM editions WHERE id = ?", (edition_id,)).fetchone()
        return row[0] if row else None

    def _draft(self, conn: sqlite3.Connection, edition_id: int) -> None:
        row = conn.execute("SELECT state, version FROM editions WHERE id = ?", (edition_id,)).fetchone()
        if row is None:
            raise QueryError(f"no síntesis edition {edition_id}")
        if row[0] != "draft":
            raise QueryError(f"edition {edition_id} (version {row[1]}) is approved and kept as sent; "
                             "make a correction (a new version) to change it")

    def _editable(self, conn: sqlite3.Connection, item_id: int, rev: int) -> Item:
        """The item, if its edition is a draft and nobody changed it since ``rev`` (else the error that says so)."""
        current = self.edition_item(item_id)
        if current is None:
            raise QueryError(f"no síntesis item {item_id}")
        self._draft(conn, current.edition_id)
        if current.rev != rev:
            raise EditConflict(f"item {item_id} was changed by {current.updated_by or 'radiomon'} since you "
                               "opened it", by=current.updated_by, at_utc=current.updated_utc, current=current)
        return current

    def _touch(self, conn: sqlite3.Connection, edition_id: int, now: str) -> None:
        conn.execute("UPDATE editions SET rev = rev + 1, updated_utc = ? WHERE id = ?", (now, edition_id))

    def update_item(self, item_id: int, changes: dict, *, rev: int, by: str) -> Item:
        """Apply staff's ``changes`` (keys of :data:`EDITABLE`) to an item of a draft, if nobody changed it
        since ``rev``; tone is also kept on the item's mentions. Returns the item as stored."""
        unknown = set(changes) - EDITABLE.keys()
        if unknown:
            raise QueryError(f"cannot change {', '.join(sorted(unknown))} of an item; "
                             f"use {', '.join(EDITABLE)}")
        if "tone" in changes and changes["tone"] not in TONES:
            raise QueryError(f"tone {changes['tone']!r}: use {', '.join(TONES)}")
        for name, limit in MAX_TEXT.items():
            if name in changes:
                changes[name] = " ".join(str(changes[name]).split())
                if not changes[name] and name == "headline":
                    raise QueryError("an item needs a headline")
                if len(changes[name]) > limit:
                    raise QueryError(f"{name} is longer than {limit} characters")
        with self.write() as conn:
            current = self._editable(conn, item_id, rev)
            now = now_iso()
            for name, value in changes.items():
                old = getattr(current, name)
                value = EDITABLE[name](value)
                if value == old:
                    continue
                conn.execute(f"UPDATE edition_items SET {name} = ? WHERE id = ?",  # noqa: S608 - name from EDITABLE
                             (int(value) if isinstance(value, bool) else value, item_id))
                conn.execute("INSERT INTO edition_changes (edition_id, item_id, by, at_utc, field, old, new) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", (current.edition_id, item_id, by, now, name, str(old),
                                                              str(value)))
                if name == "tone" and current.mention_ids:
                    marks = ",".join("?" * len(current.mention_ids))
                    conn.execute(f"UPDATE mentions SET tone = ? WHERE id IN ({marks})",  # noqa: S608
                                 (value, *current.mention_ids))
            conn.execute("UPDATE edition_items SET rev = rev + 1, edited = 1, updated_by = ?, updated_utc = ? "
                         "WHERE id = ?", (by, now, item_id))
            self._touch(conn, current.edition_id, now)
            return self.edition_item(item_id)

    def move_item(self, item_id: int, offset: int, *, rev: int, by: str) -> Item:
        """Move an item ``offset`` places up (negative) or down among its section's items."""
        with self.write() as conn:
            current = self._editable(conn, item_id, rev)
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM edition_items WHERE edition_id = ? AND section = ? ORDER BY position, id",
                (current.edition_id, current.section))]
            where = ids.index(item_id)
            target = max(0, min(len(ids) - 1, where + offset))
            if target == where:
                return current
            positions = sorted(r[0] for r in conn.execute(
                f"SELECT position FROM edition_items WHERE id IN ({','.join('?' * len(ids))})", ids))  # noqa: S608
            ids.insert(target, ids.pop(where))
            conn.executemany("UPDATE edition_items SET position = ? WHERE id = ?", list(zip(positions, ids)))
            now = now_iso()
            conn.execute("UPDATE edition_items SET rev = rev + 1, edited = 1, updated_by = ?, updated_utc = ? "
                         "WHERE id = ?", (by, now, item_id))
            conn.execute("INSERT INTO edition_changes (edition_id, item_id, by, at_utc, field, old, new) "
                         "VALUES (?, ?, ?, ?, 'position', ?, ?)", (current.edition_id, item_id, by, now,
                                                                    str(where + 1), str(target + 1)))
            self._touch(conn, current.edition_id, now)
            return self.edition_item(item_id)

    def add_note(self, edition_id: int, *, headline: str, summary: str, by: str, section: str = NOTES_SECTION,
                 tone: str = "neutral", source: dict | None = None) -> Item:
        """A free note staff write by hand (from a printed paper, a phone call), at the end of its section."""
        headline = " ".join(headline.split())
        if not headline:
            raise QueryError("a note needs a headline")
        if tone not in TONES:
            raise QueryError(f"tone {tone!r}: use {', '.join(TONES)}")
        with self.write() as conn:
            self._draft(conn, edition_id)
            now = now_iso()
            position = (conn.execute("SELECT max(position) FROM edition_items WHERE edition_id = ?",
                                     (edition_id,)).fetchone()[0] or 0) + 1
            count = conn.execute("SELECT count(*) FROM edition_items WHERE edition_id = ? AND kind = 'note'",
                                 (edition_id,)).fetchone()[0]
            item_id = conn.execute(
                "INSERT INTO edition_items (edition_id, key, kind, section, position, headline, summary, tone, "
                "groups, source, edited, updated_by, updated_utc) VALUES (?, ?, 'note', ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (edition_id, f"note:{count + 1}:{now}", section, position, headline[:MAX_TEXT["headline"]],
                 " ".join(summary.split())[:MAX_TEXT["summary"]], tone,
                 json.dumps([section] if section != NOTES_SECTION else []),
                 json.dumps(source or {}, ensure_ascii=False), by, now)).lastrowid
            conn.execute("INSERT INTO edition_changes (edition_id, item_id, by, at_utc, field, old, new) "
                         "VALUES (?, ?, ?, ?, 'added', NULL, ?)", (edition_id, item_id, by, now, headline))
            self._touch(conn, edition_id, now)
            return self.edition_item(item_id)

    def approve_edition(self, edition_id: int, *, rev: int | None, by: str, frozen: str) -> Edition:
        """Freeze a draft as approved, with ``frozen`` (the document as sent, JSON). ``rev``: the edition's
        revision the approver saw (None from a script, which approves what is there)."""
        with self.write() as conn:
            row = conn.execute("SELECT state, rev, updated_utc FROM editions WHERE id = ?", (edition_id,)).fetchone()
            if row is None:
                raise QueryError(f"no síntesis edition {edition_id}")
            self._draft(conn, edition_id)
            if rev is not None and row[1] != rev:
                last = conn.execute("SELECT by, at_utc FROM edition_changes WHERE edition_id = ? ORDER BY id DESC "
                                    "LIMIT 1", (edition_id,)).fetchone()
                raise EditConflict("the edition changed since you last saw it; look at it again before approving",
                                   by=last[0] if last else None, at_utc=last[1] if last else None)
            now = now_iso()
            conn.execute("UPDATE editions SET state = 'approved', approved_utc = ?, approved_by = ?, frozen = ?, "
                         "rev = rev + 1, updated_utc = ? WHERE id = ?", (now, by, frozen, now, edition_id))
            conn.execute("INSERT INTO edition_changes (edition_id, item_id, by, at_utc, field, old, new) "
                         "VALUES (?, NULL, ?, ?, 'state', 'draft', 'approved')", (edition_id, by, now))
            return self.edition(edition_id)

    def new_version(self, edition_id: int, *, by: str) -> Edition:
        """A correction: a draft copy of an approved edition as the next version (the approved one stays)."""
        with self.write() as conn:
            source = self.edition(edition_id)
            if source is None:
                raise QueryError(f"no síntesis edition {edition_id}")
            latest = self.latest_edition(source.day, source.cut)
            if latest.id != edition_id or not source.approved:
                raise QueryError(f"edition {edition_id} is not the approved newest version of {source.day}; "
                                 f"correct version {latest.version} instead" if latest.approved else
                                 f"version {latest.version} of {source.day} is still a draft: edit it")
            now = now_iso()
            new_id = conn.execute(
                "INSERT INTO editions (day, cut, version, created_utc, updated_utc, coverage) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (source.day, source.cut, source.version + 1, now, now, source.coverage)).lastrowid
            conn.execute(
                f"INSERT INTO edition_items (edition_id, {_ITEM_COLUMNS.replace('id, edition_id, ', '', 1)}) "
                f"SELECT ?, {_ITEM_COLUMNS.replace('id, edition_id, ', '', 1)} FROM edition_items "  # noqa: S608
                "WHERE edition_id = ?", (new_id, edition_id))
            conn.execute("UPDATE edition_items SET rev = 0 WHERE edition_id = ?", (new_id,))
            conn.execute("INSERT INTO edition_changes (edition_id, item_id, by, at_utc, field, old, new) "
                         "VALUES (?, NULL, ?, ?, 'version', ?, ?)", (new_id, by, now, str(source.version),
                                                                      str(source.version + 1)))
            return self.edition(new_id)


def by_key_headline(items: Sequence[Item], item_id: int) -> str:
    return next((i.headline for i in items if i.id == item_id), "")
