"""Writing settings back to ``config.toml`` (the settings screen): merge a change into the file,
validate the result with the Settings model, then replace the file atomically. A bad value raises
ConfigError and leaves the file as it was."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

from app.settings import ConfigError, Settings, bad_setting

Scalar = str | int | float | bool


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_value(x)}" for k, x in v.items()) + " }"
    kind = type(v).__name__
    raise ConfigError(f"config error: cannot store a {kind} in the settings file",
                      de=f"Einstellungsfehler: ein {kind} kann nicht in der Einstellungsdatei stehen")


def dumps(data: dict[str, Any]) -> str:
    """TOML text for a dict of scalars and one level of tables (None values are left out)."""
    top = [f"{k} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict) and v is not None]
    out = [*top, ""] if top else []
    for section, table in data.items():
        if isinstance(table, dict):
            out.append(f"[{section}]")
            out += [f"{k} = {_value(v)}" for k, v in table.items() if v is not None]
            out.append("")
    return "\n".join(out)


def read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config error: {path} is not valid TOML: {exc}",
                          de=f"Einstellungsfehler: {path} ist kein gültiges TOML: {exc}") from None


def update(path: Path, changes: dict[str, dict[str, Any] | Scalar]) -> dict[str, Any]:
    """Merge ``changes`` ({"stt": {"model": "base"}, "language": "de"}) into the file; return the new data.

    None removes a key (back to its default)."""
    from pydantic import ValidationError

    data = read(path)
    for key, value in changes.items():
        if isinstance(value, dict):
            table = dict(data.get(key) or {})
            for k, v in value.items():
                if v is None:
                    table.pop(k, None)
                else:
                    table[k] = v
            data[key] = table
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        raise bad_setting(exc.errors()[0]) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(dumps(data), encoding="utf-8")
    os.replace(tmp, path)
    return data
