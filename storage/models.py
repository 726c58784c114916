"""Pydantic models at the storage boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

BackendKind = Literal["local", "smb", "s3"]


class ObjectInfo(BaseModel):
    """What ``stat`` tells about one object."""

    key: str
    size: int = Field(ge=0)
    modified: datetime
    sha256: str | None = Field(None, description="hex SHA-256 of the content; None if not asked for")


class WriteResult(BaseModel):
    """What a committed write stored (or spooled)."""

    key: str
    size: int = Field(ge=0)
    sha256: str
    spooled: bool = Field(False, description="True if the backend was unreachable and the data waits in the spool")
