// A ringing timer or reminder as a browser notification, where the user allows it (issue 18, item 5).
// Flet 1.0 has no notification API and runs no page script from Python, so this watches the page for
// the alert the timers panel shows (its semantics node "timer-alert-text") and notifies when the page
// is not in front: another tab, another window, a locked phone. Permission is asked once, at the
// user's first press or key in the page (browsers ask only on a gesture); a "no" is kept, never asked again.
(() => {
  if (typeof window.Notification !== "function") return;
  const state = { shown: [], last: "" };
  window.__notifications = state;
  const ask = () => {
    window.removeEventListener("pointerdown", ask, true);
    window.removeEventListener("keydown", ask, true);
    if (Notification.permission === "default") {
      try { Notification.requestPermission(); } catch (e) { /* an old browser's callback form: none then */ }
    }
  };
  window.addEventListener("pointerdown", ask, true);
  window.addEventListener("keydown", ask, true);
  const check = () => {
    const node = document.querySelector('flt-semantics[flt-semantics-identifier="timer-alert-text"]');
    const text = node ? (node.innerText || node.getAttribute("aria-label") || "").trim() : "";
    if (text === state.last) return;
    state.last = text;  // a new alert, or none (the next one notifies again)
    if (!text || Notification.permission !== "granted") return;
    if (document.visibilityState === "visible" && document.hasFocus()) return;  // the alert is on screen
    try {
      const note = new Notification(document.title || "Assistant", { body: text, tag: "timer-alert" });
      note.onclick = () => { window.focus(); note.close(); };
      state.shown.push(text);
    } catch (e) { /* a browser that allows notifications only from a service worker (Android): none */ }
  };
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; check(); }, 200);
  }).observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
})();
