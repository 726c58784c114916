"""The yearly tax folder: German tax categories (``categories``), rules the user can correct (``rules``,
tables ``fin_tax_rules`` and ``fin_tax_assignments``), the year's items sorted into them (``folder``), the
export as CSV, XLSX and a PDF bundle (``export``), and the Steuer-ID check (``steuer_id``). Filing with
ELSTER needs the proprietary ERiC library and a registration: out of scope."""
