"""Which backend is the primary now. Settings name the backend the user configured; a migration
with ``--switch`` records the new primary here (``storage-state.json`` in the data dir), and while a
migration runs it records the target so new writes go to both (dual-write)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from storage.local import write_file_atomic
from storage.models import BackendKind

STATE_FILE = "storage-state.json"


class StorageState(BaseModel):
    primary: BackendKind | None = Field(None, description="set by `storage migrate --switch`; wins over settings")
    dual_write_to: BackendKind | None = Field(None, description="migration target receiving every new write too")
    retired: list[BackendKind] = Field(default_factory=list)
    switched_at: datetime | None = None
    configured_at_switch: BackendKind | None = None


def state_path(data_dir: Path) -> Path:
    return data_dir / STATE_FILE


def load_state(data_dir: Path) -> StorageState:
    p = state_path(data_dir)
    if not p.exists():
        return StorageState()
    return StorageState.model_validate_json(p.read_text(encoding="utf-8"))


def save_state(data_dir: Path, state: StorageState) -> None:
    write_file_atomic(state_path(data_dir), json.dumps(state.model_dump(mode="json"), indent=2).encode())


def active_kind(configured: BackendKind, state: StorageState) -> BackendKind:
    """The primary: the switched one, unless the user changed the configured backend since."""
    if state.primary and (state.configured_at_switch in (None, configured)):
        return state.primary
    return configured


def record_switch(data_dir: Path, configured: BackendKind, old: BackendKind, new: BackendKind) -> StorageState:
    st = load_state(data_dir)
    st.primary = new
    st.dual_write_to = None
    st.retired = sorted({*st.retired, old} - {new})  # type: ignore[assignment]
    st.switched_at = datetime.now(UTC)
    st.configured_at_switch = configured
    save_state(data_dir, st)
    return st
