"""The tax folder written to a folder: ``steuer-YEAR.csv`` (every item, ';'-separated as German
spreadsheets expect, UTF-8 with BOM), ``steuer-YEAR.xlsx`` (a summary sheet per category and the items,
openpyxl) and ``steuer-YEAR.pdf`` (a cover page with the summary, then each document: the PDFs as they
are, receipt photos one per page; fpdf2 draws, pypdf joins). For entering the figures in ELSTER or
handing them to a tax adviser; filing itself needs ERiC (proprietary) and is not done here."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from agents.finance.tax.categories import BY_KEY, REDUCTION_PERCENT
from agents.finance.tax.folder import TaxFolder, TaxItem
from storage.base import Backend

HEADER = ["Kategorie", "Anlage", "Datum", "Art", "Nr", "Beschreibung", "Betrag", "Währung", "Arbeitskosten (§ 35a)",
          "Beleg"]
_KIND_DE = {"transaction": "Buchung", "receipt": "Beleg", "invoice": "Rechnung"}


@dataclass(frozen=True)
class Exported:
    csv: Path
    xlsx: Path
    pdf: Path
    documents: int  # documents put into the PDF
    left_out: list[str]  # documents that could not be added, with why

    def files(self) -> list[Path]:
        return [self.csv, self.xlsx, self.pdf]


def _de(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}".replace(".", ",")


def _row(i: TaxItem) -> list[str]:
    c = BY_KEY[i.category]
    return [c.de, c.form, i.day.isoformat(), _KIND_DE[i.kind], str(i.id), i.description, _de(i.amount), i.currency,
            _de(i.labour) if c.labour else "", i.file_name]


def write_csv(folder: TaxFolder, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(HEADER)
        w.writerows(_row(i) for i in folder.items)


def write_xlsx(folder: TaxFolder, path: Path, steuer_id: str = "") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Zusammenfassung"
    ws.append([f"Steuerordner {folder.year}"] + ([f"Steuer-ID {steuer_id}"] if steuer_id else []))
    ws.append(["Kategorie", "Anlage", "Anzahl", "Summe (EUR)", "Arbeitskosten (EUR)",
               f"Steuerermäßigung {REDUCTION_PERCENT} % (EUR)"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for sm in folder.sums():
        c = BY_KEY[sm.key]
        ws.append([c.de, c.form, sm.count, float(sm.total), float(sm.labour) if c.labour else None,
                   float(sm.reduction) if sm.reduction is not None else None])
    items = wb.create_sheet("Posten")
    items.append(HEADER)
    for cell in items[1]:
        cell.font = Font(bold=True)
    for i in folder.items:
        c = BY_KEY[i.category]
        items.append([c.de, c.form, i.day, _KIND_DE[i.kind], i.id, i.description, float(i.amount), i.currency,
                      float(i.labour) if c.labour and i.labour is not None else None, i.file_name])
    for sheet in (ws, items):
        for col in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in col)
            sheet.column_dimensions[col[0].column_letter].width = min(max(width + 2, 10), 60)
    wb.save(path)


def _latin(text: str) -> str:
    return text.replace("€", "EUR").replace("§", "§").encode("latin-1", "replace").decode("latin-1")


def _cover(folder: TaxFolder, steuer_id: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"Steuerordner {folder.year}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    if steuer_id:
        pdf.cell(0, 6, _latin(f"Steuer-ID: {steuer_id}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, _latin("Zusammenstellung für die Steuererklärung (Eingabe in ELSTER oder für die "
                                "Steuerberatung). Die Abgabe über ELSTER ist nicht Teil dieses Ordners."),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for sm in folder.sums():
        c = BY_KEY[sm.key]
        pdf.set_font("helvetica", "B", 11)
        pdf.cell(0, 7, _latin(f"{c.de} ({c.form}): {sm.count} Posten, {_de(sm.total)} EUR"),
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=9)
        if c.labour:
            note = (f"Arbeitskosten {_de(sm.labour)} EUR, davon {REDUCTION_PERCENT} % = {_de(sm.reduction)} EUR "
                    "Steuerermäßigung")
            if sm.missing_labour:
                note += f"; bei {sm.missing_labour} Posten fehlt die Rechnung mit den Arbeitskosten"
            pdf.multi_cell(0, 5, _latin(note), new_x="LMARGIN", new_y="NEXT")
        for i in folder.items:
            if i.category == sm.key:
                doc = f" [{i.file_name}]" if i.file_name else ""
                pdf.multi_cell(0, 4.5, _latin(f"  {i.day.isoformat()}  {_KIND_DE[i.kind]} {i.id}: {i.description}, "
                                              f"{_de(i.amount)} {i.currency}{doc}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())


def _image_page(data: bytes) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(io.BytesIO(data), x=10, y=10, w=190, keep_aspect_ratio=True, h=277)
    return bytes(pdf.output())


def write_pdf(folder: TaxFolder, backend: Backend, path: Path, steuer_id: str = "") -> tuple[int, list[str]]:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    out = PdfWriter()
    out.append(PdfReader(io.BytesIO(_cover(folder, steuer_id))))
    added, left_out = 0, []
    seen: set[str] = set()
    for i in folder.items:
        if not i.file_key or i.file_key in seen:
            continue
        seen.add(i.file_key)
        if i.media == "xml":
            left_out.append(f"{i.file_name}: an XML invoice has no pages (it is listed on the cover)")
            continue
        try:
            data = backend.load(i.file_key)
            page = data if i.media == "pdf" else _image_page(data)
            out.append(PdfReader(io.BytesIO(page)))
            added += 1
        except (OSError, PdfReadError, ValueError, RuntimeError) as exc:
            left_out.append(f"{i.file_name}: could not be added ({type(exc).__name__})")
    with path.open("wb") as fh:
        out.write(fh)
    return added, left_out


def export(folder: TaxFolder, backend: Backend, out_dir: Path, steuer_id: str = "") -> Exported:
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / f"steuer-{folder.year}"
    csv_path, xlsx_path, pdf_path = base.with_suffix(".csv"), base.with_suffix(".xlsx"), base.with_suffix(".pdf")
    write_csv(folder, csv_path)
    write_xlsx(folder, xlsx_path, steuer_id)
    added, left_out = write_pdf(folder, backend, pdf_path, steuer_id)
    return Exported(csv_path, xlsx_path, pdf_path, added, left_out)
