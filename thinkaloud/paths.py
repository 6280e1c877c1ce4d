"""Where thinkaloud keeps the user's data and configuration.

`THINKALOUD_HOME`, when set, holds everything (data in it, config in
`config.toml` inside it), which is what tests and portable installs use;
otherwise the platform's user data and config directories (platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "thinkaloud"


def data_home() -> Path:
    if home := os.environ.get("THINKALOUD_HOME"):
        return Path(home).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_file() -> Path:
    if home := os.environ.get("THINKALOUD_HOME"):
        return Path(home).expanduser() / "config.toml"
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def sessions_root() -> Path:
    return data_home() / "sessions"


def database_file() -> Path:
    return data_home() / "sessions.sqlite3"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by its owner only: rehearsals are personal."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        path.chmod(0o700)
    except OSError:
        pass
    return path
