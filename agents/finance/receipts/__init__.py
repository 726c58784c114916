"""Receipts: photos (JPEG/PNG) and PDFs read offline with Tesseract (``ocr``), the amount, date and vendor
taken from the text (``extract``), the original stored through the storage adapter and the fields in the
ledger (``store``, table ``fin_receipts``), matched to a bank booking by amount and date (``match``)."""
