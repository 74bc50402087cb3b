/* The phone: join a room with a nickname, answer, see how it went. Polls, boards and
 * surveys of an agenda are drawn by activities-play.js; the answer controls of a question
 * by answers.js (shared with the review page).
 *
 * Joining as a known person (docs/people.md): a phone that opened its personal link
 * (localStorage `quizroom:me`, see me.js) joins as that person by itself, with "not you?"
 * to forget it; in a room run for a group, people can pick their name from the roster;
 * elsewhere "Remember me across sessions" sends a name and e-mail (kept in
 * `quizroom:optin` on this phone only, to fill the form next time).
 *
 * The join token is kept in localStorage (`quizroom:<code>`); on load and on every
 * reconnect the phone joins again with it and comes back with the same nickname,
 * score and streak, inside the open question if there is one. An answer is sent until
 * the server acknowledges it (or says why not), also across a dropped connection.
 * Everything from other people goes in with textContent only.
 */
(function () {
  "use strict";

  var root = document.getElementById("play");
  if (!root || typeof io === "undefined" || !window.quizroom || !window.quizroom.answers) { return; }
  var Shapes = window.QuizShapes;
  var Answers = window.quizroom.answers;
  var CODE = root.getAttribute("data-code");
  var STORE_KEY = "quizroom:" + CODE;
  var NICK_KEY = "quizroom:nickname";
  var ME_KEY = "quizroom:me";
  var AS_KEY = "quizroom:as:" + CODE; // the person's name when this phone joined the room by its link
  var OPTIN_KEY = "quizroom:optin";
  var ACK_TIMEOUT = 8000;
  var HAS_ROSTER = root.getAttribute("data-roster") === "true";

  var token = load(STORE_KEY);
  var joined = false;      // this connection is attached to the room
  var joining = false;
  var stopped = false;     // removed, ended for good, or room gone: no more reconnects
  var state = null;
  var me = null;
  var lockedIndex = -1;    // the question index whose answer the server acknowledged
  var lockedSummary = null;
  var pending = null;      // {question, value, summary, tries}: an answer not yet acknowledged
  var builtIndex = -1;     // question index the answer controls were built for
  var timer = { deadline: 0, remaining: 0, paused: false, running: false, handle: null, expired: false };
  var wakeLock = null;
  var activity = null;     // the controller drawing the poll, board or survey on screen
  var personal = {};       // agenda position -> my part of that activity (my vote, notes...)
  var remembered = loadMe(); // {key, name}: the person this phone belongs to (their personal link)
  var keyRefused = false;  // the server said the remembered person is not this trainer's
  var joinedAs = null;     // the person name this phone joined as with its personal link
  var roster = null;       // [{id, name}] for "pick your name"
  var picked = null;       // the roster entry waiting for "yes, that's me"

  // ------------------------------------------------------------ helpers
  function $(id) { return document.getElementById(id); }

  function newToken() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var el = Dom.el, clear = Dom.clear, show = Dom.show, ordinal = Dom.ordinal;
  var number = Dom.number;


  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function save(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); }
      else { window.localStorage.setItem(key, value); }
    } catch (e) { /* private mode: this tab still works, a reload starts over */ }
  }

  function loadJSON(key) {
    try {
      var parsed = JSON.parse(load(key) || "null");
      return parsed && typeof parsed === "object" ? parsed : null;
    } catch (e) { return null; }
  }

  function loadMe() {
    var me = loadJSON(ME_KEY);
    return me && typeof me.key === "string" && me.key ? { key: me.key, name: String(me.name || "") } : null;
  }

  function canUseKey() { return !!remembered && !keyRefused; }

  /** Add the remembered personal link to a join: a stale token then still finds this person. */
  function withKey(payload) {
    if (canUseKey()) { payload.person = { key: remembered.key }; }
    return payload;
  }

  var statusTimer = null;
  function status(message) {
    var node = $("play-status");
    node.textContent = message || "";
    node.classList.toggle("toast-visible", !!message);
    clearTimeout(statusTimer);
    if (message) { statusTimer = setTimeout(function () { status(""); }, 5000); }
  }

  function setIcon(container, name, label) {
    clear(container);
    if (name) { container.appendChild(Shapes.icon(name, label || null)); }
  }

  // ------------------------------------------------------------ screens
  var SCREENS = ["connecting", "join", "waiting", "lobby", "question", "locked", "result", "leaderboard", "activity",
                 "ended", "message"];
  var current = "connecting";

  function screen(name) {
    var changed = name !== current;
    SCREENS.forEach(function (s) { show($("screen-" + s), s === name); });
    root.setAttribute("data-screen", name);
    current = name;
    if (changed) {
      window.scrollTo(0, 0);
      // Move focus to the new screen's heading so screen readers follow along,
      // except on the join form, where the nickname field gets it.
      var heading = $("screen-" + name).querySelector("h1");
      if (heading && name !== "join") {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
    }
  }

  function message(title, text, icon) {
    $("message-heading").textContent = title;
    $("message-text").textContent = text || "";
    setIcon($("message-icon"), icon || null);
    screen("message");
  }

  // ------------------------------------------------------------ socket
  // `room` lets a proxy send every request about this room to the worker holding it (docs/deployment.md).
  var socket = io({ reconnectionDelayMax: 5000, query: { room: CODE } });

  socket.on("connect", function () {
    show($("play-connection"), false);
    if (waitingFor) { var again = waitingFor; waitingFor = null; join(again); }  // a new connection queues anew
    else if (token) { join(withKey({ code: CODE, token: token })); }
    else if (current === "connecting") {
      if (canUseKey()) { joinAsMe(); } else { showJoinForm(); }
    }
  });

  socket.on("disconnect", function (reason) {
    joined = false;
    joining = false;
    if (stopped) { return; }
    if (pending && current === "question") { updateControls(); }
    show($("play-connection"), true);
    if (reason === "io server disconnect") { setTimeout(function () { if (!stopped) { socket.connect(); } }, 500); }
  });

  socket.on("connect_error", function () {
    if (!stopped) { show($("play-connection"), true); }
  });

  // A broadcast that arrives while a join is in flight was sent after the server put
  // this connection in the room, so it is newer than the view inside the join's ack.
  var early = { state: null, me: null };

  socket.on("state", function (view) {
    if (!joined) { if (joining) { early.state = view; } return; }
    state = view;
    render();
  });

  socket.on("me", function (view) {
    if (!joined) { if (joining) { early.me = view; } return; }
    me = view;
    keepPersonal();
    render();
  });

  // A poll, board or survey changed (results, notes to vote on, closed...).
  socket.on("activity", function (message) {
    if (!joined || !state || state.phase !== "activity" || !state.activity || !message ||
        message.position !== state.activity.position) { return; }
    state.activity = Object.assign({ position: message.position }, message.view);
    renderActivity();
  });

  socket.on("removed", function () {
    removed();
  });

  function removed() {
    stop();
    save(STORE_KEY, null);
    message("You were removed from this room", "The host removed you. Ask them if this was a mistake.", "cross");
  }

  function stop() {
    stopped = true;
    joined = false;
    pending = null;
    stopTimer();
    show($("play-connection"), false);
    socket.io.reconnection(false);
    socket.disconnect();
  }

  // ------------------------------------------------------------ joining
  function showJoinForm(note) {
    var input = $("nickname");
    if (!input.value) { input.value = load(NICK_KEY) || ""; }
    var noteNode = $("join-note");
    noteNode.textContent = note || "";
    show(noteNode, !!note);
    fillOptin();
    screen("join");
    if (HAS_ROSTER) { loadRoster(); } else { input.focus(); }
  }

  /** The phone knows whose it is (their personal link): join as them, no form. */
  function joinAsMe() {
    sayJoiningAs();
    join({ code: CODE, person: { key: remembered.key }, token: newToken() });
  }

  function sayJoiningAs() {
    var node = $("joining-as");
    node.textContent = remembered.name ? "Joining as " + remembered.name + "…" : "Joining…";
    show(node, true);
  }

  $("join-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("nickname");
    var nickname = input.value.replace(/\s+/g, " ").trim();
    var optin = readOptin();
    if (optin && optin.error) { return rememberError(optin.error, optin.field); }
    rememberError(null);
    if (!nickname && !optin) { return fieldError("Type a nickname first."); }
    if (nickname.length > 20) { return fieldError("At most 20 characters."); }
    fieldError(null);
    if (nickname) { save(NICK_KEY, nickname); }
    // The phone proposes its own token, so a join whose acknowledgement is lost can be
    // retried safely: the retry finds the token and resumes instead of clashing.
    var payload = { code: CODE, token: newToken() };
    if (nickname) { payload.nickname = nickname; }
    if (optin) { payload.person = optin; }
    join(payload);
  });

  // ---- "Remember me across sessions" (rooms without a roster)
  var EMAIL = /^[^\s@<>()\[\]\\,;:"]{1,64}@[^\s@<>()\[\]\\,;:".]+(\.[^\s@<>()\[\]\\,;:".]+)+$/;

  /** null (not asked for), {name, email}, or {error, field}. */
  function readOptin() {
    var box = $("remember");
    if (!box) { return null; }
    var name = $("remember-name").value.replace(/\s+/g, " ").trim();
    var email = $("remember-email").value.trim();
    if (!name && !email) { return null; }
    if (!name) { return { error: "Add your name too, or leave both empty.", field: "remember-name" }; }
    if (name.length > 80) { return { error: "Your name can have at most 80 characters.", field: "remember-name" }; }
    if (!email) { return { error: "Add your e-mail too, or leave both empty.", field: "remember-email" }; }
    if (email.length > 254 || !EMAIL.test(email)) {
      return { error: "That does not look like an e-mail address (like ana@example.com).", field: "remember-email" };
    }
    return { name: name, email: email };
  }

  function fillOptin() {
    var box = $("remember");
    var saved = loadJSON(OPTIN_KEY);
    if (!box || !saved || $("remember-name").value || $("remember-email").value) { return; }
    $("remember-name").value = typeof saved.name === "string" ? saved.name : "";
    $("remember-email").value = typeof saved.email === "string" ? saved.email : "";
    if ($("remember-name").value) { box.open = true; }
  }

  function rememberError(text, fieldId) {
    var node = $("remember-error");
    if (!node) { return fieldError(text); }
    ["remember-name", "remember-email"].forEach(function (id) { $(id).removeAttribute("aria-invalid"); });
    node.textContent = text || "";
    show(node, !!text);
    if (text) {
      $("remember").open = true;
      var field = $(fieldId || "remember-email");
      field.setAttribute("aria-invalid", "true");
      field.focus();
      status(text);
    }
  }

  // ---- "Pick your name" (rooms run for a group)
  function loadRoster() {
    var box = $("roster");
    if (!box) { return; }
    showPick();
    $("roster-count").textContent = "Loading the names…";
    fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        if (!result.ok || !result.data || !Array.isArray(result.data.people)) {
          roster = [];
          var message = result.data && result.data.error ? result.data.error.message : "";
          rosterError("Could not load the names" + (message ? ": " + message : "") + ". Join with a nickname below.");
          drawRoster();
          return;
        }
        roster = result.data.people;
        drawRoster();
      })
      .catch(function () {
        roster = [];
        rosterError("Could not load the names (no connection?). Try again, or join with a nickname below.");
        drawRoster();
      });
  }

  function rosterKey(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }

  /** Every word typed starts a word of the name: "bo" finds "Bo Chen", not "Cyril Dubois". */
  function matches(name, wanted) {
    if (!wanted) { return true; }
    var words = rosterKey(name).split(/[\s\-'’.]+/);
    return wanted.split(" ").every(function (part) {
      return words.some(function (word) { return word.indexOf(part) === 0; });
    });
  }

  function drawRoster() {
    var list = $("roster-list");
    var wanted = rosterKey($("roster-search").value);
    var shown = (roster || []).filter(function (entry) { return matches(entry.name, wanted); });
    clear(list);
    shown.forEach(function (entry) {
      var button = el("button", { type: "button", className: "btn btn-block roster-name", text: entry.name });
      button.addEventListener("click", function () { confirmPick(entry); });
      list.appendChild(el("li", null, [button]));
    });
    var count = $("roster-count");
    if (roster === null) { count.textContent = "Loading the names…"; }
    else if (!roster.length) { count.textContent = "Everyone on the list has joined. Use a nickname below."; }
    else if (!shown.length) { count.textContent = "No name matches. Check the spelling, or join with a nickname below."; }
    else if (wanted) { count.textContent = shown.length + " of " + roster.length + " names match."; }
    else { count.textContent = roster.length + (roster.length === 1 ? " name" : " names") + ": tap yours."; }
  }

  function rosterError(text) {
    var node = $("roster-error");
    if (!node) { return; }
    node.textContent = text || "";
    show(node, !!text);
  }

  function showPick() {
    picked = null;
    show($("roster-pick"), true);
    show($("roster-confirm"), false);
  }

  function confirmPick(entry) {
    picked = entry;
    rosterError(null);
    $("roster-picked").textContent = entry.name;
    show($("roster-pick"), false);
    show($("roster-confirm"), true);
    $("roster-yes").focus();
  }

  if ($("roster")) {
    $("roster-search").addEventListener("input", drawRoster);
    $("roster-back").addEventListener("click", function () {
      showPick();
      $("roster-search").focus();
    });
    $("roster-yes").addEventListener("click", function () {
      if (!picked) { return; }
      join({ code: CODE, person: { id: picked.id }, token: newToken() });
    });
  }

  // ---- "Not you?" (joined by the remembered personal link)
  $("forget-me").addEventListener("click", function () {
    save(ME_KEY, null);
    save(STORE_KEY, null);
    save(AS_KEY, null);
    remembered = null;
    token = null;
    joinedAs = null;
    state = null;
    me = null;
    show($("not-you"), false);
    show($("joining-as"), false);
    show($("play-me"), false);
    // This connection stays the other person's until it closes: start a fresh one.
    joined = false;
    current = "connecting";
    socket.disconnect();
    showJoinForm("This phone has forgotten " + ($("not-you-name").textContent || "them") + ". Join as yourself.");
    socket.connect();
  });

  function fieldError(text) {
    var input = $("nickname");
    var node = $("nickname-error");
    node.textContent = text || "";
    show(node, !!text);
    if (text) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
      status(text);
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  var JOIN_ERRORS = {
    nickname_taken: "Someone already has that nickname. Pick another one.",
    bad_nickname: "Use 1 to 20 letters, digits or symbols.",
    room_locked: "The host has locked the room. Ask them to unlock it, then try again.",
    room_full: "This room is full. Ask the host to make room (or to remove someone).",
    too_many_guesses: "Too many wrong room codes from this network. Wait a minute, then check the code on the screen."
    // rate_limited: the server's message says how long to wait
  };

  function joinButtons(disabled) {
    ["join-button", "roster-yes"].forEach(function (id) { if ($(id)) { $(id).disabled = disabled; } });
  }

  function join(payload) {
    if (joining) { return; }
    joining = true;
    early = { state: null, me: null };
    joinButtons(true);
    socket.timeout(ACK_TIMEOUT).emit("join", payload, function (err, ack) {
      joining = false;
      joinButtons(false);
      if (err) {
        if (socket.connected) { status("The room did not answer. Trying again…"); setTimeout(function () { join(payload); }, 1500); }
        return;
      }
      if (!ack.ok) { return joinFailed(ack.error, payload); }
      if (ack.waiting) { return showWaiting(payload, ack.reason); }
      joinedWith(ack, payload);
    });
  }

  function joinedWith(ack, payload) {
      joined = true;
      token = ack.token;
      save(STORE_KEY, token);
      if (payload.person && payload.person.key && ack.person) {
        joinedAs = ack.person.name;
        save(AS_KEY, joinedAs);
      } else if (ack.resumed && payload.person && payload.person.key) {
        joinedAs = load(AS_KEY); // resumed by token: the seat this phone took with its link
      } else {
        joinedAs = null;
        save(AS_KEY, null);
      }
      if (payload.person && payload.person.email) {
        save(OPTIN_KEY, JSON.stringify({ name: payload.person.name, email: payload.person.email }));
      }
      show($("joining-as"), false);
      state = early.state || ack.state;
      me = early.me || ack.me;
      early = { state: null, me: null };
      keepPersonal();
      if (me.answered_current && state.phase === "question") { lockedIndex = state.index; }
      render();
      keepAwake();
      resendPending();
  }

  // ---- waiting for the host (approve joiners, or after being removed)
  var waitingFor = null;  // the join payload the host has not answered yet

  function showWaiting(payload, reason) {
    waitingFor = payload;
    show($("joining-as"), false);
    $("waiting-text").textContent = reason === "removed"
      ? "You were removed from this room earlier. The host decides whether you may come back."
      : "The host lets people in one by one. Keep this page open.";
    screen("waiting");
  }

  socket.on("admitted", function (ack) {
    if (!waitingFor) { return; }
    var payload = waitingFor;
    waitingFor = null;
    if (!ack || !ack.ok) { return joinFailed((ack && ack.error) || {}, payload); }
    joinedWith(ack, payload);
  });

  socket.on("refused", function () {
    if (!waitingFor) { return; }
    waitingFor = null;
    stop();
    message("The host did not let you in", "Ask the host if this was a mistake, then open the link again.", "cross");
  });

  function joinFailed(error, payload) {
    var code = error.code;
    show($("joining-as"), false);
    var person = payload.person || null;
    if (person && person.key && code === "unknown_person") {
      // A personal link of another trainer (or a replaced one): this room needs a nickname.
      keyRefused = true;
      if (payload.token === token) { token = null; save(STORE_KEY, null); }
      return showJoinForm("Your personal link is not for this room's trainer: join with a nickname.");
    }
    if (person && person.id && (code === "person_taken" || code === "unknown_person")) {
      var name = picked ? picked.name : "That name";
      if (current !== "join") { showJoinForm(); }
      loadRoster();
      rosterError(code === "person_taken"
        ? name + " has already joined this room. If that's you, open your personal link, or ask the trainer."
        : name + " is no longer on the list. Pick again, or join with a nickname.");
      return;
    }
    if (person && person.email && (code === "person_taken" || code === "bad_payload")) {
      if (current !== "join") { showJoinForm(); }
      return rememberError(code === "person_taken"
        ? "Someone has already joined this room with that e-mail. If that's you, ask the trainer for your personal link."
        : (error.message ? error.message.charAt(0).toUpperCase() + error.message.slice(1) + "." : "Check your name and e-mail."),
        code === "bad_payload" && /name/.test(error.message || "") ? "remember-name" : "remember-email");
    }
    if (payload.token && (code === "unknown_token" || code === "bad_payload")) {
      token = null;
      save(STORE_KEY, null);
      return showJoinForm();
    }
    if (code === "removed") { return removed(); }
    if (code === "already_joined") {
      // This connection already holds a place (a join whose answer got lost): start afresh.
      socket.disconnect();
      socket.connect();
      return;
    }
    if (code === "room_ended") {
      stop();
      return message("This quiz has ended", "Thanks for coming! Ask the host for the next room code.", "flame");
    }
    if (code === "room_not_found" || code === "bad_code") {
      stop();
      save(STORE_KEY, null);
      return message("This room is not running", "Check the room code on the screen.", "cross");
    }
    if (current !== "join") { showJoinForm(); }
    fieldError(JOIN_ERRORS[code] || error.message || "Could not join. Try again.");
  }

  // ------------------------------------------------------------ rendering
  function render() {
    if (!state || !me || stopped) { return; }
    renderMe();
    var phase = state.phase;
    if (phase !== "question") { pending = null; }
    if (phase === "lobby") {
      $("lobby-nickname").textContent = me.nickname;
      show($("not-you"), !!joinedAs && !!remembered);
      $("not-you-name").textContent = joinedAs || "";
      $("lobby-lead").textContent = isAgenda() ? "Watch the screen: the session starts soon."
        : "Watch the screen: the quiz starts soon.";
      setIcon($("lobby-icon"), "tick");
      screen("lobby");
    } else if (phase === "question") {
      renderQuestion();
    } else if (phase === "reveal") {
      renderResult();
    } else if (phase === "leaderboard") {
      renderLeaderboard();
    } else if (phase === "activity") {
      renderActivity();
    } else if (phase === "ended") {
      renderEnded();
    }
    if (phase !== "activity" && activity) { activity.destroy(); activity = null; }
    syncTimer();
  }

  function questionNumber() { return state.question_number || state.index + 1; }

  function questionsTotal() {
    return state.questions_total === undefined || state.questions_total === null ? state.total : state.questions_total;
  }

  function isAgenda() { return questionsTotal() !== state.total; }

  // ---- polls, boards, surveys (drawn by activities-play.js)
  /** `me.activity` is my part of the activity on screen when `me` was made. */
  function keepPersonal() {
    if (me && me.activity && state && state.phase === "activity" && state.activity) {
      personal[state.activity.position] = me.activity;
    }
  }

  function renderActivity() {
    var view = state.activity;
    if (!view || !window.PlayActivities) { return; }
    var fresh = !activity || activity.position !== view.position || activity.kind !== view.kind;
    if (fresh) {
      if (activity) { activity.destroy(); }
      var position = view.position;
      activity = PlayActivities.create({
        body: $("pa-body"), heading: $("pa-heading"), kind: $("pa-kind"), agenda: $("pa-agenda"),
        say: activitySay,
        respond: function (action, payload) { return respond(position, action, payload); },
        remember: function (mine) { personal[position] = mine; }
      }, view, personal[position] || null);
    }
    var agenda = $("pa-agenda");
    clear(agenda);
    if (isAgenda()) {
      agenda.appendChild(el("span", { className: "sr-only", text: "Item " + (state.index + 1) + " of " + state.total }));
      agenda.appendChild(el("span", { "aria-hidden": "true", text: (state.index + 1) + " / " + state.total }));
    }
    activity.update(view, personal[view.position] || null);
    var was = current;
    screen("activity");
    if (fresh && was === "activity") {
      // A new item on the same screen: start at the top, read its heading.
      window.scrollTo(0, 0);
      var heading = $("pa-heading");
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }

  var sayTimer = null;
  function activitySay(text, isError) {
    var node = $("pa-status");
    node.textContent = text || "";
    node.classList.toggle("is-error", !!isError);
    node.classList.toggle("is-ok", !!text && !isError);
    clearTimeout(sayTimer);
    if (text && !isError) { sayTimer = setTimeout(function () { activitySay(""); }, 4000); }
  }

  /** Send a response to the activity at `position`; resolves to the ack (never rejects). */
  function respond(position, action, payload) {
    return new Promise(function (resolve) {
      if (!socket.connected || !joined) {
        resolve({ ok: false, error: { code: "offline" } });
        return;
      }
      socket.timeout(ACK_TIMEOUT).emit("respond", { position: position, action: action, payload: payload },
        function (err, ack) {
          if (err) { resolve({ ok: false, error: { code: "timeout" } }); return; }
          if (!ack.ok && ack.error && ack.error.code === "not_joined" && token) {
            joined = false;
            join({ code: CODE, token: token });
            resolve({ ok: false, error: { code: "offline" } });
            return;
          }
          resolve(ack);
        });
    });
  }

  function renderMe() {
    show($("play-me"), true);
    $("me-name").textContent = me.nickname;
    $("me-score").textContent = number(me.score);
  }

  // ---- question
  function renderQuestion() {
    var q = state.question;
    if (state.index !== builtIndex) {
      builtIndex = state.index;
      timer.expired = false;
      if (!pending || pending.question !== state.index) { pending = null; }
      buildControls(q);
    }
    if (lockedIndex === state.index) { return showLocked(); }
    var expired = state.remaining_ms <= 0 && !state.paused;
    if (timer.expired && !expired && $("pq-error").textContent === "Time's up!") { answerError(null); }
    timer.expired = expired;
    $("pq-heading").textContent = "Question " + questionNumber() + " of " + questionsTotal();
    $("pq-text").textContent = q.text || "";
    show($("pq-text"), !!q.text);
    show($("pq-look"), !q.text);
    var media = $("pq-media");
    if (q.image) {
      if ($("pq-image").getAttribute("src") !== q.image) { $("pq-image").src = q.image; }
      show(media, true);
    } else {
      show(media, false);
    }
    show($("pq-paused"), !!state.paused);
    updateControls();
    screen("question");
  }

  function showLocked() {
    setIcon($("locked-icon"), "tick");
    var choice = $("locked-choice");
    clear(choice);
    if (lockedSummary && lockedSummary.question === state.index && lockedSummary.node) {
      choice.appendChild(el("span", { className: "sr-only", text: "You answered: " }));
      choice.appendChild(lockedSummary.node.cloneNode(true));
      show(choice, true);
    } else {
      show(choice, false);
    }
    screen("locked");
  }

  function controlsEnabled() {
    return !state.paused && !timer.expired && !pending;
  }

  function updateControls() {
    Answers.setEnabled($("pq-answer"), controlsEnabled());
    $("screen-question").classList.toggle("is-sending", !!pending);
    var sending = $("pq-sending");
    sending.textContent = !pending ? "" : (socket.connected && joined ? "Sending your answer…"
      : "You are offline. Your answer will be sent when the connection is back.");
    show(sending, !!pending);
  }

  function answerError(text) { Answers.showError("pq-error", text); }

  function buildControls(q) {
    Answers.build($("pq-answer"), q, { send: sendAnswer, enabled: controlsEnabled, update: updateControls, errorId: "pq-error" });
  }

  // ---- sending an answer
  var ANSWER_ERRORS = {
    too_late: "Time's up! Your answer did not make it.",
    question_closed: "This question is closed.",
    paused: "The host paused the question. Answer when it resumes.",
    bad_answer: null,
    not_in_room: "You are not in this room any more."
  };

  function sendAnswer(value, summaryNode) {
    if (!state || state.phase !== "question" || pending) { return; }
    answerError(null);
    pending = { question: state.index, value: value, summary: summaryNode, tries: 0 };
    updateControls();
    trySend();
  }

  function resendPending() {
    if (!pending) { return; }
    if (state.phase === "question" && state.index === pending.question) {
      if (me.answered_current) { return locked(pending); }
      trySend();
    } else {
      pending = null;
      status("Your answer could not be sent in time.");
      render();
    }
  }

  function trySend() {
    var p = pending;
    if (!p) { return; }
    if (!socket.connected || !joined) { updateControls(); return; }
    p.tries += 1;
    socket.timeout(ACK_TIMEOUT).emit("answer", { question: p.question, value: p.value }, function (err, ack) {
      if (pending !== p) { return; }
      if (err) {
        if (socket.connected && p.tries < 3) { trySend(); }
        else { status("Still sending your answer…"); }
        return;
      }
      if (ack.ok || ack.error.code === "already_answered") { return locked(p); }
      var code = ack.error.code;
      if (code === "not_joined" && token) {
        joined = false;
        join({ code: CODE, token: token });
        return;
      }
      pending = null;
      var text = ANSWER_ERRORS.hasOwnProperty(code) && ANSWER_ERRORS[code] ? ANSWER_ERRORS[code]
        : (ack.error.message || "Your answer was not accepted.");
      if (code === "too_late") { timer.expired = true; }
      Answers.unpick($("pq-answer"));
      answerError(text);
      status(text);
      updateControls();
    });
  }

  function locked(p) {
    pending = null;
    lockedIndex = p.question;
    lockedSummary = { question: p.question, node: p.summary };
    if (state.phase === "question" && state.index === p.question) {
      render();
    }
  }

  // ---- results
  function resultFor(index) {
    return me && me.last_result && me.last_result.question === index ? me.last_result : null;
  }

  function rankText() {
    return ordinal(me.rank) + " of " + number(me.participants);
  }

  function renderResult() {
    var q = state.question;
    var result = resultFor(state.index);
    var icon = $("result-icon");
    var heading = $("result-heading");
    var points = $("result-points");
    var poll = q.type === "poll";
    icon.className = "big-icon";
    if (!result) {
      setIcon(icon, "clock");
      heading.textContent = "Look at the screen";
      points.textContent = "The answer is up.";
    } else if (!result.answered) {
      setIcon(icon, "clock");
      icon.classList.add("big-icon-wrong");
      heading.textContent = poll ? "No vote this time" : "Time's up: no answer";
      points.textContent = poll ? "" : "+0 points";
    } else if (poll) {
      setIcon(icon, "tick");
      icon.classList.add("big-icon-ok");
      heading.textContent = "Vote counted";
      points.textContent = "Thanks for voting.";
    } else if (result.correct) {
      setIcon(icon, "tick");
      icon.classList.add("big-icon-ok");
      heading.textContent = "Correct";
      points.textContent = "+" + number(result.points) + " points";
    } else if (result.points > 0) {
      setIcon(icon, "partial");
      icon.classList.add("big-icon-partial");
      heading.textContent = "Partly correct";
      points.textContent = "+" + number(result.points) + " points";
    } else {
      setIcon(icon, "cross");
      icon.classList.add("big-icon-wrong");
      heading.textContent = "Incorrect";
      points.textContent = "+0 points";
    }
    var streak = $("result-streak");
    clear(streak);
    if (!poll && me.streak >= 2) {
      streak.appendChild(Shapes.icon("flame"));
      streak.appendChild(document.createTextNode(" Answer streak: " + me.streak));
    }
    show(streak, !poll && me.streak >= 2);
    renderSolution(q);
    $("result-score").textContent = number(me.score);
    $("result-rank").textContent = rankText();
    screen("result");
  }

  function renderSolution(q) {
    var node = $("result-solution");
    clear(node);
    var solution = state.reveal && state.reveal.solution;
    if (!solution || (resultFor(state.index) && resultFor(state.index).correct)) { show(node, false); return; }
    node.appendChild(el("span", { className: "solution-head", text: "Correct answer: " }));
    if (q.choices && solution.choices) {
      // Side by side after the heading (the review page groups them in one span instead).
      solution.choices.forEach(function (id) { node.appendChild(Answers.choiceLabel(q.choices[id])); });
    } else {
      var shown = Answers.solutionNode(q, solution);
      if (shown) { node.appendChild(shown); }
    }
    show(node, true);
  }

  function board(list, rows) {
    clear(list);
    rows.forEach(function (row) {
      var mine = me && row.id === me.id;
      list.appendChild(el("li", { className: "mini-row" + (mine ? " is-me" : "") }, [
        el("span", { className: "mini-rank", text: ordinal(row.rank) }),
        el("span", { className: "mini-name" }, [row.nickname, mine ? el("span", { className: "you-tag", text: " (you)" }) : null]),
        el("span", { className: "mini-score", text: number(row.score) })
      ]));
    });
  }

  function renderLeaderboard() {
    $("plb-heading").textContent = "You're " + rankText();
    $("plb-score").textContent = number(me.score) + " points";
    var rows = state.leaderboard || [];
    var gap = $("plb-gap");
    var ahead = null;
    rows.forEach(function (row) { if (row.score > me.score) { ahead = row; } });
    if (me.rank > 1 && ahead) {
      gap.textContent = number(ahead.score - me.score) + " points behind " + ahead.nickname;
      show(gap, true);
    } else if (me.rank === 1) {
      gap.textContent = "You're in the lead!";
      show(gap, true);
    } else {
      show(gap, false);
    }
    board($("plb-list"), rows);
    screen("leaderboard");
  }

  function renderEnded() {
    var quiz = questionsTotal() > 0;
    show($("end-stats"), quiz);
    show($("end-podium-heading"), quiz);
    show($("end-podium"), quiz);
    $("end-heading").textContent = quiz ? "You finished " + rankText() : "Thanks for taking part!";
    $("end-score").textContent = number(me.score);
    var s = me.summary || {};
    $("end-correct").textContent = s.questions !== undefined ? number(s.correct) + " of " + number(s.questions) : "–";
    $("end-streak").textContent = number(s.best_streak || 0);
    $("end-answered").textContent = number(s.answered || 0);
    board($("end-podium"), state.podium || []);
    save(STORE_KEY, token); // kept, so a reload still shows this summary while the room exists
    // The trainer's resources for this session: the token goes in the form's body, never an address.
    var materials = $("end-materials");
    if (materials) {
      $("end-materials-token").value = token || "";
      show(materials, !!token);
    }
    releaseWake();
    screen("ended");
  }

  // ------------------------------------------------------------ countdown
  function syncTimer() {
    if (!state || state.phase !== "question" || !state.question) { stopTimer(); return; }
    timer.remaining = state.remaining_ms;
    timer.paused = !!state.paused;
    timer.deadline = performance.now() + state.remaining_ms;
    if (!timer.running) {
      timer.running = true;
      timer.handle = setInterval(drawTimer, 250);
    }
    drawTimer();
  }

  function stopTimer() {
    if (timer.running) { clearInterval(timer.handle); timer.running = false; }
  }

  function drawTimer() {
    var left = timer.paused ? timer.remaining : Math.max(0, timer.deadline - performance.now());
    var seconds = Math.ceil(left / 1000);
    var node = $("pq-seconds");
    if (node.textContent !== String(seconds)) { node.textContent = String(seconds); }
    $("pq-timer").classList.toggle("is-urgent", seconds <= 5 && !timer.paused);
    if (left <= 0 && !timer.paused && !timer.expired) {
      timer.expired = true;
      if (current === "question" && !pending) {
        answerError("Time's up!");
        updateControls();
      }
    }
  }

  // ------------------------------------------------------------ keep the screen on
  function keepAwake() {
    if (!("wakeLock" in navigator) || wakeLock || document.visibilityState !== "visible") { return; }
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      lock.addEventListener("release", function () { wakeLock = null; });
    }).catch(function () { /* not allowed (battery saver, old browser): fine */ });
  }

  function releaseWake() {
    if (wakeLock) { wakeLock.release().catch(function () {}); wakeLock = null; }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && joined && state && state.phase !== "ended") { keepAwake(); }
  });

  if (!token) {
    if (root.getAttribute("data-ended") === "true") {
      stop();
      message("This quiz has ended", "Thanks for coming! Ask the host for the next room code.", "flame");
    } else if (canUseKey()) {
      sayJoiningAs(); // joins as soon as the connection is up
    } else {
      showJoinForm();
    }
  }
})();
