"""Where the app keeps its files: config, data (database, models, recordings), cache.

`PA_HOME` puts everything under one folder (tests and portable installs use it);
otherwise the platform's user dirs (platformdirs) are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_path, user_config_path, user_data_path

from app import APP_NAME


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def database_file(self) -> Path:
        return self.data_dir / "personal-agent.sqlite3"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def recordings_dir(self) -> Path:
        return self.data_dir / "recordings"

    @property
    def keyring_file(self) -> Path:
        return self.data_dir / "keyring.cfg"

    def ensure(self) -> AppPaths:
        for d in (self.config_dir, self.data_dir, self.cache_dir):
            try:
                d.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # PA_HOME is a file, a read-only disk ...
                from app.settings import ConfigError

                why = exc.strerror or exc
                raise ConfigError(f"cannot use the app's folder {d}: {why}",
                                  de=f"der Ordner der App {d} ist nicht nutzbar: {why}") from None
        return self


def app_paths() -> AppPaths:
    home = os.environ.get("PA_HOME")
    if home:
        base = Path(home).expanduser().resolve()
        return AppPaths(base / "config", base / "data", base / "cache")
    return AppPaths(
        user_config_path(APP_NAME), user_data_path(APP_NAME), user_cache_path(APP_NAME)
    )
