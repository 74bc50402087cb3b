/* The stage: the projected view of a live room, run by the trainer.
 *
 * Attaches as host with the key the page carries, renders every `state` the server
 * sends (lobby, question, reveal, leaderboard, podium, and the polls, boards and surveys
 * of an agenda, drawn by activities-stage.js), and sends host commands from the buttons
 * or the keyboard. On a reconnect it attaches again and re-renders from the
 * acknowledgement (host-room.js: the connection, the commands, the countdown, shared with
 * the presenter view). Everything people typed (nicknames, typed answers) goes in with
 * textContent only.
 */
(function () {
  "use strict";

  var root = document.getElementById("stage");
  if (!root || typeof io === "undefined") { return; }
  var Shapes = window.QuizShapes;
  var CODE = root.getAttribute("data-code");
  var KEY = root.getAttribute("data-key");
  var LOBBY_SHOWN = 300; // names drawn in the lobby; the rest are counted

  var built = "";       // which question/reveal the DOM currently shows
  var activity = null;  // the controller drawing the poll, board or survey on screen

  // ------------------------------------------------------------ helpers
  function $(id) { return document.getElementById(id); }

  var el = Dom.el, clear = Dom.clear, show = Dom.show, value = Dom.value, ordinal = Dom.ordinal;
  function number(n) { return Dom.number(n, 1); }

  function plural(n, one, many) { return n === 1 ? one : many; }

  // ------------------------------------------------------------ socket
  var room = HostRoom.connect({
    code: CODE,
    key: KEY,
    prefix: "stage",
    confirm: "confirm",
    timer: {
      seconds: "q-seconds",
      box: "q-timer",
      every: 200,
      draw: function (left, limit) {
        $("q-timebar-fill").style.width = Math.max(0, Math.min(100, (100 * left) / limit)) + "%";
      }
    },
    errors: {
      not_host: "This page is no longer allowed to run the room. Reload it.",
      unknown_participant: "That player has already left.",
      unknown_note: "That note is gone.",
      unknown_entry: "That entry is gone."
    },
    attached: function (ack) {
      built = "";
      render();
      renderRequests(ack.requests || []);
      renderPresenter(ack.team);
    },
    render: render,
    renderLobby: function () {
      renderLobby();
      renderCount();
    },
    renderProgress: renderProgress,
    stopped: function (message) {
      $("error-text").textContent = message;
      showView("error");
      show($("controls"), false);
    }
  });
  var command = room.command, status = room.status, announce = room.announce, confirmDialog = room.confirm;
  var socket = room.socket;

  // A poll, board or survey changed (coalesced by the server: at most a few a second).
  socket.on("activity", function (message) {
    var state = room.state;
    if (!state || state.phase !== "activity" || !state.activity || !message ||
        message.position !== state.activity.position) { return; }
    state.activity = Object.assign({ position: message.position }, message.view);
    renderActivity(false);
  });

  // Co-hosts (docs/cohosts.md): the presenter's name on the stage (a removed co-host's
  // stage stops at once: host-room.js).
  socket.on("hosts", renderPresenter);

  function renderPresenter(team) {
    var pill = $("stage-presenter");
    if (!team || !team.presenter) { return; }
    var changed = pill.textContent !== "" && pill.getAttribute("data-trainer") !== String(team.presenter.id);
    pill.textContent = "Presented by " + team.presenter.name;
    pill.setAttribute("data-trainer", String(team.presenter.id));
    show(pill, true);
    if (changed) { announce(team.presenter.name + " is presenting now."); }
  }

  // ---- phones waiting to be let in (approve joiners; people the host removed)
  socket.on("join_requests", function (list) { renderRequests(list || []); });

  function renderRequests(list) {
    var box = $("join-requests");
    var items = $("join-requests-list");
    var hadFocus = box.contains(document.activeElement);
    clear(items);
    list.forEach(function (request) {
      var name = el("span", { className: "request-name", text: request.name });
      var note = el("span", { className: "request-note", text: request.note });
      // Visible "Let in"; read as "Let in Eve" (the visible words come first in the name).
      var admit = el("button", { type: "button", className: "btn btn-primary btn-small" },
                     ["Let in", el("span", { className: "sr-only", text: " " + request.name })]);
      var refuse = el("button", { type: "button", className: "btn btn-small" },
                      ["Turn away", el("span", { className: "sr-only", text: " " + request.name })]);
      admit.addEventListener("click", function () { command("host:admit", { request: request.id, admit: true }); });
      refuse.addEventListener("click", function () { command("host:admit", { request: request.id, admit: false }); });
      items.appendChild(el("li", { className: "request" }, [name, note, el("span", { className: "request-buttons" }, [admit, refuse])]));
    });
    $("join-requests-count").textContent = number(list.length);
    show(box, list.length > 0 && !(room.state && room.state.phase === "ended"));
    if (list.length) { announce(list.length === 1 ? "1 person waits to be let in" : list.length + " people wait to be let in"); }
    if (hadFocus && !box.contains(document.activeElement)) { $("ctl-next").focus(); }
  }

  // ------------------------------------------------------------ actions
  function running() { return room.state && room.state.phase !== "ended"; }

  function inQuestion() { return room.state && room.state.phase === "question"; }

  var actions = Object.assign({}, room.actions, {
    close: function () { if (inQuestion()) { command("host:end_question"); } },
    lock: function () {
      if (running()) { command("host:lock", { locked: !room.state.locked }); }
    },
    approve: function () {
      if (running()) { command("host:settings", { approve_joiners: !room.state.settings.approve_joiners }); }
    },
    device: function () {
      if (running()) { command("host:settings", { question_on_device: !room.state.settings.question_on_device }); }
    }
  });

  $("ctl-next").addEventListener("click", actions.next);
  $("ctl-back").addEventListener("click", actions.back);
  $("ctl-skip").addEventListener("click", actions.skip);
  $("ctl-pause").addEventListener("click", actions.pause);
  $("ctl-time").addEventListener("click", actions.time);
  $("ctl-close").addEventListener("click", actions.close);
  $("ctl-lock").addEventListener("click", actions.lock);
  $("ctl-device").addEventListener("click", actions.device);
  $("ctl-approve").addEventListener("click", actions.approve);
  $("ctl-end").addEventListener("click", actions.end);
  var hintClose = $("stage-hint-close");
  var hintHidden = false;
  try { hintHidden = window.sessionStorage.getItem("quizroom:hide-hint") === "1"; } catch (e) { /* ignore */ }
  if (hintClose) {
    hintClose.addEventListener("click", function () {
      hintHidden = true;
      try { window.sessionStorage.setItem("quizroom:hide-hint", "1"); } catch (e) { /* ignore */ }
      show($("stage-hint"), false);
      $("ctl-next").focus();
    });
  }

  var KEYS = {
    " ": "next", "Spacebar": "next", "ArrowRight": "next", "PageDown": "next",
    "s": "skip", "p": "pause", "t": "time", "e": "close", "l": "lock", "q": "device", "a": "approve",
    "b": "back", "ArrowLeft": "back",
    "Escape": "end", "End": "end"
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if ($("confirm").open) { return; }
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) {
      return;
    }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    // Space and Enter on a focused button or link keep their usual meaning: press it.
    if ((key === " " || key === "Enter") && (tag === "BUTTON" || tag === "A" || tag === "SUMMARY")) {
      return;
    }
    var action = KEYS[key];
    if (!action) { return; }
    event.preventDefault();
    if (event.repeat) { return; }
    actions[action]();
  });

  // ------------------------------------------------------------ rendering
  var VIEWS = ["connecting", "lobby", "question", "reveal", "leaderboard", "activity", "ended", "error"];

  function showView(name) {
    VIEWS.forEach(function (v) { show($("view-" + v), v === name); });
    root.setAttribute("data-phase", name);
  }

  function render() {
    var state = room.state;
    if (!state || room.fatal) { return; }
    var phase = state.phase;
    var key = phase + ":" + state.index;
    var changed = key !== built;
    showView(phase);
    renderBar();
    renderControls();
    if (phase === "lobby") { renderLobby(); }
    else if (phase === "question") { renderQuestion(changed); }
    else if (phase === "reveal") { if (changed) { renderReveal(); } }
    else if (phase === "leaderboard") { renderLeaderboard(); }
    else if (phase === "activity") { renderActivity(changed); }
    else if (phase === "ended") { renderEnded(); }
    if (phase !== "activity" && activity) { activity.destroy(); activity = null; }
    room.syncTimer();
    if (changed) {
      built = key;
      announce(phaseAnnouncement());
    }
  }

  function questionNumber() {
    return room.state.question_number || room.state.index + 1;
  }

  function questionsTotal() { return room.questionsTotal(); }

  /** Only quiz questions in this room (a deck), or an agenda with polls, boards, surveys? */
  function isAgenda() { return questionsTotal() !== room.state.total; }

  function phaseAnnouncement() {
    var state = room.state;
    var pos = "question " + questionNumber() + " of " + questionsTotal();
    switch (state.phase) {
      case "lobby": return "Lobby: waiting for players.";
      case "question": return "Showing " + pos + ".";
      case "reveal": return "Answers revealed for " + pos + ".";
      case "leaderboard": return "Leaderboard.";
      case "activity": return "Showing " + (window.StageActivities ? StageActivities.kindName(state.activity) : "an activity") +
        ", item " + (state.index + 1) + " of " + state.total + ".";
      case "ended": return questionsTotal() > 0 ? "The room has ended. Podium." : "The room has ended.";
      default: return "";
    }
  }

  function renderBar() {
    var state = room.state;
    var inGame = state.phase === "question" || state.phase === "reveal" || state.phase === "leaderboard";
    var position = $("stage-position");
    position.textContent = inGame ? "Question " + questionNumber() + " of " + questionsTotal() : "";
    show(position, inGame);
    // Where we are in the agenda: small, for the host ("3 / 8"); only when there is one.
    var agenda = $("stage-agenda");
    var inAgenda = isAgenda() && state.index >= 0 && state.phase !== "lobby" && state.phase !== "ended";
    clear(agenda);
    if (inAgenda) {
      agenda.appendChild(el("span", { className: "sr-only", text: "Agenda item " + (state.index + 1) + " of " + state.total }));
      agenda.appendChild(el("span", { "aria-hidden": "true", text: (state.index + 1) + " / " + state.total }));
    }
    agenda.setAttribute("data-position", inAgenda ? String(state.index + 1) : "");
    show(agenda, inAgenda);
    show($("stage-join-mini"), state.phase !== "lobby" && state.phase !== "ended" && !state.locked);
    show($("stage-locked"), !!state.locked && state.phase !== "ended");
    var hint = $("stage-hint");
    if (hint) { show(hint, state.phase === "lobby" && !hintHidden); } // a setup tip: lobby only
    renderCount();
  }

  function renderCount() { room.drawCount($("stage-count"), $("stage-count-word")); }

  function renderControls() {
    var state = room.state;
    var phase = state.phase;
    var ended = phase === "ended";
    var question = phase === "question";
    show($("controls"), !ended);
    $("ctl-next-label").textContent = room.nextLabel(isAgenda() ? "Next" : "Next question");
    show($("ctl-next"), !ended);
    ["ctl-skip", "ctl-pause", "ctl-time", "ctl-close"].forEach(function (id) { show($(id), question); });
    show($("ctl-back"), room.canGoBack());
    show($("ctl-presenter"), phase === "lobby"); // set up the second device before starting
    show($("ctl-device"), questionsTotal() > 0 && phase !== "activity");
    if (phase !== "activity") { clear($("ctl-activity")); show($("ctl-activity"), false); }
    $("ctl-pause-label").textContent = state.paused ? "Resume" : "Pause";
    $("ctl-pause").setAttribute("aria-keyshortcuts", "P");
    $("ctl-lock-label").textContent = state.locked ? "Unlock room" : "Lock room";
    $("ctl-lock").setAttribute("aria-pressed", state.locked ? "true" : "false");
    $("ctl-device").setAttribute("aria-pressed", state.settings.question_on_device ? "true" : "false");
    $("ctl-approve").setAttribute("aria-pressed", state.settings.approve_joiners ? "true" : "false");
    var focused = document.activeElement;
    if (focused && focused.closest && focused.closest("#controls") && focused.closest("[hidden]")) {
      $("ctl-next").focus();
    }
  }

  // ---- lobby
  function renderLobby() {
    var lobby = room.lobby;
    var list = $("lobby-list");
    var people = (lobby && lobby.participants) || [];
    var count = lobby ? lobby.count : 0;
    $("lobby-count").textContent = number(count);
    $("lobby-count-word").textContent = plural(count, "player", "players");
    show($("lobby-empty"), people.length === 0);
    clear(list);
    people.slice(0, LOBBY_SHOWN).forEach(function (person) {
      var name = el("span", { className: "chip-name", text: person.nickname });
      var item = el("li", { className: "chip" + (person.connected ? "" : " chip-offline"),
                            "data-participant": String(person.id) }, [name]);
      if (!person.connected) { item.appendChild(el("span", { className: "chip-note", text: "(offline)" })); }
      var remove = el("button", { type: "button", className: "chip-remove",
                                  "aria-label": "Remove " + person.nickname, title: "Remove" },
                      [el("span", { "aria-hidden": "true", text: "×" })]);
      remove.addEventListener("click", function () {
        confirmDialog("Remove " + person.nickname + "?",
                      "They leave the room and cannot come back with this nickname.", "Remove")
          .then(function (yes) { if (yes) { command("host:remove", { participant: person.id }); } });
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    var more = people.length - LOBBY_SHOWN;
    $("lobby-more").textContent = more > 0 ? "and " + number(more) + " more" : "";
    show($("lobby-more"), more > 0);
  }

  // ---- question
  function renderQuestion(changed) {
    var state = room.state;
    var q = state.question;
    $("question-text").textContent = q.text;
    if (changed) {
      var media = $("q-media");
      if (q.image) {
        $("q-image").src = q.image;
        show(media, true);
      } else {
        $("q-image").removeAttribute("src");
        show(media, false);
      }
      buildQuestionBody(q);
    }
    show($("q-paused"), !!state.paused);
    $("view-question").classList.toggle("is-paused", !!state.paused);
    renderProgress();
  }

  function renderProgress() { room.drawProgress($("q-answered"), $("q-expected")); }

  function choiceTile(choice, extra) {
    var index = choice.id;
    return el("li", { className: "tile " + Shapes.colourClass(index) + (extra ? " " + extra : ""),
                      "data-choice": String(index) },
              [Shapes.shape(index, Shapes.name(index)),
               el("span", { className: "tile-text", text: choice.text })]);
  }

  function buildQuestionBody(q) {
    var body = $("q-body");
    clear(body);
    body.className = "q-body q-body-" + q.type;
    if (q.choices) {
      var list = el("ul", { className: "tiles tiles-" + q.choices.length, "aria-label": "Answers" });
      q.choices.forEach(function (choice) { list.appendChild(choiceTile(choice)); });
      body.appendChild(list);
      if (q.multiple) {
        body.appendChild(el("p", { className: "q-note", text: "Pick every answer that fits." }));
      }
    } else if (q.type === "typed") {
      body.appendChild(el("p", { className: "q-note q-note-big", text: "Type your answer on your phone." }));
    } else if (q.type === "slider") {
      body.appendChild(el("div", { className: "scale" }, [
        el("span", { className: "scale-end", text: value(q.min) + (q.unit ? " " + q.unit : "") }),
        el("span", { className: "scale-line", "aria-hidden": "true" }),
        el("span", { className: "scale-end", text: value(q.max) + (q.unit ? " " + q.unit : "") })
      ]));
      body.appendChild(el("p", { className: "q-note", text: "Slide to your answer on your phone." }));
    } else if (q.type === "order") {
      var items = el("ul", { className: "order-list", "aria-label": "Items to put in order" });
      q.items.forEach(function (item) {
        items.appendChild(el("li", { className: "order-item", text: item.text }));
      });
      body.appendChild(items);
      body.appendChild(el("p", { className: "q-note", text: "Put these in the right order on your phone." }));
    }
  }

  // ---- reveal
  function renderReveal() {
    var state = room.state;
    var q = state.question;
    var r = state.reveal || { distribution: {}, answered: 0, correct: 0, participants: 0 };
    $("reveal-text").textContent = q.text;
    var summary = number(r.answered) + " of " + number(r.participants) + " answered";
    if (q.type !== "poll" && q.points > 0 && r.answered > 0) {
      summary += " · " + Math.round((100 * r.correct) / r.answered) + "% correct";
    } else if (q.type !== "poll" && q.points === 0 && r.answered > 0) {
      summary += " · " + Math.round((100 * r.correct) / r.answered) + "% correct (no points)";
    }
    $("reveal-summary").textContent = summary;
    var body = $("reveal-body");
    clear(body);
    body.className = "r-body r-body-" + q.type;
    var dist = r.distribution || {};
    var solution = r.solution || {};
    if (q.choices) { body.appendChild(revealChoices(q, dist, solution)); }
    else if (q.type === "typed") { body.appendChild(revealTyped(dist, solution)); }
    else if (q.type === "slider") { body.appendChild(revealSlider(q, dist, solution)); }
    else if (q.type === "order") { body.appendChild(revealOrder(q, dist, solution)); }
  }

  function correctMark(isCorrect) {
    return el("span", { className: "mark " + (isCorrect ? "mark-correct" : "mark-wrong") },
              [Shapes.icon(isCorrect ? "tick" : "cross"),
               el("span", { className: "mark-text", text: isCorrect ? "Correct" : "Wrong" })]);
  }

  function revealChoices(q, dist, solution) {
    var counts = dist.counts || [];
    var max = Math.max.apply(null, [1].concat(counts));
    var right = solution.choices || null; // null for polls
    var list = el("ul", { className: "bars bars-" + q.choices.length, "aria-label": "Answers and how many chose each" });
    q.choices.forEach(function (choice) {
      var n = counts[choice.id] || 0;
      var isRight = right ? right.indexOf(choice.id) !== -1 : null;
      var bar = el("span", { className: "bar-fill " + Shapes.colourClass(choice.id), "aria-hidden": "true" });
      bar.style.height = Math.max(2, Math.round((100 * n) / max)) + "%";
      var tile = el("span", { className: "tile " + Shapes.colourClass(choice.id) }, [
        Shapes.shape(choice.id, Shapes.name(choice.id)),
        el("span", { className: "tile-text", text: choice.text }),
        isRight ? correctMark(true) : null
      ]);
      var item = el("li", {
        className: "bar" + (isRight === true ? " is-correct" : "") + (isRight === false ? " is-wrong" : ""),
        "data-choice": String(choice.id), "data-correct": isRight === null ? null : String(isRight)
      }, [
        el("span", { className: "bar-count", text: number(n) }),
        el("span", { className: "sr-only", text: plural(n, " answer", " answers") }),
        el("span", { className: "bar-track" }, [bar]),
        tile
      ]);
      list.appendChild(item);
    });
    return list;
  }

  function revealTyped(dist, solution) {
    var wrap = el("div", { className: "typed-reveal" });
    var accepted = solution.accepted || [];
    wrap.appendChild(el("p", { className: "solution-line" }, [
      el("span", { className: "mark mark-correct" }, [Shapes.icon("tick"), el("span", { className: "mark-text", text: "Correct answer" })]),
      " ",
      el("strong", { className: "solution-value", text: accepted.join(" / ") })
    ]));
    var top = dist.top || [];
    if (!top.length) {
      wrap.appendChild(el("p", { className: "q-note", text: "Nobody typed an answer." }));
      return wrap;
    }
    var max = Math.max.apply(null, top.map(function (t) { return t.count; }).concat([1]));
    var list = el("ol", { className: "hbars", "aria-label": "Most typed answers" });
    top.forEach(function (entry) {
      var fill = el("span", { className: "hbar-fill" + (entry.correct ? " is-correct" : ""), "aria-hidden": "true" });
      fill.style.width = Math.max(2, Math.round((100 * entry.count) / max)) + "%";
      list.appendChild(el("li", { className: "hbar" + (entry.correct ? " is-correct" : "") }, [
        el("span", { className: "hbar-label", text: entry.text }),
        el("span", { className: "hbar-track" }, [fill]),
        el("span", { className: "hbar-count", text: number(entry.count) }),
        correctMark(!!entry.correct)
      ]));
    });
    wrap.appendChild(list);
    if (dist.distinct > top.length) {
      wrap.appendChild(el("p", { className: "q-note", text: number(dist.distinct) + " different answers in all" }));
    }
    return wrap;
  }

  function revealSlider(q, dist, solution) {
    var unit = q.unit ? " " + q.unit : "";
    var wrap = el("div", { className: "slider-reveal" });
    var tol = solution.tolerance ? " ± " + value(solution.tolerance) : "";
    wrap.appendChild(el("p", { className: "solution-line" }, [
      el("span", { className: "mark mark-correct" }, [Shapes.icon("tick"), el("span", { className: "mark-text", text: "Correct answer" })]),
      " ",
      el("strong", { className: "solution-value", text: value(solution.value) + tol + unit })
    ]));
    var span = (q.max - q.min) || 1;
    var values = dist.values || [];
    var max = Math.max.apply(null, values.map(function (v) { return v[1]; }).concat([1]));
    var scale = el("div", { className: "histogram", "aria-hidden": "true" });
    var band = el("span", { className: "histogram-band" });
    var lo = Math.max(q.min, solution.value - (solution.tolerance || 0));
    var hi = Math.min(q.max, solution.value + (solution.tolerance || 0));
    band.style.left = (100 * (lo - q.min) / span) + "%";
    band.style.width = Math.max(0.6, 100 * (hi - lo) / span) + "%";
    scale.appendChild(band);
    values.forEach(function (pair) {
      var stick = el("span", { className: "histogram-bar" +
        (pair[0] >= lo - 1e-9 && pair[0] <= hi + 1e-9 ? " is-correct" : "") });
      stick.style.left = (100 * (pair[0] - q.min) / span) + "%";
      stick.style.height = Math.max(4, Math.round(100 * pair[1] / max)) + "%";
      scale.appendChild(stick);
    });
    wrap.appendChild(scale);
    wrap.appendChild(el("div", { className: "scale" }, [
      el("span", { className: "scale-end", text: value(q.min) + unit }),
      el("span", { className: "scale-line scale-line-thin", "aria-hidden": "true" }),
      el("span", { className: "scale-end", text: value(q.max) + unit })
    ]));
    wrap.appendChild(el("p", { className: "stats-line" }, [
      "Average ", el("strong", { text: dist.mean === null || dist.mean === undefined ? "–" : value(dist.mean) + unit }),
      " · Median ", el("strong", { text: dist.median === null || dist.median === undefined ? "–" : value(dist.median) + unit })
    ]));
    return wrap;
  }

  function revealOrder(q, dist, solution) {
    var wrap = el("div", { className: "order-reveal" });
    var byId = {};
    q.items.forEach(function (item) { byId[item.id] = item.text; });
    wrap.appendChild(el("p", { className: "solution-line" }, [
      el("span", { className: "mark mark-correct" }, [Shapes.icon("tick"), el("span", { className: "mark-text", text: "Correct order" })])
    ]));
    var list = el("ol", { className: "order-list order-solution" });
    (solution.order || []).forEach(function (id) { list.appendChild(el("li", { className: "order-item", text: byId[id] })); });
    wrap.appendChild(list);
    wrap.appendChild(el("p", { className: "stats-line" }, [
      el("strong", { text: number(dist.correct || 0) }), " got it right · ",
      el("strong", { text: number(dist.incorrect || 0) }), " did not"
    ]));
    return wrap;
  }

  // ---- leaderboard and podium
  function renderLeaderboard() {
    var state = room.state;
    var list = $("leaderboard-list");
    clear(list);
    var rows = state.leaderboard || [];
    $("leaderboard-heading").textContent = "Leaderboard after question " + questionNumber();
    rows.forEach(function (row) {
      var streak = row.streak >= 2 ? el("span", { className: "lb-streak" },
        [Shapes.icon("flame"), el("span", { text: row.streak + " in a row" })]) : null;
      list.appendChild(el("li", { className: "lb-row", "data-participant": String(row.id) }, [
        el("span", { className: "lb-rank", text: ordinal(row.rank) }),
        el("span", { className: "lb-name", text: row.nickname }),
        streak,
        el("span", { className: "lb-score", text: number(row.score) })
      ]));
    });
    if (!rows.length) { list.appendChild(el("li", { className: "lb-row lb-empty", text: "No players yet." })); }
  }

  function renderEnded() {
    var state = room.state;
    var list = $("podium");
    clear(list);
    var rows = state.podium || [];
    var quiz = questionsTotal() > 0;
    $("ended-heading").textContent = quiz ? "Podium" : "That's a wrap";
    show($("ended-thanks"), !quiz);
    show(list, quiz);
    show($("podium-empty"), quiz && rows.length === 0);
    // Drawn 2nd, 1st, 3rd (CSS order), listed 1st, 2nd, 3rd for screen readers.
    rows.forEach(function (row, i) {
      list.appendChild(el("li", { className: "podium-step podium-" + (i + 1), "data-participant": String(row.id),
                                  "data-testid": "podium-" + (i + 1) }, [
        el("span", { className: "podium-name", text: row.nickname }),
        el("span", { className: "podium-score" }, [el("span", { className: "podium-points", text: number(row.score) }), " points"]),
        el("span", { className: "podium-block" }, [el("span", { className: "podium-rank", text: ordinal(row.rank) })])
      ]));
    });
  }

  // ---- polls, boards, surveys (drawn by activities-stage.js)
  function renderActivity(changed) {
    var state = room.state;
    var current = state.activity;
    if (!current || !window.StageActivities) { return; }
    if (changed || !activity || activity.position !== current.position || activity.kind !== current.kind) {
      if (activity) { activity.destroy(); }
      activity = StageActivities.create({
        kind: $("activity-kind"), heading: $("activity-heading"), meta: $("activity-meta"),
        body: $("activity-body"), tools: $("ctl-activity"), section: $("view-activity"),
        command: function (action, args) {
          return new Promise(function (resolve) {
            command("host:activity", { action: action, args: args || {} }, resolve);
          });
        },
        confirm: confirmDialog, status: status, announce: announce
      }, current);
    }
    activity.update(current);
    show($("ctl-activity"), $("ctl-activity").childNodes.length > 0);
  }
})();
