// Keys typed into a text field right after it is clicked are kept (issue 18, item 1).
//
// With semantics on (a screen reader, or a browser test), Flutter web shows each text field as an
// <input> (or <textarea>) in its semantics tree. A click focuses that element at once, but Flutter
// takes it over as its editing element only after a round trip through the framework (the focus
// action, the text input connection, the next semantics update): 10-20 ms on a quiet machine,
// hundreds when the page is busy (a screen just opened). Until then nothing listens to the element;
// when Flutter takes it over it writes the field's text into it, and whatever was typed in between
// is gone ("dget review" for "Budget review"), or a select-all went to the still empty element and
// the new text was added to the old one.
//
// This script holds the keys that edit text (characters, Backspace, Delete, select-all) while the
// focused field is not yet Flutter's, and types them into the field once Flutter listens to it (in
// the order typed: keys that come between Flutter listening and the release are held too).
(() => {
  "use strict";
  const HOLD_LIMIT_MS = 3000; // never hold keys longer than this (Flutter did not take the field)
  const listened = new WeakSet(); // fields Flutter edits: it listens to their "input" events
  const held = new Map(); // field -> the keys held for it, in order
  const swallowed = new Set(); // codes of held keys whose keyup is swallowed too
  const stats = (window.__typingGuard = { held: 0, released: 0, listens: (el) => listened.has(el) }); // for tests

  const isField = (el) =>
    !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA") && !!el.closest("flt-semantics");

  const addListener = EventTarget.prototype.addEventListener;
  const removeListener = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    const result = addListener.call(this, type, listener, options);
    if (type === "input" && (this instanceof HTMLInputElement || this instanceof HTMLTextAreaElement)) {
      listened.add(this);
      if (held.has(this)) setTimeout(() => release(this), 0); // after Flutter has written its text
    }
    return result;
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    if (type === "input") listened.delete(this);
    return removeListener.call(this, type, listener, options);
  };

  // a key that edits text: a character, Backspace, Delete, or select-all (Ctrl+A / Cmd+A)
  const editKind = (e) => {
    if (e.isComposing) return null;
    const command = e.ctrlKey || e.metaKey;
    if (command && !e.altKey && e.key.toLowerCase() === "a") return "all";
    if (command || e.altKey) return null;
    if (e.key === "Backspace" || e.key === "Delete") return e.key;
    return e.key.length === 1 ? "text" : null;
  };

  const release = (field) => {
    const keys = held.get(field) || [];
    held.delete(field);
    if (document.activeElement !== field) return; // the user moved on: the keys were not meant for here
    stats.released += keys.length;
    for (const k of keys) {
      if (k.kind === "all") field.select();
      else if (k.kind === "Backspace") document.execCommand("delete");
      else if (k.kind === "Delete") document.execCommand("forwardDelete");
      else document.execCommand("insertText", false, k.key);
    }
  };

  addListener.call(window, "keydown", (e) => {
    const field = document.activeElement;
    // once Flutter listens, keys still go to the guard until the held ones are typed in: a key that
    // passed them (Flutter listened, the release was not done yet) was typed first and then replaced
    // by a held select-all ("3cret" for "s3cret")
    if (!isField(field) || (listened.has(field) && !held.has(field))) return;
    const kind = editKind(e);
    if (kind === null) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    swallowed.add(e.code);
    if (!held.has(field)) {
      held.set(field, []);
      setTimeout(() => { if (held.has(field)) release(field); }, HOLD_LIMIT_MS);
    }
    held.get(field).push({ kind, key: e.key });
    stats.held += 1;
  }, true);

  addListener.call(window, "keyup", (e) => {
    if (swallowed.delete(e.code)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
})();
