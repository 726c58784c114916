"""Backup and restore of an installation (``personal-agent backup create|list|restore|verify``).

A backup is a consistent snapshot of what cannot be rebuilt: the database (SQLite's online backup API
per file, so a running server keeps writing; ``pg_dump`` for PostgreSQL), the keyring file, the
encryption key file, the config and the small state files of the data folder (the recordings index is
the database's meetings tables; the recordings themselves are on the storage backend already). It is
one tar, sealed with ``storage.sealed`` under a backup key kept in the keyring, stored with a plaintext
manifest (names, sizes, SHA-256: no content) on any storage backend. ``snapshot`` gathers the files,
``archive`` seals and opens them, ``service`` keeps them on a backend (list, retention, verify, restore)."""
