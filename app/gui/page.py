"""The app's Flet page. Until the full GUI lands this shows the app name and a status line."""

from __future__ import annotations

import flet as ft

from app.services import Services


def build_page(sv: Services) -> ft.ControlEvent | object:
    def main(page: ft.Page) -> None:
        page.title = "Personal Agent"
        status = ft.Text("Ready: offline mode")
        page.add(
            ft.Column(
                [
                    ft.Text("Personal Agent", size=28, weight=ft.FontWeight.BOLD),
                    status,
                ]
            )
        )

    return main
