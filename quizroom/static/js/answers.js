/* The answer controls of a question on a phone, shared by the live phone page (play.js) and
 * the self-paced review (review.js), so both look and behave the same: same DOM, classes,
 * ids, labels and keyboard use. Needs dom.js (Dom) and shapes.js (QuizShapes).
 *
 *   quizroom.answers.build(area, q, page)      empty `area` and draw the controls for question q
 *       (choice buttons, multiple select, typed answer, slider, ordering). `page` says how:
 *         send(value, echo)  the person answered: the value for the server, and a node
 *                            showing the answer (the choice's label, the typed text...)
 *         enabled()          whether the controls may be used now
 *         update()           bring the controls' enabled state up to date (calls setEnabled)
 *         errorId            id of the message line under the controls (the typed answer
 *                            field is described by it)
 *   quizroom.answers.showError(errorId, text)  show `text` in that message line (null: hide it)
 *   quizroom.answers.setEnabled(area, enabled) enable or disable the controls in `area` (those
 *       marked data-keep-disabled stay off; "Submit" of a multiple select waits for a pick)
 *   quizroom.answers.unpick(area)              forget the choice shown as picked (answer refused)
 *   quizroom.answers.choiceLabel(choice)       span.choice-label: the choice's shape and text
 *   quizroom.answers.textsById(q)              {item id: text} of an ordering question
 *   quizroom.answers.answerNode(q, value)      an answer as the person saw it ("No answer" for null)
 *   quizroom.answers.solutionNode(q, solution) the correct answer (the server's reveal), or null
 *       when the question type has none to show
 *
 * Everything from the server goes in with textContent only (Dom.el's "text").
 */
(function () {
  "use strict";

  var Shapes = window.QuizShapes;
  var Dom = window.Dom;
  var el = Dom.el, clear = Dom.clear, value = Dom.value;

  // ------------------------------------------------------------ showing answers
  function choiceLabel(choice) {
    return el("span", { className: "choice-label " + Shapes.colourClass(choice.id) }, [
      Shapes.shape(choice.id, Shapes.name(choice.id)),
      el("span", { className: "choice-text", text: choice.text })
    ]);
  }

  function choiceLabels(q, ids) {
    var labels = el("span", { className: "choice-labels" });
    ids.forEach(function (id) { if (q.choices[id]) { labels.appendChild(choiceLabel(q.choices[id])); } });
    return labels;
  }

  function textsById(q) {
    var byId = {};
    (q.items || []).forEach(function (item) { byId[item.id] = item.text; });
    return byId;
  }

  function orderList(q, ids) {
    var byId = textsById(q);
    var list = el("ol", { className: "order-echo" });
    ids.forEach(function (id) { list.appendChild(el("li", { text: byId[id] })); });
    return list;
  }

  function withUnit(q, text) { return text + (q.unit ? " " + q.unit : ""); }

  function answerNode(q, v) {
    if (v === null || v === undefined) { return el("span", { className: "typed-echo", text: "No answer" }); }
    if (q.choices) { return choiceLabels(q, Array.isArray(v) ? v : [v]); }
    if (q.type === "order") { return orderList(q, v); }
    if (q.type === "slider") { return el("span", { className: "typed-echo", text: withUnit(q, value(v)) }); }
    return el("span", { className: "typed-echo", text: String(v) });
  }

  function solutionNode(q, solution) {
    solution = solution || {};
    if (q.choices && solution.choices) { return choiceLabels(q, solution.choices); }
    if (q.type === "typed") { return el("strong", { text: (solution.accepted || []).join(" / ") }); }
    if (q.type === "slider") {
      var tol = solution.tolerance ? " ± " + value(solution.tolerance) : "";
      return el("strong", { text: withUnit(q, value(solution.value) + tol) });
    }
    if (q.type === "order") { return orderList(q, solution.order || []); }
    return null;
  }

  // ------------------------------------------------------------ the controls
  function showError(errorId, text) {
    var node = document.getElementById(errorId);
    node.textContent = text || "";
    Dom.show(node, !!text);
  }

  function setEnabled(area, enabled) {
    area.querySelectorAll("button, input").forEach(function (node) {
      if (node.hasAttribute("data-keep-disabled")) { return; }
      node.disabled = !enabled;
    });
    var submit = area.querySelector("[data-submit]");
    if (submit && enabled && submit.getAttribute("data-needs-choice") === "true") {
      submit.disabled = area.querySelectorAll("[aria-pressed='true']").length === 0;
    }
  }

  function unpick(area) {
    area.querySelectorAll(".is-picked").forEach(function (node) { node.classList.remove("is-picked"); });
  }

  function submitButton(text, needsChoice) {
    return el("button", { type: "submit", className: "btn btn-primary btn-block btn-big", "data-submit": "true",
                          "data-needs-choice": needsChoice ? "true" : "false", text: text });
  }

  function choiceButton(choice, className, attrs, extra) {
    var attributes = Object.assign({ type: "button", className: className + " " + Shapes.colourClass(choice.id) },
                                   attrs, { "data-choice": String(choice.id) });
    return el("button", attributes,
              [Shapes.shape(choice.id, Shapes.name(choice.id)),
               el("span", { className: "choice-text", text: choice.text }), extra]);
  }

  function build(area, q, page) {
    clear(area);
    showError(page.errorId, null);
    area.className = "pq-answer pq-answer-" + q.type;
    if (q.choices && !q.multiple) {
      buildSingle(area, q, page);
    } else if (q.choices) {
      buildMulti(area, q, page);
    } else if (q.type === "typed") {
      buildTyped(area, q, page);
    } else if (q.type === "slider") {
      buildSlider(area, q, page);
    } else if (q.type === "order") {
      buildOrder(area, q, page);
    }
  }

  function buildSingle(area, q, page) {
    var grid = el("div", { className: "choice-grid choice-grid-" + q.choices.length, role: "group", "aria-label": "Answers" });
    q.choices.forEach(function (choice) {
      var button = choiceButton(choice, "choice", {});
      button.addEventListener("click", function () {
        button.classList.add("is-picked");
        page.send(choice.id, choiceLabel(choice));
      });
      grid.appendChild(button);
    });
    area.appendChild(grid);
  }

  function buildMulti(area, q, page) {
    var form = el("form", { className: "answer-form", novalidate: true });
    form.appendChild(el("p", { className: "answer-hint", id: "multi-hint",
                               text: q.type === "poll" ? "Pick one or more." : "Pick every answer that fits, then submit." }));
    var grid = el("div", { className: "choice-grid choice-grid-" + q.choices.length, role: "group", "aria-describedby": "multi-hint" });
    q.choices.forEach(function (choice) {
      var check = el("span", { className: "choice-check", "aria-hidden": "true" }, [Shapes.icon("tick")]);
      var button = choiceButton(choice, "choice choice-toggle", { "aria-pressed": "false" }, check);
      button.addEventListener("click", function () {
        var on = button.getAttribute("aria-pressed") !== "true";
        button.setAttribute("aria-pressed", on ? "true" : "false");
        page.update();
      });
      grid.appendChild(button);
    });
    form.appendChild(grid);
    form.appendChild(submitButton("Submit answer", true));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var picked = [];
      grid.querySelectorAll("[aria-pressed='true']").forEach(function (node) {
        picked.push(Number(node.getAttribute("data-choice")));
      });
      if (!picked.length) { showError(page.errorId, "Pick at least one answer."); return; }
      page.send(picked, answerNode(q, picked));
    });
    area.appendChild(form);
  }

  function buildTyped(area, q, page) {
    var form = el("form", { className: "answer-form", novalidate: true });
    var input = el("input", { id: "typed-answer", type: "text", className: "field-input field-input-big",
                              maxlength: String(q.max_length || 100), autocomplete: "off", autocapitalize: "off",
                              spellcheck: "false", enterkeyhint: "send", "aria-describedby": page.errorId });
    form.appendChild(el("label", { "for": "typed-answer", className: "field-label", text: "Your answer" }));
    form.appendChild(input);
    form.appendChild(submitButton("Submit answer", false));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.replace(/\s+/g, " ").trim();
      if (!text) { showError(page.errorId, "Type an answer first."); input.focus(); return; }
      page.send(text, answerNode(q, text));
    });
    area.appendChild(form);
  }

  function decimals(step) {
    var text = String(step);
    return text.indexOf(".") === -1 ? 0 : text.length - text.indexOf(".") - 1;
  }

  function buildSlider(area, q, page) {
    var step = q.step || 1;
    var unit = q.unit ? " " + q.unit : "";
    var middle = Number((q.min + Math.round((q.max - q.min) / 2 / step) * step).toFixed(decimals(step)));
    var form = el("form", { className: "answer-form", novalidate: true });
    var readout = el("output", { className: "slider-readout", "for": "slider-range", "aria-hidden": "true",
                                 text: value(middle) + unit });
    var range = el("input", { id: "slider-range", type: "range", min: String(q.min), max: String(q.max),
                              step: String(step), value: String(middle), className: "slider-range",
                              "aria-valuetext": value(middle) + unit });
    var field = el("input", { id: "slider-number", type: "number", min: String(q.min), max: String(q.max),
                              step: String(step), value: String(middle), inputmode: "decimal",
                              className: "field-input slider-number" });
    function setValue(v, from) {
      readout.textContent = value(v) + unit;
      range.setAttribute("aria-valuetext", value(v) + unit);
      if (from !== range) { range.value = String(v); }
      if (from !== field) { field.value = String(v); }
    }
    range.addEventListener("input", function () { setValue(Number(range.value), range); showError(page.errorId, null); });
    field.addEventListener("input", function () {
      var v = Number(field.value);
      if (field.value !== "" && isFinite(v) && v >= q.min && v <= q.max) { setValue(v, field); showError(page.errorId, null); }
    });
    form.appendChild(readout);
    form.appendChild(el("label", { "for": "slider-range", className: "field-label",
                                   text: "Your answer, from " + value(q.min) + " to " + value(q.max) + unit }));
    form.appendChild(range);
    form.appendChild(el("div", { className: "slider-ends", "aria-hidden": "true" }, [
      el("span", { text: value(q.min) + unit }), el("span", { text: value(q.max) + unit })]));
    form.appendChild(el("div", { className: "slider-exact" }, [
      el("label", { "for": "slider-number", className: "field-label", text: "or type it" + (q.unit ? " (" + q.unit + ")" : "") }),
      field
    ]));
    form.appendChild(submitButton("Submit answer", false));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var raw = field.value.trim().replace(",", ".");
      var v = raw === "" ? Number(range.value) : Number(raw);
      if (!isFinite(v) || v < q.min || v > q.max) {
        showError(page.errorId, "Pick a number from " + value(q.min) + " to " + value(q.max) + ".");
        field.focus();
        return;
      }
      page.send(v, answerNode(q, v));
    });
    area.appendChild(form);
  }

  function buildOrder(area, q, page) {
    var order = q.items.map(function (item) { return item.id; });
    var byId = textsById(q);
    var form = el("form", { className: "answer-form", novalidate: true });
    form.appendChild(el("p", { className: "answer-hint", id: "order-hint",
                               text: "Move the items into the right order, first at the top." }));
    var list = el("ol", { className: "order-edit", "aria-describedby": "order-hint" });
    var live = el("p", { className: "sr-only", "aria-live": "polite" });

    function moveButton(id, dir) {
      return el("button", { type: "button", className: "order-move", "aria-label": "Move “" + byId[id] + "” " + dir,
                            "data-item": String(id), "data-dir": dir }, [Shapes.icon(dir)]);
    }

    function draw(focusId, direction) {
      clear(list);
      order.forEach(function (id, position) {
        var up = moveButton(id, "up");
        var down = moveButton(id, "down");
        if (position === 0) { up.setAttribute("data-keep-disabled", ""); up.disabled = true; }
        if (position === order.length - 1) { down.setAttribute("data-keep-disabled", ""); down.disabled = true; }
        up.addEventListener("click", function () { move(id, -1); });
        down.addEventListener("click", function () { move(id, 1); });
        list.appendChild(el("li", { className: "order-row", "data-item": String(id) }, [
          el("span", { className: "order-pos", "aria-hidden": "true", text: String(position + 1) }),
          el("span", { className: "order-text", text: byId[id] }),
          el("span", { className: "order-buttons" }, [up, down])
        ]));
      });
      if (focusId !== undefined) {
        var target = list.querySelector("[data-item='" + focusId + "'][data-dir='" + direction + "']");
        if (!target || target.disabled) {
          target = list.querySelector("[data-item='" + focusId + "'][data-dir='" + (direction === "up" ? "down" : "up") + "']");
        }
        if (target) { target.focus(); }
      }
      if (!page.enabled()) { page.update(); }
    }

    function move(id, delta) {
      var at = order.indexOf(id);
      var to = at + delta;
      if (to < 0 || to >= order.length) { return; }
      order.splice(at, 1);
      order.splice(to, 0, id);
      draw(id, delta < 0 ? "up" : "down");
      live.textContent = "“" + byId[id] + "” is now number " + (to + 1) + " of " + order.length + ".";
    }

    draw();
    form.appendChild(list);
    form.appendChild(live);
    form.appendChild(submitButton("Submit order", false));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      page.send(order.slice(), answerNode(q, order));
    });
    area.appendChild(form);
  }

  window.quizroom = window.quizroom || {};
  window.quizroom.answers = {
    build: build,
    showError: showError,
    setEnabled: setEnabled,
    unpick: unpick,
    choiceLabel: choiceLabel,
    textsById: textsById,
    answerNode: answerNode,
    solutionNode: solutionNode
  };
})();
