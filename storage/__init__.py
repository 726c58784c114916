"""Storage: blob backends (local, NAS over SMB, S3) and the SQL database."""
