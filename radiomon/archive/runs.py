"""Runs: what each batch job did, for `radiomon status` and for the office's peace of mind."""

from __future__ import annotations

import json

from radiomon.archive.db import ArchiveBase, now_iso


class RunsMixin(ArchiveBase):
    def start_run(self, command: str) -> int:
        with self.write() as conn:
            return conn.execute(
                "INSERT INTO runs (command, started_utc) VALUES (?, ?)", (command, now_iso())
            ).lastrowid

    def finish_run(self, run_id: int, counts: dict, errors: list[str]) -> None:
        with self.write() as conn:
            conn.execute(
                "UPDATE runs SET finished_utc = ?, counts = ?, errors = ? WHERE id = ?",
                (now_iso(), json.dumps(counts), json.dumps(errors, ensure_ascii=False), run_id),
            )

    def unfinished_runs(self, command: str, *, before: int) -> list[dict]:
        """Runs of ``command`` older than run ``before`` that never finished
        (killed, or the machine went down) and were not reported yet:
        ``{id, started_utc}``, oldest first."""
        return self.query("SELECT id, started_utc FROM runs WHERE command = ? AND finished_utc IS NULL "
                          "AND errors IS NULL AND id < ? ORDER BY id", (command, before))

    def mark_interrupted(self, run_ids: list[int], message: str) -> None:
        """Note on runs that never finished why (``finished_utc`` stays NULL: they did not)."""
        with self.write() as conn:
            conn.executemany("UPDATE runs SET errors = ? WHERE id = ?",
                             [(json.dumps([message], ensure_ascii=False), i) for i in run_ids])
