"""What every command needs: the config (loaded on first use) and the archive."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from radiomon.archive import Archive
from radiomon.config import Config, find_config_path, load_config


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


pass_app = click.make_pass_decorator(AppContext)
