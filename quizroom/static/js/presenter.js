/* The presenter view: a trainer's second device (a phone or a laptop) beside the stage.
 *
 * Attaches as a host with "view": "presenter" (docs/cohosts.md), so besides every `state`
 * the stage gets it receives `presenter` messages: the notes of the item on screen and of
 * the next one, and who has not answered yet. Runs the room with the same host commands
 * as the stage (host-room.js: the connection, the commands, the countdown), and manages the
 * room's co-hosts and hand-over. Everything people typed goes in with textContent only.
 */
(function () {
  "use strict";

  var root = document.getElementById("presenter");
  if (!root || typeof io === "undefined") { return; }
  var CODE = root.getAttribute("data-code");
  var KEY = root.getAttribute("data-key");
  var YOU = Number(root.getAttribute("data-you"));

  var el = Dom.el, clear = Dom.clear, show = Dom.show;
  function $(id) { return document.getElementById(id); }
  function number(n) { return Dom.number(n, 1); }

  var extra = null;      // the `presenter` view: notes, up next, who has not answered
  var team = null;       // {owner, presenter, cohosts}
  var lastPresenter = null;

  var room = HostRoom.connect({
    code: CODE,
    key: KEY,
    view: "presenter",
    prefix: "pv",
    confirm: "pv-confirm",
    timer: { seconds: "pv-seconds", box: "pv-timer", every: 250 },
    errors: {
      not_host: "This page may no longer run the room. Reload it.",
      not_owner: "Only the room's owner or the trainer presenting can do that.",
      unknown_trainer: "No colleague of your workspace who runs rooms has that account.",
      unknown_cohost: "That trainer is not a co-host of this room.",
      is_presenter: "They are presenting: hand the room over to someone else first.",
      already_presenting: "They are presenting already."
    },
    attached: function (ack) {
      extra = ack.presenter || null;
      team = ack.team || null;
      render();
      renderExtra();
      renderTeam();
    },
    render: render,
    renderLobby: renderCount,
    renderProgress: renderProgress,
    stopped: function (message) {
      $("pv-error-text").textContent = message;
      show($("pv-error"), true);
      root.querySelector(".pv-grid").hidden = true;
      root.setAttribute("data-phase", "error");
    }
  });
  var command = room.command, errorText = room.errorText, status = room.status;
  var announce = room.announce, confirmDialog = room.confirm;

  room.socket.on("presenter", function (view) { extra = view; renderExtra(); });
  room.socket.on("hosts", function (view) { team = view; renderTeam(); });

  // ------------------------------------------------------------ controls
  $("pv-next").addEventListener("click", room.actions.next);
  $("pv-pause").addEventListener("click", room.actions.pause);
  $("pv-time").addEventListener("click", room.actions.time);
  $("pv-skip").addEventListener("click", room.actions.skip);
  $("pv-back").addEventListener("click", room.actions.back);
  $("pv-end").addEventListener("click", room.actions.end);

  // ------------------------------------------------------------ rendering
  function capital(text) { return text.charAt(0).toUpperCase() + text.slice(1); }

  function activityText(a) { return a ? (a.text || a.prompt || a.title || "") : ""; }

  function where() {
    var state = room.state;
    var item = "item " + (state.index + 1) + " of " + state.total;
    switch (state.phase) {
      case "lobby": return "Lobby: people are joining";
      case "question": return "Question " + (state.question_number || state.index + 1) + " of " + room.questionsTotal() +
        (state.total !== room.questionsTotal() ? " (" + item + ")" : "");
      case "reveal": return "Answers shown";
      case "leaderboard": return "Leaderboard";
      case "activity": return capital(state.activity ? state.activity.kind : "activity") + ", " + item;
      case "ended": return "The room has ended";
      default: return "";
    }
  }

  function heading() {
    var state = room.state;
    if (state.question) { return state.question.text; }
    if (state.phase === "activity") { return activityText(state.activity); }
    if (state.phase === "lobby") { return "Join at room code " + CODE; }
    if (state.phase === "ended") { return "Podium"; }
    return "";
  }

  function render() {
    var state = room.state;
    if (!state || room.fatal) { return; }
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
    room.syncTimer();
  }

  function renderControls() {
    var state = room.state;
    var p = state.phase;
    var ended = p === "ended";
    var question = p === "question";
    show($("pv-controls"), true);
    show($("pv-next"), !ended);
    $("pv-next").textContent = room.nextLabel();
    show($("pv-pause"), question);
    $("pv-pause").textContent = state.paused ? "Resume" : "Pause";
    $("pv-pause").setAttribute("aria-pressed", state.paused ? "true" : "false");
    show($("pv-time"), question);
    show($("pv-skip"), question || p === "activity");
    show($("pv-back"), room.canGoBack());
    show($("pv-end"), !ended);
    var focused = document.activeElement;
    if (focused && focused.closest && focused.closest("#pv-controls") && focused.hidden) {
      (ended ? $("pv-text") : $("pv-next")).focus();
    }
  }

  function renderCount() { room.drawCount($("pv-count"), $("pv-count-word")); }

  function renderProgress() { room.drawProgress($("pv-answered"), $("pv-expected")); }

  function setNotes(node, none, text) {
    node.textContent = text || "";
    show(node, !!text);
    if (none) { show(none, !text); }
  }

  function renderExtra() {
    var state = room.state;
    if (!state || room.fatal) { return; }
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
    var state = room.state;
    if (!team || room.fatal) { return; }
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
    }, true);
  });
})();
