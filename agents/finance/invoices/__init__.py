"""E-invoices (Finance II): ``model`` (the typed invoice record), ``read`` (Factur-X/ZUGFeRD PDF, CII XML,
UBL XML -> ``Invoice``), ``check`` (XSD, the EN16931 business rules as XSLT run by saxonche, our own
arithmetic), ``rules_text`` (failed rules in plain words, EN+DE), ``store`` (import into the ledger: the
original file through the storage adapter, the fields as an open invoice) and ``db`` (its tables)."""
