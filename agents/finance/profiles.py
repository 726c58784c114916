"""CSV column-mapping profiles the user saved for banks the built-in layouts do not know."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.finance.db import FinCsvProfile
from agents.finance.imports.csv_layouts import CsvLayout


def save_profile(s: Session, layout: CsvLayout) -> None:
    layout.check()
    row = s.scalar(select(FinCsvProfile).where(FinCsvProfile.name == layout.name))
    if row is None:
        s.add(FinCsvProfile(name=layout.name, mapping=layout.model_dump()))
    else:
        row.mapping = layout.model_dump()
    s.flush()


def saved_profiles(s: Session) -> list[CsvLayout]:
    return [CsvLayout.model_validate(p.mapping) for p in s.scalars(select(FinCsvProfile).order_by(FinCsvProfile.name))]
