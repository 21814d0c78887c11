// The issue desk: quote the selected passage into the comment form; the "同意" shortcut; and no
// lost input: while a comment or answer is typed but not sent, the workflow buttons are disabled
// (pressing one would leave the page and drop it).
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var host = document.getElementById("desk-print-host");
    var quoteButton = document.getElementById("desk-quote-selection");
    if (quoteButton && host) {
      quoteButton.addEventListener("click", function () {
        var root = host.shadowRoot;
        var sel = (root && root.getSelection) ? root.getSelection() : document.getSelection();
        var text = sel ? String(sel).trim() : "";
        if (text) { document.getElementById("id_quote").value = text.slice(0, 500); update(); }
        document.getElementById("id_body").focus();
      });
    }
    document.querySelectorAll(".desk-agree").forEach(function (button) {
      button.addEventListener("click", function () {
        var box = document.getElementById("id_opinion");
        box.value = button.dataset.opinion; box.focus();
      });
    });
    var note = document.getElementById("desk-unsaved-note");
    var buttons = document.querySelectorAll("#desk-action-form button[name=wf_action]");
    function update() {
      var dirty = Array.prototype.some.call(document.querySelectorAll(".desk-draft"), function (el) { return el.value.trim() !== ""; });
      buttons.forEach(function (b) { b.disabled = dirty; });
      if (note) note.hidden = !dirty;
    }
    document.querySelectorAll(".desk-draft").forEach(function (el) { el.addEventListener("input", update); });
    update();
    // On a desktop narrower than the A4 sheet, scale the sheet to fit instead of cutting it off
    // (phones get a fluid layout from print-in-desk.css instead).
    function fit() {
      if (!host || !host.shadowRoot) return;
      var sheet = host.shadowRoot.querySelector(".sheet");
      host.style.zoom = "";
      if (!sheet || window.innerWidth <= 900) return;
      var need = sheet.getBoundingClientRect().width + 8, room = host.clientWidth;
      if (need > room) host.style.zoom = String(room / need);
    }
    fit();
    window.addEventListener("resize", fit);
    // Mark the quoted passages of open comments in the text.
    if (host && host.shadowRoot) {
      document.querySelectorAll(".desk-comment[data-open='1'] blockquote").forEach(function (q) {
        markText(host.shadowRoot, q.textContent.trim());
      });
    }
  });
  function markText(root, text) {
    if (!text) return;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      var at = node.data.indexOf(text);
      if (at >= 0) {
        var range = document.createRange();
        range.setStart(node, at); range.setEnd(node, at + text.length);
        var mark = document.createElement("mark"); mark.className = "desk-quote";
        range.surroundContents(mark);
        return;
      }
    }
  }
})();
