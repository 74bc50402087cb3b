/* The people pages: "Copy" buttons next to personal join links.
 *
 * A button with data-copy="<input id>" copies that field's value; it is hidden until this
 * script runs (without JavaScript the read-only field can still be selected and copied).
 */
(function () {
  "use strict";

  var status = document.getElementById("copy-status");

  function say(text) {
    if (!status) { return; }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50); // re-announced every time
  }

  function fallback(field) {
    field.focus();
    field.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  function copy(button, field) {
    var done = function () {
      var label = button.firstChild;
      label.textContent = "Copied";
      say("Link copied.");
      window.setTimeout(function () { label.textContent = "Copy"; }, 2000);
    };
    var failed = function () {
      field.focus();
      field.select();
      say("Could not copy: the link is selected, press Ctrl+C (or ⌘C) to copy it.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        if (fallback(field)) { done(); } else { failed(); }
      });
    } else if (fallback(field)) {
      done();
    } else {
      failed();
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { copy(button, field); });
  });

  // A click in a link field selects all of it: one tap, then copy.
  document.querySelectorAll("input.link-field").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
