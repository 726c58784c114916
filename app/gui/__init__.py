"""The Flet GUI (desktop window, web, phone)."""
