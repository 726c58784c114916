"""Storage: blob backends (local disk, NAS over SMB, S3) and the SQL database (``storage.db``).

For recordings, use ``services.storage`` (built by the app: ``app.wiring.storage.open_backend(services)``)::

    with services.storage.open_write("meetings/2024-05-01/standup.opus") as w:
        for chunk in frames:          # any number of writes; memory stays flat
            w.write(chunk)
    w.result                          # WriteResult(key, size, sha256, spooled)

The write commits when the ``with`` block ends (an exception discards it; the previous object under
that key stays). A NAS or cloud that is unreachable, or fails mid-write, never loses the recording:
the bytes land in the local spool (``storage.spool``) and are replayed in order when it is back
(``personal-agent storage status|replay``). Errors are typed (``storage.errors``); keys are
validated (``storage.keys``). Moving between backends: ``personal-agent storage migrate``."""
