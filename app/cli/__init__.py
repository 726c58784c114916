"""The `personal-agent` command line. Each feature registers its commands in its own module."""
