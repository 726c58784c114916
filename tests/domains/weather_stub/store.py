"""The weather domain's table (created by its own migration) and the one query both paths use."""

from __future__ import annotations

import sqlalchemy as sa

from storage.db.engine import Database

metadata = sa.MetaData()
forecasts = sa.Table(
    "weather_forecasts", metadata,
    sa.Column("city", sa.String(80), primary_key=True),
    sa.Column("celsius", sa.Float(), nullable=False),
    sa.Column("summary", sa.String(200), nullable=False),
)


def forecast(db: Database, city: str) -> tuple[float, str] | None:
    with db.session() as s:
        row = s.execute(sa.select(forecasts.c.celsius, forecasts.c.summary)
                        .where(sa.func.lower(forecasts.c.city) == city.strip().lower())).first()
    return (row[0], row[1]) if row is not None else None


def shown(celsius: float, units: str) -> str:
    return f"{celsius * 9 / 5 + 32:.0f} °F" if units == "imperial" else f"{celsius:.0f} °C"
