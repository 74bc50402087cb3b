/* The presenter view: a trainer's second device (a phone or a laptop) beside the stage.
 *
 * Attaches as a host with "view": "presenter" (docs/cohosts.md), so besides every `state`
 * the stage gets it receives `presenter` messages: the notes of the item on screen and of
 * the next one, and who has not answered yet. Runs the room with the same host commands
 * as the stage, and manages the room's co-hosts and hand-over. The timer counts down from
 * the server's `remaining_ms`. Everything people typed goes in with textContent only.
 */
(function () {
  "use strict";

  var root = document.getElementById("presenter");
  if (!root || typeof io === "undefined") { return; }
  var CODE = root.getAttribute("data-code");
  var KEY = root.getAttribute("data-key");
  var YOU = Number(root.getAttribute("data-you"));
  var ACK_TIMEOUT = 8000;

  var el = Dom.el, clear = Dom.clear, show = Dom.show;
  function $(id) { return document.getElementById(id); }
  function number(n) { return Dom.number(n, 1); }

  var state = null;
  var lobby = { count: 0, participants: [] };
  var progress = null;
  var extra = null;      // the `presenter` view: notes, up next, who has not answered
  var team = null;       // {owner, presenter, cohosts}
  var fatal = false;
  var busy = false;      // a "next" in flight: a double tap must not skip an item
  var timer = { deadline: 0, remaining: 0, paused: false, handle: null };
  var lastPresenter = null;

  // ------------------------------------------------------------ messages
  var statusTimer = null;
  function status(message) {
    var node = $("pv-status");
    node.textContent = message;
    node.classList.toggle("toast-visible", !!message);
    clearTimeout(statusTimer);
    if (message) { statusTimer = setTimeout(function () { status(""); }, 6000); }
  }

  function announce(message) { $("pv-announce").textContent = message; }

  var ERRORS = {
    not_host: "This page may no longer run the room. Reload it.",
    not_owner: "Only the room's owner or the trainer presenting can do that.",
    wrong_phase: "That is not possible right now.",
    room_ended: "The room has ended.",
    already_paused: "The question is already paused.",
    not_paused: "The question is not paused.",
    too_much_time: "This question cannot run any longer.",
    no_previous: "This is the first item of the agenda.",
    unknown_trainer: "No colleague of your workspace who runs rooms has that account.",
    already_host: null,
    unknown_cohost: "That trainer is not a co-host of this room.",
    is_presenter: "They are presenting: hand the room over to someone else first.",
    already_presenting: "They are presenting already.",
    too_many_cohosts: null,
    server_error: "Something went wrong on the server. Try again."
  };

  function errorText(error) {
    if (!error) { return "Something went wrong."; }
    return ERRORS[error.code] || error.message || error.code;
  }

  // ------------------------------------------------------------ socket
  // `room` lets a proxy send every request about this room to the worker holding it (docs/deployment.md).
  var socket = io({ reconnectionDelayMax: 5000, query: { room: CODE } });

  socket.on("connect", function () {
    show($("pv-connection"), false);
    attach();
  });

  socket.on("disconnect", function (reason) {
    if (fatal) { return; }
    show($("pv-connection"), true);
    if (reason === "io server disconnect") { socket.connect(); }
  });

  socket.on("state", function (view) {
    if (!state || view.phase !== state.phase || view.index !== state.index) { busy = false; }
    state = view;
    if (view.progress) { progress = view.progress; }
    render();
  });
  socket.on("lobby", function (view) { lobby = view; renderCount(); });
  socket.on("progress", function (view) {
    if (state && view.question === state.index) { progress = view; renderProgress(); }
  });
  socket.on("presenter", function (view) { extra = view; renderExtra(); });
  socket.on("hosts", function (view) { team = view; renderTeam(); });
  socket.on("revoked", function (message) {
    stop((message && message.reason) || "You are no longer a host of this room.");
  });

  function attach() {
    socket.timeout(ACK_TIMEOUT).emit("host:attach", { code: CODE, key: KEY, view: "presenter" }, function (err, ack) {
      if (err) {
        if (socket.connected) { setTimeout(attach, 1000); }
        return;
      }
      if (!ack.ok) {
        if (ack.error.code === "not_host" || ack.error.code === "room_not_found") {
          stop(ack.error.code === "not_host" ? ERRORS.not_host : "This room is no longer live.");
        } else {
          status(errorText(ack.error));
        }
        return;
      }
      state = ack.state;
      lobby = ack.lobby || lobby;
      progress = ack.state.progress || null;
      extra = ack.presenter || null;
      team = ack.team || null;
      render();
      renderExtra();
      renderTeam();
    });
  }

  function stop(message) {
    fatal = true;
    socket.io.reconnection(false);
    socket.disconnect();
    stopTimer();
    $("pv-error-text").textContent = message;
    show($("pv-error"), true);
    root.querySelector(".pv-grid").hidden = true;
    show($("pv-connection"), false);
    root.setAttribute("data-phase", "error");
  }

  function command(event, payload, done) {
    if (!socket.connected) {
      status("Not connected: wait until the connection is back.");
      if (done) { done(false, null); }
      return;
    }
    socket.timeout(ACK_TIMEOUT).emit(event, payload || {}, function (err, ack) {
      if (err) { status("The server did not answer. Try again."); }
      else if (!ack.ok && !done) { status(errorText(ack.error)); }
      if (done) { done(!err && ack.ok, err ? null : ack); }
    });
  }

  // ------------------------------------------------------------ controls
  function phase() { return state ? state.phase : "connecting"; }

  function canGoBack() {
    return !!state && state.index > 0 && ["reveal", "leaderboard", "activity"].indexOf(state.phase) !== -1;
  }

  $("pv-next").addEventListener("click", function () {
    if (!state || state.phase === "ended" || busy) { return; }
    busy = true;
    command("host:next", {}, function (ok, ack) {
      busy = false;
      if (!ok && ack) { status(errorText(ack.error)); }
    });
  });
  $("pv-pause").addEventListener("click", function () {
    if (phase() === "question") { command(state.paused ? "host:resume" : "host:pause"); }
  });
  $("pv-time").addEventListener("click", function () { if (phase() === "question") { command("host:add_time"); } });
  $("pv-skip").addEventListener("click", function () {
    if (phase() === "question" || phase() === "activity") { command("host:skip"); }
  });
  $("pv-back").addEventListener("click", function () { if (canGoBack()) { command("host:back"); } });
  $("pv-end").addEventListener("click", function () {
    if (!state || state.phase === "ended") { return; }
    confirmDialog("End the room?", "Everyone goes to the podium and nobody can answer any more.", "End room")
      .then(function (yes) { if (yes) { command("host:end"); } });
  });

  function confirmDialog(title, text, okLabel) {
    var dialog = $("pv-confirm");
    $("pv-confirm-title").textContent = title;
    $("pv-confirm-text").textContent = text;
    $("pv-confirm-ok").textContent = okLabel;
    var opener = document.activeElement;
    return new Promise(function (resolve) {
      if (typeof dialog.showModal !== "function") {
        resolve(window.confirm(title + "\n" + text));
        return;
      }
      dialog.returnValue = "cancel";
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        if (opener && document.contains(opener) && !opener.hidden) { opener.focus(); }
        resolve(dialog.returnValue === "ok");
      });
      dialog.showModal();
      $("pv-confirm-cancel").focus();
    });
  }

  // ------------------------------------------------------------ rendering
  function questionsTotal() {
    return state.questions_total === undefined || state.questions_total === null ? state.total : state.questions_total;
  }

  function isLast() { return state.index + 1 >= state.total; }

  function nextLabel() {
    var scored = state.question && state.question.points > 0;
    var finish = questionsTotal() > 0 ? "Podium" : "Finish";
    switch (state.phase) {
      case "lobby": return "Start";
      case "question": return "Show answer";
      case "reveal": return scored ? "Leaderboard" : (isLast() ? finish : "Next");
      case "leaderboard": return isLast() ? finish : "Next";
      case "activity": return isLast() ? finish : "Next";
      default: return "Next";
    }
  }

  function capital(text) { return text.charAt(0).toUpperCase() + text.slice(1); }

  function activityText(a) { return a ? (a.text || a.prompt || a.title || "") : ""; }

  function where() {
    var item = "item " + (state.index + 1) + " of " + state.total;
    switch (state.phase) {
      case "lobby": return "Lobby: people are joining";
      case "question": return "Question " + (state.question_number || state.index + 1) + " of " + questionsTotal() +
        (state.total !== questionsTotal() ? " (" + item + ")" : "");
      case "reveal": return "Answers shown";
      case "leaderboard": return "Leaderboard";
      case "activity": return capital(state.activity ? state.activity.kind : "activity") + ", " + item;
      case "ended": return "The room has ended";
      default: return "";
    }
  }

  function heading() {
    if (state.question) { return state.question.text; }
    if (state.phase === "activity") { return activityText(state.activity); }
    if (state.phase === "lobby") { return "Join at room code " + CODE; }
    if (state.phase === "ended") { return "Podium"; }
    return "";
  }

  function render() {
    if (!state || fatal) { return; }
    root.setAttribute("data-phase", state.phase);
    var before = $("pv-where").textContent;
    $("pv-where").textContent = where();
    $("pv-text").textContent = heading();
    if (before !== $("pv-where").textContent) { announce($("pv-where").textContent + ". " + heading()); }
    var question = state.phase === "question";
    show($("pv-timer"), question);
    show($("pv-paused"), question && !!state.paused);
    show($("pv-progress"), question);
    renderControls();
    renderCount();
    renderProgress();
    renderExtra();
    syncTimer();
  }

  function renderControls() {
    var p = state.phase;
    var ended = p === "ended";
    var question = p === "question";
    show($("pv-controls"), true);
    show($("pv-next"), !ended);
    $("pv-next").textContent = nextLabel();
    show($("pv-pause"), question);
    $("pv-pause").textContent = state.paused ? "Resume" : "Pause";
    $("pv-pause").setAttribute("aria-pressed", state.paused ? "true" : "false");
    show($("pv-time"), question);
    show($("pv-skip"), question || p === "activity");
    show($("pv-back"), canGoBack());
    show($("pv-end"), !ended);
    var focused = document.activeElement;
    if (focused && focused.closest && focused.closest("#pv-controls") && focused.hidden) {
      (ended ? $("pv-text") : $("pv-next")).focus();
    }
  }

  function renderCount() {
    var count = lobby ? lobby.count : (state && state.participants) || 0;
    $("pv-count").textContent = number(count);
    $("pv-count-word").textContent = count === 1 ? "player" : "players";
  }

  function renderProgress() {
    if (!state || state.phase !== "question") { return; }
    var p = progress && progress.question === state.index ? progress : { answered: 0, expected: 0 };
    $("pv-answered").textContent = number(p.answered);
    $("pv-expected").textContent = number(p.expected);
  }

  function setNotes(node, none, text) {
    node.textContent = text || "";
    show(node, !!text);
    if (none) { show(none, !text); }
  }

  function renderExtra() {
    if (!state || fatal) { return; }
    var current = extra && extra.current && extra.current.position === state.index ? extra.current : null;
    var upcoming = extra && extra.next ? extra.next : null;
    // In the lobby the notes are the first item's: what the trainer says first.
    var notes = current ? current.notes : (state.phase === "lobby" && upcoming ? upcoming.notes : "");
    setNotes($("pv-notes"), $("pv-notes-none"), notes);
    show($("pv-upnext"), !!upcoming && state.phase !== "ended");
    if (upcoming) {
      $("pv-upnext-text").textContent = (upcoming.kind === "question" ? "" : upcoming.kind + ": ") + upcoming.text;
      setNotes($("pv-upnext-notes"), null, state.phase === "lobby" ? "" : upcoming.notes);
    }
    var waiting = extra && extra.waiting && extra.position === state.index && state.phase === "question" ? extra.waiting : null;
    show($("pv-waiting"), !!waiting);
    if (!waiting) { return; }
    $("pv-waiting-count").textContent = number(waiting.count);
    var list = $("pv-waiting-list");
    clear(list);
    waiting.people.forEach(function (person) {
      list.appendChild(el("li", { className: "pv-name", "data-participant": String(person.id), text: person.nickname }));
    });
    var more = [];
    if (waiting.count > waiting.people.length) { more.push("and " + number(waiting.count - waiting.people.length) + " more"); }
    if (waiting.offline) { more.push(number(waiting.offline) + " offline"); }
    $("pv-waiting-more").textContent = more.join(" · ");
    show($("pv-waiting-more"), more.length > 0);
    if (!waiting.count) { list.appendChild(el("li", { className: "pv-name pv-done", text: "Everyone connected has answered." })); }
  }

  // ------------------------------------------------------------ co-hosts
  function manages() { return !!team && (YOU === team.owner.id || YOU === team.presenter.id); }

  function renderTeam() {
    if (!team || fatal) { return; }
    var pill = $("pv-presenter");
    pill.textContent = "Presented by " + team.presenter.name + (team.presenter.id === YOU ? " (you)" : "");
    show(pill, true);
    if (lastPresenter !== null && lastPresenter !== team.presenter.id) {
      announce(team.presenter.name + " is presenting now.");
    }
    lastPresenter = team.presenter.id;
    var ended = state && state.phase === "ended";
    var mayManage = manages() && !ended;
    var list = $("pv-team-list");
    var hadFocus = list.contains(document.activeElement);
    clear(list);
    var hosts = [team.owner].concat(team.cohosts);
    var hostIds = {};
    hosts.forEach(function (host) {
      hostIds[host.id] = true;
      var roles = [host.id === team.owner.id ? "owner" : "co-host"];
      if (host.id === team.presenter.id) { roles.push("presenting"); }
      if (host.id === YOU) { roles.push("you"); }
      var item = el("li", { className: "pv-host", "data-trainer": String(host.id) }, [
        el("span", { className: "pv-host-name", text: host.name }),
        el("span", { className: "pv-host-roles", text: roles.join(", ") })
      ]);
      var buttons = el("span", { className: "pv-host-buttons" });
      if (mayManage && host.id !== team.presenter.id) {
        buttons.appendChild(hostButton("Hand over", host, function () { handOver(host); }));
      }
      if (mayManage && host.id !== team.owner.id && host.id !== team.presenter.id) {
        buttons.appendChild(hostButton("Remove", host, function () { removeHost(host); }));
      }
      item.appendChild(buttons);
      list.appendChild(item);
    });
    // The picker offers colleagues who do not host yet.
    Array.prototype.forEach.call($("pv-add-pick").options, function (option) {
      if (!option.value) { return; }
      var hosting = !!hostIds[Number(option.value)];
      option.hidden = hosting;
      option.disabled = hosting;
      if (hosting && option.selected) { $("pv-add-pick").value = ""; }
    });
    show($("pv-add"), mayManage);
    show($("pv-team-note"), !manages() && !ended);
    if (hadFocus && !list.contains(document.activeElement)) { $("pv-team-heading").setAttribute("tabindex", "-1"); $("pv-team-heading").focus(); }
  }

  function hostButton(label, host, onClick) {
    var button = el("button", { type: "button", className: "btn btn-small" },
                    [label, el("span", { className: "sr-only", text: " " + host.name })]);
    button.addEventListener("click", onClick);
    return button;
  }

  function handOver(host) {
    confirmDialog("Hand the room over to " + host.name + "?",
                  "They present from now on; phones see nothing but the new name on the stage.", "Hand over")
      .then(function (yes) {
        if (yes) { command("host:handover", { trainer: host.id }); }
      });
  }

  function removeHost(host) {
    confirmDialog("Remove " + host.name + " as co-host?", "Their stage and presenter view stop at once.", "Remove")
      .then(function (yes) {
        if (yes) { command("host:cohost_remove", { trainer: host.id }); }
      });
  }

  $("pv-add").addEventListener("submit", function (event) {
    event.preventDefault();
    var pick = $("pv-add-pick").value;
    var email = $("pv-add-email").value.trim();
    var error = $("pv-add-error");
    show(error, false);
    $("pv-add-email").removeAttribute("aria-invalid");
    if (!pick && !email) {
      error.textContent = "Choose a colleague or type their e-mail address.";
      show(error, true);
      $("pv-add-pick").focus();
      return;
    }
    var payload = pick ? { trainer: Number(pick) } : { email: email };
    command("host:cohost_add", payload, function (ok, ack) {
      if (ok) {
        $("pv-add-pick").value = "";
        $("pv-add-email").value = "";
        status("Co-host added.");
        return;
      }
      error.textContent = ack ? errorText(ack.error) : "The server did not answer. Try again.";
      show(error, true);
      if (!pick) { $("pv-add-email").setAttribute("aria-invalid", "true"); $("pv-add-email").focus(); }
    });
  });

  // ------------------------------------------------------------ countdown
  function syncTimer() {
    if (!state || state.phase !== "question") { stopTimer(); return; }
    timer.remaining = state.remaining_ms;
    timer.paused = !!state.paused;
    timer.deadline = performance.now() + state.remaining_ms;
    if (!timer.handle) { timer.handle = setInterval(drawTimer, 250); }
    drawTimer();
  }

  function stopTimer() {
    if (timer.handle) { clearInterval(timer.handle); timer.handle = null; }
  }

  function drawTimer() {
    var left = timer.paused ? timer.remaining : Math.max(0, timer.deadline - performance.now());
    var seconds = String(Math.ceil(left / 1000));
    var node = $("pv-seconds");
    if (node.textContent !== seconds) { node.textContent = seconds; }
    $("pv-timer").classList.toggle("is-urgent", left <= 5000 && !timer.paused);
  }
})();
