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
