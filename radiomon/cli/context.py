"""What every command needs: the config (loaded on first use) and the archive."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import click

from radiomon.archive import Archive
from radiomon.archive.db import open_problem
from radiomon.config import Config, find_config_path, load_config
from radiomon.errors import ArchiveError


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

    def archive(self, *, create: bool = False) -> Archive:
        """Open the deployment's archive (migrated as needed), stations synced.

        Only `radiomon init` makes an archive: everywhere else a missing one
        is an error ("run `radiomon init` first"), so a mistyped ``archive:``
        path is said as such instead of answering "no mentions" from a new,
        empty file (and leaving it behind).
        """
        archive = Archive(self.config.archive, create=create)
        try:
            archive.sync_stations(self.config.stations, str(self.config.timezone))
        except sqlite3.DatabaseError as err:  # the first write: a read-only or full disk shows here
            archive.close()
            raise ArchiveError(open_problem(archive.path, err)) from None
        return archive


pass_app = click.make_pass_decorator(AppContext)
