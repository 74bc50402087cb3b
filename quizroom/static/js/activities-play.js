/* The phone's polls, boards and surveys: vote, send words and answers, post sticky
 * notes, dot-vote, fill in the pulse survey, and see the results when the host shows them.
 *
 *   PlayActivities.create(ctx, activity, personal) -> controller
 *       {position, kind, update(activity, personal), destroy()}
 *
 * ctx (from play.js): body, heading, kind, agenda (DOM nodes); say(text, isError) (the
 * polite live region under the activity); respond(action, payload) -> Promise resolving
 * to the server's ack ({ok, personal} or {ok: false, error}; a lost connection resolves
 * to {ok: false, error: {code: "offline"}}); remember(personal) (play.js keeps it for a
 * reconnect).
 *
 * Views come several times a second (results, other people's notes). The part with
 * the form is redrawn only when what it offers changes (opened, closed, my vote went
 * in), so what someone is typing is never wiped; the results part follows every view.
 */
(function () {
  "use strict";

  if (!window.Dom) { return; }
  var el = Dom.el, clear = Dom.clear, count = Dom.count, percent = Dom.percent;
  var Shapes = window.QuizShapes;
  var PHONE_WORDS = 40;
  var PHONE_ENTRIES = 30;

  var ICONS = {
    tick: "M9.2 16.6 4.9 12.3 3.5 13.7 9.2 19.4 21 7.6 19.6 6.2Z",
    dot: "M12 5a7 7 0 1 0 0.001 0Z",
    ring: "M12 4a8 8 0 1 0 0.001 0Zm0 2.2a5.8 5.8 0 1 1-0.001 0Z",
    lock: "M12 1.5a5 5 0 0 0-5 5V9H5v13h14V9h-2V6.5a5 5 0 0 0-5-5Zm0 2a3 3 0 0 1 3 3V9H9V6.5a3 3 0 0 1 3-3Z",
    up: "M12 5 4 13h5v6h6v-6h5Z",
    down: "M12 19 4 11h5V5h6v6h5Z",
    clock: ["M12 2a10 10 0 1 0 0.001 0Zm0 2a8 8 0 1 1-0.001 0Z", "M11 6v7l5.2 3.1 1-1.6-4.2-2.5V6Z"]
  };
  function icon(name, label) { return Dom.svg(ICONS[name], label, "icon icon-" + name); }

  var POLL_NAMES = { single: "Poll", multi: "Poll", wordcloud: "Word cloud", rating: "Rating",
                     open: "Open question", ranking: "Ranking" };

  var ERRORS = {
    closed: "This is closed now.",
    locked: "The host has paused the board for a moment.",
    limit_reached: "You have reached the limit.",
    no_votes_left: "You have no votes left. Take one back to vote for another note.",
    unknown_note: "That note is no longer on the board.",
    unknown_entry: "That is no longer there.",
    rate_limited: "Easy there! Wait a few seconds, then try again.",
    not_stored: "That could not be saved. Please send it again.",
    offline: "You are offline. Send it again when the connection is back.",
    timeout: "The room did not answer. Check your connection and try again.",
    not_in_room: "You are not in this room any more.",
    bad_payload: "Something went wrong. Reload the page and try again."
  };

  function errorText(error, kind) {
    if (!error) { return "That did not work. Try again."; }
    if (error.code === "already_voted") {
      return kind === "board" ? "You already put a vote on this note." : "Your vote is in and cannot be changed.";
    }
    if (error.code === "bad_answer") {
      return "That was not accepted" + (error.message ? ": " + error.message : ".");
    }
    return ERRORS[error.code] || error.message || "That did not work. Try again.";
  }

  function button(label, attrs, onClick) {
    var node = el("button", Object.assign({ type: "button", className: "btn" }, attrs || {}),
                  Array.isArray(label) ? label : [label]);
    if (onClick) { node.addEventListener("click", onClick); }
    return node;
  }

  function submit(label, attrs) {
    return el("button", Object.assign({ type: "submit", className: "btn btn-primary btn-block btn-big",
                                        "data-submit": "true" }, attrs || {}), [label]);
  }

  function done(title, text, extra) {
    return el("div", { className: "pa-done", "data-testid": "phone-done" }, [
      el("span", { className: "pa-done-icon" }, [icon("tick")]),
      el("p", { className: "pa-done-title", text: title }),
      text ? el("p", { className: "pa-done-text", text: text }) : null
    ].concat(extra || []));
  }

  function notice(text, iconName) {
    return el("p", { className: "pa-notice" }, [iconName ? icon(iconName) : null, el("span", { text: text })]);
  }

  function choiceLabel(i, text) {
    return el("span", { className: "choice-label " + Shapes.colourClass(i) }, [
      Shapes.shape(i, Shapes.name(i)), el("span", { className: "choice-text", text: text })
    ]);
  }

  /** A text field with its label and "12 / 280" counter. `drafts` (optional) keeps what was
   *  typed across redraws (the host locked the board for a moment, then unlocked it). */
  function textField(id, label, max, multiline, attrs, drafts) {
    var field = el(multiline ? "textarea" : "input", Object.assign({
      id: id, className: "field-input" + (multiline ? " field-area" : ""), maxlength: String(max),
      "data-key": id, autocomplete: "off", "aria-describedby": id + "-count"
    }, multiline ? { rows: "3" } : { type: "text", enterkeyhint: "send" }, attrs || {}));
    if (drafts) {
      field.value = drafts[id] || "";
      field.addEventListener("input", function () { drafts[id] = field.value; });
    }
    var counter = Dom.counter(field, max);
    counter.id = id + "-count";
    return {
      field: field,
      node: el("div", { className: "pa-field" }, [
        el("label", { "for": id, className: "field-label", text: label }), field, counter
      ])
    };
  }

  // ------------------------------------------------------------ controller
  function Controller(ctx, view, personal) {
    this.ctx = ctx;
    this.position = view.position;
    this.kind = view.kind;
    this.view = view;
    this.personal = personal || null;
    this.sending = false;
    this.formKey = null;
    this.resultKey = null;
    clear(ctx.body);
    this.form = el("div", { className: "pa-form" });
    this.results = el("div", { className: "pa-results" });
    ctx.body.appendChild(this.form);
    ctx.body.appendChild(this.results);
    ctx.body.className = "pa-body pa-body-" + (view.kind === "poll" ? "poll-" + view.type : view.kind);
    var Drawer = view.kind === "board" ? BoardDrawer : view.kind === "survey" ? SurveyDrawer : PollDrawer;
    this.drawer = new Drawer(this);
    ctx.say("");
  }

  Controller.prototype.update = function (view, personal) {
    this.view = view;
    if (personal) { this.personal = personal; }
    var ctx = this.ctx, drawer = this.drawer, self = this;
    ctx.kind.textContent = drawer.kindLabel(view);
    ctx.heading.textContent = view.text || view.prompt || view.title || "";
    var p = this.personal || {};
    var formKey = JSON.stringify(drawer.formKey(view, p));
    if (formKey !== this.formKey) {
      this.formKey = formKey;
      Dom.rebuild(this.form, function (box) { drawer.drawForm(box, view, p); });
    }
    var resultKey = JSON.stringify([drawer.resultKey(view, p)]);
    if (resultKey !== this.resultKey) {
      this.resultKey = resultKey;
      Dom.rebuild(this.results, function (box) { drawer.drawResults(box, view, p); });
    }
  };

  /** Redraw everything now (the drawer's own state changed). */
  Controller.prototype.redraw = function () {
    this.formKey = this.resultKey = null;
    this.update(this.view);
  };

  /** Send one response; on success the new personal part is drawn, on failure the reason
   *  is said and whatever the person typed stays where it is. */
  Controller.prototype.send = function (action, payload, okText) {
    var self = this;
    if (this.sending) { return Promise.resolve(false); }
    this.busy(true);
    this.ctx.say("Sending…");
    return this.ctx.respond(action, payload).then(function (ack) {
      self.busy(false);
      if (ack && ack.ok) {
        if (ack.personal) {
          self.personal = ack.personal;
          self.ctx.remember(ack.personal);
        }
        self.ctx.say(okText || "");
        self.redraw();
        return true;
      }
      self.ctx.say(errorText(ack && ack.error, self.kind), true);
      self.resultKey = null;  // vote buttons drawn while it was on its way were drawn waiting
      self.update(self.view);
      return false;
    });
  };

  /** While a response is on its way, its buttons wait (and only those that were usable). */
  Controller.prototype.busy = function (on) {
    this.sending = on;
    this.ctx.body.setAttribute("aria-busy", on ? "true" : "false");
    this.ctx.body.querySelectorAll(on ? "button:not([disabled])" : "button[data-busy]").forEach(function (node) {
      if (on) { node.disabled = true; node.setAttribute("data-busy", ""); }
      else { node.disabled = false; node.removeAttribute("data-busy"); }
    });
  };

  Controller.prototype.destroy = function () {
    clear(this.ctx.body);
    this.ctx.say("");
  };

  // ====================================================================== polls
  function PollDrawer(ctl) {
    this.ctl = ctl;
    this.changing = false;   // showing the vote buttons again to change a vote
    this.draft = null;       // multi: picked options; ranking: the order being edited
    this.drafts = {};        // text typed but not sent yet, by field id
  }

  PollDrawer.prototype.kindLabel = function (view) { return POLL_NAMES[view.type] || "Poll"; };

  PollDrawer.prototype.formKey = function (view, p) {
    return [view.type, view.open, view.allow_change, p.value === undefined ? null : p.value,
            (p.entries || []).map(function (e) { return e.id + e.status; }), p.entries_left, this.changing];
  };

  PollDrawer.prototype.resultKey = function (view, p) {
    return [view.results_visible, view.results, view.responses, view.open, !!p.responded,
            p.value === undefined ? null : p.value];
  };

  PollDrawer.prototype.canVote = function (view, p) {
    return view.open && (p.value === null || p.value === undefined || (view.allow_change && this.changing));
  };

  PollDrawer.prototype.drawForm = function (box, view, p) {
    if (view.type === "wordcloud" || view.type === "open") { return this.entryForm(box, view, p); }
    var voted = p.value !== null && p.value !== undefined;
    if (!this.canVote(view, p)) {
      if (voted) {
        var change = null;
        var self = this;
        if (view.open && view.allow_change) {
          change = button("Change my vote", { className: "btn btn-block", "data-key": "change-vote",
                                              "data-testid": "change-vote" },
                          function () { self.changing = true; self.ctl.redraw(); });
        }
        box.appendChild(done("Vote received", view.open ? (view.allow_change ? "You can change it until voting closes." : null)
          : "Voting is closed.", [this.echo(view, p.value), change]));
      } else {
        box.appendChild(notice("Voting is closed.", "lock"));
      }
      return;
    }
    if (view.type === "single") { this.singleForm(box, view, p); }
    else if (view.type === "multi") { this.multiForm(box, view, p); }
    else if (view.type === "rating") { this.ratingForm(box, view, p); }
    else if (view.type === "ranking") { this.rankingForm(box, view, p); }
    if (voted) {
      var drawer = this;
      box.appendChild(button("Keep my vote", { className: "btn btn-block btn-quiet", "data-key": "keep-vote" },
                             function () { drawer.changing = false; drawer.draft = null; drawer.ctl.redraw(); }));
    }
  };

  /** What I voted, shown back to me. */
  PollDrawer.prototype.echo = function (view, value) {
    var wrap = el("div", { className: "pa-echo", "data-testid": "my-vote" });
    wrap.appendChild(el("span", { className: "sr-only", text: "Your vote: " }));
    if (view.type === "single") { wrap.appendChild(choiceLabel(value, view.options[value])); }
    else if (view.type === "multi") { value.forEach(function (i) { wrap.appendChild(choiceLabel(i, view.options[i])); }); }
    else if (view.type === "rating") {
      wrap.appendChild(el("span", { className: "pa-echo-rating", text: value + " / " + view.scale }));
    } else if (view.type === "ranking") {
      var list = el("ol", { className: "order-echo" });
      value.forEach(function (i) { list.appendChild(el("li", { text: view.options[i] })); });
      wrap.appendChild(list);
    }
    return wrap;
  };

  PollDrawer.prototype.vote = function (value) {
    var self = this;
    return this.ctl.send("vote", { value: value }, "Vote received.").then(function (ok) {
      if (ok) { self.changing = false; self.draft = null; self.ctl.redraw(); }
      return ok;
    });
  };

  PollDrawer.prototype.singleForm = function (box, view, p) {
    var self = this, ctl = this.ctl;
    var grid = el("div", { className: "choice-grid choice-grid-" + Math.min(view.options.length, 6) +
                           (view.options.length > 4 ? " choice-grid-many" : ""), role: "group", "aria-label": "Options" });
    view.options.forEach(function (text, i) {
      var mine = p.value === i;
      var choice = button([Shapes.shape(i, Shapes.name(i)), el("span", { className: "choice-text", text: text }),
                           mine ? el("span", { className: "choice-mine", text: "Your vote" }) : null],
                          { className: "choice " + Shapes.colourClass(i) + (mine ? " is-picked" : ""),
                            "data-option": String(i), "data-key": "option-" + i, disabled: ctl.sending },
                          function () { self.vote(i); });
      grid.appendChild(choice);
    });
    box.appendChild(grid);
  };

  PollDrawer.prototype.multiForm = function (box, view, p) {
    var self = this, ctl = this.ctl;
    if (!this.draft) { this.draft = Array.isArray(p.value) ? p.value.slice() : []; }
    var form = el("form", { className: "answer-form", novalidate: true });
    form.appendChild(el("p", { className: "answer-hint", id: "pa-multi-hint", text: "Pick one or more, then submit." }));
    var grid = el("div", { className: "choice-grid choice-grid-" + Math.min(view.options.length, 6) +
                           (view.options.length > 4 ? " choice-grid-many" : ""),
                           role: "group", "aria-describedby": "pa-multi-hint" });
    view.options.forEach(function (text, i) {
      var on = self.draft.indexOf(i) !== -1;
      var toggle = button([Shapes.shape(i, Shapes.name(i)), el("span", { className: "choice-text", text: text }),
                           el("span", { className: "choice-check", "aria-hidden": "true" }, [icon("tick")])],
                          { className: "choice choice-toggle " + Shapes.colourClass(i), "aria-pressed": on ? "true" : "false",
                            "data-option": String(i), "data-key": "option-" + i, disabled: ctl.sending },
                          function () {
                            var at = self.draft.indexOf(i);
                            if (at === -1) { self.draft.push(i); } else { self.draft.splice(at, 1); }
                            toggle.setAttribute("aria-pressed", at === -1 ? "true" : "false");
                            send.disabled = !self.draft.length;
                          });
      grid.appendChild(toggle);
    });
    form.appendChild(grid);
    var send = submit("Submit vote", { "data-key": "submit-vote", disabled: ctl.sending || !this.draft.length });
    form.appendChild(send);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!self.draft.length) { ctl.ctx.say("Pick at least one option.", true); return; }
      self.vote(self.draft.slice().sort(function (a, b) { return a - b; }));
    });
    box.appendChild(form);
  };

  PollDrawer.prototype.ratingForm = function (box, view, p) {
    var self = this, ctl = this.ctl;
    var grid = el("div", { className: "rating-grid rating-grid-" + view.scale, role: "group",
                           "aria-label": "Your rating, from 1 (lowest) to " + view.scale + " (highest)" });
    for (var v = 1; v <= view.scale; v += 1) {
      (function (value) {
        var mine = p.value === value;
        grid.appendChild(button(String(value), {
          className: "rating-button" + (mine ? " is-picked" : ""), "data-value": String(value),
          "data-key": "rating-" + value, "aria-label": value + " out of " + view.scale + (mine ? " (your vote)" : ""),
          disabled: ctl.sending
        }, function () { self.vote(value); }));
      })(v);
    }
    box.appendChild(grid);
    box.appendChild(el("div", { className: "rating-ends", "aria-hidden": "true" }, [
      el("span", { text: "lowest" }), el("span", { text: "highest" })]));
  };

  PollDrawer.prototype.rankingForm = function (box, view, p) {
    var self = this, ctl = this.ctl;
    if (!this.draft) {
      this.draft = Array.isArray(p.value) ? p.value.slice() : view.options.map(function (_, i) { return i; });
    }
    var order = this.draft;
    var form = el("form", { className: "answer-form", novalidate: true });
    form.appendChild(el("p", { className: "answer-hint", id: "pa-rank-hint", text: "Best at the top. Move items up or down, then submit." }));
    var list = el("ol", { className: "order-edit", "aria-describedby": "pa-rank-hint" });
    var live = el("p", { className: "sr-only", "aria-live": "polite" });
    function draw(focusKey) {
      clear(list);
      order.forEach(function (option, position) {
        var text = view.options[option];
        var up = button([icon("up")], { className: "order-move", "aria-label": "Move “" + text + "” up",
                                        "data-key": "up-" + option, disabled: position === 0 || ctl.sending },
                        function () { move(option, -1); });
        var down = button([icon("down")], { className: "order-move", "aria-label": "Move “" + text + "” down",
                                            "data-key": "down-" + option,
                                            disabled: position === order.length - 1 || ctl.sending },
                          function () { move(option, 1); });
        list.appendChild(el("li", { className: "order-row", "data-option": String(option) }, [
          el("span", { className: "order-pos", "aria-hidden": "true", text: String(position + 1) }),
          el("span", { className: "order-text", text: text }),
          el("span", { className: "order-buttons" }, [up, down])
        ]));
      });
      if (focusKey) {
        var target = list.querySelector('[data-key="' + focusKey + '"]');
        if (!target || target.disabled) {
          target = list.querySelector('[data-key="' + (focusKey.indexOf("up-") === 0 ? "down-" : "up-") +
                                      focusKey.split("-")[1] + '"]');
        }
        if (target) { target.focus(); }
      }
    }
    function move(option, delta) {
      var at = order.indexOf(option), to = at + delta;
      if (to < 0 || to >= order.length) { return; }
      order.splice(at, 1);
      order.splice(to, 0, option);
      draw((delta < 0 ? "up-" : "down-") + option);
      live.textContent = "“" + view.options[option] + "” is now number " + (to + 1) + " of " + order.length + ".";
    }
    draw();
    form.appendChild(list);
    form.appendChild(live);
    form.appendChild(submit("Submit ranking", { "data-key": "submit-ranking", disabled: ctl.sending }));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.vote(order.slice());
    });
    box.appendChild(form);
  };

  PollDrawer.prototype.entryForm = function (box, view, p) {
    var ctl = this.ctl;
    var cloud = view.type === "wordcloud";
    var entries = p.entries || [];
    var left = p.entries_left === null || p.entries_left === undefined ? view.max_entries - entries.length : p.entries_left;
    if (view.open && left > 0) {
      var max = cloud ? 40 : 280;
      var drafts = this.drafts;
      var input = textField("pa-entry", cloud ? (entries.length ? "Another word" : "Your word") : "Your answer",
                            max, !cloud, cloud ? { autocapitalize: "off", spellcheck: "false" } : null, drafts);
      var form = el("form", { className: "answer-form", novalidate: true }, [
        input.node,
        el("p", { className: "pa-left", "data-testid": "entries-left",
                  text: view.max_entries > 1 ? (left === view.max_entries
                    ? "You can send up to " + count(view.max_entries, cloud ? "word" : "answer", cloud ? "words" : "answers") + "."
                    : count(left, cloud ? "more word" : "more answer", cloud ? "more words" : "more answers") + " left.") : null }),
        view.moderation === "approve" ? el("p", { className: "answer-hint", text: "The host approves answers before they appear on the screen." }) : null,
        submit(cloud ? "Send word" : "Send answer", { "data-key": "send-entry", disabled: ctl.sending })
      ]);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = cloud ? input.field.value.replace(/\s+/g, " ").trim() : input.field.value.trim();
        if (!text) { ctl.ctx.say(cloud ? "Type a word first." : "Type an answer first.", true); input.field.focus(); return; }
        ctl.send("entry", { text: text }, "Sent!").then(function (ok) {
          if (ok) {
            var again = document.getElementById("pa-entry");
            drafts["pa-entry"] = "";
            if (again) { again.value = ""; again.dispatchEvent(new Event("input")); again.focus(); }
          }
        });
      });
      box.appendChild(form);
    } else if (view.open) {
      box.appendChild(done("Thanks!", cloud ? "You have sent all your words." : "You have sent all your answers."));
    } else {
      box.appendChild(entries.length ? done("Thanks!", "Entries are closed.") : notice("Entries are closed.", "lock"));
    }
    if (entries.length) {
      var sent = el("ul", { className: "pa-sent", "aria-label": "You sent", "data-testid": "sent-list" });
      entries.forEach(function (e) {
        var flag = e.status === "pending" ? "waiting for approval" : e.status === "hidden" ? "hidden by the host" : null;
        sent.appendChild(el("li", { className: "pa-sent-item is-" + (e.status || "shown") }, [
          el("span", { className: "pa-sent-text", text: e.text }),
          flag ? el("span", { className: "pa-sent-flag", text: flag }) : null
        ]));
      });
      box.appendChild(el("h2", { className: "pa-sub", text: "Sent" }));
      box.appendChild(sent);
    }
  };

  PollDrawer.prototype.drawResults = function (box, view, p) {
    // Results on the phone once I have had my say (or it is closed): no bandwagon voting.
    if (view.results_visible && view.results && view.open && !p.responded) { return; }
    if (!view.results_visible || !view.results) {
      if (view.hide_results || !view.results_visible) {
        box.appendChild(el("p", { className: "pa-note", text: "Results appear on the screen when the host shows them." }));
      }
      return;
    }
    var r = view.results;
    box.appendChild(el("h2", { className: "pa-sub", text: "Results" }));
    var holder = el("div", { className: "pa-res", "data-testid": "phone-results" });
    if (view.type === "single" || view.type === "multi") {
      var counts = r.counts || [];
      var max = Math.max.apply(null, [1].concat(counts));
      var mine = Array.isArray(p.value) ? p.value : p.value === null || p.value === undefined ? [] : [p.value];
      var list = el("ol", { className: "pa-bars" });
      view.options.forEach(function (text, i) {
        var n = counts[i] || 0;
        var fill = el("span", { className: "pa-bar-fill " + Shapes.colourClass(i) });
        fill.style.width = (n ? Math.max(2, (100 * n) / max) : 0) + "%";
        list.appendChild(el("li", { className: "pa-bar" + (mine.indexOf(i) !== -1 ? " is-mine" : ""),
                                    "data-option": String(i), "data-count": String(n) }, [
          el("span", { className: "pa-bar-label" }, [Shapes.shape(i), el("span", { text: text }),
            mine.indexOf(i) !== -1 ? el("span", { className: "pa-mine", text: "your vote" }) : null]),
          el("span", { className: "pa-bar-track", "aria-hidden": "true" }, [fill]),
          el("span", { className: "pa-bar-num", text: Dom.number(n) + " · " + percent(n, view.responses) + "%" })
        ]));
      });
      holder.appendChild(list);
    } else if (view.type === "rating") {
      holder.appendChild(el("p", { className: "pa-mean" }, [
        el("strong", { text: r.mean === null || r.mean === undefined ? "–" : Dom.number(r.mean, 1) }),
        " out of " + view.scale + " on average (" + count(r.count || 0, "rating", "ratings") + ")"
      ]));
      var dist = r.distribution || [];
      var top = Math.max.apply(null, [1].concat(dist));
      var rows = el("ol", { className: "pa-bars pa-bars-rating" });
      dist.forEach(function (n, i) {
        var fill = el("span", { className: "pa-bar-fill pa-bar-plain" });
        fill.style.width = (n ? Math.max(2, (100 * n) / top) : 0) + "%";
        rows.appendChild(el("li", { className: "pa-bar" + (p.value === i + 1 ? " is-mine" : ""), "data-value": String(i + 1) }, [
          el("span", { className: "pa-bar-label", text: String(i + 1) }),
          el("span", { className: "pa-bar-track", "aria-hidden": "true" }, [fill]),
          el("span", { className: "pa-bar-num", text: Dom.number(n) })
        ]));
      });
      holder.appendChild(rows);
    } else if (view.type === "wordcloud") {
      var words = (r.words || []).slice(0, PHONE_WORDS);
      if (!words.length) { holder.appendChild(el("p", { className: "pa-note", text: "No words yet." })); }
      var wmax = Math.max.apply(null, [1].concat(words.map(function (w) { return w.count; })));
      var cloud = el("ul", { className: "pa-cloud", "aria-label": "Words, most sent first" });
      words.forEach(function (w) {
        var word = el("li", { className: "pa-cloud-word", "data-word": w.text, "data-count": String(w.count) }, [
          el("span", { text: w.text }), el("span", { className: "sr-only", text: ": " + w.count })]);
        word.style.fontSize = (1 + 1.2 * Math.sqrt(w.count / wmax)).toFixed(2) + "em";
        cloud.appendChild(word);
      });
      holder.appendChild(cloud);
    } else if (view.type === "open") {
      var entries = (r.entries || []).slice(-PHONE_ENTRIES).reverse();
      if (!entries.length) { holder.appendChild(el("p", { className: "pa-note", text: "Nothing on the wall yet." })); }
      var wall = el("ul", { className: "pa-wall", "aria-label": "Answers, newest first" });
      entries.forEach(function (e) {
        wall.appendChild(el("li", { className: "pa-wall-card" }, [
          el("span", { className: "pa-wall-text", text: e.text }),
          e.nickname ? el("span", { className: "pa-wall-by", text: e.nickname }) : null
        ]));
      });
      holder.appendChild(wall);
    } else if (view.type === "ranking") {
      var ranked = el("ol", { className: "pa-ranking" });
      (r.ranking || []).forEach(function (row) {
        ranked.appendChild(el("li", { className: "pa-rank-row", "data-option": String(row.option) }, [
          el("span", { className: "pa-rank-pos", text: Dom.ordinal(row.rank) }),
          el("span", { className: "pa-rank-text", text: row.text }),
          el("span", { className: "pa-rank-points", text: Dom.number(row.points) + " pts" })
        ]));
      });
      holder.appendChild(ranked);
    }
    box.appendChild(holder);
  };

  // ====================================================================== boards
  function BoardDrawer(ctl) { this.ctl = ctl; this.column = null; this.drafts = {}; }

  BoardDrawer.prototype.kindLabel = function () { return "Brainstorm"; };

  /** Dots I have left: the allowance now, minus the dots I placed (the server's count when
   *  I last voted may be older than a change of allowance by the host). */
  function votesLeft(view, p) {
    var used = 0;
    var mine = p.my_votes || {};
    Object.keys(mine).forEach(function (id) { used += mine[id]; });
    return Math.max(0, view.votes - used);
  }

  BoardDrawer.prototype.formKey = function (view, p) {
    if (view.phase !== "open") { return [view.phase]; }
    return [view.phase, view.locked, view.columns, p.notes_left, (p.notes || []).length];
  };

  BoardDrawer.prototype.resultKey = function (view, p) {
    return [view.phase, view.locked, view.votes, view.multiple_votes, view.columns, view.notes, view.groups,
            p.my_votes || null, view.phase === "open" ? p.notes || null : null];
  };

  BoardDrawer.prototype.drawForm = function (box, view, p) {
    if (view.phase !== "open") { return; }
    var self = this, ctl = this.ctl;
    var left = p.notes_left;
    if (view.locked) {
      box.appendChild(notice("The host has paused the board for a moment.", "lock"));
      return;
    }
    if (left === 0) {
      box.appendChild(done("Thanks!", "You have posted all your notes."));
      return;
    }
    var drafts = this.drafts;
    var note = textField("pa-note", "Add a note", 280, true, null, drafts);
    var form = el("form", { className: "answer-form", novalidate: true }, [note.node]);
    var select = null;
    if (view.columns.length) {
      select = el("select", { id: "pa-column", className: "field-input field-select", "data-key": "pa-column" });
      view.columns.forEach(function (name, c) {
        var option = el("option", { value: String(c), text: name });
        if (c === self.column) { option.selected = true; }
        select.appendChild(option);
      });
      if (self.column === null || self.column >= view.columns.length) { self.column = 0; }
      select.value = String(self.column);
      select.addEventListener("change", function () { self.column = Number(select.value); });
      form.appendChild(el("div", { className: "pa-field" }, [
        el("label", { "for": "pa-column", className: "field-label", text: "Column" }), select]));
    }
    if (left !== null && left !== undefined) {
      form.appendChild(el("p", { className: "pa-left", "data-testid": "notes-left",
                                 text: count(left, "note", "notes") + " left" }));
    }
    form.appendChild(submit("Post note", { "data-key": "post-note", disabled: ctl.sending }));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = note.field.value.trim();
      if (!text) { ctl.ctx.say("Write something first.", true); note.field.focus(); return; }
      var payload = { text: text };
      if (select) { payload.column = Number(select.value); }
      ctl.send("note", payload, "Note posted.").then(function (ok) {
        if (ok) {
          var again = document.getElementById("pa-note");
          drafts["pa-note"] = "";
          if (again) { again.value = ""; again.dispatchEvent(new Event("input")); again.focus(); }
        }
      });
    });
    box.appendChild(form);
  };

  /** Loose notes and groups of one column, most votes first once voting is closed. */
  function columnItems(view, column) {
    var items = [], inGroup = {};
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
    if (view.phase === "closed") {
      items = items.map(function (item, i) { return { item: item, i: i }; })
        .sort(function (a, b) { return (b.item.votes - a.item.votes) || (a.i - b.i); })
        .map(function (x) { return x.item; });
    }
    return items;
  }

  BoardDrawer.prototype.drawResults = function (box, view, p) {
    if (view.phase === "open") { return this.myNotes(box, view, p); }
    var self = this;
    var voting = view.phase === "voting";
    var left = votesLeft(view, p);
    if (voting) {
      box.appendChild(el("div", { className: "pa-votes-left", "data-testid": "votes-left", "data-left": String(left) }, [
        el("span", { className: "pa-dots", "aria-hidden": "true" }, dots(left, view.votes - left)),
        el("strong", { text: count(left, "vote", "votes") + " left" })
      ]));
      if (view.locked) { box.appendChild(notice("The host has paused voting for a moment.", "lock")); }
      else {
        box.appendChild(el("p", { className: "answer-hint", text: view.multiple_votes
          ? "Tap Vote to give a note a dot. You can give one note several."
          : "Tap Vote to give a note a dot: one per note." }));
      }
    } else {
      box.appendChild(el("p", { className: "pa-note", text: "Voting is closed. Most votes first." }));
    }
    if (!view.notes.length) {
      box.appendChild(el("p", { className: "pa-note", text: "No notes on the board." }));
      return;
    }
    var columns = view.columns.length ? view.columns : [null];
    var board = el("div", { className: "pa-board", "data-testid": "phone-board", "data-phase": view.phase });
    columns.forEach(function (name, c) {
      var column = name === null ? null : c;
      var items = columnItems(view, column);
      if (!items.length) { return; }
      var section = el("section", { className: "pa-col pa-col-" + (c % 6), "aria-label": name || "Notes" });
      if (name !== null) { section.appendChild(el("h2", { className: "pa-col-title", text: name })); }
      var list = el("ul", { className: "pa-notes" });
      items.forEach(function (item) {
        if (item.group) {
          var inner = el("ul", { className: "pa-notes" });
          item.notes.forEach(function (n) { inner.appendChild(self.noteCard(n, view, p, left)); });
          list.appendChild(el("li", { className: "pa-group", "data-group": item.group.id }, [
            el("p", { className: "pa-group-title" }, [
              el("span", { text: item.group.title }),
              item.group.votes !== undefined ? el("span", { className: "pa-group-votes",
                text: count(item.group.votes, "vote", "votes") }) : null
            ]),
            inner
          ]));
        } else {
          list.appendChild(self.noteCard(item.note, view, p, left));
        }
      });
      section.appendChild(list);
      board.appendChild(section);
    });
    box.appendChild(board);
  };

  function dots(filled, empty) {
    var out = [];
    for (var i = 0; i < filled; i += 1) { out.push(icon("dot")); }
    for (var j = 0; j < empty; j += 1) { out.push(icon("ring")); }
    return out;
  }

  BoardDrawer.prototype.noteCard = function (note, view, p, left) {
    var ctl = this.ctl;
    var mine = (p.my_votes || {})[String(note.id)] || 0;
    var card = el("li", { className: "pa-note-card pa-note-c" + ((note.column || 0) % 6) + (mine ? " is-voted" : ""),
                          "data-note": String(note.id), "data-mine": String(mine),
                          "data-votes": note.votes === undefined ? null : String(note.votes) }, [
      el("p", { className: "pa-note-text", text: note.text }),
      note.nickname ? el("p", { className: "pa-note-by", text: note.nickname }) : null
    ]);
    var foot = el("div", { className: "pa-note-foot" });
    if (mine) {
      foot.appendChild(el("span", { className: "pa-my-dots", "data-testid": "my-dots" }, [
        el("span", { "aria-hidden": "true" }, dots(mine, 0)),
        el("span", { text: mine === 1 ? "your vote" : mine + " your votes" })
      ]));
    }
    if (note.votes !== undefined) {
      foot.appendChild(el("span", { className: "pa-note-votes", "data-testid": "note-votes",
                                    text: count(note.votes, "vote", "votes") }));
    }
    if (view.phase === "voting" && !view.locked) {
      var short = note.text.length > 40 ? note.text.slice(0, 39) + "…" : note.text;
      var buttons = el("span", { className: "pa-vote-buttons" });
      if (mine) {
        buttons.appendChild(button("Undo", {
          className: "btn btn-unvote", "data-key": "unvote-" + note.id, "data-testid": "unvote",
          "aria-label": "Take a vote back from “" + short + "”", disabled: ctl.sending
        }, function () { ctl.send("unvote", { note: note.id }, "Vote taken back."); }));
      }
      if (!mine || view.multiple_votes) {  // one dot per note: a voted note only offers Undo
        buttons.appendChild(button([icon("dot"), mine ? "+1" : "Vote"], {
          className: "btn btn-vote", "data-key": "vote-" + note.id, "data-testid": "vote",
          "aria-label": (mine ? "One more vote for “" : "Vote for “") + short + "”", disabled: ctl.sending || left <= 0
        }, function () { ctl.send("vote", { note: note.id }, "Vote placed."); }));
      }
      foot.appendChild(buttons);
    }
    if (foot.childNodes.length) { card.appendChild(foot); }
    return card;
  };

  BoardDrawer.prototype.myNotes = function (box, view, p) {
    var notes = p.notes || [];
    if (!notes.length) {
      box.appendChild(el("p", { className: "pa-note", text: "Your notes appear on the screen. Voting comes after." }));
      return;
    }
    box.appendChild(el("h2", { className: "pa-sub", text: "Your notes (" + notes.length + ")" }));
    var list = el("ul", { className: "pa-notes", "data-testid": "my-notes" });
    notes.forEach(function (n) {
      list.appendChild(el("li", { className: "pa-note-card pa-note-c" + ((n.column || 0) % 6) + (n.hidden ? " is-hidden" : ""),
                                  "data-note": String(n.id) }, [
        el("p", { className: "pa-note-text", text: n.text }),
        el("p", { className: "pa-note-by" }, [
          n.column !== null && n.column !== undefined && view.columns[n.column] ? view.columns[n.column] : null,
          n.hidden ? el("span", { className: "pa-sent-flag", text: " hidden by the host" }) : null
        ])
      ]));
    });
    box.appendChild(list);
  };

  // ====================================================================== surveys
  function SurveyDrawer(ctl) { this.ctl = ctl; this.editing = false; }

  SurveyDrawer.prototype.kindLabel = function () { return "Survey"; };

  SurveyDrawer.prototype.formKey = function (view, p) {
    return [view.open, !!p.submitted, this.editing, view.items];
  };

  SurveyDrawer.prototype.resultKey = function () { return []; };

  SurveyDrawer.prototype.drawResults = function () {};

  SurveyDrawer.prototype.drawForm = function (box, view, p) {
    var self = this, ctl = this.ctl;
    if (!view.open) {
      box.appendChild(p.submitted ? done("Thanks for your answers!", "The survey is closed.")
        : notice("The survey is closed.", "lock"));
      return;
    }
    if (p.submitted && !this.editing) {
      box.appendChild(done("Thanks for your answers!", "You can change them until the survey closes.", [
        button("Edit my answers", { className: "btn btn-block", "data-key": "edit-survey", "data-testid": "edit-survey" },
               function () { self.editing = true; ctl.redraw(); })
      ]));
      return;
    }
    var before = (p.answers || {});
    var form = el("form", { className: "answer-form survey-form", novalidate: true });
    var readers = [];
    view.items.forEach(function (item, n) {
      var id = "sv-" + n;
      if (item.type === "rating") {
        var set = el("fieldset", { className: "pa-rating", "data-item": item.id }, [
          el("legend", { className: "field-label", text: item.text })
        ]);
        var row = el("div", { className: "rating-grid rating-grid-" + item.scale });
        for (var v = 1; v <= item.scale; v += 1) {
          var radio = el("input", { type: "radio", name: id, id: id + "-" + v, value: String(v),
                                    className: "rating-radio", "data-key": id + "-" + v });
          if (before[item.id] === v) { radio.checked = true; }
          row.appendChild(el("span", { className: "rating-option" }, [
            radio, el("label", { "for": id + "-" + v, className: "rating-button" }, [
              String(v), el("span", { className: "sr-only", text: " out of " + item.scale })])
          ]));
        }
        set.appendChild(row);
        set.appendChild(el("div", { className: "rating-ends", "aria-hidden": "true" }, [
          el("span", { text: "lowest" }), el("span", { text: "highest" })]));
        form.appendChild(set);
        readers.push(function (answers) {
          var picked = form.querySelector('input[name="' + id + '"]:checked');
          answers[item.id] = picked ? Number(picked.value) : null;
        });
      } else {
        var field = textField(id, item.text, 500, true);
        field.node.setAttribute("data-item", item.id);
        if (typeof before[item.id] === "string") { field.field.value = before[item.id]; field.field.dispatchEvent(new Event("input")); }
        form.appendChild(field.node);
        readers.push(function (answers) {
          var text = field.field.value.trim();
          answers[item.id] = text ? text : null;
        });
      }
    });
    form.appendChild(submit(p.submitted ? "Save my answers" : "Send answers",
                            { "data-key": "send-survey", disabled: ctl.sending }));
    if (p.submitted) {
      form.appendChild(button("Cancel", { className: "btn btn-block btn-quiet", "data-key": "cancel-survey" },
                              function () { self.editing = false; ctl.redraw(); }));
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answers = {};
      readers.forEach(function (read) { read(answers); });
      var any = Object.keys(answers).some(function (key) { return answers[key] !== null; });
      if (!any) { ctl.ctx.say("Answer at least one question.", true); return; }
      ctl.send("submit", { answers: answers }, "Thanks! Your answers are in.").then(function (ok) {
        if (ok) { self.editing = false; ctl.redraw(); }
      });
    });
    box.appendChild(form);
  };

  window.PlayActivities = {
    create: function (ctx, view, personal) { return new Controller(ctx, view, personal); }
  };
})();
