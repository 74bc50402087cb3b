/* The self-paced review round (/r/<token>): one person, their phone, one question at a time.
 *
 * The server decides everything: which question is open, how much time is left (the
 * timer starts when a question is first served, and a reload continues it), whether an
 * answer is right, the points. This page asks for the view, shows it and sends what the
 * person picked. Screens: ready (start / next question), question, feedback, summary.
 *
 * The answer controls, and the answers and solutions shown after, come from answers.js,
 * shared with play.js: the same look and keys as a live quiz.
 * Everything from the server goes in with textContent only (Dom.el's "text").
 */
(function () {
  "use strict";

  var root = document.getElementById("review");
  if (!root || !window.quizroom || !window.quizroom.answers || !window.Dom || !window.QuizShapes) { return; }
  var Shapes = window.QuizShapes;
  var Answers = window.quizroom.answers;
  var el = Dom.el, clear = Dom.clear, show = Dom.show, value = Dom.value, number = Dom.number;
  var URLS = {
    view: root.getAttribute("data-view-url"),
    start: root.getAttribute("data-start-url"),
    answer: root.getAttribute("data-answer-url")
  };
  var GRACE_MS = 1600;     // the server accepts answers 1.5 s past the limit; ask after that
  var RESYNC_TRIES = 6;

  var view = null;         // the last view from the server
  var next = null;         // the view to go on with after the feedback screen
  var builtPosition = -1;  // the question the answer controls were built for
  var sending = false;
  var busy = false;        // a start/refresh request is in flight
  var timer = { deadline: 0, handle: null, expired: false };

  function $(id) { return document.getElementById(id); }

  // ------------------------------------------------------------ talking to the server
  /** Resolves to {ok, status, data}; status 0 when the network failed. */
  function call(url, json) {
    var options = json === undefined ? { method: "GET" } : { method: "POST", json: json };
    return window.quizroom.fetchJSON(url, options).catch(function () {
      return { ok: false, status: 0, data: null };
    });
  }

  function errorOf(res) {
    var error = res.data && res.data.error;
    if (error && typeof error === "object") { return error; }
    if (res.status === 0) { return { code: "offline", message: "" }; }
    return { code: "server", message: "" };
  }

  /** Errors after which this page cannot go on by itself. */
  function fatal(error) {
    if (error.code === "not_found") {
      message("This review link does not work", "Your trainer may have removed it. Ask them for a new link.", "cross");
    } else if (error.code === "too_many_guesses") {
      message("Too many tries", error.message || "Wait a minute, then try again.", "clock", true);
    } else if (error.code === "csrf") {
      message("This page has expired", "Reload it to go on: your answers so far are kept.", "clock", true);
    } else if (error.code === "offline") {
      message("No connection", "Check your signal, then try again. Your answers so far are kept.", "cross", true);
    } else {
      message("Something went wrong", error.message || "Try again in a moment.", "cross", true);
    }
  }

  function load() {
    if (busy) { return; }
    busy = true;
    call(URLS.view).then(function (res) {
      busy = false;
      if (!res.ok) { return fatal(errorOf(res)); }
      render(res.data);
    });
  }

  function start() {
    if (busy) { return; }
    busy = true;
    $("ready-go").disabled = true;
    $("fb-next").disabled = true;
    call(URLS.start, {}).then(function (res) {
      busy = false;
      $("ready-go").disabled = false;
      $("fb-next").disabled = false;
      if (!res.ok) { return fatal(errorOf(res)); }
      render(res.data);
    });
  }

  // ------------------------------------------------------------ screens
  var SCREENS = ["loading", "ready", "question", "feedback", "summary", "message"];
  var current = "loading";

  function screen(name, focus) {
    var changed = name !== current;
    SCREENS.forEach(function (s) { show($("screen-" + s), s === name); });
    root.setAttribute("data-screen", name);
    current = name;
    if (changed) { window.scrollTo(0, 0); }
    if (changed || focus) {
      var target = focus || $("screen-" + name).querySelector("h1");
      if (target.tagName === "H1") { target.setAttribute("tabindex", "-1"); }
      target.focus({ preventScroll: true });
    }
  }

  function setIcon(container, name, tone) {
    clear(container);
    container.className = "big-icon" + (tone ? " big-icon-" + tone : "");
    if (name) { container.appendChild(Shapes.icon(name)); }
  }

  function message(title, text, icon, retry) {
    stopTimer();
    $("message-heading").textContent = title;
    $("message-text").textContent = text || "";
    setIcon($("message-icon"), icon || null, icon === "cross" ? "wrong" : null);
    show($("message-retry"), !!retry);
    screen("message");
  }

  var toastTimer = null;
  function toast(text) {
    var node = $("rv-toast");
    node.textContent = text || "";
    node.classList.toggle("toast-visible", !!text);
    clearTimeout(toastTimer);
    if (text) { toastTimer = setTimeout(function () { toast(""); }, 5000); }
  }

  function say(text) {
    // Cleared first, so the same words twice in a row are read twice.
    var node = $("rv-live");
    node.textContent = "";
    setTimeout(function () { node.textContent = text; }, 50);
  }

  function render(data) {
    view = data;
    $("rv-score").textContent = number(data.score);
    if (data.state === "finished") { return renderSummary(); }
    if (data.state === "ready") { return renderReady(); }
    renderQuestion();
  }

  // ---- ready: before the first question, and between questions
  function renderReady() {
    stopTimer();
    var first = view.position === 0;
    $("ready-eyebrow").textContent = view.trainer ? "Review round from " + view.trainer : "Review round";
    if (first) {
      $("ready-heading").textContent = view.title;
      $("ready-lead").textContent = (view.name ? "Hi " + view.name + "! " : "") +
        Dom.count(view.total, "question", "questions") + ", one at a time.";
      $("ready-note").textContent = "Each question has a timer that starts when you open it. " +
        "Take your time between questions.";
      $("ready-go").textContent = "Start";
    } else {
      $("ready-heading").textContent = "Question " + view.number + " of " + view.total + " is next";
      $("ready-lead").textContent = number(view.score) + " points so far, " +
        number(view.correct) + " of " + number(view.position) + " correct.";
      $("ready-note").textContent = "The timer starts when you open the question.";
      $("ready-go").textContent = "Open question " + view.number;
    }
    var last = $("ready-last");
    var previous = view.previous;
    if (!first && previous && !previous.answered) {
      last.textContent = "Time ran out on question " + (previous.position + 1) + ": no answer was recorded.";
      show(last, true);
    } else {
      show(last, false);
    }
    screen("ready");
  }

  // ---- question
  function renderQuestion() {
    var q = view.question;
    var fresh = builtPosition !== view.position || current !== "question";
    if (builtPosition !== view.position) {
      builtPosition = view.position;
      sending = false;
      buildControls(q);
    }
    $("q-heading").textContent = "Question " + view.number + " of " + view.total;
    $("q-text").textContent = q.text || "";
    var media = $("q-media");
    if (q.image) {
      if ($("q-image").getAttribute("src") !== q.image) { $("q-image").src = q.image; }
      show(media, true);
    } else {
      show(media, false);
    }
    startTimer(view.remaining_ms);
    if (fresh) { answerError(view.remaining_ms > 0 ? null : "Time's up!"); }
    updateControls();
    screen("question");
  }

  function controlsEnabled() { return !sending && !timer.expired; }

  function updateControls() {
    Answers.setEnabled($("q-answer"), controlsEnabled());
    $("screen-question").classList.toggle("is-sending", sending);
    $("q-sending").textContent = sending ? "Sending your answer…" : "";
    show($("q-sending"), sending);
  }

  function answerError(text) { Answers.showError("q-error", text); }

  function buildControls(q) {
    Answers.build($("q-answer"), q, { send: sendAnswer, enabled: controlsEnabled, update: updateControls, errorId: "q-error" });
  }

  // ---- sending an answer
  function sendAnswer(picked) {
    if (!view || view.state !== "question" || sending || timer.expired) { return; }
    var position = view.position;
    sending = true;
    answerError(null);
    updateControls();
    call(URLS.answer, { position: position, value: picked }).then(function (res) {
      sending = false;
      if (res.ok) { return feedback(res.data, res.data.view, true); }
      var error = errorOf(res);
      if (error.code === "bad_answer") {
        clearPicked();
        answerError("That answer could not be read: " + (error.message || "try again") + ".");
        return updateControls();
      }
      if (error.code === "wrong_question") { return resync(position); }
      if (error.code === "offline") {
        clearPicked();
        answerError("Your answer was not sent: no connection. Try again.");
        toast("No connection.");
        return updateControls();
      }
      fatal(error);
    });
  }

  function clearPicked() { Answers.unpick($("q-answer")); }

  /** The server has moved on from `position` (an answer whose reply got lost, another tab,
   * the time ran out): show how that question went, or simply where things are now. */
  function resync(position, tries) {
    call(URLS.view).then(function (res) {
      if (!res.ok) { return fatal(errorOf(res)); }
      var data = res.data;
      if (data.state === "question" && data.position === position) {
        if (data.remaining_ms > 0 || (tries || 0) >= RESYNC_TRIES) { return render(data); }
        return setTimeout(function () { resync(position, (tries || 0) + 1); }, 1000);
      }
      if (data.previous && data.previous.position === position) { return feedback(data.previous, data); }
      render(data);
    });
  }

  // ---- feedback on one answer
  /** `sent`: the result is the reply to this phone's answer (so "no answer" means too late). */
  function feedback(result, after, sent) {
    stopTimer();
    next = after;
    view = after;
    $("rv-score").textContent = number(after.score);
    var q = result.question;
    var icon = $("fb-icon");
    var heading, points = "+" + number(result.points) + " points";
    if (!result.answered) {
      setIcon(icon, "clock", "wrong");
      heading = sent ? "Too late: your answer did not count" : "Time's up: no answer";
    } else if (result.correct) {
      setIcon(icon, "tick", "ok");
      heading = "Correct";
    } else if (result.points > 0) {
      setIcon(icon, "partial", "partial");
      heading = "Partly correct";
    } else {
      setIcon(icon, "cross", "wrong");
      heading = "Incorrect";
    }
    $("fb-heading").textContent = heading;
    $("fb-points").textContent = points;
    var yours = $("fb-yours");
    clear(yours);
    if (result.answered) {
      yours.appendChild(el("span", { className: "solution-head", text: "Your answer: " }));
      yours.appendChild(Answers.answerNode(q, result.value));
    }
    show(yours, result.answered && !result.correct);
    var solution = $("fb-solution");
    clear(solution);
    if (!result.correct) {
      solution.appendChild(el("span", { className: "solution-head", text: "Correct answer: " }));
      solution.appendChild(solutionNode(q, result.solution));
    }
    show(solution, !result.correct);
    var button = $("fb-next");
    button.textContent = after.state === "finished" ? "See your results" : "Next question";
    screen("feedback", button);
    var words = heading + ". " + points + ".";
    if (!result.correct) { words += " Correct answer: " + solutionText(q, result.solution) + "."; }
    say(words);
  }

  /** The correct answer as shown after a question ("–" when the type has none to show). */
  function solutionNode(q, solution) {
    return Answers.solutionNode(q, solution) || el("span", { text: "–" });
  }

  /** The solution in words, for the live region. */
  function solutionText(q, solution) {
    solution = solution || {};
    if (q.choices && solution.choices) {
      return solution.choices.map(function (id) { return q.choices[id] ? q.choices[id].text : ""; }).join(" and ");
    }
    if (q.type === "typed") { return (solution.accepted || []).join(" or "); }
    if (q.type === "slider") {
      return value(solution.value) + (solution.tolerance ? " give or take " + value(solution.tolerance) : "") +
        (q.unit ? " " + q.unit : "");
    }
    if (q.type === "order") {
      var byId = Answers.textsById(q);
      return (solution.order || []).map(function (id) { return byId[id]; }).join(", then ");
    }
    return "";
  }

  // ---- summary
  function renderSummary() {
    stopTimer();
    var s = view.summary;
    $("sum-heading").textContent = view.name ? "Well done, " + view.name + "!" : "Well done!";
    $("sum-lead").textContent = "You finished “" + view.title + "”.";
    $("sum-correct").textContent = number(s.correct) + " of " + number(s.questions);
    $("sum-points").textContent = number(s.points);
    var list = $("sum-list");
    clear(list);
    s.items.forEach(function (item) {
      var q = item.question;
      var tone = !item.answered ? "none" : item.correct ? "correct" : item.points > 0 ? "partial" : "wrong";
      var label = { none: "No answer", correct: "Correct", partial: "Partly correct", wrong: "Incorrect" }[tone];
      var iconName = { none: "clock", correct: "tick", partial: "partial", wrong: "cross" }[tone];
      var rows = el("dl", { className: "rv-answers" }, [
        el("div", {}, [el("dt", { text: "Your answer" }), el("dd", {}, [Answers.answerNode(q, item.value)])])
      ]);
      if (!item.correct) {
        rows.appendChild(el("div", {}, [el("dt", { text: "Correct answer" }), el("dd", {}, [solutionNode(q, item.solution)])]));
      }
      list.appendChild(el("li", { className: "rv-item rv-item-" + tone }, [
        el("div", { className: "rv-item-head" }, [
          el("span", { className: "rv-mark rv-mark-" + tone }, [Shapes.icon(iconName), el("span", { text: label })]),
          el("span", { className: "rv-item-points", text: "+" + number(item.points) + " pts" })
        ]),
        el("h3", { className: "rv-item-text" }, [
          el("span", { className: "rv-item-number", text: (item.position + 1) + ". " }), q.text || ""
        ]),
        rows
      ]));
    });
    screen("summary");
  }

  // ------------------------------------------------------------ countdown
  function startTimer(remaining) {
    timer.deadline = performance.now() + Math.max(0, remaining);
    timer.expired = remaining <= 0;
    if (!timer.handle) { timer.handle = setInterval(drawTimer, 250); }
    drawTimer();
  }

  function stopTimer() {
    if (timer.handle) { clearInterval(timer.handle); timer.handle = null; }
  }

  function drawTimer() {
    var left = Math.max(0, timer.deadline - performance.now());
    var seconds = Math.ceil(left / 1000);
    var node = $("q-seconds");
    if (node.textContent !== String(seconds)) { node.textContent = String(seconds); }
    $("q-timer").classList.toggle("is-urgent", seconds <= 5);
    if (left <= 0 && current === "question" && !sending) {
      stopTimer();
      if (!timer.expired) {
        timer.expired = true;
        answerError("Time's up!");
        updateControls();
      }
      var position = view.position;
      // The server records "no answer" once the time and its grace are over; then show it.
      setTimeout(function () { if (current === "question" && view.position === position) { resync(position); } }, GRACE_MS);
    }
  }

  // ------------------------------------------------------------ wiring
  $("ready-go").addEventListener("click", start);
  $("fb-next").addEventListener("click", function () {
    if (next && next.state === "ready") { start(); } else if (next) { render(next); } else { load(); }
  });
  $("message-retry").addEventListener("click", function () { window.location.reload(); });

  // A phone put away mid-question throttles timers: ask the server where things are.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && current === "question" && !sending) { resync(view.position); }
  });

  load();
})();
