"""The local engine's voices and models (``ModelsPort``): the model manager run in a worker thread,
its progress as ``ProgressEvent(task="model:<id>")`` on the bus, one cancel flag per running install."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from app.engine import EngineError, ModelView, ProgressEvent
from app.engine.local.core import EngineCore
from storage.bilingual import said

if TYPE_CHECKING:
    from audio.model_manager import ModelManager, ModelStatus


class LocalModels:
    def __init__(self, core: EngineCore) -> None:
        self.core = core
        self._cancels: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def _manager(self) -> ModelManager:
        from app.wiring.speech import model_manager
        from audio.catalogue import CatalogueError

        try:
            return model_manager(self.core.sv.settings, self.core.sv.paths)
        except CatalogueError as exc:
            raise EngineError(said(exc, self.core.lang)) from None

    def _views(self) -> list[ModelView]:
        return [_view(st) for st in self._manager().statuses()]

    def _view_of(self, model_id: str) -> ModelView:
        from audio.catalogue import CatalogueError

        try:
            return _view(self._manager().status(model_id))
        except CatalogueError as exc:
            raise EngineError(said(exc, self.core.lang)) from None

    async def models(self) -> list[ModelView]:
        return await self.core.thread(self._views)

    async def install_model(self, model_id: str) -> ModelView:
        with self._lock:
            if model_id in self._cancels:
                raise EngineError(self.core.say("models.already_installing", model=model_id))
            cancel = self._cancels[model_id] = threading.Event()
        try:
            return await self.core.thread(self._install, model_id, cancel)
        finally:
            with self._lock:
                self._cancels.pop(model_id, None)

    def _install(self, model_id: str, cancel: threading.Event) -> ModelView:
        from audio.catalogue import CatalogueError
        from audio.downloads import DownloadCancelled, DownloadError
        from audio.model_manager import InstallProgress
        from audio.models import ModelError

        task = f"model:{model_id}"
        bus, say = self.core.bus, self.core.say
        last = [-1.0]

        def progress(p: InstallProgress) -> None:
            fraction = (p.index - 1 + (p.done / p.total if p.total else 0)) / p.count
            if fraction - last[0] >= 0.01 or p.done == p.total:  # at most ~100 events per install
                last[0] = fraction
                bus.emit(ProgressEvent(task=task, label=say("models.progress_file", model=model_id, file=p.file),
                                       fraction=min(1.0, fraction)))

        try:
            st = self._manager().install(model_id, progress=progress, cancel=cancel)
        except DownloadCancelled:
            bus.emit(ProgressEvent(task=task, label=say("models.progress_cancelled", model=model_id), done=True))
            raise EngineError(say("models.cancelled", model=model_id)) from None
        except (DownloadError, ModelError, CatalogueError) as exc:
            bus.emit(ProgressEvent(task=task, label=say("models.progress_failed", model=model_id, detail=exc), done=True))
            raise EngineError(said(exc, self.core.lang)) from None
        bus.emit(ProgressEvent(task=task, label=say("models.progress_installed", model=model_id), fraction=1.0, done=True))
        return _view(st)

    async def cancel_model_install(self, model_id: str) -> None:
        with self._lock:
            cancel = self._cancels.get(model_id)
        if cancel is not None:
            cancel.set()

    async def remove_model(self, model_id: str) -> ModelView:
        from audio.catalogue import CatalogueError
        from audio.models import ModelError

        def remove() -> ModelView:
            try:
                self._manager().remove(model_id)
            except (ModelError, CatalogueError) as exc:  # not installed, built in, or not in the catalogue
                raise EngineError(said(exc, self.core.lang)) from None
            return self._view_of(model_id)

        return await self.core.thread(remove)


def _view(st: ModelStatus) -> ModelView:
    e = st.entry
    sums = st.shown_checksums()
    return ModelView(id=e.id, kind=e.kind, languages=e.languages, size_mb=e.size_mb, quality=e.quality,
                     rtf=e.speed.rtf, speed=e.speed.how, installed=st.installed, builtin=e.builtin,
                     source=st.source, sha256=sums)
