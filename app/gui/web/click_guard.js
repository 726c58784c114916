// A click on a text field focuses that field, not whatever the picture shows at that spot (issue 18, item 1).
//
// With semantics on (a screen reader, or a browser test), Flutter web lays an invisible copy of the
// page over its canvas: each text field is an <input> there, and a scrolling list is an element whose
// own scroll position mirrors the list's. When the browser scrolls that element itself (it brings a
// field below the fold into view before a click, as a screen reader or a test does), the copy moves at
// once, but the canvas scrolls only a few frames later, after Flutter has told the framework. A click
// in between focuses the right <input>; Flutter also hands the same pointer to the framework at its
// screen position, where the unscrolled canvas still shows another control (on the phone-sized
// Settings screen: the Theme dropdown). The framework focused that control, Flutter moved the browser's
// focus to it and, once the list had scrolled it away, to <body>: the keys typed went nowhere (an
// instrumented run at 390x844: 26 of 50 runs on the account fields lost every key).
//
// This script notes where Flutter itself last put each scrolling element. A press on a field inside an
// element the browser has scrolled away from there is kept from Flutter's pointer handling; the
// <input> still gets the focus, and Flutter focuses the field through its semantics (as for a screen
// reader's tap), so the field that was clicked is the one that gets the keys.
(() => {
  "use strict";
  const placed = new WeakMap(); // scrolling element -> [scrollTop, scrollLeft] where Flutter put it
  const held = new Set(); // pointers whose press was kept from Flutter: their moves and release too
  const stats = (window.__clickGuard = { kept: 0 }); // for tests

  const remember = (el) => placed.set(el, [el.scrollTop, el.scrollLeft]);
  for (const prop of ["scrollTop", "scrollLeft"]) {
    const desc = Object.getOwnPropertyDescriptor(Element.prototype, prop);
    Object.defineProperty(Element.prototype, prop, {
      ...desc,
      set(value) {
        desc.set.call(this, value);
        if (this.tagName === "FLT-SEMANTICS") remember(this); // what the browser made of it (clamped)
      },
    });
  }

  const isField = (el) =>
    !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA") && !!el.closest("flt-semantics");

  // whether an element around the field shows another part of its list than the canvas does
  const scrolledByBrowser = (field) => {
    for (let el = field.parentElement; el; el = el.parentElement) {
      if (el.tagName !== "FLT-SEMANTICS") continue;
      const [top, left] = placed.get(el) || [0, 0];
      if (Math.abs(el.scrollTop - top) > 1 || Math.abs(el.scrollLeft - left) > 1) return true;
    }
    return false;
  };

  window.addEventListener("pointerdown", (e) => {
    if (!isField(e.target) || !scrolledByBrowser(e.target)) return;
    held.add(e.pointerId);
    stats.kept += 1;
    e.stopImmediatePropagation(); // not preventDefault: the browser still focuses the <input>
  }, true);
  const rest = (e) => {
    if (!held.has(e.pointerId)) return;
    if (e.type !== "pointermove") held.delete(e.pointerId);
    e.stopImmediatePropagation();
  };
  for (const type of ["pointermove", "pointerup", "pointercancel"]) window.addEventListener(type, rest, true);
})();
