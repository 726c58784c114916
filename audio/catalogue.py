"""The catalogue of voices and speech models the model manager can install (``model_catalogue.json``
beside this module, or another file of the same shape: a test's, a company mirror's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from storage.bilingual import Bilingual

CATALOGUE_FILE = Path(__file__).with_name("model_catalogue.json")


class CatalogueError(Bilingual):
    """The catalogue file is missing, unreadable or names an unknown entry."""


class Speed(BaseModel):
    rtf: float = Field(description="seconds of work per second of speech on 2 CPU cores")
    how: str = Field(description="'measured ...' or 'estimated ...'")


class ModelFile(BaseModel):
    repo: str
    path: str
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    md5: str | None = Field(None, pattern=r"^[0-9a-f]{32}$", description="where the source publishes MD5 only")
    checksum_source: str | None = Field(None, description="where the checksum is published (else the repo's)")
    size: int | None = Field(None, ge=0, description="exact bytes when known")

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def published(self) -> str | None:
        """The published checksum as shown to the user: ``<sha256>`` or ``md5:<md5>``; None: recorded at
        first install."""
        if self.sha256:
            return self.sha256
        return f"md5:{self.md5}" if self.md5 else None


class CatalogueEntry(BaseModel):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    kind: Literal["voice", "whisper"]
    languages: list[str]
    size_mb: float
    quality: str
    license: str
    speed: Speed
    files: list[ModelFile] = Field(default_factory=list)
    pypi: list[str] = Field(default_factory=list, description="shipped by these packages (nothing to download)")
    pypi_option: list[str] = Field(
        default_factory=list, description="may also be installed from these packages instead of the model host"
    )

    @property
    def builtin(self) -> bool:
        return bool(self.pypi)

    def speaks(self, language: str) -> bool:
        return language in self.languages or "multi" in self.languages


class Catalogue(BaseModel):
    repos: dict[str, str]
    checksums_from: dict[str, str] = Field(
        default_factory=dict,
        description="repo (or 'default') -> where its files' published checksums come from",
    )
    entries: list[CatalogueEntry]

    def checksum_source(self, file: ModelFile) -> str:
        return (file.checksum_source or self.checksums_from.get(file.repo)
                or self.checksums_from.get("default", "the model host"))

    def get(self, entry_id: str) -> CatalogueEntry:
        for e in self.entries:
            if e.id == entry_id:
                return e
        known = ", ".join(e.id for e in self.entries)
        raise CatalogueError(f"unknown voice or model '{entry_id}'; known: {known}",
                             de=f"unbekannte Stimme oder unbekanntes Modell '{entry_id}'; bekannt: {known}")

    def url(self, file: ModelFile, source_url: str | None = None) -> str:
        """The file's address: ``<source_url>/<repo>/<path>`` for a mirror, else the repo's public base."""
        if source_url:
            return f"{source_url.rstrip('/')}/{file.repo}/{file.path}"
        if file.repo not in self.repos:
            raise CatalogueError(f"the catalogue names no address for '{file.repo}'",
                                 de=f"der Katalog nennt keine Adresse für '{file.repo}'")
        return f"{self.repos[file.repo].rstrip('/')}/{file.path}"


def load_catalogue(path: Path | None = None) -> Catalogue:
    path = path or CATALOGUE_FILE
    try:
        return Catalogue.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
    except OSError as exc:
        why = exc.strerror or exc
        raise CatalogueError(f"cannot read the model catalogue {path}: {why}",
                             de=f"der Modellkatalog {path} kann nicht gelesen werden: {why}") from None
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0][:160]
        raise CatalogueError(f"the model catalogue {path} is not valid: {first}",
                             de=f"der Modellkatalog {path} ist ungültig: {first}") from None
