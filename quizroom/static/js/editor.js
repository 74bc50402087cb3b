/* quizroom deck editor. Vanilla JS, no build step; needs common.js (quizroom.fetchJSON,
 * quizroom.el), editor-errors.js (the server's errors by their fields) and identity.js.
 *
 * The deck lives in `deck` (title, description, questions in an editor-friendly form).
 * Saving turns it into a deck document (docs/deck-format.md) and sends it to the API;
 * the server's validator (engine parse_deck) is the only judge: its errors come back
 * with paths like "questions.2.choices.1" and are shown next to that field.
 *
 * Identity: every question keeps the spec it was loaded with (`origin`). On save, a question
 * with a uid whose meaning changed (identity.js decides) is shown in the "is this still the
 * same question?" dialog: the trainer keeps its uid (same question, same history) or drops
 * it (the server gives a new one). Topics are typed comma-separated, with the deck's other
 * topics offered for reuse (one shared <datalist>, rebuilt for the input in use).
 *
 * All user text goes into the page with textContent / value, never as HTML.
 */
(function () {
  "use strict";

  var TYPES = [
    ["single", "Single choice"],
    ["multi", "Multiple select"],
    ["truefalse", "True / false"],
    ["typed", "Type the answer"],
    ["slider", "Slider"],
    ["order", "Ordering"],
    ["poll", "Poll"],
  ];
  var TYPE_NAMES = {};
  TYPES.forEach(function (t) { TYPE_NAMES[t[0]] = t[1]; });
  var CHOICE_TYPES = { single: true, multi: true, poll: true };
  var SHAPES = ["triangle", "diamond", "circle", "square", "pentagon", "hexagon"];
  var SHAPE_PATHS = {
    triangle: "M12 3 L22 20 H2 Z",
    diamond: "M12 2 L22 12 L12 22 L2 12 Z",
    square: "M3 3 H21 V21 H3 Z",
    pentagon: "M12 2 L22 9.5 L18 21 H6 L2 9.5 Z",
    hexagon: "M7 3 H17 L22 12 L17 21 H7 L2 12 Z",
  };
  var LIMITS = { choices: [2, 6], items: [2, 6], accepted: [1, 10] };
  var MAX_QUESTIONS = 200;
  var SVG_NS = "http://www.w3.org/2000/svg";

  var form = document.getElementById("deck-editor");
  if (!form) return;
  var list = document.getElementById("question-list");
  var titleInput = document.getElementById("deck-title");
  var descriptionInput = document.getElementById("deck-description");
  var statusNode = document.getElementById("save-status");
  var summary = document.getElementById("error-summary");
  var summaryTitle = document.getElementById("error-summary-title");
  var summaryList = document.getElementById("error-summary-list");
  var noQuestions = document.getElementById("no-questions");
  var countNode = document.getElementById("question-count");
  var saveButton = document.getElementById("save-deck");
  var deckActions = document.getElementById("deck-actions");
  var startForm = document.getElementById("start-form");
  var exportLink = document.getElementById("export-link");
  var topicList = document.getElementById("topic-suggestions");

  var deckId = form.getAttribute("data-deck-id") || null;
  var createUrl = form.getAttribute("data-create-url");
  var uploadUrl = form.getAttribute("data-upload-url");

  var deck = { title: "", description: "", questions: [] };
  var nextKey = 1;
  var dirty = false;
  var version = 0; // bumped on every change, to know whether a save's answer is still current
  var saving = false;
  var lastDeleted = null;

  // ---------------------------------------------------------------- model
  function blankChoices(n) {
    var out = [];
    for (var i = 0; i < n; i++) out.push({ text: "", correct: false });
    return out;
  }

  function newQuestion(type) {
    var q = {
      key: nextKey++, uid: null, origin: null, confirmed: null, type: type, text: "", time_limit: "20", points: 1000,
      image: "", topics: "", notes: "",
      choices: [], tf: true, accepted: [""], items: [], multiple: false,
      min: "0", max: "100", step: "1", correct: "50", tolerance: "0", unit: "",
    };
    if (type === "single" || type === "multi") q.choices = blankChoices(4);
    if (type === "poll") { q.choices = blankChoices(3); q.points = 0; }
    if (type === "order") q.items = ["", "", "", ""];
    if (type === "truefalse") q.choices = [];
    return q;
  }

  function str(value, fallback) {
    return value === undefined || value === null ? fallback : String(value);
  }

  function fromSpec(spec) {
    var type = TYPE_NAMES[spec.type] ? spec.type : "single";
    var q = newQuestion(type);
    q.uid = typeof spec.uid === "string" ? spec.uid : null;
    q.origin = q.uid ? JSON.parse(JSON.stringify(spec)) : null; // as loaded: what "same question" means
    q.topics = (Array.isArray(spec.topics) ? spec.topics : []).map(function (t) { return str(t, ""); }).join(", ");
    q.text = str(spec.text, "");
    q.notes = str(spec.notes, "");
    q.time_limit = str(spec.time_limit, "20");
    q.points = typeof spec.points === "number" ? spec.points : (type === "poll" ? 0 : 1000);
    q.image = str(spec.image, "");
    if (CHOICE_TYPES[type]) {
      q.choices = (Array.isArray(spec.choices) ? spec.choices : []).map(function (c) {
        return typeof c === "object" && c !== null
          ? { text: str(c.text, ""), correct: c.correct === true }
          : { text: str(c, ""), correct: false };
      });
      q.multiple = spec.multiple === true;
    }
    if (type === "truefalse") q.tf = spec.correct !== false;
    if (type === "typed") q.accepted = (Array.isArray(spec.accepted) ? spec.accepted : [""]).map(function (a) { return str(a, ""); });
    if (type === "order") q.items = (Array.isArray(spec.items) ? spec.items : []).map(function (a) { return str(a, ""); });
    if (type === "slider") {
      q.min = str(spec.min, "0"); q.max = str(spec.max, "100"); q.step = str(spec.step, "1");
      q.correct = str(spec.correct, ""); q.tolerance = str(spec.tolerance, "0"); q.unit = str(spec.unit, "");
    }
    return q;
  }

  function loadDocument(doc) {
    deck.title = str(doc.title, "");
    deck.description = str(doc.description, "");
    deck.questions = (Array.isArray(doc.questions) ? doc.questions : []).map(fromSpec);
  }

  /* A number field: a number when it reads as one, else the raw text (the server says why). */
  function numberOrText(text) {
    var trimmed = String(text).trim();
    if (trimmed === "") return undefined;
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
      var value = Number(trimmed);
      if (isFinite(value)) return value;
    }
    return trimmed;
  }

  /* "git, Branching ,, hooks" -> ["git", "Branching", "hooks"] (the server checks the rest). */
  function splitTopics(text) {
    return String(text).split(",").map(function (t) { return t.replace(/\s+/g, " ").trim(); }).filter(Boolean);
  }

  /* Drop blank rows (while enough remain) and remember which row each entry came from. */
  function keepRows(rows, isBlank, min) {
    var kept = [];
    var filled = rows.filter(function (row) { return !isBlank(row); }).length;
    rows.forEach(function (row, index) {
      if (isBlank(row) && filled >= min) return;
      kept.push(index);
    });
    return kept;
  }

  function toSpec(q, rowMaps) {
    var spec = { type: q.type, text: q.text };
    if (q.uid) spec.uid = q.uid;
    spec.time_limit = numberOrText(q.time_limit);
    if (spec.time_limit === undefined) spec.time_limit = "";
    if (q.type !== "poll") spec.points = q.points;
    if (q.image.trim()) spec.image = q.image.trim();
    var topics = splitTopics(q.topics);
    if (topics.length) spec.topics = topics;
    if (q.notes.trim()) spec.notes = q.notes;
    if (CHOICE_TYPES[q.type]) {
      var rows = keepRows(q.choices, function (c) { return !c.text.trim() && !(c.correct && q.type !== "poll"); }, LIMITS.choices[0]);
      rowMaps.choices = rows;
      spec.choices = rows.map(function (i) {
        var c = q.choices[i];
        return q.type === "poll" ? { text: c.text } : { text: c.text, correct: c.correct };
      });
      if (q.type === "poll") spec.multiple = q.multiple;
    } else if (q.type === "truefalse") {
      spec.correct = q.tf;
    } else if (q.type === "typed") {
      var kept = keepRows(q.accepted, function (a) { return !a.trim(); }, LIMITS.accepted[0]);
      rowMaps.accepted = kept;
      spec.accepted = kept.map(function (i) { return q.accepted[i]; });
    } else if (q.type === "order") {
      var items = keepRows(q.items, function (a) { return !a.trim(); }, LIMITS.items[0]);
      rowMaps.items = items;
      spec.items = items.map(function (i) { return q.items[i]; });
    } else if (q.type === "slider") {
      ["min", "max", "step", "correct", "tolerance"].forEach(function (name) {
        var value = numberOrText(q[name]);
        // An empty tolerance means none; any other empty field is sent as is and reported.
        if (value !== undefined) spec[name] = value;
        else if (name !== "tolerance") spec[name] = "";
      });
      if (q.unit.trim()) spec.unit = q.unit;
    }
    return spec;
  }

  function buildDocument() {
    var maps = [];
    var doc = {
      format: "quizroom.deck", version: 1, title: deck.title, description: deck.description,
      questions: deck.questions.map(function (q) {
        var rowMaps = {};
        maps.push(rowMaps);
        return toSpec(q, rowMaps);
      }),
    };
    return { doc: doc, maps: maps, questions: deck.questions.slice() };
  }

  function convert(q, type) {
    if (q.type === type) return;
    var texts = CHOICE_TYPES[q.type] ? q.choices.map(function (c) { return c.text; })
      : q.type === "order" ? q.items.slice() : q.type === "typed" ? q.accepted.slice() : [];
    var fresh = newQuestion(type);
    if (CHOICE_TYPES[type]) {
      if (CHOICE_TYPES[q.type]) {
        var seenCorrect = false;
        q.choices = q.choices.map(function (c) {
          var correct = type !== "poll" && c.correct && !(type === "single" && seenCorrect);
          if (correct) seenCorrect = true;
          return { text: c.text, correct: correct };
        });
      } else if (texts.filter(function (t) { return t.trim(); }).length >= 2) {
        q.choices = texts.slice(0, 6).map(function (t) { return { text: t, correct: false }; });
      } else {
        q.choices = fresh.choices;
      }
    } else if (type === "order") {
      q.items = texts.filter(function (t) { return t.trim(); }).length >= 2 ? texts.slice(0, 6) : fresh.items;
    } else if (type === "typed") {
      var right = CHOICE_TYPES[q.type] ? q.choices.filter(function (c) { return c.correct && c.text.trim(); }) : [];
      q.accepted = right.length ? right.map(function (c) { return c.text; }).slice(0, 10) : [""];
    }
    if (q.type === "poll" && type !== "poll" && q.points === 0) q.points = 1000;
    if (type === "poll") q.points = 0;
    q.type = type;
  }

  // ------------------------------------------------------------------ DOM
  var el = window.quizroom.el;

  function hidden(text) {
    return el("span", { "class": "visually-hidden", text: text });
  }

  function shapeIcon(index) {
    var name = SHAPES[index % SHAPES.length];
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "shape shape-" + (index % SHAPES.length));
    var shape;
    if (name === "circle") {
      shape = document.createElementNS(SVG_NS, "circle");
      shape.setAttribute("cx", "12"); shape.setAttribute("cy", "12"); shape.setAttribute("r", "10");
    } else {
      shape = document.createElementNS(SVG_NS, "path");
      shape.setAttribute("d", SHAPE_PATHS[name]);
    }
    svg.appendChild(shape);
    return svg;
  }

  function button(label, hiddenText, onClick, attrs) {
    var b = el("button", Object.assign({ type: "button", "class": "button button-small" }, attrs || {}), label,
      hiddenText ? hidden(hiddenText) : null);
    b.addEventListener("click", onClick);
    return b;
  }

  function changed() {
    dirty = true;
    version++;
    setStatus("Unsaved changes", "dirty");
  }

  function setStatus(text, kind, extra) {
    statusNode.textContent = text;
    statusNode.className = "save-status" + (kind ? " status-" + kind : "");
    if (extra) { statusNode.appendChild(document.createTextNode(" ")); statusNode.appendChild(extra); }
  }

  function bindText(input, q, prop, after) {
    input.addEventListener("input", function () {
      q[prop] = input.value;
      clearFieldError(input);
      changed();
      if (after) after();
    });
  }

  function field(id, label, control, path, extraClass) {
    control.id = id;
    if (path) control.setAttribute("data-path", path);
    return el("div", { "class": "field" + (extraClass ? " " + extraClass : "") }, el("label", { "for": id, text: label }), control);
  }

  function questionId(q, suffix) {
    return "q" + q.key + "-" + suffix;
  }

  function renderQuestion(q, index) {
    var n = index + 1;
    var base = "questions." + index + ".";
    var li = el("li", { "class": "question-card card type-" + q.type, id: questionId(q, "card"), "data-path": "questions." + index });
    var section = el("section", { "aria-labelledby": questionId(q, "heading") });
    li.appendChild(section);

    var heading = el("h3", { id: questionId(q, "heading"), tabindex: "-1" },
      "Question " + n + " ", el("span", { "class": "type-badge", text: TYPE_NAMES[q.type] }));
    var last = deck.questions.length - 1;
    var tools = el("div", { "class": "question-tools", role: "group", "aria-label": "Question " + n + " actions" },
      button("Move up", " question " + n, function () { moveQuestion(q, -1); }, { id: questionId(q, "up"), disabled: index === 0 }),
      button("Move down", " question " + n, function () { moveQuestion(q, 1); }, { id: questionId(q, "down"), disabled: index === last }),
      button("Duplicate", " question " + n, function () { duplicateQuestion(q); }, { id: questionId(q, "dup") }),
      button("Delete", " question " + n, function () { deleteQuestion(q); }, { id: questionId(q, "delete"), "class": "button button-small button-danger" }));
    section.appendChild(el("div", { "class": "question-head" }, heading, tools));

    // Type, text, time, points.
    var typeSelect = el("select", {});
    TYPES.forEach(function (t) { typeSelect.appendChild(el("option", { value: t[0], text: t[1] })); });
    typeSelect.value = q.type;
    typeSelect.addEventListener("change", function () {
      convert(q, typeSelect.value);
      changed();
      rerenderQuestion(q, questionId(q, "type"));
    });

    var text = el("textarea", { rows: "2", maxlength: "300", value: q.text });
    bindText(text, q, "text");

    var time = el("input", { type: "number", min: "5", max: "240", step: "1", inputmode: "numeric", value: q.time_limit });
    bindText(time, q, "time_limit");

    var grid = el("div", { "class": "field-grid" },
      field(questionId(q, "type"), "Question type", typeSelect, base + "type"),
      field(questionId(q, "time"), "Time limit (seconds)", time, base + "time_limit"));
    if (q.type === "poll") {
      grid.appendChild(el("p", { "class": "hint poll-note", text: "Polls are not scored: every answer counts, none is wrong." }));
    } else {
      var points = el("select", {});
      [[1000, "Standard (1000)"], [2000, "Double (2000)"], [0, "No points (0)"]].forEach(function (p) {
        points.appendChild(el("option", { value: String(p[0]), text: p[1] }));
      });
      points.value = String(q.points);
      points.addEventListener("change", function () { q.points = Number(points.value); clearFieldError(points); changed(); });
      grid.appendChild(field(questionId(q, "points"), "Points", points, base + "points"));
    }
    section.appendChild(field(questionId(q, "text"), "Question text", text, base + "text", "field-wide"));
    section.appendChild(grid);

    section.appendChild(renderAnswers(q, index));
    section.appendChild(renderTopics(q, index));
    section.appendChild(renderNotes(q, index));
    section.appendChild(renderImage(q, index));
    return li;
  }

  /* Presenter notes (docs/cohosts.md): shown only in the presenter view, never on the stage or phones. */
  function renderNotes(q, index) {
    var area = el("textarea", { rows: "3", maxlength: "2000", value: q.notes, spellcheck: "true" });
    bindText(area, q, "notes");
    var box = field(questionId(q, "notes"), "Presenter notes (optional)", area, "questions." + index + ".notes", "field-wide");
    var hint = el("p", { "class": "hint", id: questionId(q, "notes-hint"),
      text: "Only you and your co-hosts see these, in the presenter view; never the stage or the phones. Up to 2000 characters." });
    box.appendChild(hint);
    area.setAttribute("aria-describedby", hint.id);
    return box;
  }

  function renderTopics(q, index) {
    var input = el("input", { type: "text", value: q.topics, list: topicList ? topicList.id : null, autocomplete: "off",
      spellcheck: "true" });
    bindText(input, q, "topics", function () { suggestTopics(input); });
    input.addEventListener("focus", function () { suggestTopics(input); });
    var box = field(questionId(q, "topics"), "Topics (optional)", input, "questions." + index + ".topics", "field-wide");
    var hint = el("p", { "class": "hint", id: questionId(q, "topics-hint"),
      text: "Separate topics with commas: up to 5, each up to 40 characters. Retention reports group questions by topic." });
    box.appendChild(hint);
    input.setAttribute("aria-describedby", hint.id);
    return box;
  }

  /* The deck's topics, first spelling of each (case does not count), in the order they appear. */
  function deckTopics() {
    var seen = {};
    var out = [];
    deck.questions.forEach(function (q) {
      splitTopics(q.topics).forEach(function (topic) {
        var key = topic.toLowerCase();
        if (!seen[key]) { seen[key] = true; out.push(topic); }
      });
    });
    return out;
  }

  /* Offer the deck's other topics for the one being typed (after the last comma). */
  function suggestTopics(input) {
    if (!topicList) return;
    var value = input.value;
    var cut = value.lastIndexOf(",");
    var done = cut >= 0 ? value.slice(0, cut + 1) : "";
    var prefix = done ? done.replace(/\s*$/, " ") : "";
    var have = {};
    splitTopics(done).forEach(function (t) { have[t.toLowerCase()] = true; });
    topicList.textContent = "";
    deckTopics().forEach(function (topic) {
      if (!have[topic.toLowerCase()]) topicList.appendChild(el("option", { value: prefix + topic }));
    });
  }

  function renderImage(q, index) {
    var n = index + 1;
    var box = el("fieldset", { "class": "image-field", id: questionId(q, "image-box") },
      el("legend", { text: "Image (optional)" }));
    var url = el("input", { type: "url", inputmode: "url", maxlength: "500", placeholder: "https://…", value: q.image });
    var preview = el("div", { "class": "image-preview" });
    function showPreview() {
      preview.textContent = "";
      var src = q.image.trim();
      if (/^(https?:\/\/|\/uploads\/)/.test(src)) {
        preview.appendChild(el("img", { src: src, alt: "Preview of the image for question " + n, loading: "lazy" }));
        preview.appendChild(button("Remove image", " from question " + n, function () {
          q.image = ""; url.value = ""; changed(); showPreview(); url.focus();
        }));
      }
    }
    url.addEventListener("input", function () { q.image = url.value; clearFieldError(url); changed(); });
    url.addEventListener("change", showPreview);
    var file = el("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp" });
    file.addEventListener("change", function () {
      if (!file.files || !file.files[0]) return;
      var data = new FormData();
      data.append("file", file.files[0]);
      clearFieldError(file);
      setStatus("Uploading the image…", "busy");
      window.quizroom.fetchJSON(uploadUrl, { method: "POST", body: data }).then(function (res) {
        if (res.status === 201 && res.data && res.data.url) {
          q.image = res.data.url;
          url.value = q.image;
          clearFieldError(url);
          changed();
          showPreview();
          setStatus("Image uploaded (save the deck to keep it)", "dirty");
        } else {
          var message = res.data && res.data.error ? res.data.error.message : "the upload failed (" + res.status + ")";
          addFieldError(file, message);
          setStatus("The image was not uploaded", "error");
        }
        file.value = "";
      }, function () {
        addFieldError(file, "could not reach the server; try again");
        setStatus("The image was not uploaded", "error");
      });
    });
    box.appendChild(el("div", { "class": "field-grid" },
      field(questionId(q, "image"), "Image URL", url, "questions." + index + ".image"),
      field(questionId(q, "upload"), "Or upload an image (PNG, JPEG, GIF, WebP)", file, null)));
    box.appendChild(preview);
    showPreview();
    return box;
  }

  function rowButtons(q, listName, rowIndex, rowLabel, rows, focusAfter) {
    var n = rowIndex + 1;
    var holder = el("span", { "class": "row-tools" });
    if (listName === "items") {
      holder.appendChild(button("Move up", " " + rowLabel + " " + n, function () {
        swap(rows, rowIndex, rowIndex - 1); changed(); rerenderQuestion(q, questionId(q, listName + "-" + (rowIndex - 1) + "-up"), questionId(q, listName + "-" + (rowIndex - 1) + "-down"));
      }, { id: questionId(q, listName + "-" + rowIndex + "-up"), disabled: rowIndex === 0 }));
      holder.appendChild(button("Move down", " " + rowLabel + " " + n, function () {
        swap(rows, rowIndex, rowIndex + 1); changed(); rerenderQuestion(q, questionId(q, listName + "-" + (rowIndex + 1) + "-down"), questionId(q, listName + "-" + (rowIndex + 1) + "-up"));
      }, { id: questionId(q, listName + "-" + rowIndex + "-down"), disabled: rowIndex === rows.length - 1 }));
    }
    holder.appendChild(button("Remove", " " + rowLabel + " " + n, function () {
      rows.splice(rowIndex, 1);
      changed();
      var target = Math.min(rowIndex, rows.length - 1);
      rerenderQuestion(q, target >= 0 ? questionId(q, listName + "-" + target) : focusAfter);
    }, { "class": "button button-small button-quiet", disabled: rows.length <= LIMITS[listName][0] }));
    return holder;
  }

  function swap(rows, a, b) {
    if (b < 0 || b >= rows.length) return;
    var t = rows[a]; rows[a] = rows[b]; rows[b] = t;
  }

  function renderAnswers(q, index) {
    var base = "questions." + index + ".";
    var n = index + 1;
    if (CHOICE_TYPES[q.type]) {
      var isPoll = q.type === "poll";
      var legend = q.type === "single" ? "Answers (mark the one correct answer)"
        : q.type === "multi" ? "Answers (mark every correct answer)" : "Answers";
      var box = el("fieldset", { "class": "choices", id: questionId(q, "choices"), "data-path": base + "choices" },
        el("legend", { text: legend }));
      var ul = el("ul", { "class": "choice-list" });
      q.choices.forEach(function (choice, r) {
        var input = el("input", { type: "text", maxlength: "120", value: choice.text });
        bindText(input, choice, "text");
        var row = el("li", { "class": "choice-row" }, shapeIcon(r),
          field(questionId(q, "choices-" + r), "Answer " + (r + 1), input, base + "choices." + r, "field-inline"));
        if (!isPoll) {
          var toggle = el("input", { type: q.type === "single" ? "radio" : "checkbox", name: questionId(q, "correct"),
            id: questionId(q, "choices-" + r + "-correct"), checked: choice.correct });
          toggle.addEventListener("change", function () {
            if (q.type === "single") q.choices.forEach(function (c, i) { c.correct = i === r; });
            else choice.correct = toggle.checked;
            clearFieldError(box);
            changed();
          });
          row.appendChild(el("span", { "class": "correct-toggle" }, toggle,
            el("label", { "for": toggle.id }, hidden("Answer " + (r + 1) + " "), "Correct")));
        }
        row.appendChild(rowButtons(q, "choices", r, "answer", q.choices, questionId(q, "add-choice")));
        ul.appendChild(row);
      });
      box.appendChild(ul);
      var add = button("Add answer", " to question " + n, function () {
        q.choices.push({ text: "", correct: false });
        changed();
        rerenderQuestion(q, questionId(q, "choices-" + (q.choices.length - 1)));
      }, { id: questionId(q, "add-choice"), disabled: q.choices.length >= LIMITS.choices[1] });
      box.appendChild(el("div", { "class": "row-actions" }, add));
      if (isPoll) {
        var multiple = el("input", { type: "checkbox", id: questionId(q, "multiple"), checked: q.multiple, "data-path": base + "multiple" });
        multiple.addEventListener("change", function () { q.multiple = multiple.checked; changed(); });
        box.appendChild(el("div", { "class": "field field-check" }, multiple,
          el("label", { "for": multiple.id, text: "Allow several answers per person" })));
      }
      return box;
    }
    if (q.type === "truefalse") {
      var tf = el("fieldset", { "class": "choices truefalse", id: questionId(q, "tf"), "data-path": base + "correct" },
        el("legend", { text: "Correct answer" }));
      [[true, "True", 0], [false, "False", 1]].forEach(function (option) {
        var radio = el("input", { type: "radio", name: questionId(q, "tf"), id: questionId(q, "tf-" + option[1].toLowerCase()),
          value: option[1].toLowerCase(), checked: q.tf === option[0] });
        radio.addEventListener("change", function () { if (radio.checked) { q.tf = option[0]; changed(); } });
        tf.appendChild(el("div", { "class": "choice-row field-check" }, shapeIcon(option[2]), radio,
          el("label", { "for": radio.id, text: option[1] })));
      });
      return tf;
    }
    if (q.type === "typed") {
      var acc = el("fieldset", { "class": "choices", id: questionId(q, "accepted"), "data-path": base + "accepted" },
        el("legend", { text: "Accepted answers" }),
        el("p", { "class": "hint", text: "Players type their answer. Capitals, accents and extra spaces are ignored; add other spellings you accept." }));
      var accList = el("ul", { "class": "choice-list" });
      q.accepted.forEach(function (value, r) {
        var input = el("input", { type: "text", maxlength: "100", value: value });
        input.addEventListener("input", function () { q.accepted[r] = input.value; clearFieldError(input); changed(); });
        accList.appendChild(el("li", { "class": "choice-row" },
          field(questionId(q, "accepted-" + r), "Accepted answer " + (r + 1), input, base + "accepted." + r, "field-inline"),
          rowButtons(q, "accepted", r, "accepted answer", q.accepted, questionId(q, "add-accepted"))));
      });
      acc.appendChild(accList);
      acc.appendChild(el("div", { "class": "row-actions" }, button("Add another spelling", " to question " + n, function () {
        q.accepted.push("");
        changed();
        rerenderQuestion(q, questionId(q, "accepted-" + (q.accepted.length - 1)));
      }, { id: questionId(q, "add-accepted"), disabled: q.accepted.length >= LIMITS.accepted[1] })));
      return acc;
    }
    if (q.type === "order") {
      var ord = el("fieldset", { "class": "choices", id: questionId(q, "items"), "data-path": base + "items" },
        el("legend", { text: "Items, in the correct order" }),
        el("p", { "class": "hint", text: "Players see them shuffled and put them back in this order." }));
      var ol = el("ol", { "class": "choice-list" });
      q.items.forEach(function (value, r) {
        var input = el("input", { type: "text", maxlength: "120", value: value });
        input.addEventListener("input", function () { q.items[r] = input.value; clearFieldError(input); changed(); });
        ol.appendChild(el("li", { "class": "choice-row" }, shapeIcon(r),
          field(questionId(q, "items-" + r), "Item " + (r + 1), input, base + "items." + r, "field-inline"),
          rowButtons(q, "items", r, "item", q.items, questionId(q, "add-item"))));
      });
      ord.appendChild(ol);
      ord.appendChild(el("div", { "class": "row-actions" }, button("Add item", " to question " + n, function () {
        q.items.push("");
        changed();
        rerenderQuestion(q, questionId(q, "items-" + (q.items.length - 1)));
      }, { id: questionId(q, "add-item"), disabled: q.items.length >= LIMITS.items[1] })));
      return ord;
    }
    // slider
    var slider = el("fieldset", { "class": "choices slider", id: questionId(q, "slider") },
      el("legend", { text: "Scale and answer" }),
      el("p", { "class": "hint", text: "Players pick a number on the scale; answers within the tolerance of the correct value count as correct." }));
    var sliderGrid = el("div", { "class": "field-grid" });
    [["min", "Minimum"], ["max", "Maximum"], ["step", "Step"], ["correct", "Correct value"], ["tolerance", "Tolerance (±)"]].forEach(function (f) {
      var input = el("input", { type: "number", step: "any", value: q[f[0]] });
      bindText(input, q, f[0]);
      sliderGrid.appendChild(field(questionId(q, "slider-" + f[0]), f[1], input, base + f[0]));
    });
    var unit = el("input", { type: "text", maxlength: "20", value: q.unit });
    bindText(unit, q, "unit");
    sliderGrid.appendChild(field(questionId(q, "slider-unit"), "Unit (optional)", unit, base + "unit"));
    slider.appendChild(sliderGrid);
    return slider;
  }

  function renderAll(focusId) {
    list.textContent = "";
    deck.questions.forEach(function (q, i) { list.appendChild(renderQuestion(q, i)); });
    noQuestions.hidden = deck.questions.length > 0;
    countNode.textContent = "(" + deck.questions.length + ")";
    document.querySelectorAll("[data-add]").forEach(function (b) { b.disabled = deck.questions.length >= MAX_QUESTIONS; });
    focus(focusId);
  }

  function rerenderQuestion(q, focusId, fallbackId) {
    var index = deck.questions.indexOf(q);
    var old = document.getElementById(questionId(q, "card"));
    if (index < 0 || !old) return renderAll(focusId);
    old.replaceWith(renderQuestion(q, index));
    var target = document.getElementById(focusId);
    if (target && target.disabled && fallbackId) focusId = fallbackId;
    focus(focusId);
  }

  function focus(id) {
    if (!id) return;
    var node = document.getElementById(id);
    if (node) node.focus();
  }

  // ------------------------------------------------------- question actions
  function addQuestion(type) {
    var q = newQuestion(type);
    deck.questions.push(q);
    changed();
    clearErrors();
    renderAll(questionId(q, "text"));
    setStatus("Added question " + deck.questions.length + " (" + TYPE_NAMES[type] + "). Unsaved changes", "dirty");
  }

  function moveQuestion(q, delta) {
    var from = deck.questions.indexOf(q);
    var to = from + delta;
    if (to < 0 || to >= deck.questions.length) return;
    swap(deck.questions, from, to);
    changed();
    clearErrors();
    var primary = questionId(q, delta < 0 ? "up" : "down");
    var other = questionId(q, delta < 0 ? "down" : "up");
    renderAll(null);
    var node = document.getElementById(primary);
    focus(node && !node.disabled ? primary : other);
    setStatus("Moved to position " + (to + 1) + ". Unsaved changes", "dirty");
  }

  function duplicateQuestion(q) {
    var index = deck.questions.indexOf(q);
    var copy = JSON.parse(JSON.stringify(q));
    copy.key = nextKey++;
    copy.uid = null; // a new question: the server gives it its own uid
    copy.origin = null;
    copy.confirmed = null;
    deck.questions.splice(index + 1, 0, copy);
    changed();
    clearErrors();
    renderAll(questionId(copy, "heading"));
    setStatus("Duplicated question " + (index + 1) + " as question " + (index + 2) + ". Unsaved changes", "dirty");
  }

  function deleteQuestion(q) {
    var index = deck.questions.indexOf(q);
    deck.questions.splice(index, 1);
    lastDeleted = { q: q, index: index };
    changed();
    clearErrors();
    var next = deck.questions[index] || deck.questions[index - 1];
    renderAll(next ? questionId(next, "heading") : "questions-heading");
    var undo = el("button", { type: "button", "class": "button button-small", id: "undo-delete" }, "Undo");
    undo.addEventListener("click", function () {
      if (!lastDeleted) return;
      deck.questions.splice(lastDeleted.index, 0, lastDeleted.q);
      var restored = lastDeleted.q;
      lastDeleted = null;
      changed();
      renderAll(questionId(restored, "heading"));
      setStatus("Question " + (deck.questions.indexOf(restored) + 1) + " restored. Unsaved changes", "dirty");
    });
    setStatus("Deleted question " + (index + 1) + ".", "dirty", undo);
  }

  // ---------------------------------------------------------------- errors
  var fieldErrors = window.quizroom.editorErrors({
    form: form, summary: summary, summaryTitle: summaryTitle, summaryList: summaryList,
    noun: "deck", document: "Deck", rows: "questions", rowLabel: "Question",
    words: {
      format: "format", version: "version", title: "Title", description: "Description", questions: "Questions",
      text: "question text", type: "question type", uid: "question id", time_limit: "time limit", points: "points",
      image: "image", choices: "answers", correct: "correct answer", accepted: "accepted answers", items: "items",
      min: "minimum", max: "maximum", step: "step", tolerance: "tolerance", unit: "unit",
      multiple: "several answers", display: "display order", topics: "topics", notes: "presenter notes",
    },
    rowWords: { choices: "answer", accepted: "accepted answer", items: "item", topics: "topic" },
    // All topics share one input: say which one ("topic is empty" -> "Topic 2 is empty").
    fieldMessage: function (target, path, message) {
      var topic = /\.topics\.(\d+)$/.exec(path);
      if (topic && target.getAttribute("data-path") !== path) return message.replace(/^topic\b/, "Topic " + (Number(topic[1]) + 1));
      return message;
    },
  });
  var clearFieldError = fieldErrors.clearField, addFieldError = fieldErrors.addField, clearErrors = fieldErrors.clear;
  var showErrors = fieldErrors.show, showProblem = fieldErrors.problem;

  // ------------------------------------------------------------------ save
  function save() {
    if (saving || window.quizroom.identity.isOpen()) return Promise.resolve(false);
    var built = buildDocument();
    // Questions whose meaning changed since they were loaded: same question, or a new one?
    var asked = window.quizroom.identity.confirmChanges(built.questions, built.doc.questions, {
      label: "Question", saveLabel: "Save deck", noun: "deck", status: setStatus,
    });
    return asked ? asked.then(function (go) { return go ? send(built) : false; }) : send(built);
  }

  function send(built) {
    saving = true;
    saveButton.setAttribute("aria-disabled", "true");
    setStatus("Saving…", "busy");
    var savedVersion = version;
    var url = deckId ? createUrl + "/" + encodeURIComponent(deckId) : createUrl;
    return window.quizroom.fetchJSON(url, { method: deckId ? "PUT" : "POST", json: built.doc }).then(function (res) {
      saving = false;
      saveButton.removeAttribute("aria-disabled");
      if ((res.status === 200 || res.status === 201) && res.data && res.data.deck) {
        var first = !deckId;
        deckId = String(res.data.id);
        var savedQuestions = res.data.deck.questions || [];
        // Keep the uids the server gave: they are the questions' identity for results.
        // What was saved is the new "as loaded" version the next save compares with.
        built.questions.forEach(function (q, i) {
          if (!savedQuestions[i]) return;
          q.uid = savedQuestions[i].uid;
          q.origin = savedQuestions[i];
          q.confirmed = null;
        });
        clearErrors();
        lastDeleted = null;
        if (version === savedVersion) {
          loadDocument(res.data.deck);
          titleInput.value = deck.title;
          descriptionInput.value = deck.description;
          renderAll(null);
          dirty = false;
          setStatus("Saved at " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }), "saved");
        } else {
          setStatus("Saved; newer changes are not saved yet", "dirty");
        }
        if (first) afterFirstSave();
        return true;
      }
      if (res.status === 400 && res.data && Array.isArray(res.data.errors)) {
        showErrors(res.data.errors, built.maps);
        setStatus("Not saved: fix the problems listed above", "error");
        return false;
      }
      var message = res.data && res.data.error ? res.data.error.message
        : res.status === 413 ? "the deck is too large" : "the server answered " + res.status;
      if (res.status === 401) message = "you are signed out. Sign in again in another tab, then save here again";
      if (res.status === 404) message = "this deck no longer exists (was it deleted?)";
      showProblem(message.charAt(0).toUpperCase() + message.slice(1) + ".");
      setStatus("Not saved", "error");
      return false;
    }, function () {
      saving = false;
      saveButton.removeAttribute("aria-disabled");
      showProblem("Could not reach the server. Your changes are still here: try saving again.");
      setStatus("Not saved", "error");
      return false;
    });
  }

  function afterFirstSave() {
    var editUrl = "/decks/" + encodeURIComponent(deckId) + "/edit";
    if (window.history && window.history.replaceState) window.history.replaceState(null, "", editUrl);
    form.setAttribute("data-deck-id", deckId);
    document.getElementById("editor-heading").textContent = "Edit deck";
    startForm.setAttribute("action", "/decks/" + encodeURIComponent(deckId) + "/start");
    exportLink.setAttribute("href", "/decks/" + encodeURIComponent(deckId) + "/export.json");
    deckActions.hidden = false;
  }

  // ------------------------------------------------------------------ wire
  function init() {
    var data = document.getElementById("deck-data");
    var doc = {};
    try { doc = JSON.parse(data.textContent); } catch (error) { doc = {}; }
    loadDocument(doc);
    if (!deckId && deck.questions.length === 0) deck.questions.push(newQuestion("single"));
    // Text typed before this script ran (a slow phone, a fast typist) wins over the stored copy.
    if (titleInput.value) { deck.title = titleInput.value; } else { titleInput.value = deck.title; }
    if (descriptionInput.value) { deck.description = descriptionInput.value; } else { descriptionInput.value = deck.description; }
    titleInput.addEventListener("input", function () { deck.title = titleInput.value; clearFieldError(titleInput); changed(); });
    descriptionInput.addEventListener("input", function () { deck.description = descriptionInput.value; clearFieldError(descriptionInput); changed(); });
    document.querySelectorAll("[data-add]").forEach(function (b) {
      b.addEventListener("click", function () { addQuestion(b.getAttribute("data-add")); });
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); save(); });
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "s" || event.key === "S")) {
        event.preventDefault();
        save();
      }
    });
    startForm.addEventListener("submit", function (event) {
      if (!dirty) return;
      event.preventDefault();
      save().then(function (ok) { if (ok && !dirty) startForm.submit(); });
    });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = "";
    });
    renderAll(null);
    if (!deckId) titleInput.focus();
    setStatus(deckId ? "" : "New deck: not saved yet", deckId ? null : "dirty");
  }

  init();
})();
