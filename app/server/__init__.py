"""Home-server mode: a FastAPI app (``app.server.app.create_app``) in front of the assistant, for
phones and other clients. Auth with argon2 password hashes and JWT access/refresh tokens."""
