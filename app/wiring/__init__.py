"""The composition root's builders: settings + keyring secrets -> concrete parts.

Only ``app`` reads settings and secrets. The lower layers (``storage``, ``audio``, ``agents``) take
plain typed config and a secret-getter callable; the functions in this package translate the app's
settings into those and construct the parts. ``app.services.Services`` calls them, lazily, once."""
