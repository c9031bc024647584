"""What every command needs: the config (loaded on first use) and the archive."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from radiomon.archive import Archive
from radiomon.config import Config, find_config_path, load_config
from radiomon.errors import QueryError
from radiomon.keywords import load_keywords


@dataclass
class AppContext:
    config_path: str | None
    verbose: int = 0
    _config: Config | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(find_config_path(self.config_path))
        return self._config

    def archive(self, *, create: bool = True) -> Archive:
        """Open the deployment's archive (migrated as needed), stations synced.

        Commands that only read (search, status, mentions) pass ``create=False``
        so a mistyped ``archive:`` path is an error, not an empty result.
        """
        archive = Archive(self.config.archive, create=create)
        archive.sync_stations(self.config.stations, str(self.config.timezone))
        return archive


def check_groups(archive: Archive, keywords_path: Path, groups) -> None:
    """An unknown --group is a typo, not "nothing found": say which groups exist.

    Known groups are those of keywords.yml and those that still have mentions
    in the archive (a group removed from keywords.yml keeps its history).
    """
    known = {r[0] for r in archive.conn.execute("SELECT DISTINCT group_id FROM mentions")}
    if Path(keywords_path).exists():
        known |= {g.id for g in load_keywords(keywords_path).groups}
    for group in groups:
        if group not in known:
            raise QueryError(f"--group {group}: no such keyword group (known: {', '.join(sorted(known)) or 'none'})")


pass_app = click.make_pass_decorator(AppContext)
