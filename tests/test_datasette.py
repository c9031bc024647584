"""The archive opens in Datasette, and Datasette's search box uses our FTS5 index."""

from __future__ import annotations

import asyncio
import json

from datasette.app import Datasette

from radiomon.archive import Archive
from radiomon.timeutil import parse_iso
from radiomon.transcript import Segment


def _get(db_path, url: str):
    async def fetch():
        response = await Datasette([str(db_path)], immutables=[]).client.get(url)
        return response.status_code, response.text

    return asyncio.run(fetch())


def test_datasette_finds_fts_and_searches_without_accents(tmp_path):
    path = tmp_path / "radiomon.db"
    with Archive(path) as archive:
        archive.ensure_station("xeam", "America/Mexico_City")
        rid, _ = archive.add_recording(station="xeam", start=parse_iso("2026-11-25T14:00:00Z"), duration=60.0)
        archive.replace_segments(rid, [
            Segment(0, 4, "La presidenta municipal de Moroleón visitó Piñícuaro."),
            Segment(4, 8, "Hoy hace frío en Uriangato."),
        ])

    status, body = _get(path, "/radiomon/segments.json?_search=moroleon&_shape=array")
    assert status == 200
    rows = json.loads(body)
    assert [r["text"] for r in rows] == ["La presidenta municipal de Moroleón visitó Piñícuaro."]
    assert rows[0]["start_utc"] == "2026-11-25T14:00:00.000Z"

    status, body = _get(path, "/radiomon/segments.json?_search=pinicuaro&_shape=array")
    assert [r["id"] for r in json.loads(body)] == [rows[0]["id"]]
