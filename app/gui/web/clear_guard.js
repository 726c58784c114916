// A field the server empties after a send keeps the keys typed since (issue 18, item 1).
//
// After Send (or Enter) the server reads the message, and empties the field if its own copy of it
// still holds what was sent. That copy lags the browser, and the emptying reaches the browser a round
// trip later: on a loaded machine seconds later, when the user had already clicked the field again and
// typed the first keys of the next message. Flutter then wrote "" into the field's <input> and those
// keys were gone (1-3 of 100 runs typed right after Send at 1280x800 under load 24).
//
// Whether an emptying is stale is decided here, in the browser, which knows what was typed when: the
// user's last action (a press or click anywhere, Enter, Space outside a text field: a send is one) and
// each field's last edit. When Flutter writes "" into a field that holds text typed after the last
// action, the server asked for it before that text was typed: the write (and the caret move that
// comes with it) is dropped, and an "input" event makes Flutter read the field again, so Flutter, the
// server and the screen hold what the user typed. An emptying with no typing after the last action
// (the send itself) goes through.
//
// The other half: Flutter web writes a text changed by the server into a field's <input> only while
// that field is being edited. After a press on Send the field has lost the focus, so the server's
// emptying reached the canvas (drawn empty) but not the <input> a screen reader reads (and the tests):
// it held the sent text until the next click into the field (every send, measured with no delay at
// all). A press on Send therefore empties the message field's <input> when it is not focused. Nothing
// is sent from it (the server has the text from the field's change events, in order before the
// press), and a click into the field makes Flutter write its own text (empty, or keys typed since)
// into it again.
(() => {
  "use strict";
  const edited = new WeakMap(); // field -> when the user last changed its text
  let acted = 0; // when the user last acted (a press or click, Enter, Space outside a text field)
  let dropping = null; // the field whose emptying was just dropped (its caret move goes too)
  const stats = (window.__clearGuard = { kept: 0, emptied: 0, entered: 0 }); // for tests
  const SENDS = { send: "message" }; // a send button's semantics identifier -> its text field's

  const isField = (el) =>
    (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) &&
    !!el.closest("flt-semantics, flt-text-editing-host, flutter-view");

  const stale = (field) => field.value !== "" && (edited.get(field) || 0) > acted;

  const setValue = new Map(); // prototype -> the browser's own value setter
  for (const proto of [HTMLInputElement.prototype, HTMLTextAreaElement.prototype]) {
    const value = Object.getOwnPropertyDescriptor(proto, "value");
    setValue.set(proto, value.set);
    Object.defineProperty(proto, "value", {
      ...value,
      set(text) {
        if (text === "" && isField(this) && stale(this)) {
          stats.kept += 1;
          dropping = this;
          queueMicrotask(() => { dropping = null; });
          const field = this;
          setTimeout(() => field.dispatchEvent(new Event("input", { bubbles: true })), 0);
          return;
        }
        value.set.call(this, text);
      },
    });
    const select = proto.setSelectionRange;
    proto.setSelectionRange = function (...args) {
      if (this === dropping) return undefined;
      return select.apply(this, args);
    };
  }

  const emptyAfterSend = (e) => {
    const button = e.target instanceof Element ? e.target.closest("[flt-semantics-identifier]") : null;
    const name = button && SENDS[button.getAttribute("flt-semantics-identifier")];
    if (!name) return;
    setTimeout(() => { // after Flutter handled the press: a field it still edits, it writes itself
      const holder = document.querySelector(`[flt-semantics-identifier="${name}"]`);
      const field = holder && holder.querySelector("input, textarea");
      if (!field || field === document.activeElement || field.value === "") return;
      stats.emptied += 1;
      setValue.get(Object.getPrototypeOf(field)).call(field, "");
    }, 0);
  };

  // Enter in the message field sends it (a multi-line field whose Enter without Shift Flutter takes as
  // Send and keeps: Flutter prevents the line break), and the field keeps the keyboard focus, so the
  // user types the next message at once. The sent text is taken out here, in the browser, as soon as
  // Flutter has handled the key: the keys typed next start an empty field (the server's emptying comes
  // a round trip later and is dropped above once they are typed). Right after the key's dispatch when
  // Flutter lets it reach the window, else on the next task, when a key typed quickly may already be in
  // the field: only the sent text, at its start, is removed. Flutter reads the field through an
  // "input" event, after the press it sent: the server has the message from the change events before.
  let entered = null; // the Enter being handled: its event and what to do once Flutter is done with it
  const emptyAfterEnter = (e) => {
    if (e.key !== "Enter" || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
    const field = e.target;
    if (!(field instanceof HTMLTextAreaElement) || !isField(field)) return;
    const sent = field.value;
    let done = false;
    const empty = () => {
      if (done) return;
      done = true;
      if (entered && entered.event === e) entered = null;
      // a line break went in (not a send), or nothing was sent, or the text was changed otherwise
      if (!e.defaultPrevented || !sent || !field.value.startsWith(sent)) return;
      const rest = field.value.slice(sent.length);
      stats.entered += 1;
      setValue.get(HTMLTextAreaElement.prototype).call(field, rest);
      field.setSelectionRange(rest.length, rest.length);
      field.dispatchEvent(new Event("input", { bubbles: true }));
    };
    entered = { event: e, empty };
    setTimeout(empty, 0);
  };
  window.addEventListener("keydown", (e) => { // after Flutter's own handlers, if they let the key reach here
    if (entered && entered.event === e) entered.empty();
  });

  const act = () => { acted = performance.now(); };
  window.addEventListener("pointerdown", act, true);
  window.addEventListener("click", (e) => { // also a screen reader's activation, which has no press
    act();
    emptyAfterSend(e);
  }, true);
  window.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || (e.key === " " && !isField(document.activeElement))) act();
    emptyAfterEnter(e);
  }, true);
  window.addEventListener("input", (e) => {
    if (isField(e.target)) edited.set(e.target, performance.now());
  }, true);
})();
