// The issue page: the workflow buttons post the form to another URL, which does not save it.
// Once anything in the form is edited, they are disabled and a note says to save first.
(function () {
  "use strict";
  function isWorkflowField(el) {
    return !!(el.name && (el.name.indexOf("wf_") === 0)) || !!el.closest("#workflow-panel");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("#content-main form");
    var note = document.getElementById("unsaved-note");
    if (!form || !note) return;
    var guarded = form.querySelectorAll("button[name=wf_action], button[formaction*='paper-sign-off']");
    if (!guarded.length) return;
    var first = guarded[0].closest(".form-row") || guarded[0].parentNode;
    first.parentNode.insertBefore(note, first);
    function dirty(event) {
      if (event.target && isWorkflowField(event.target)) return;
      guarded.forEach(function (b) { b.disabled = true; b.title = note.textContent.trim(); });
      note.style.display = "block";
    }
    form.addEventListener("input", dirty, true);
    form.addEventListener("change", dirty, true);
  });
})();
