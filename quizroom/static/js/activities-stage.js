/* The stage's polls, boards and surveys: what the projector shows while an agenda item
 * that is not a quiz question is on screen, and the host's controls for it.
 *
 *   StageActivities.create(ctx, activity) -> controller {position, kind, update(activity), destroy()}
 *   StageActivities.kindName(activity)    -> "poll", "word cloud", "board"... (for announcements)
 *
 * ctx (from stage.js): kind, heading, meta, body, tools, section (DOM nodes);
 * command(action, args) -> Promise<bool> (sends host:activity); confirm(title, text, ok)
 * -> Promise<bool>; status(text); announce(text).
 *
 * The server sends a new view of the activity up to four times a second. Each part (the
 * controls, the results) is redrawn only when what it shows changed, never while the
 * host is working a control inside it (for a few seconds after their last key or click),
 * and the control that had focus gets it back. Everything people typed goes in with
 * textContent only.
 */
(function () {
  "use strict";

  if (!window.Dom) { return; }
  var el = Dom.el, clear = Dom.clear, count = Dom.count, percent = Dom.percent;
  var Shapes = window.QuizShapes;
  var HOLD_MS = 4000;       // a control the host is using is not redrawn under them
  var CLOUD_WORDS = 100;

  var ICONS = {
    people: "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm7.5-1a3 3 0 1 0 0-6 3 3 0 0 0 0 6ZM9 13c-4 0-7 2-7 4.5V20h14v-2.5C16 15 13 13 9 13Zm7.4.1c1.6.8 2.6 2.2 2.6 4.4V20h3v-2.3c0-2.4-2.3-4.2-5.6-4.6Z",
    eyeOff: "M2.3 3.7 3.7 2.3l18 18-1.4 1.4-3.3-3.3A10.8 10.8 0 0 1 12 20C6.5 20 2.6 16.2 1 12c.7-1.8 1.9-3.6 3.5-5Zm5.4 5.4A4 4 0 0 0 14.9 16.3l-1.5-1.5a2 2 0 0 1-2.2-2.2ZM12 4c5.5 0 9.4 3.8 11 8-.6 1.6-1.6 3.1-2.9 4.4l-3.2-3.2A5 5 0 0 0 10.8 7L8.9 5.1C9.9 4.4 10.9 4 12 4Z",
    eye: "M12 4C6.5 4 2.6 7.8 1 12c1.6 4.2 5.5 8 11 8s9.4-3.8 11-8c-1.6-4.2-5.5-8-11-8Zm0 3a5 5 0 1 1 0 10 5 5 0 0 1 0-10Zm0 2.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5Z",
    lock: "M12 1.5a5 5 0 0 0-5 5V9H5v13h14V9h-2V6.5a5 5 0 0 0-5-5Zm0 2a3 3 0 0 1 3 3V9H9V6.5a3 3 0 0 1 3-3Z",
    dot: "M12 5a7 7 0 1 0 0.001 0Z",
    more: "M5 10a2 2 0 1 0 0 4 2 2 0 0 0 0-4Zm7 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4Zm7 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4Z",
    pencil: "M3 17.2V21h3.8L17.8 10 14 6.2Zm17.7-10.1a1 1 0 0 0 0-1.4l-2.4-2.4a1 1 0 0 0-1.4 0l-1.8 1.8 3.8 3.8Z",
    tick: "M9.2 16.6 4.9 12.3 3.5 13.7 9.2 19.4 21 7.6 19.6 6.2Z"
  };
  function icon(name, label) { return Dom.svg(ICONS[name], label, "icon icon-" + name); }

  var POLL_NAMES = { single: "Poll", multi: "Poll", wordcloud: "Word cloud", rating: "Rating",
                     open: "Open question", ranking: "Ranking" };

  function kindName(a) {
    if (!a) { return "an activity"; }
    if (a.kind === "poll") { return (POLL_NAMES[a.type] || "Poll").toLowerCase(); }
    if (a.kind === "board") { return "brainstorming board"; }
    if (a.kind === "survey") { return "survey"; }
    return "an activity";
  }

  function short(text, max) {
    text = String(text || "").replace(/\s+/g, " ").trim();
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function button(label, attrs, onClick) {
    var node = el("button", Object.assign({ type: "button", className: "btn" }, attrs || {}),
                  Array.isArray(label) ? label : [label]);
    if (onClick) { node.addEventListener("click", onClick); }
    return node;
  }

  // ------------------------------------------------------------ painter
  /** Redraws one container when its key changes; holds off while a control in it is in use. */
  function Painter(container) {
    var self = this;
    this.container = container;
    this.key = null;
    this.pending = null;
    this.hold = false;      // a drag is in progress
    this.touched = 0;       // last key press or click inside
    this.timer = null;
    this.onTouch = function () { self.touched = Date.now(); };
    container.addEventListener("keydown", this.onTouch);
    container.addEventListener("pointerdown", this.onTouch);
  }

  Painter.prototype.busy = function () {
    if (this.hold) { return true; }
    var active = document.activeElement;
    if (!active || !this.container.contains(active)) { return false; }
    var tag = active.tagName;
    var field = tag === "SELECT" || tag === "TEXTAREA" ||
      (tag === "INPUT" && ["checkbox", "radio", "button", "submit"].indexOf(active.type) === -1);
    return field && Date.now() - this.touched < HOLD_MS;
  };

  Painter.prototype.paint = function (key, build) {
    if (key === this.key && !this.pending) { return; }
    if (this.busy()) {
      this.pending = { key: key, build: build };
      this.later();
      return;
    }
    this.pending = null;
    this.key = key;
    Dom.rebuild(this.container, build);
  };

  Painter.prototype.later = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.flush(); }, 700);
  };

  Painter.prototype.flush = function () {
    if (!this.pending) { return; }
    if (this.busy()) { this.later(); return; }
    var p = this.pending;
    this.pending = null;
    this.key = p.key;
    Dom.rebuild(this.container, p.build);
  };

  /** Paint now whatever the host is doing (they just acted: show the result of it). */
  Painter.prototype.release = function () { this.touched = 0; };

  Painter.prototype.destroy = function () {
    clearTimeout(this.timer);
    this.container.removeEventListener("keydown", this.onTouch);
    this.container.removeEventListener("pointerdown", this.onTouch);
    clear(this.container);
  };

  // ------------------------------------------------------------ controller
  function Controller(ctx, view) {
    this.ctx = ctx;
    this.position = view.position;
    this.kind = view.kind;
    this.view = view;
    this.inFlight = 0;
    this.tools = new Painter(ctx.tools);
    this.body = new Painter(ctx.body);
    var Drawer = view.kind === "board" ? BoardDrawer : view.kind === "survey" ? SurveyDrawer : PollDrawer;
    this.drawer = new Drawer(this);
    ctx.section.setAttribute("data-kind", view.kind);
    ctx.section.setAttribute("data-type", view.type || view.kind);
    ctx.body.className = "act-body act-body-" + (view.kind === "poll" ? "poll-" + view.type : view.kind);
  }

  Controller.prototype.update = function (view) {
    var self = this, ctx = this.ctx, drawer = this.drawer;
    this.view = view;
    ctx.section.setAttribute("data-position", String(view.position));
    ctx.kind.textContent = drawer.kindLabel(view);
    ctx.heading.textContent = view.text || view.prompt || view.title || "";
    clear(ctx.meta);
    drawer.meta(ctx.meta, view);
    this.tools.paint(drawer.toolsKey(view), function (box) { drawer.tools(box, view); });
    this.repaint();
  };

  Controller.prototype.repaint = function () {
    var drawer = this.drawer, view = this.view;
    this.body.paint(JSON.stringify(view) + "|" + drawer.localKey(), function (box) { drawer.body(box, view); });
  };

  /** The drawer's own state changed (a menu opened): redraw now. */
  Controller.prototype.refresh = function () {
    this.body.release();
    this.body.key = null;
    this.repaint();
  };

  /** Send a host:activity command; resolves to true when the server accepted it. */
  Controller.prototype.send = function (action, args) {
    var self = this;
    this.inFlight += 1;
    this.body.release();
    this.tools.release();
    return this.ctx.command(action, args || {}).then(function (ok) {
      self.inFlight -= 1;
      return ok;
    });
  };

  Controller.prototype.destroy = function () {
    if (this.drawer.destroy) { this.drawer.destroy(); }
    this.tools.destroy();
    this.body.destroy();
    clear(this.ctx.meta);
    this.ctx.section.removeAttribute("data-kind");
    this.ctx.section.removeAttribute("data-type");
  };

  function pill(text, attrs, iconName) {
    var node = el("span", Object.assign({ className: "act-pill" }, attrs || {}));
    if (iconName) { node.appendChild(icon(iconName)); }
    node.appendChild(el("span", { text: text }));
    return node;
  }

  function toolButton(ctl, label, action, args, extra) {
    return button(label, Object.assign({ className: "btn ctl act-ctl", "data-key": "tool-" + action,
                                         "data-action": action, "data-testid": "act-" + action }, extra || {}),
                  function () { ctl.send(action, args); });
  }

  function emptyNote(text) { return el("p", { className: "act-empty", text: text }); }

  // ====================================================================== polls
  function PollDrawer(ctl) {
    this.ctl = ctl;
    this.panels = {};   // which host panels (<details>) are open, by name
  }

  PollDrawer.prototype.kindLabel = function (view) {
    if (view.type === "multi") { return "Poll · several answers"; }
    if (view.type === "rating") { return "Rating · 1 to " + view.scale; }
    return POLL_NAMES[view.type] || "Poll";
  };

  PollDrawer.prototype.meta = function (node, view) {
    var r = view.results;
    var word = view.type === "wordcloud" || view.type === "open" ? ["person", "people"] : ["response", "responses"];
    node.appendChild(pill(count(view.responses, word[0], word[1]),
                          { "data-testid": "responses", "data-count": String(view.responses) }, "people"));
    if (r && view.type === "wordcloud") { node.appendChild(pill(count(r.entries, "word", "words"))); }
    if (r && view.type === "open") { node.appendChild(pill(count(r.total, "entry", "entries"))); }
    if (!view.open) {
      node.appendChild(pill(view.type === "wordcloud" || view.type === "open" ? "Closed" : "Voting closed",
                            { className: "act-pill act-pill-closed", "data-testid": "poll-closed" }, "lock"));
    }
    if (!view.results_visible) {
      node.appendChild(pill("Results hidden", { className: "act-pill act-pill-warn" }, "eyeOff"));
    }
  };

  PollDrawer.prototype.toolsKey = function (view) {
    return [view.open, view.results_visible, view.type].join("|");
  };

  PollDrawer.prototype.tools = function (box, view) {
    var ctl = this.ctl;
    var entries = view.type === "wordcloud" || view.type === "open";
    box.appendChild(view.open
      ? toolButton(ctl, entries ? "Close entries" : "Close voting", "close")
      : toolButton(ctl, entries ? "Reopen entries" : "Reopen voting", "reopen"));
    box.appendChild(view.results_visible
      ? toolButton(ctl, [icon("eyeOff"), "Hide results"], "hide_results")
      : toolButton(ctl, [icon("eye"), "Show results"], "show_results"));
  };

  PollDrawer.prototype.localKey = function () { return JSON.stringify(this.panels); };

  PollDrawer.prototype.body = function (box, view) {
    if (!view.results_visible || !view.results) {
      return this.hiddenResults(box, view);
    }
    var r = view.results;
    switch (view.type) {
      case "single": case "multi": return this.bars(box, view, r);
      case "rating": return this.rating(box, view, r);
      case "wordcloud": return this.cloud(box, view, r);
      case "open": return this.wall(box, view, r);
      case "ranking": return this.ranking(box, view, r);
    }
  };

  PollDrawer.prototype.hiddenResults = function (box, view) {
    var ctl = this.ctl;
    box.appendChild(el("div", { className: "results-hidden", "data-testid": "results-hidden" }, [
      icon("eyeOff"),
      el("p", { className: "results-hidden-title", text: "Results hidden" }),
      el("p", { className: "results-hidden-text",
                text: count(view.responses, "response", "responses") + " so far. Everyone sees the results when you show them." }),
      button([icon("eye"), "Show results"], { className: "btn btn-primary", "data-key": "show-results",
                                              "data-testid": "show-results" },
             function () { ctl.send("show_results"); })
    ]));
  };

  PollDrawer.prototype.bars = function (box, view, r) {
    var counts = r.counts || [];
    var total = view.responses;
    var max = Math.max.apply(null, [1].concat(counts));
    var list = el("ol", { className: "pbars pbars-" + view.options.length, "aria-label": "Results",
                          "data-testid": "poll-results" });
    view.options.forEach(function (text, i) {
      var n = counts[i] || 0;
      var fill = el("span", { className: "pbar-fill " + Shapes.colourClass(i) });
      fill.style.width = (n ? Math.max(1.5, (100 * n) / max) : 0) + "%";
      list.appendChild(el("li", { className: "pbar", "data-option": String(i), "data-count": String(n) }, [
        el("span", { className: "pbar-label" }, [
          el("span", { className: "pbar-shape " + Shapes.colourClass(i) }, [Shapes.shape(i)]),
          el("span", { className: "pbar-text", text: text })
        ]),
        el("span", { className: "pbar-track", "aria-hidden": "true" }, [fill]),
        el("span", { className: "pbar-num" }, [
          el("strong", { className: "pbar-count", text: Dom.number(n) }),
          el("span", { className: "sr-only", text: n === 1 ? " vote, " : " votes, " }),
          el("span", { className: "pbar-pct", text: percent(n, total) + "%" })
        ])
      ]));
    });
    box.appendChild(list);
    if (view.type === "multi") {
      box.appendChild(el("p", { className: "act-note", text: "People could pick several answers: percentages are of everyone who voted." }));
    }
  };

  PollDrawer.prototype.rating = function (box, view, r) {
    var dist = r.distribution || [];
    var max = Math.max.apply(null, [1].concat(dist));
    var mean = r.mean === null || r.mean === undefined ? "–" : Dom.number(r.mean, 1);
    var summary = el("div", { className: "rate-mean", "data-testid": "rate-mean" }, [
      el("span", { className: "rate-mean-value", text: mean }),
      el("span", { className: "rate-mean-scale", text: "out of " + view.scale }),
      el("span", { className: "rate-mean-count", text: "average of " + count(r.count || 0, "rating", "ratings") })
    ]);
    var list = el("ol", { className: "vbars vbars-" + dist.length, "aria-label": "How many gave each rating" });
    dist.forEach(function (n, i) {
      var fill = el("span", { className: "vbar-fill" });
      fill.style.height = (n ? Math.max(2, (100 * n) / max) : 0) + "%";
      list.appendChild(el("li", { className: "vbar", "data-value": String(i + 1), "data-count": String(n) }, [
        el("span", { className: "vbar-count" }, [
          el("span", { className: "sr-only", text: (i + 1) + " out of " + view.scale + ": " }),
          Dom.number(n),
          el("span", { className: "sr-only", text: n === 1 ? " rating" : " ratings" })
        ]),
        el("span", { className: "vbar-track", "aria-hidden": "true" }, [fill]),
        el("span", { className: "vbar-value", "aria-hidden": "true", text: String(i + 1) })
      ]));
    });
    box.appendChild(el("div", { className: "rating-results", "data-testid": "poll-results" }, [summary, list]));
  };

  /** Biggest word in the middle, the rest alternating either side of it. */
  function centreOut(words) {
    var out = [];
    words.forEach(function (word, i) { if (i % 2) { out.push(word); } else { out.unshift(word); } });
    return out;
  }

  function hue(text) {
    var h = 0;
    for (var i = 0; i < text.length; i += 1) { h = (h * 31 + text.charCodeAt(i)) % 997; }
    return h % 7;
  }

  PollDrawer.prototype.cloud = function (box, view, r) {
    var self = this, ctl = this.ctl;
    var all = r.words || [];
    var words = all.filter(function (w) { return !w.hidden; }).slice(0, CLOUD_WORDS);
    if (!words.length) {
      box.appendChild(emptyNote(view.open ? "Waiting for the first words…" : "No words were sent."));
    } else {
      var counts = words.map(function (w) { return w.count; });
      var max = Math.max.apply(null, counts), min = Math.min.apply(null, counts);
      var shrink = words.length > 60 ? 0.7 : words.length > 30 ? 0.85 : 1;
      var cloud = el("div", { className: "cloud", "aria-hidden": "true", "data-testid": "word-cloud" });
      centreOut(words).forEach(function (w) {
        var ratio = max === min ? 0.45 : (w.count - min) / (max - min);
        var word = el("span", { className: "cloud-word cloud-hue-" + hue(w.text.toLowerCase()),
                                "data-word": w.text, "data-count": String(w.count), text: w.text });
        word.style.fontSize = ((1.05 + 3.2 * Math.sqrt(ratio)) * shrink).toFixed(2) + "em";
        cloud.appendChild(word);
      });
      box.appendChild(cloud);
      var list = el("ol", { className: "sr-only", "aria-label": "Words sent, most frequent first" });
      words.forEach(function (w) { list.appendChild(el("li", { text: w.text + ": " + w.count })); });
      box.appendChild(list);
    }
    if (!all.length) { return; }
    // Host: take a word off the screen (rude, off-topic) or put it back.
    var hidden = all.filter(function (w) { return w.hidden; }).length;
    var panel = this.panel("words", "Moderate words" + (hidden ? " (" + hidden + " hidden)" : ""));
    var rows = el("ul", { className: "mod-list" });
    all.forEach(function (w) {
      rows.appendChild(el("li", { className: "mod-row" + (w.hidden ? " is-hidden" : "") }, [
        el("span", { className: "mod-text", text: w.text }),
        el("span", { className: "mod-count", text: "×" + w.count }),
        w.hidden ? el("span", { className: "mod-flag", text: "hidden" }) : null,
        button(w.hidden ? "Show" : "Hide", { className: "btn btn-small", "data-key": "word-" + w.text,
                                             "aria-label": (w.hidden ? "Show " : "Hide ") + "“" + w.text + "”" },
               function () { ctl.send(w.hidden ? "show" : "hide", { word: w.text }); })
      ]));
    });
    panel.appendChild(rows);
    box.appendChild(panel);
  };

  /** A host panel that stays open or closed across redraws. */
  PollDrawer.prototype.panel = function (name, title, extra, openFirst) {
    var self = this;
    var panel = el("details", Object.assign({ className: "host-panel", "data-panel": name }, extra || {}));
    if (this.panels[name] || (this.panels[name] === undefined && openFirst)) { panel.open = true; }
    panel.appendChild(el("summary", { "data-key": "panel-" + name, text: title }));
    panel.addEventListener("toggle", function () { self.panels[name] = panel.open; });
    return panel;
  };

  PollDrawer.prototype.wall = function (outer, view, r) {
    var ctl = this.ctl;
    var moderated = view.moderation === "approve";
    var box = el("div", { className: "wall-main" });
    var side = el("div", { className: "wall-side" });
    outer.appendChild(el("div", { className: "wall-layout" + (moderated ? " is-moderated" : "") }, [box, side]));
    var entries = r.entries || [];
    var visible = [], pending = [], hidden = [];
    entries.forEach(function (e) {
      if (e.hidden) { hidden.push(e); }
      else if (e.approved === false) { pending.push(e); }
      else { visible.push(e); }
    });
    if (moderated) {
      var queue = this.panel("queue", "Waiting for approval (" + pending.length + ")",
                             { "data-testid": "approval-queue" }, true);
      if (pending.length) {
        queue.appendChild(button("Approve all", { className: "btn btn-small", "data-key": "approve-all" },
                                 function () { ctl.send("approve_all"); }));
        var waiting = el("ul", { className: "mod-list" });
        pending.forEach(function (e) {
          waiting.appendChild(el("li", { className: "mod-row", "data-entry": String(e.id) }, [
            el("span", { className: "mod-text", text: e.text }),
            e.nickname ? el("span", { className: "mod-by", text: "— " + e.nickname }) : null,
            button([icon("tick"), "Approve"], { className: "btn btn-small btn-ok", "data-key": "approve-" + e.id,
                                                "aria-label": "Approve “" + short(e.text, 40) + "”" },
                   function () { ctl.send("approve", { entry: e.id }); }),
            button("Hide", { className: "btn btn-small", "data-key": "hide-" + e.id,
                             "aria-label": "Hide “" + short(e.text, 40) + "”" },
                   function () { ctl.send("hide", { entry: e.id }); })
          ]));
        });
        queue.appendChild(waiting);
      } else {
        queue.appendChild(el("p", { className: "act-note", text: "Nothing waiting." }));
      }
      side.appendChild(queue);
    }
    if (!visible.length) {
      box.appendChild(emptyNote(moderated && pending.length ? "Approve entries to put them on the wall."
        : view.open ? "Waiting for the first answers…" : "Nobody answered."));
    } else {
      var wall = el("ul", { className: "wall", "aria-label": "Answers, newest first", "data-testid": "text-wall" });
      visible.slice().reverse().forEach(function (e) {
        wall.appendChild(el("li", { className: "wall-card", "data-entry": String(e.id) }, [
          el("p", { className: "wall-text", text: e.text }),
          e.nickname ? el("p", { className: "wall-by", text: e.nickname }) : null,
          button([icon("eyeOff")], { className: "wall-hide", "data-key": "hide-" + e.id,
                                     "aria-label": "Hide “" + short(e.text, 40) + "”", title: "Hide" },
                 function () { ctl.send("hide", { entry: e.id }); })
        ]));
      });
      box.appendChild(wall);
    }
    if (hidden.length) {
      var tray = this.panel("hidden", "Hidden (" + hidden.length + ")");
      var list = el("ul", { className: "mod-list" });
      hidden.forEach(function (e) {
        list.appendChild(el("li", { className: "mod-row is-hidden", "data-entry": String(e.id) }, [
          el("span", { className: "mod-text", text: e.text }),
          button("Show", { className: "btn btn-small", "data-key": "show-" + e.id,
                           "aria-label": "Show “" + short(e.text, 40) + "” again" },
                 function () { ctl.send("show", { entry: e.id }); })
        ]));
      });
      tray.appendChild(list);
      side.appendChild(tray);
    }
  };

  PollDrawer.prototype.ranking = function (box, view, r) {
    var rows = r.ranking || [];
    var max = Math.max.apply(null, [1].concat(rows.map(function (row) { return row.points; })));
    var list = el("ol", { className: "rank-list", "aria-label": "Ranking, best first", "data-testid": "poll-results" });
    rows.forEach(function (row) {
      var fill = el("span", { className: "rank-fill " + Shapes.colourClass(row.option) });
      fill.style.width = (row.points ? Math.max(1.5, (100 * row.points) / max) : 0) + "%";
      list.appendChild(el("li", { className: "rank-row", "data-option": String(row.option),
                                  "data-rank": String(row.rank), "data-points": String(row.points) }, [
        el("span", { className: "rank-pos", text: Dom.ordinal(row.rank) }),
        el("span", { className: "rank-text", text: row.text }),
        el("span", { className: "rank-track", "aria-hidden": "true" }, [fill]),
        el("span", { className: "rank-points" }, [el("strong", { text: Dom.number(row.points) }), " pts"])
      ]));
    });
    box.appendChild(list);
    box.appendChild(el("p", { className: "act-note",
                              text: "Points: " + (view.options.length - 1) + " for each first place, down to 0 for last." }));
  };

  // ====================================================================== boards
  var BOARD_PHASES = { open: "Adding notes", voting: "Voting", closed: "Voting closed" };

  function BoardDrawer(ctl) {
    var self = this;
    this.ctl = ctl;
    this.menu = null;       // "n12" or "g3": the note or group whose actions are open
    this.hiddenOpen = false;
    this.dragging = null;   // {note} or {group}
    var body = ctl.ctx.body;
    this.listeners = {
      dragstart: function (e) { self.dragStart(e); },
      dragend: function () { self.dragEnd(); },
      dragover: function (e) { self.dragOver(e); },
      dragleave: function (e) { self.dragLeave(e); },
      drop: function (e) { self.drop(e); },
      keydown: function (e) { self.keydown(e); }
    };
    Object.keys(this.listeners).forEach(function (name) { body.addEventListener(name, self.listeners[name]); });
  }

  BoardDrawer.prototype.destroy = function () {
    var body = this.ctl.ctx.body, self = this;
    Object.keys(this.listeners).forEach(function (name) { body.removeEventListener(name, self.listeners[name]); });
  };

  BoardDrawer.prototype.kindLabel = function () { return "Brainstorm"; };

  BoardDrawer.prototype.meta = function (node, view) {
    node.appendChild(pill(count(view.note_count, "note", "notes"),
                          { "data-testid": "note-count", "data-count": String(view.note_count) }));
    var phase = BOARD_PHASES[view.phase] || view.phase;
    if (view.phase === "voting") { phase = "Voting · " + count(view.votes, "vote", "votes") + " each"; }
    node.appendChild(pill(phase, { className: "act-pill act-pill-phase", "data-testid": "board-phase",
                                   "data-phase": view.phase }));
    if (view.phase !== "open") {
      node.appendChild(pill(count(view.voters || 0, "person", "people") + " voted",
                            { "data-testid": "board-voters", "data-count": String(view.voters || 0) }, "people"));
    }
    if (view.locked) {
      node.appendChild(pill("Locked", { className: "act-pill act-pill-warn", "data-testid": "board-locked" }, "lock"));
    }
  };

  BoardDrawer.prototype.toolsKey = function (view) {
    return [view.phase, view.locked, view.phase === "voting" ? "" : view.votes + ":" + view.multiple_votes].join("|");
  };

  BoardDrawer.prototype.tools = function (box, view) {
    var ctl = this.ctl;
    box.appendChild(view.locked
      ? toolButton(ctl, [icon("lock"), "Unlock board"], "unlock")
      : toolButton(ctl, [icon("lock"), "Lock board"], "lock"));
    if (view.phase === "voting") {
      box.appendChild(toolButton(ctl, "Close voting", "close_voting", null, { className: "btn btn-primary ctl act-ctl" }));
      box.appendChild(toolButton(ctl, "Back to adding notes", "reopen"));
      return;
    }
    // Open voting: how many dots each, and whether several may go on one note.
    var votes = el("input", { type: "number", id: "board-votes", className: "ctl-number", min: "1", max: "20",
                              step: "1", value: String(view.votes), inputmode: "numeric", "data-key": "board-votes",
                              "data-testid": "board-votes" });
    var multiple = el("input", { type: "checkbox", id: "board-multiple", "data-key": "board-multiple",
                                 "data-testid": "board-multiple" });
    multiple.checked = !!view.multiple_votes;
    var form = el("form", { className: "ctl-form", "aria-label": "Open voting", novalidate: true }, [
      el("label", { "for": "board-votes", className: "ctl-field" }, ["Votes each"]), votes,
      el("span", { className: "ctl-check" }, [multiple, el("label", { "for": "board-multiple", text: "Several per note" })]),
      el("button", { type: "submit", className: "btn btn-primary ctl act-ctl", "data-key": "tool-open_voting",
                     "data-testid": "act-open_voting", text: view.phase === "closed" ? "Vote again" : "Open voting" })
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var n = Number(votes.value);
      if (!Number.isInteger(n) || n < 1 || n > 20) {
        ctl.ctx.status("Votes each: a whole number from 1 to 20.");
        votes.focus();
        return;
      }
      ctl.send("open_voting", { votes: n, multiple_votes: multiple.checked });
    });
    box.appendChild(form);
    if (view.phase === "open") {
      box.appendChild(toolButton(ctl, "Close board", "close_voting", null, { title: "Close the board without voting" }));
    } else {
      box.appendChild(toolButton(ctl, "Reopen notes", "reopen", null, { title: "Let people add notes again" }));
    }
  };

  BoardDrawer.prototype.localKey = function () {
    return [this.menu, this.hiddenOpen].join("|");
  };

  /** Loose notes and groups of one column, in the order the board shows them. */
  function columnItems(view, column) {
    var closed = view.phase === "closed";
    var items = [];
    var inGroup = {};
    view.groups.forEach(function (g) {
      var notes = view.notes.filter(function (n) { return n.group === g.id; });
      notes.forEach(function (n) { inGroup[n.id] = true; });
      if (notes.length && (g.column === column || (g.column === undefined && notes[0].column === column))) {
        items.push({ group: g, notes: notes, votes: g.votes || 0 });
      }
    });
    view.notes.forEach(function (n) {
      if (!inGroup[n.id] && n.column === column) { items.push({ note: n, votes: n.votes || 0 }); }
    });
    if (closed) {
      // Notes and groups together, most votes first (stable: the server's order breaks ties).
      items = items.map(function (item, i) { return { item: item, i: i }; })
        .sort(function (a, b) { return (b.item.votes - a.item.votes) || (a.i - b.i); })
        .map(function (x) { return x.item; });
    }
    return items;
  }

  BoardDrawer.prototype.body = function (box, view) {
    var self = this;
    var columns = view.columns.length ? view.columns : [null];
    var board = el("div", { className: "board board-cols-" + columns.length + " board-" + view.phase,
                            "data-testid": "board", "data-phase": view.phase });
    columns.forEach(function (name, c) {
      var column = name === null ? null : c;
      var items = columnItems(view, column);
      var notes = items.reduce(function (n, item) { return n + (item.group ? item.notes.length : 1); }, 0);
      var col = el("section", { className: "board-col board-col-" + (c % 6) + (name === null ? " board-free" : ""),
                                "data-column": column === null ? "" : String(column),
                                "aria-label": name === null ? "Notes" : name + ", " + count(notes, "note", "notes") });
      if (name !== null) {
        col.appendChild(el("h2", { className: "board-col-title" }, [
          el("span", { className: "board-col-name", text: name }),
          el("span", { className: "board-col-count", "aria-hidden": "true", text: String(notes) })
        ]));
      }
      var area = el("div", { className: "board-notes" });
      items.forEach(function (item, rank) {
        area.appendChild(item.group ? self.groupBox(item, view, c) : self.note(item.note, view, c));
      });
      if (!items.length) {
        area.appendChild(el("p", { className: "board-empty", text: view.phase === "open" ? "Notes appear here." : "No notes." }));
      }
      col.appendChild(area);
      board.appendChild(col);
    });
    box.appendChild(board);
    if (view.note_count === 0 && view.phase === "open") {
      box.appendChild(el("p", { className: "act-note", text: "Everyone adds notes on their phone. Drag a note onto another to group them." }));
    }
    var hidden = view.hidden_notes || [];
    if (hidden.length) { box.appendChild(this.hiddenTray(hidden)); }
    // The actions of the note or group picked with its "…" button, docked at the side.
    var menu = null;
    if (this.menu && this.menu.charAt(0) === "n") {
      var id = Number(this.menu.slice(1));
      var note = view.notes.filter(function (n) { return n.id === id; })[0];
      if (note) { menu = this.noteMenu(note, view); }
    } else if (this.menu) {
      var gid = this.menu;
      var group = view.groups.filter(function (g) { return g.id === gid; })[0];
      if (group) { menu = this.groupMenu(group, view); }
    }
    if (menu) { box.appendChild(menu); } else { this.menu = null; }
  };

  BoardDrawer.prototype.votesBadge = function (votes) {
    return el("span", { className: "sticky-votes", "data-testid": "note-votes", "data-votes": String(votes) }, [
      icon("dot"), el("span", { className: "sticky-votes-n", text: Dom.number(votes) }),
      el("span", { className: "sr-only", text: votes === 1 ? " vote" : " votes" })
    ]);
  };

  BoardDrawer.prototype.note = function (note, view, colour) {
    var self = this;
    var key = "n" + note.id;
    var open = this.menu === key;
    var more = button([icon("more")], { className: "sticky-more", "data-key": "more-" + note.id,
                                        "aria-expanded": open ? "true" : "false",
                                        "aria-label": "Actions for note “" + short(note.text, 40) + "”",
                                        "data-testid": "note-actions" },
                      function () { self.toggleMenu(key); });
    var node = el("article", { className: "sticky sticky-c" + ((note.column || 0) % 6) + (open ? " is-open" : ""),
                               "data-note": String(note.id), "data-votes": note.votes === undefined ? null : String(note.votes),
                               draggable: "true" }, [
      el("p", { className: "sticky-text", text: note.text }),
      el("footer", { className: "sticky-foot" }, [
        note.nickname ? el("span", { className: "sticky-by", text: note.nickname }) : null,
        note.votes !== undefined ? this.votesBadge(note.votes) : null,
        more
      ])
    ]);
    return node;
  };

  BoardDrawer.prototype.toggleMenu = function (key) {
    this.menu = this.menu === key ? null : key;
    this.ctl.refresh();
    if (this.menu) {  // straight to the first control of the menu, for keyboard users
      var first = this.ctl.ctx.body.querySelector(".sticky-menu select, .sticky-menu input, .sticky-menu button");
      if (first) { first.focus(); }
    }
  };

  BoardDrawer.prototype.noteMenu = function (note, view) {
    var self = this, ctl = this.ctl;
    var id = note.id;
    var menu = el("section", { className: "sticky-menu", "aria-labelledby": "sticky-menu-title", "data-testid": "note-menu",
                               "data-note": String(id) }, [
      el("h2", { className: "sticky-menu-title", id: "sticky-menu-title" }, [
        el("span", { className: "sticky-menu-kind", text: "Note" }), el("span", { text: "“" + short(note.text, 60) + "”" })
      ])
    ]);
    if (view.columns.length > 1) {
      var move = el("select", { id: "move-" + id, "data-key": "move-" + id, className: "sticky-select" });
      view.columns.forEach(function (name, c) {
        var option = el("option", { value: String(c), text: name });
        if (c === note.column) { option.selected = true; }
        move.appendChild(option);
      });
      move.addEventListener("change", function () {
        ctl.send("move", { note: id, column: Number(move.value) });
      });
      menu.appendChild(el("div", { className: "sticky-menu-row" }, [
        el("label", { "for": "move-" + id, text: "Column" }), move]));
    }
    var others = view.notes.filter(function (n) { return n.id !== id; });
    var groups = view.groups.filter(function (g) { return g.id !== note.group; });
    if (others.length) {
      var pick = el("select", { id: "group-" + id, "data-key": "group-" + id, className: "sticky-select",
                                "data-testid": "group-with" });
      pick.appendChild(el("option", { value: "", text: "Choose…" }));
      if (groups.length) {
        var gList = el("optgroup", { label: "Groups" });
        groups.forEach(function (g) { gList.appendChild(el("option", { value: g.id, text: short(g.title, 40) })); });
        pick.appendChild(gList);
      }
      var nList = el("optgroup", { label: "Notes" });
      others.forEach(function (n) {
        if (note.group && n.group === note.group) { return; }
        nList.appendChild(el("option", { value: String(n.id), text: short(n.text, 48) }));
      });
      pick.appendChild(nList);
      pick.addEventListener("change", function () {
        if (!pick.value) { return; }
        var onto = pick.value.charAt(0) === "g" ? pick.value : Number(pick.value);
        self.menu = null;
        ctl.send("group", { note: id, onto: onto }).then(function () { self.ctl.refresh(); });
      });
      menu.appendChild(el("div", { className: "sticky-menu-row" }, [
        el("label", { "for": "group-" + id, text: "Group with…" }), pick]));
    }
    var buttons = el("div", { className: "sticky-menu-buttons" });
    if (note.group) {
      buttons.appendChild(button("Ungroup", { className: "btn btn-small", "data-key": "ungroup-" + id },
                                 function () { ctl.send("ungroup", { note: id }); }));
    }
    buttons.appendChild(button([icon("eyeOff"), "Hide"], { className: "btn btn-small", "data-key": "hide-" + id },
                               function () { self.menu = null; ctl.send("hide", { note: id }); }));
    buttons.appendChild(button("Delete…", { className: "btn btn-small btn-danger", "data-key": "delete-" + id },
                               function () {
                                 ctl.ctx.confirm("Delete this note?", "“" + short(note.text, 80) +
                                   "” disappears from the board; its votes go back to the people who gave them.", "Delete")
                                   .then(function (yes) {
                                     if (yes) { self.menu = null; ctl.send("delete", { note: id }); }
                                   });
                               }));
    buttons.appendChild(button("Done", { className: "btn btn-small", "data-key": "done-" + id },
                               function () { self.closeMenu(); }));
    menu.appendChild(buttons);
    return menu;
  };

  BoardDrawer.prototype.closeMenu = function () {
    var key = this.menu;
    if (!key) { return; }
    this.menu = null;
    this.ctl.refresh();
    var opener = key.charAt(0) === "g" ? "gmore-" + key : "more-" + key.slice(1);
    var target = this.ctl.ctx.body.querySelector('[data-key="' + opener + '"]');
    if (target) { target.focus(); }
  };

  BoardDrawer.prototype.keydown = function (event) {
    if (event.key === "Escape" && this.menu) {
      event.preventDefault();
      event.stopPropagation();
      this.closeMenu();
    }
  };

  BoardDrawer.prototype.groupBox = function (item, view, colour) {
    var self = this, ctl = this.ctl;
    var g = item.group;
    var key = g.id;
    var open = this.menu === key;
    var head = el("header", { className: "group-head", draggable: "true", "data-drag-group": g.id }, [
      el("h3", { className: "group-title", text: g.title }),
      g.votes !== undefined ? this.votesBadge(g.votes) : null,
      button([icon("more")], { className: "sticky-more", "data-key": "gmore-" + g.id,
                               "aria-expanded": open ? "true" : "false",
                               "aria-label": "Actions for group “" + short(g.title, 40) + "”" },
             function () { self.toggleMenu(key); })
    ]);
    var box = el("section", { className: "sticky-group" + (open ? " is-open" : ""), "data-group": g.id,
                              "data-votes": g.votes === undefined ? null : String(g.votes),
                              "aria-label": "Group " + g.title + ", " + count(item.notes.length, "note", "notes") }, [head]);
    var notes = el("div", { className: "group-notes" });
    item.notes.forEach(function (n) { notes.appendChild(self.note(n, view, colour)); });
    box.appendChild(notes);
    return box;
  };

  BoardDrawer.prototype.groupMenu = function (g, view) {
    var self = this, ctl = this.ctl;
    var menu = el("section", { className: "sticky-menu", "aria-labelledby": "sticky-menu-title", "data-testid": "group-menu",
                               "data-group": g.id }, [
      el("h2", { className: "sticky-menu-title", id: "sticky-menu-title" }, [
        el("span", { className: "sticky-menu-kind", text: "Group" }), el("span", { text: "“" + short(g.title, 60) + "”" })
      ])
    ]);
    var title = el("input", { type: "text", id: "rename-" + g.id, className: "sticky-input", maxlength: "60",
                              value: g.title, "data-key": "rename-" + g.id, "data-testid": "group-title-input" });
    var form = el("form", { className: "sticky-menu-row", novalidate: true }, [
      el("label", { "for": "rename-" + g.id, text: "Title" }),
      el("span", { className: "sticky-menu-inline" }, [title,
        el("button", { type: "submit", className: "btn btn-small", "data-key": "rename-save-" + g.id, text: "Rename" })])
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = title.value.replace(/\s+/g, " ").trim();
      if (!text) { ctl.ctx.status("A group needs a title."); title.focus(); return; }
      ctl.send("rename_group", { group: g.id, title: text });
    });
    menu.appendChild(form);
    if (view.columns.length > 1) {
      var move = el("select", { id: "gmove-" + g.id, "data-key": "gmove-" + g.id, className: "sticky-select" });
      view.columns.forEach(function (name, c) {
        var option = el("option", { value: String(c), text: name });
        if (c === g.column) { option.selected = true; }
        move.appendChild(option);
      });
      move.addEventListener("change", function () { ctl.send("move", { group: g.id, column: Number(move.value) }); });
      menu.appendChild(el("div", { className: "sticky-menu-row" }, [
        el("label", { "for": "gmove-" + g.id, text: "Column" }), move]));
    }
    menu.appendChild(el("div", { className: "sticky-menu-buttons" }, [
      button("Done", { className: "btn btn-small", "data-key": "gdone-" + g.id }, function () { self.closeMenu(); })
    ]));
    return menu;
  };

  BoardDrawer.prototype.hiddenTray = function (hidden) {
    var self = this, ctl = this.ctl;
    var tray = el("details", { className: "host-panel", "data-panel": "hidden-notes" });
    if (this.hiddenOpen) { tray.open = true; }
    tray.appendChild(el("summary", { "data-key": "panel-hidden", text: "Hidden notes (" + hidden.length + ")" }));
    tray.addEventListener("toggle", function () { self.hiddenOpen = tray.open; });
    var list = el("ul", { className: "mod-list" });
    hidden.forEach(function (n) {
      list.appendChild(el("li", { className: "mod-row is-hidden", "data-note": String(n.id) }, [
        el("span", { className: "mod-text", text: n.text }),
        button("Show", { className: "btn btn-small", "data-key": "show-" + n.id,
                         "aria-label": "Show “" + short(n.text, 40) + "” again" },
               function () { ctl.send("show", { note: n.id }); })
      ]));
    });
    tray.appendChild(list);
    return tray;
  };

  // ---- drag and drop (the menus are the keyboard way to do the same)
  BoardDrawer.prototype.dragStart = function (event) {
    var target = event.target;
    if (!target || !target.closest) { return; }
    var head = target.closest("[data-drag-group]");
    var note = target.closest(".sticky");
    if (head) { this.dragging = { group: head.getAttribute("data-drag-group") }; }
    else if (note) { this.dragging = { note: Number(note.getAttribute("data-note")) }; note.classList.add("is-dragged"); }
    else { return; }
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", JSON.stringify(this.dragging));
    this.ctl.body.hold = true;
    this.ctl.ctx.body.classList.add("is-dragging");
  };

  BoardDrawer.prototype.dragEnd = function () {
    this.dragging = null;
    var body = this.ctl.ctx.body;
    body.classList.remove("is-dragging");
    body.querySelectorAll(".is-drop, .is-dragged").forEach(function (node) {
      node.classList.remove("is-drop");
      node.classList.remove("is-dragged");
    });
    this.ctl.body.hold = false;
    this.ctl.body.flush();
  };

  /** Where a drop would land: {node, action, args} or null. */
  BoardDrawer.prototype.dropTarget = function (target) {
    var d = this.dragging;
    if (!d || !target || !target.closest) { return null; }
    var note = target.closest(".sticky");
    var group = target.closest(".sticky-group");
    var col = target.closest(".board-col");
    if (d.note !== undefined) {
      if (note && Number(note.getAttribute("data-note")) !== d.note) {
        return { node: note, action: "group", args: { note: d.note, onto: Number(note.getAttribute("data-note")) } };
      }
      if (group && !group.querySelector('.sticky[data-note="' + d.note + '"]')) {
        return { node: group, action: "group", args: { note: d.note, onto: group.getAttribute("data-group") } };
      }
      if (col && !note && !group && col.getAttribute("data-column") !== "") {
        return { node: col, action: "move", args: { note: d.note, column: Number(col.getAttribute("data-column")) } };
      }
      return null;
    }
    if (col && col.getAttribute("data-column") !== "" && !(group && group.getAttribute("data-group") === d.group)) {
      return { node: col, action: "move", args: { group: d.group, column: Number(col.getAttribute("data-column")) } };
    }
    return null;
  };

  BoardDrawer.prototype.dragOver = function (event) {
    var drop = this.dropTarget(event.target);
    if (!drop) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var body = this.ctl.ctx.body;
    body.querySelectorAll(".is-drop").forEach(function (node) { if (node !== drop.node) { node.classList.remove("is-drop"); } });
    drop.node.classList.add("is-drop");
  };

  BoardDrawer.prototype.dragLeave = function (event) {
    if (event.target && event.target.classList) { event.target.classList.remove("is-drop"); }
  };

  BoardDrawer.prototype.drop = function (event) {
    var drop = this.dropTarget(event.target);
    if (!drop) { return; }
    event.preventDefault();
    var ctl = this.ctl;
    this.dragEnd();
    ctl.send(drop.action, drop.args);
  };

  // ====================================================================== surveys
  function SurveyDrawer(ctl) { this.ctl = ctl; }

  SurveyDrawer.prototype.kindLabel = function () { return "Survey"; };

  SurveyDrawer.prototype.meta = function (node, view) {
    node.appendChild(pill(count(view.responses, "response", "responses"),
                          { "data-testid": "responses", "data-count": String(view.responses) }, "people"));
    if (!view.open) {
      node.appendChild(pill("Closed", { className: "act-pill act-pill-closed", "data-testid": "survey-closed" }, "lock"));
    }
  };

  SurveyDrawer.prototype.toolsKey = function (view) { return String(view.open); };

  SurveyDrawer.prototype.tools = function (box, view) {
    box.appendChild(view.open
      ? toolButton(this.ctl, "Close survey and show results", "close", null, { className: "btn btn-primary ctl act-ctl" })
      : toolButton(this.ctl, "Reopen survey", "reopen"));
  };

  SurveyDrawer.prototype.localKey = function () { return ""; };

  SurveyDrawer.prototype.body = function (box, view) {
    if (view.open || !view.results) {
      var big = el("div", { className: "survey-live" }, [
        el("p", { className: "survey-count", "data-testid": "survey-count" }, [
          el("strong", { text: Dom.number(view.responses) }), " ",
          el("span", { text: view.responses === 1 ? "response" : "responses" })
        ]),
        el("p", { className: "act-note", text: "Answer on your phone. Results appear here when the survey is closed." })
      ]);
      var items = el("ol", { className: "sv-items" });
      view.items.forEach(function (item) {
        items.appendChild(el("li", { className: "sv-item" }, [
          el("span", { className: "sv-item-text", text: item.text }),
          el("span", { className: "sv-item-type", text: item.type === "rating" ? "1 to " + item.scale : "text" })
        ]));
      });
      box.appendChild(el("div", { className: "survey-open" }, [big, items]));
      return;
    }
    var results = view.results;
    var grid = el("div", { className: "survey-results", "data-testid": "survey-results", role: "region",
                           "aria-label": "Survey results", tabindex: "0" });
    results.items.forEach(function (item) {
      var card = el("section", { className: "survey-card survey-card-" + item.type, "data-item": item.id,
                                 "aria-label": item.text });
      card.appendChild(el("h2", { className: "survey-card-title", text: item.text }));
      if (item.type === "rating") {
        var dist = item.distribution || [];
        var max = Math.max.apply(null, [1].concat(dist));
        card.appendChild(el("p", { className: "survey-mean", "data-testid": "survey-mean" }, [
          el("strong", { text: item.mean === null || item.mean === undefined ? "–" : Dom.number(item.mean, 1) }),
          " / " + item.scale + " · " + count(item.count, "rating", "ratings")
        ]));
        var list = el("ol", { className: "hdist", "aria-label": "How many gave each rating" });
        dist.forEach(function (n, i) {
          var fill = el("span", { className: "hdist-fill" });
          fill.style.width = (n ? Math.max(2, (100 * n) / max) : 0) + "%";
          list.appendChild(el("li", { className: "hdist-row", "data-value": String(i + 1), "data-count": String(n) }, [
            el("span", { className: "hdist-value", text: String(i + 1) }),
            el("span", { className: "hdist-track", "aria-hidden": "true" }, [fill]),
            el("span", { className: "hdist-count" }, [Dom.number(n),
              el("span", { className: "sr-only", text: n === 1 ? " rating" : " ratings" })])
          ]));
        });
        card.appendChild(list);
      } else {
        var answers = item.answers || [];
        if (!answers.length) {
          card.appendChild(el("p", { className: "act-note", text: "No answers." }));
        } else {
          var texts = el("ul", { className: "survey-answers" });
          answers.forEach(function (a) {
            texts.appendChild(el("li", { className: "survey-answer" }, [
              el("span", { className: "survey-answer-text", text: a.text }),
              a.nickname ? el("span", { className: "survey-answer-by", text: " — " + a.nickname }) : null
            ]));
          });
          card.appendChild(texts);
        }
      }
      grid.appendChild(card);
    });
    box.appendChild(grid);
  };

  window.StageActivities = {
    create: function (ctx, view) { return new Controller(ctx, view); },
    kindName: kindName
  };
})();
