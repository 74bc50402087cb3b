/* A person's own page (/me/<link key>): remember who this phone belongs to.
 *
 * localStorage `quizroom:me` = {"key": <link key>, "name": <their name>}. The join page
 * (play.js) reads it and joins the trainer's rooms as that person (`person: {key}`), with
 * "not you?" to forget it. The key is a secret: it only goes back to this server.
 */
(function () {
  "use strict";

  var STORE_KEY = "quizroom:me";
  var root = document.getElementById("me");
  if (!root) { return; }
  var key = root.getAttribute("data-key");
  var name = root.getAttribute("data-name");
  var forget = document.getElementById("me-forget");
  var status = document.getElementById("me-status");

  function store(value) {
    try {
      if (value === null) { window.localStorage.removeItem(STORE_KEY); }
      else { window.localStorage.setItem(STORE_KEY, JSON.stringify(value)); }
      return true;
    } catch (e) {
      return false; // private mode, storage full or off: the room code still works
    }
  }

  if (store({ key: key, name: name })) {
    forget.hidden = false;
  } else {
    document.getElementById("me-remembered").textContent =
      "This browser cannot remember you (private browsing?). Open this link again before each session, " +
      "or join with the room code.";
  }

  forget.addEventListener("click", function () {
    store(null);
    forget.hidden = true;
    document.getElementById("me-remembered").textContent =
      "This phone has forgotten you. Join with a room code and a nickname, or open your link again.";
    status.textContent = "Forgotten on this phone.";
  });
})();
