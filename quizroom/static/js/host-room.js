/* What the stage (stage.js) and the presenter view (presenter.js) share: both are a
 * trainer's page attached to a live room as a host (docs/protocol.md, docs/cohosts.md).
 *
 *   var host = HostRoom.connect({
 *     code, key,          the room and the host key the page carries
 *     view,               "presenter" for the presenter view; left out on the stage
 *     prefix,             ids of the page's shared nodes: PREFIX-connection (the banner),
 *                         PREFIX-status (the toast), PREFIX-announce (read out)
 *     confirm,            id of the confirm dialog (its parts: ID-title, -text, -ok, -cancel)
 *     timer,              {seconds: id, box: id, every: ms, draw: function (left, limit)}
 *     errors,             the page's own error texts, over the shared ones below
 *     attached(ack),      after every (re)attach, host.state/lobby/progress already set
 *     render(),           a new `state`
 *     renderLobby(),      a new `lobby`
 *     renderProgress(),   a new `progress` for the question on screen
 *     stopped(message)    the page may no longer run the room (refused, revoked, room gone)
 *   });
 *
 * It connects with `?room=` (a proxy routes by it, docs/deployment.md), attaches as host on
 * every (re)connect and resyncs from the acknowledgement, shows the banner while the
 * connection is down, and keeps what the server last said in host.state, host.lobby,
 * host.progress (host.fatal once stopped). Then:
 *
 *   host.socket                     for the page's own events
 *   host.command(event, payload, done, quiet)
 *                                   a host command; done(ok, ack); a refusal shows in the
 *                                   toast unless `quiet` (the page shows it itself)
 *   host.actions                    next (one at a time), skip, back, pause, time, end
 *   host.status(message), host.announce(message), host.confirm(title, text, okLabel)
 *   host.errorText(error), host.stop(message)
 *   host.questionsTotal(), host.isLast(), host.canGoBack(), host.nextLabel(following)
 *   host.drawCount(countNode, wordNode), host.drawProgress(answeredNode, expectedNode)
 *   host.syncTimer()                the countdown from the server's `remaining_ms`
 *
 * Everything people typed goes in with textContent only.
 */
(function () {
  "use strict";

  var ACK_TIMEOUT = 8000;

  var ERRORS = {
    wrong_phase: "That is not possible right now.",
    room_ended: "The room has ended.",
    room_not_found: "This room is no longer live.",
    already_paused: "The question is already paused.",
    not_paused: "The question is not paused.",
    too_much_time: "This question cannot run any longer.",
    no_previous: "This is the first item of the agenda.",
    server_error: "Something went wrong on the server. Try again."
  };

  function $(id) { return document.getElementById(id); }

  function connect(options) {
    var show = Dom.show, number = Dom.number;
    var errors = Object.assign({}, ERRORS, options.errors || {});
    var clock = options.timer;
    var nextInFlight = false; // a "next" in flight: a double press must not skip an item
    var statusTimer = null;
    var timer = { deadline: 0, remaining: 0, limit: 0, paused: false, handle: null };

    var host = {
      state: null,
      lobby: { count: 0, participants: [] },
      progress: null,
      fatal: false
    };

    // ---------------------------------------------------------- messages
    function status(message) {
      var node = $(options.prefix + "-status");
      node.textContent = message;
      node.classList.toggle("toast-visible", !!message);
      clearTimeout(statusTimer);
      if (message) { statusTimer = setTimeout(function () { status(""); }, 6000); }
    }

    function announce(message) { $(options.prefix + "-announce").textContent = message; }

    function errorText(error) {
      if (!error) { return "Something went wrong."; }
      return errors[error.code] || error.message || error.code;
    }

    function confirmDialog(title, text, okLabel) {
      var dialog = $(options.confirm);
      $(options.confirm + "-title").textContent = title;
      $(options.confirm + "-text").textContent = text;
      $(options.confirm + "-ok").textContent = okLabel;
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
        $(options.confirm + "-cancel").focus();
      });
    }

    // ---------------------------------------------------------- socket
    var socket = io({ reconnectionDelayMax: 5000, query: { room: options.code } });
    var banner = $(options.prefix + "-connection");

    socket.on("connect", function () {
      show(banner, false);
      attach();
    });

    socket.on("disconnect", function (reason) {
      if (host.fatal) { return; }
      show(banner, true);
      if (reason === "io server disconnect") { socket.connect(); }
    });

    socket.on("state", function (view) {
      var state = host.state;
      if (!state || view.phase !== state.phase || view.index !== state.index) {
        nextInFlight = false; // the room moved on: the next press is a new one
      }
      host.state = view;
      if (view.progress) { host.progress = view.progress; }
      options.render();
    });

    socket.on("lobby", function (view) {
      host.lobby = view;
      options.renderLobby();
    });

    socket.on("progress", function (view) {
      if (host.state && view.question === host.state.index) {
        host.progress = view;
        options.renderProgress();
      }
    });

    // A removed co-host's page stops at once (docs/cohosts.md).
    socket.on("revoked", function (message) {
      stop((message && message.reason) || "You are no longer a host of this room.");
    });

    function attach() {
      var payload = { code: options.code, key: options.key };
      if (options.view) { payload.view = options.view; }
      socket.timeout(ACK_TIMEOUT).emit("host:attach", payload, function (err, ack) {
        if (err) {
          if (socket.connected) { setTimeout(attach, 1000); }
          return;
        }
        if (!ack.ok) {
          if (ack.error.code === "not_host" || ack.error.code === "room_not_found") {
            stop(errorText(ack.error));
          } else {
            status(errorText(ack.error));
          }
          return;
        }
        host.state = ack.state;
        host.lobby = ack.lobby || host.lobby;
        host.progress = ack.state.progress || null;
        options.attached(ack);
      });
    }

    function stop(message) {
      host.fatal = true;
      socket.io.reconnection(false);
      socket.disconnect();
      stopTimer();
      show(banner, false);
      options.stopped(message);
    }

    function command(event, payload, done, quiet) {
      if (!socket.connected) {
        status("Not connected: wait until the connection is back.");
        if (done) { done(false, null); }
        return;
      }
      socket.timeout(ACK_TIMEOUT).emit(event, payload || {}, function (err, ack) {
        if (err) { status("The server did not answer. Try again."); }
        else if (!ack.ok && !quiet) { status(errorText(ack.error)); }
        if (done) { done(!err && ack.ok, err ? null : ack); }
      });
    }

    // ---------------------------------------------------------- where the room is
    function phase() { return host.state ? host.state.phase : "connecting"; }

    function questionsTotal() {
      var state = host.state;
      return state.questions_total === undefined || state.questions_total === null ? state.total : state.questions_total;
    }

    function isLast() { return host.state.index + 1 >= host.state.total; }

    function canGoBack() {
      var state = host.state;
      return !!state && state.index > 0 &&
        (state.phase === "reveal" || state.phase === "leaderboard" || state.phase === "activity");
    }

    /** The "next" button's words; `following` is what comes after a question ("Next"). */
    function nextLabel(following) {
      var state = host.state;
      var scored = state.question && state.question.points > 0;
      var last = questionsTotal() > 0 ? "Podium" : "Finish";
      following = following || "Next";
      switch (state.phase) {
        case "lobby": return "Start";
        case "question": return "Show answer";
        case "reveal": return scored ? "Leaderboard" : (isLast() ? last : following);
        case "leaderboard": return isLast() ? last : following;
        case "activity": return isLast() ? last : "Next";
        default: return "Next";
      }
    }

    // ---------------------------------------------------------- the commands both pages run
    var actions = {
      next: function () {
        if (!host.state || host.state.phase === "ended" || nextInFlight) { return; }
        nextInFlight = true;
        command("host:next", {}, function () { nextInFlight = false; });
      },
      skip: function () {
        if (phase() === "question" || phase() === "activity") { command("host:skip"); }
      },
      back: function () { if (canGoBack()) { command("host:back"); } },
      pause: function () {
        if (phase() === "question") { command(host.state.paused ? "host:resume" : "host:pause"); }
      },
      time: function () { if (phase() === "question") { command("host:add_time"); } },
      end: function () {
        if (!host.state || host.state.phase === "ended") { return; }
        confirmDialog("End the room?", "Everyone goes to the podium and nobody can answer any more.", "End room")
          .then(function (yes) { if (yes) { command("host:end"); } });
      }
    };

    // ---------------------------------------------------------- figures
    function drawCount(countNode, wordNode) {
      var lobby = host.lobby, state = host.state;
      var count = lobby ? lobby.count : (state && state.participants) || 0;
      countNode.textContent = number(count, 1);
      wordNode.textContent = count === 1 ? "player" : "players";
    }

    function drawProgress(answeredNode, expectedNode) {
      var state = host.state, progress = host.progress;
      if (!state || state.phase !== "question") { return; }
      var p = progress && progress.question === state.index ? progress : { answered: 0, expected: 0 };
      answeredNode.textContent = number(p.answered, 1);
      expectedNode.textContent = number(p.expected, 1);
    }

    // ---------------------------------------------------------- countdown
    function syncTimer() {
      var state = host.state;
      if (!state || state.phase !== "question" || !state.question) { stopTimer(); return; }
      timer.limit = (state.question.time_limit || 1) * 1000;
      timer.remaining = state.remaining_ms;
      timer.paused = !!state.paused;
      timer.deadline = performance.now() + state.remaining_ms;
      if (!timer.handle) { timer.handle = setInterval(drawTimer, clock.every); }
      drawTimer();
    }

    function stopTimer() {
      if (timer.handle) { clearInterval(timer.handle); timer.handle = null; }
    }

    function drawTimer() {
      var left = timer.paused ? timer.remaining : Math.max(0, timer.deadline - performance.now());
      var seconds = String(Math.ceil(left / 1000));
      var node = $(clock.seconds);
      if (node.textContent !== seconds) { node.textContent = seconds; }
      $(clock.box).classList.toggle("is-urgent", left <= 5000 && !timer.paused);
      if (clock.draw) { clock.draw(left, timer.limit); }
    }

    return Object.assign(host, {
      socket: socket,
      command: command,
      actions: actions,
      status: status,
      announce: announce,
      confirm: confirmDialog,
      errorText: errorText,
      stop: stop,
      questionsTotal: questionsTotal,
      isLast: isLast,
      canGoBack: canGoBack,
      nextLabel: nextLabel,
      drawCount: drawCount,
      drawProgress: drawProgress,
      syncTimer: syncTimer
    });
  }

  window.HostRoom = { connect: connect };
})();
