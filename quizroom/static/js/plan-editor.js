/* quizroom agenda editor (session plans). Vanilla JS, no build step; needs common.js
 * (quizroom.fetchJSON, quizroom.el), editor-errors.js (the server's errors by their fields)
 * and identity.js. Mirrors editor.js (the deck editor).
 *
 * The plan lives in `plan` (title, description, activities in an editor-friendly form).
 * Saving turns it into a plan document (docs/plan-format.md) and sends it to the API;
 * the server's validator (engine parse_plan) is the only judge: its errors come back with
 * paths like "activities.2.options.1" and are shown next to that field, plus a summary.
 *
 * Quiz questions are copied from the trainer's decks with their uids kept (results follow
 * a question by uid). In the plan only their text and time limit can be changed; their
 * answers and points are shown read-only (edit the deck and add the question again).
 * Rewriting a question's text asks "is this still the same question?" on save (identity.js):
 * a new question drops its uid and the server gives it a new one.
 *
 * All user text goes into the page with textContent / value, never as HTML.
 */
(function () {
  "use strict";

  var KINDS = { poll: "Poll", board: "Board", survey: "Survey", question: "Quiz question" };
  var POLL_TYPES = [
    ["single", "Single choice"],
    ["multi", "Multiple choice"],
    ["wordcloud", "Word cloud"],
    ["rating", "Rating"],
    ["open", "Open text"],
    ["ranking", "Ranking"],
  ];
  var POLL_NAMES = {};
  POLL_TYPES.forEach(function (t) { POLL_NAMES[t[0]] = t[1]; });
  var QUESTION_TYPES = {
    single: "Single choice", multi: "Multiple select", truefalse: "True / false", typed: "Type the answer",
    slider: "Slider", order: "Ordering", poll: "Poll",
  };
  var OPTION_TYPES = { single: true, multi: true, ranking: true };
  var CHANGE_TYPES = { single: true, multi: true, rating: true, ranking: true };
  var ENTRY_LIMITS = { wordcloud: [1, 3, 3], open: [1, 5, 1] }; // min, max, default
  var LIMITS = { options: [2, 10], columns: [0, 6], items: [1, 10] };
  var MAX_ACTIVITIES = 100;

  var form = document.getElementById("plan-editor");
  if (!form) return;
  var list = document.getElementById("activity-list");
  var titleInput = document.getElementById("plan-title");
  var descriptionInput = document.getElementById("plan-description");
  var statusNode = document.getElementById("save-status");
  var summary = document.getElementById("error-summary");
  var summaryTitle = document.getElementById("error-summary-title");
  var summaryList = document.getElementById("error-summary-list");
  var noActivities = document.getElementById("no-activities");
  var countNode = document.getElementById("activity-count");
  var saveButton = document.getElementById("save-plan");
  var planActions = document.getElementById("plan-actions");
  var startForm = document.getElementById("start-form");
  var exportLink = document.getElementById("export-link");
  var picker = document.getElementById("deck-picker");
  var openPicker = document.getElementById("open-deck-picker");
  var deckSelect = document.getElementById("deck-select");
  var deckQuestions = document.getElementById("deck-questions");
  var addDeckQuestions = document.getElementById("add-deck-questions");

  var planId = form.getAttribute("data-plan-id") || null;
  var createUrl = form.getAttribute("data-create-url");
  var deckUrl = form.getAttribute("data-deck-url");

  var plan = { title: "", description: "", activities: [] };
  var surveyTemplate = {};
  var nextKey = 1;
  var dirty = false;
  var version = 0;
  var saving = false;
  var lastDeleted = null;
  var loadedDeck = null; // {id, title, questions: [spec...]} shown in the picker

  // ---------------------------------------------------------------- model
  function str(value, fallback) {
    return value === undefined || value === null ? fallback : String(value);
  }

  function clone(value) {
    return JSON.parse(JSON.stringify(value));
  }

  function newSurveyItem(type, from) {
    from = from || {};
    return {
      key: nextKey++, id: typeof from.id === "string" ? from.id : null, type: type,
      text: str(from.text, ""), scale: str(from.scale, "5"),
    };
  }

  function newActivity(kind) {
    var a = { key: nextKey++, kind: kind, uid: null };
    if (kind === "poll") {
      Object.assign(a, {
        type: "single", text: "", options: ["", "", ""], scale: "5", max_entries: "3",
        anonymous: true, allow_change: true, hide_results: false, moderation: "none",
      });
    } else if (kind === "board") {
      Object.assign(a, {
        prompt: "", columns: [], note_limit: "0", votes: "3", multiple_votes: false, anonymous: true,
      });
    } else if (kind === "survey") {
      var t = surveyTemplate || {};
      Object.assign(a, {
        title: str(t.title, "How was today?"), anonymous: t.anonymous !== false,
        items: (Array.isArray(t.items) ? t.items : []).map(function (item) {
          return newSurveyItem(item.type === "text" ? "text" : "rating", item);
        }),
      });
      if (!a.items.length) a.items.push(newSurveyItem("rating", { text: "" }));
    }
    return a;
  }

  function fromSpec(spec) {
    var kind = KINDS[spec.kind] ? spec.kind : "poll";
    var a = { key: nextKey++, kind: kind, uid: typeof spec.uid === "string" ? spec.uid : null };
    if (kind === "poll") {
      a.type = POLL_NAMES[spec.type] ? spec.type : "single";
      a.text = str(spec.text, "");
      a.options = (Array.isArray(spec.options) ? spec.options : []).map(function (o) {
        return typeof o === "object" && o !== null ? str(o.text, "") : str(o, "");
      });
      if (a.options.length === 0) a.options = ["", "", ""];
      a.scale = str(spec.scale, "5");
      a.max_entries = str(spec.max_entries, String((ENTRY_LIMITS[a.type] || [0, 0, 3])[2]));
      a.anonymous = spec.anonymous !== false;
      a.allow_change = spec.allow_change !== false;
      a.hide_results = spec.hide_results === true;
      a.moderation = spec.moderation === "approve" ? "approve" : "none";
    } else if (kind === "board") {
      a.prompt = str(spec.prompt, "");
      a.columns = (Array.isArray(spec.columns) ? spec.columns : []).map(function (c) { return str(c, ""); });
      a.note_limit = str(spec.note_limit, "0");
      a.votes = str(spec.votes, "3");
      a.multiple_votes = spec.multiple_votes === true;
      a.anonymous = spec.anonymous !== false;
    } else if (kind === "survey") {
      a.title = str(spec.title, "");
      a.anonymous = spec.anonymous !== false;
      a.items = (Array.isArray(spec.items) ? spec.items : []).map(function (item) {
        item = item && typeof item === "object" ? item : {};
        return newSurveyItem(item.type === "text" ? "text" : "rating", item);
      });
    } else {
      var copy = clone(spec);
      delete copy.kind;
      a.spec = copy;
      a.origin = a.uid ? clone(copy) : null; // as loaded (or as copied from the deck)
      a.confirmed = null;
      a.text = str(spec.text, "");
      a.time_limit = str(spec.time_limit, "20");
    }
    return a;
  }

  function fromDeckQuestion(spec) {
    var copy = clone(spec);
    copy.kind = "question";
    return fromSpec(copy);
  }

  function loadDocument(doc) {
    plan.title = str(doc.title, "");
    plan.description = str(doc.description, "");
    plan.activities = (Array.isArray(doc.activities) ? doc.activities : []).filter(function (a) {
      return a && typeof a === "object";
    }).map(fromSpec);
  }

  /* A number field: a number when it reads as one, else the raw text (the server says why). */
  function numberOrText(text) {
    var trimmed = String(text).trim();
    if (trimmed === "") return "";
    if (/^[+-]?\d+$/.test(trimmed)) return Number(trimmed);
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) && isFinite(Number(trimmed))) return Number(trimmed);
    return trimmed;
  }

  /* Drop blank rows (while enough remain) and remember which row each entry came from. */
  function keepRows(rows, min) {
    var kept = [];
    var filled = rows.filter(function (row) { return row.trim(); }).length;
    rows.forEach(function (row, index) {
      if (!row.trim() && filled >= min) return;
      kept.push(index);
    });
    return kept;
  }

  function toSpec(a, rowMaps) {
    var spec = { kind: a.kind };
    if (a.uid) spec.uid = a.uid;
    if (a.kind === "poll") {
      spec.type = a.type;
      spec.text = a.text;
      if (OPTION_TYPES[a.type]) {
        var rows = keepRows(a.options, LIMITS.options[0]);
        rowMaps.options = rows;
        spec.options = rows.map(function (i) { return a.options[i]; });
      }
      if (a.type === "rating") spec.scale = numberOrText(a.scale);
      if (ENTRY_LIMITS[a.type]) spec.max_entries = numberOrText(a.max_entries);
      if (CHANGE_TYPES[a.type]) spec.allow_change = a.allow_change;
      if (a.type === "open") spec.moderation = a.moderation;
      spec.anonymous = a.anonymous;
      spec.hide_results = a.hide_results;
    } else if (a.kind === "board") {
      spec.prompt = a.prompt;
      var columns = keepRows(a.columns, 0);
      rowMaps.columns = columns;
      spec.columns = columns.map(function (i) { return a.columns[i]; });
      spec.note_limit = numberOrText(a.note_limit);
      spec.votes = numberOrText(a.votes);
      spec.multiple_votes = a.multiple_votes;
      spec.anonymous = a.anonymous;
    } else if (a.kind === "survey") {
      spec.title = a.title;
      spec.anonymous = a.anonymous;
      var used = {};
      a.items.forEach(function (item) { if (item.id) used[item.id] = true; });
      spec.items = a.items.map(function (item, i) {
        if (!item.id) { // a new item: the first free "item-N"
          var n = i + 1;
          while (used["item-" + n]) n++;
          item.id = "item-" + n;
          used[item.id] = true;
        }
        var out = { id: item.id, type: item.type, text: item.text };
        if (item.type === "rating") out.scale = numberOrText(item.scale);
        return out;
      });
    } else {
      spec = Object.assign(clone(a.spec), { kind: "question" });
      if (a.uid) spec.uid = a.uid; else delete spec.uid;
      spec.text = a.text;
      spec.time_limit = numberOrText(a.time_limit);
    }
    return spec;
  }

  function buildDocument() {
    var maps = [];
    var doc = {
      format: "quizroom.plan", version: 1, title: plan.title, description: plan.description,
      activities: plan.activities.map(function (a) {
        var rowMaps = {};
        maps.push(rowMaps);
        return toSpec(a, rowMaps);
      }),
    };
    return { doc: doc, maps: maps, activities: plan.activities.slice() };
  }

  function usedUids() {
    var out = {};
    plan.activities.forEach(function (a) { if (a.uid) out[a.uid] = true; });
    return out;
  }

  // ------------------------------------------------------------------ DOM
  var el = window.quizroom.el;

  function hidden(text) {
    return el("span", { "class": "visually-hidden", text: text });
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

  function bindText(input, obj, prop, after) {
    input.addEventListener("input", function () {
      obj[prop] = input.value;
      clearFieldError(input);
      changed();
      if (after) after();
    });
  }

  function bindCheck(input, obj, prop) {
    input.addEventListener("change", function () {
      obj[prop] = input.checked;
      clearFieldError(input);
      changed();
    });
  }

  function field(id, label, control, path, extraClass, hint) {
    control.id = id;
    if (path) control.setAttribute("data-path", path);
    var hintNode = null;
    if (hint) {
      hintNode = el("p", { "class": "hint", id: id + "-hint", text: hint });
      control.setAttribute("aria-describedby", id + "-hint");
    }
    // label: text, or [hidden prefix, visible text] (the accessible name is both)
    var labelNode = Array.isArray(label) ? el("label", { "for": id }, hidden(label[0]), label[1])
      : el("label", { "for": id, text: label });
    return el("div", { "class": "field" + (extraClass ? " " + extraClass : "") }, labelNode, control, hintNode);
  }

  function check(id, label, obj, prop, path) {
    var input = el("input", { type: "checkbox", id: id, checked: obj[prop], "data-path": path });
    bindCheck(input, obj, prop);
    return el("div", { "class": "field field-check" }, input, el("label", { "for": id, text: label }));
  }

  function select(options, value) {
    var s = el("select", {});
    options.forEach(function (o) { s.appendChild(el("option", { value: o[0], text: o[1] })); });
    s.value = value;
    return s;
  }

  function aid(a, suffix) {
    return "a" + a.key + "-" + suffix;
  }

  function kindLabel(a) {
    if (a.kind === "poll") return "Poll: " + POLL_NAMES[a.type];
    if (a.kind === "question") return "Quiz question: " + (QUESTION_TYPES[a.spec.type] || a.spec.type);
    return KINDS[a.kind];
  }

  function renderActivity(a, index) {
    var n = index + 1;
    var li = el("li", { "class": "question-card activity-card card kind-" + a.kind, id: aid(a, "card"),
      "data-path": "activities." + index });
    var section = el("section", { "aria-labelledby": aid(a, "heading") });
    li.appendChild(section);
    var heading = el("h3", { id: aid(a, "heading"), tabindex: "-1" },
      "Item " + n + " ", el("span", { "class": "type-badge kind-badge", text: kindLabel(a) }));
    var last = plan.activities.length - 1;
    var tools = el("div", { "class": "question-tools", role: "group", "aria-label": "Item " + n + " actions" },
      button("Move up", " item " + n, function () { moveActivity(a, -1); }, { id: aid(a, "up"), disabled: index === 0 }),
      button("Move down", " item " + n, function () { moveActivity(a, 1); }, { id: aid(a, "down"), disabled: index === last }),
      button("Duplicate", " item " + n, function () { duplicateActivity(a); },
        { id: aid(a, "dup"), disabled: plan.activities.length >= MAX_ACTIVITIES }),
      button("Delete", " item " + n, function () { deleteActivity(a); }, { id: aid(a, "delete"), "class": "button button-small button-danger" }));
    section.appendChild(el("div", { "class": "question-head" }, heading, tools));
    if (a.kind === "poll") renderPoll(section, a, index);
    else if (a.kind === "board") renderBoard(section, a, index);
    else if (a.kind === "survey") renderSurvey(section, a, index);
    else renderQuestion(section, a, index);
    return li;
  }

  // ---- polls
  function renderPoll(section, a, index) {
    var base = "activities." + index + ".";
    var typeSelect = select(POLL_TYPES, a.type);
    typeSelect.addEventListener("change", function () {
      var before = a.type;
      a.type = typeSelect.value;
      if (ENTRY_LIMITS[a.type] && (!ENTRY_LIMITS[before] || before !== a.type)) a.max_entries = String(ENTRY_LIMITS[a.type][2]);
      if (OPTION_TYPES[a.type] && a.options.length < LIMITS.options[0]) a.options = ["", "", ""];
      changed();
      rerender(a, aid(a, "type"));
    });
    var text = el("textarea", { rows: "2", maxlength: "300", value: a.text });
    bindText(text, a, "text");
    section.appendChild(el("div", { "class": "field-grid" },
      field(aid(a, "type"), "Poll type", typeSelect, base + "type")));
    section.appendChild(field(aid(a, "text"), "Poll question", text, base + "text", "field-wide"));

    if (OPTION_TYPES[a.type]) {
      var legend = a.type === "ranking" ? "Options to rank (2 to 10)" : "Options (2 to 10)";
      var box = el("fieldset", { "class": "choices", id: aid(a, "options"), "data-path": base + "options" },
        el("legend", { text: legend }));
      var ul = el("ol", { "class": "choice-list" });
      a.options.forEach(function (option, r) {
        var input = el("input", { type: "text", maxlength: "120", value: option });
        input.addEventListener("input", function () { a.options[r] = input.value; clearFieldError(input); changed(); });
        ul.appendChild(el("li", { "class": "choice-row" },
          field(aid(a, "options-" + r), "Option " + (r + 1), input, base + "options." + r, "field-inline"),
          rowTools(a, a.options, r, "option", "options", aid(a, "add-option"))));
      });
      box.appendChild(ul);
      box.appendChild(el("div", { "class": "row-actions" }, button("Add option", " to item " + (index + 1), function () {
        a.options.push("");
        changed();
        rerender(a, aid(a, "options-" + (a.options.length - 1)));
      }, { id: aid(a, "add-option"), disabled: a.options.length >= LIMITS.options[1] })));
      section.appendChild(box);
    }

    var settings = el("div", { "class": "field-grid" });
    if (a.type === "rating") {
      var scale = select([["5", "1 to 5"], ["10", "1 to 10"]], String(a.scale));
      scale.addEventListener("change", function () { a.scale = scale.value; clearFieldError(scale); changed(); });
      settings.appendChild(field(aid(a, "scale"), "Scale", scale, base + "scale"));
    }
    if (ENTRY_LIMITS[a.type]) {
      var lim = ENTRY_LIMITS[a.type];
      var entries = el("input", { type: "number", min: String(lim[0]), max: String(lim[1]), step: "1",
        inputmode: "numeric", value: a.max_entries });
      bindText(entries, a, "max_entries");
      settings.appendChild(field(aid(a, "max-entries"), "Entries per person", entries, base + "max_entries", null,
        lim[0] + " to " + lim[1]));
    }
    if (a.type === "open") {
      var moderation = select([["none", "Show every entry"], ["approve", "Show entries only after I approve them"]], a.moderation);
      moderation.addEventListener("change", function () { a.moderation = moderation.value; clearFieldError(moderation); changed(); });
      settings.appendChild(field(aid(a, "moderation"), "Moderation", moderation, base + "moderation"));
    }
    if (settings.childNodes.length) section.appendChild(settings);

    var flags = el("fieldset", { "class": "settings" }, el("legend", { text: "Settings" }));
    flags.appendChild(check(aid(a, "anonymous"), "Anonymous (results never show nicknames)", a, "anonymous", base + "anonymous"));
    if (CHANGE_TYPES[a.type]) {
      flags.appendChild(check(aid(a, "allow-change"), "People may change their answer until the poll closes", a, "allow_change", base + "allow_change"));
    }
    flags.appendChild(check(aid(a, "hide-results"), "Hide results until I show them", a, "hide_results", base + "hide_results"));
    section.appendChild(flags);
  }

  function rowTools(a, rows, r, rowLabel, listName, focusAfter) {
    var n = r + 1;
    var holder = el("span", { "class": "row-tools" });
    holder.appendChild(button("Move up", " " + rowLabel + " " + n, function () {
      swap(rows, r, r - 1); changed(); rerender(a, aid(a, listName + "-" + (r - 1) + "-up"), aid(a, listName + "-" + (r - 1) + "-down"));
    }, { id: aid(a, listName + "-" + r + "-up"), disabled: r === 0 }));
    holder.appendChild(button("Move down", " " + rowLabel + " " + n, function () {
      swap(rows, r, r + 1); changed(); rerender(a, aid(a, listName + "-" + (r + 1) + "-down"), aid(a, listName + "-" + (r + 1) + "-up"));
    }, { id: aid(a, listName + "-" + r + "-down"), disabled: r === rows.length - 1 }));
    holder.appendChild(button("Remove", " " + rowLabel + " " + n, function () {
      rows.splice(r, 1);
      changed();
      var target = Math.min(r, rows.length - 1);
      rerender(a, target >= 0 ? aid(a, listName + "-" + target) : focusAfter);
    }, { "class": "button button-small button-quiet", disabled: rows.length <= LIMITS[listName][0] }));
    return holder;
  }

  function swap(rows, x, y) {
    if (y < 0 || y >= rows.length) return;
    var t = rows[x]; rows[x] = rows[y]; rows[y] = t;
  }

  // ---- boards
  function renderBoard(section, a, index) {
    var base = "activities." + index + ".";
    var prompt = el("textarea", { rows: "2", maxlength: "300", value: a.prompt });
    bindText(prompt, a, "prompt");
    section.appendChild(field(aid(a, "prompt"), "Prompt", prompt, base + "prompt", "field-wide"));

    var box = el("fieldset", { "class": "choices", id: aid(a, "columns"), "data-path": base + "columns" },
      el("legend", { text: "Columns (up to 6)" }),
      el("p", { "class": "hint", text: a.columns.length ? "Each note goes into one column." : "No columns: notes go on one free area." }));
    var ol = el("ol", { "class": "choice-list" });
    a.columns.forEach(function (column, r) {
      var input = el("input", { type: "text", maxlength: "40", value: column });
      input.addEventListener("input", function () { a.columns[r] = input.value; clearFieldError(input); changed(); });
      ol.appendChild(el("li", { "class": "choice-row" },
        field(aid(a, "columns-" + r), "Column " + (r + 1), input, base + "columns." + r, "field-inline"),
        rowTools(a, a.columns, r, "column", "columns", aid(a, "add-column"))));
    });
    box.appendChild(ol);
    box.appendChild(el("div", { "class": "row-actions" }, button("Add column", " to item " + (index + 1), function () {
      a.columns.push("");
      changed();
      rerender(a, aid(a, "columns-" + (a.columns.length - 1)));
    }, { id: aid(a, "add-column"), disabled: a.columns.length >= LIMITS.columns[1] })));
    section.appendChild(box);

    var limit = el("input", { type: "number", min: "0", max: "100", step: "1", inputmode: "numeric", value: a.note_limit });
    bindText(limit, a, "note_limit");
    var votes = el("input", { type: "number", min: "1", max: "20", step: "1", inputmode: "numeric", value: a.votes });
    bindText(votes, a, "votes");
    section.appendChild(el("div", { "class": "field-grid" },
      field(aid(a, "note-limit"), "Notes per person", limit, base + "note_limit", null, "0 = unlimited"),
      field(aid(a, "votes"), "Dot votes per person", votes, base + "votes", null, "1 to 20, used when voting opens")));
    var flags = el("fieldset", { "class": "settings" }, el("legend", { text: "Settings" }));
    flags.appendChild(check(aid(a, "multiple-votes"), "Allow several dot votes on one note", a, "multiple_votes", base + "multiple_votes"));
    flags.appendChild(check(aid(a, "anonymous"), "Anonymous (notes never show nicknames)", a, "anonymous", base + "anonymous"));
    section.appendChild(flags);
  }

  // ---- surveys
  function renderSurvey(section, a, index) {
    var base = "activities." + index + ".";
    var title = el("input", { type: "text", maxlength: "120", value: a.title });
    bindText(title, a, "title");
    section.appendChild(field(aid(a, "title"), "Survey title", title, base + "title", "field-wide"));
    var box = el("fieldset", { "class": "choices survey-items", id: aid(a, "items"), "data-path": base + "items" },
      el("legend", { text: "Survey questions (1 to 10; every answer is optional)" }));
    var ol = el("ol", { "class": "choice-list" });
    a.items.forEach(function (item, r) {
      var n = r + 1;
      var ibase = base + "items." + r + ".";
      var typeSel = select([["rating", "Rating"], ["text", "Text answer"]], item.type);
      typeSel.addEventListener("change", function () { item.type = typeSel.value; changed(); rerender(a, aid(a, "items-" + r + "-type")); });
      var text = el("input", { type: "text", maxlength: "300", value: item.text });
      bindText(text, item, "text");
      var row = el("li", { "class": "choice-row survey-item", "data-path": base + "items." + r },
        field(aid(a, "items-" + r), "Survey question " + n, text, ibase + "text", "field-inline"),
        field(aid(a, "items-" + r + "-type"), ["Survey question " + n + " ", "Type"], typeSel, ibase + "type", "field-inline field-narrow"));
      if (item.type === "rating") {
        var scale = select([["5", "1 to 5"], ["10", "1 to 10"]], String(item.scale));
        scale.addEventListener("change", function () { item.scale = scale.value; clearFieldError(scale); changed(); });
        row.appendChild(field(aid(a, "items-" + r + "-scale"), ["Survey question " + n + " ", "Scale"], scale, ibase + "scale",
          "field-inline field-narrow"));
      }
      row.appendChild(rowTools(a, a.items, r, "survey question", "items", aid(a, "add-rating")));
      ol.appendChild(row);
    });
    box.appendChild(ol);
    var full = a.items.length >= LIMITS.items[1];
    box.appendChild(el("div", { "class": "row-actions" },
      button("Add rating question", " to item " + (index + 1), function () {
        a.items.push(newSurveyItem("rating", {}));
        changed();
        rerender(a, aid(a, "items-" + (a.items.length - 1)));
      }, { id: aid(a, "add-rating"), disabled: full }),
      button("Add text question", " to item " + (index + 1), function () {
        a.items.push(newSurveyItem("text", {}));
        changed();
        rerender(a, aid(a, "items-" + (a.items.length - 1)));
      }, { id: aid(a, "add-text"), disabled: full })));
    section.appendChild(box);
    var flags = el("fieldset", { "class": "settings" }, el("legend", { text: "Settings" }));
    flags.appendChild(check(aid(a, "anonymous"), "Anonymous (results never show nicknames)", a, "anonymous", base + "anonymous"));
    section.appendChild(flags);
  }

  // ---- quiz questions (copied from a deck)
  function renderQuestion(section, a, index) {
    var base = "activities." + index + ".";
    var spec = a.spec;
    var text = el("textarea", { rows: "2", maxlength: "300", value: a.text });
    bindText(text, a, "text");
    var time = el("input", { type: "number", min: "5", max: "240", step: "1", inputmode: "numeric", value: a.time_limit });
    bindText(time, a, "time_limit");
    section.appendChild(field(aid(a, "text"), "Question text", text, base + "text", "field-wide"));
    section.appendChild(el("div", { "class": "field-grid" },
      field(aid(a, "time"), "Time limit (seconds)", time, base + "time_limit")));
    var facts = el("div", { "class": "question-facts", id: aid(a, "facts") });
    var points = spec.type === "poll" ? "not scored" : (Number(spec.points === undefined ? 1000 : spec.points) + " points");
    facts.appendChild(el("p", { "class": "hint" }, "From a deck · " + points + (a.uid ? " · id " : ""),
      a.uid ? el("code", { text: a.uid }) : null));
    if (Array.isArray(spec.topics) && spec.topics.length) {
      facts.appendChild(el("p", { "class": "hint question-topics", text: "Topics: " + spec.topics.join(", ") }));
    }
    var answers = [];
    if (Array.isArray(spec.choices)) {
      answers = spec.choices.map(function (c) {
        var t = typeof c === "object" && c !== null ? str(c.text, "") : str(c, "");
        return { text: t, correct: !!(c && c.correct === true) };
      });
    } else if (spec.type === "truefalse") {
      answers = [{ text: "True", correct: spec.correct !== false }, { text: "False", correct: spec.correct === false }];
    } else if (Array.isArray(spec.accepted)) {
      answers = spec.accepted.map(function (t) { return { text: str(t, ""), correct: true }; });
    } else if (Array.isArray(spec.items)) {
      answers = spec.items.map(function (t) { return { text: str(t, ""), correct: false }; });
    } else if (spec.type === "slider") {
      answers = [{ text: str(spec.correct, "") + (spec.unit ? " " + spec.unit : "") + " (between " + str(spec.min, "0") +
        " and " + str(spec.max, "100") + ")", correct: true }];
    }
    if (answers.length) {
      var listTag = spec.type === "order" ? "ol" : "ul";
      var ul = el(listTag, { "class": "question-answers", "aria-label": "Answers of item " + (index + 1) });
      answers.forEach(function (answer) {
        ul.appendChild(el("li", { "class": answer.correct && spec.type !== "poll" ? "is-correct" : null },
          answer.correct && spec.type !== "poll" ? el("span", { "class": "mark", "aria-hidden": "true", text: "✓ " }) : null,
          answer.text, answer.correct && spec.type !== "poll" ? hidden(" (correct)") : null));
      });
      facts.appendChild(ul);
    }
    facts.appendChild(el("p", { "class": "hint read-only-note",
      text: "Answers and points come from the deck and cannot be changed here: edit the deck, then add the question again." }));
    section.appendChild(facts);
  }

  function renderAll(focusId) {
    list.textContent = "";
    plan.activities.forEach(function (a, i) { list.appendChild(renderActivity(a, i)); });
    noActivities.hidden = plan.activities.length > 0;
    countNode.textContent = "(" + plan.activities.length + ")";
    var full = plan.activities.length >= MAX_ACTIVITIES;
    document.querySelectorAll("[data-add]").forEach(function (b) { b.disabled = full; });
    openPicker.disabled = full;
    focus(focusId);
  }

  function rerender(a, focusId, fallbackId) {
    var index = plan.activities.indexOf(a);
    var old = document.getElementById(aid(a, "card"));
    if (index < 0 || !old) return renderAll(focusId);
    old.replaceWith(renderActivity(a, index));
    var target = document.getElementById(focusId);
    if (target && target.disabled && fallbackId) focusId = fallbackId;
    focus(focusId);
  }

  function focus(id) {
    if (!id) return;
    var node = document.getElementById(id);
    if (node) node.focus();
  }

  function firstField(a) {
    if (a.kind === "poll") return aid(a, "text");
    if (a.kind === "board") return aid(a, "prompt");
    if (a.kind === "survey") return aid(a, "title");
    return aid(a, "heading");
  }

  // ------------------------------------------------------- agenda actions
  function addActivity(kind) {
    if (plan.activities.length >= MAX_ACTIVITIES) return;
    var a = newActivity(kind);
    plan.activities.push(a);
    changed();
    clearErrors();
    renderAll(firstField(a));
    setStatus("Added item " + plan.activities.length + " (" + KINDS[kind] + "). Unsaved changes", "dirty");
  }

  function moveActivity(a, delta) {
    var from = plan.activities.indexOf(a);
    var to = from + delta;
    if (to < 0 || to >= plan.activities.length) return;
    swap(plan.activities, from, to);
    changed();
    clearErrors();
    var primary = aid(a, delta < 0 ? "up" : "down");
    var other = aid(a, delta < 0 ? "down" : "up");
    renderAll(null);
    var node = document.getElementById(primary);
    focus(node && !node.disabled ? primary : other);
    setStatus("Moved to position " + (to + 1) + ". Unsaved changes", "dirty");
  }

  function duplicateActivity(a) {
    if (plan.activities.length >= MAX_ACTIVITIES) return;
    var index = plan.activities.indexOf(a);
    var copy = clone(a);
    copy.key = nextKey++;
    copy.uid = null; // a new item: the server gives it its own uid
    copy.origin = null;
    if (copy.spec) delete copy.spec.uid;
    if (copy.items) copy.items.forEach(function (item) { item.key = nextKey++; });
    plan.activities.splice(index + 1, 0, copy);
    changed();
    clearErrors();
    renderAll(aid(copy, "heading"));
    setStatus("Duplicated item " + (index + 1) + " as item " + (index + 2) + ". Unsaved changes", "dirty");
  }

  function deleteActivity(a) {
    var index = plan.activities.indexOf(a);
    plan.activities.splice(index, 1);
    lastDeleted = { a: a, index: index };
    changed();
    clearErrors();
    var next = plan.activities[index] || plan.activities[index - 1];
    renderAll(next ? aid(next, "heading") : "agenda-heading");
    var undo = el("button", { type: "button", "class": "button button-small", id: "undo-delete" }, "Undo");
    undo.addEventListener("click", function () {
      if (!lastDeleted) return;
      plan.activities.splice(lastDeleted.index, 0, lastDeleted.a);
      var restored = lastDeleted.a;
      lastDeleted = null;
      changed();
      renderAll(aid(restored, "heading"));
      setStatus("Item " + (plan.activities.indexOf(restored) + 1) + " restored. Unsaved changes", "dirty");
    });
    setStatus("Deleted item " + (index + 1) + ".", "dirty", undo);
  }

  // ------------------------------------------------- questions from a deck
  function showPicker(open) {
    if (!picker) return;
    picker.hidden = !open;
    openPicker.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) focus(deckSelect ? "deck-select" : "close-deck-picker");
    else openPicker.focus();
  }

  function pickerBoxes() {
    return Array.prototype.slice.call(deckQuestions.querySelectorAll("input[data-question]"));
  }

  function updatePickerButton() {
    var boxes = pickerBoxes();
    var chosen = boxes.filter(function (b) { return b.checked && !b.disabled; }).length;
    addDeckQuestions.disabled = chosen === 0;
    addDeckQuestions.textContent = chosen ? "Add " + chosen + " selected question" + (chosen === 1 ? "" : "s") : "Add selected questions";
    var all = document.getElementById("deck-select-all");
    if (all) {
      var free = boxes.filter(function (b) { return !b.disabled; });
      all.checked = free.length > 0 && free.every(function (b) { return b.checked; });
      all.indeterminate = !all.checked && free.some(function (b) { return b.checked; });
    }
  }

  function renderDeckQuestions() {
    deckQuestions.textContent = "";
    if (!loadedDeck) { updatePickerButton(); return; }
    var questions = loadedDeck.questions;
    if (!questions.length) {
      deckQuestions.appendChild(el("p", { text: "This deck has no questions yet." }));
      updatePickerButton();
      return;
    }
    var inPlan = usedUids();
    var box = el("fieldset", { "class": "deck-question-list" },
      el("legend", { text: "Questions in “" + loadedDeck.title + "”" }));
    var all = el("input", { type: "checkbox", id: "deck-select-all" });
    all.addEventListener("change", function () {
      pickerBoxes().forEach(function (b) { if (!b.disabled) b.checked = all.checked; });
      updatePickerButton();
    });
    box.appendChild(el("div", { "class": "field field-check select-all" }, all,
      el("label", { "for": "deck-select-all", text: "Select all questions" })));
    var ul = el("ul", { "class": "choice-list" });
    questions.forEach(function (q, i) {
      var taken = typeof q.uid === "string" && inPlan[q.uid];
      var input = el("input", { type: "checkbox", id: "deck-q-" + i, "data-question": String(i), disabled: !!taken });
      input.addEventListener("change", updatePickerButton);
      var label = el("label", { "for": "deck-q-" + i },
        (i + 1) + ". " + str(q.text, ""), " ",
        el("span", { "class": "type-badge", text: QUESTION_TYPES[q.type] || str(q.type, "") }),
        taken ? el("span", { "class": "hint", text: " (already in the plan)" }) : null);
      ul.appendChild(el("li", { "class": "field field-check" }, input, label));
    });
    box.appendChild(ul);
    deckQuestions.appendChild(box);
    updatePickerButton();
  }

  function loadDeck(id) {
    loadedDeck = null;
    renderDeckQuestions();
    if (!id) return;
    deckQuestions.appendChild(el("p", { "class": "hint", text: "Loading the deck's questions…" }));
    window.quizroom.fetchJSON(deckUrl + "/" + encodeURIComponent(id)).then(function (res) {
      if (deckSelect.value !== id) return; // another deck was chosen meanwhile
      if (res.ok && res.data && res.data.deck) {
        loadedDeck = { id: id, title: str(res.data.deck.title, ""),
          questions: Array.isArray(res.data.deck.questions) ? res.data.deck.questions : [] };
        renderDeckQuestions();
      } else {
        deckQuestions.textContent = "";
        deckQuestions.appendChild(el("p", { "class": "field-error", text: "Could not load that deck (" + res.status + ")." }));
      }
    }, function () {
      deckQuestions.textContent = "";
      deckQuestions.appendChild(el("p", { "class": "field-error", text: "Could not reach the server; try again." }));
    });
  }

  function addChosenQuestions() {
    if (!loadedDeck) return;
    var inPlan = usedUids();
    var added = [];
    pickerBoxes().forEach(function (b) {
      if (!b.checked || b.disabled || plan.activities.length >= MAX_ACTIVITIES) return;
      var spec = loadedDeck.questions[Number(b.getAttribute("data-question"))];
      if (!spec || (spec.uid && inPlan[spec.uid])) return;
      var a = fromDeckQuestion(spec);
      inPlan[a.uid] = true;
      plan.activities.push(a);
      added.push(a);
    });
    if (!added.length) return;
    changed();
    clearErrors();
    var title = loadedDeck.title;
    picker.hidden = true;
    openPicker.setAttribute("aria-expanded", "false");
    deckSelect.value = "";
    loadedDeck = null;
    renderDeckQuestions();
    renderAll(aid(added[0], "heading"));
    setStatus("Added " + added.length + " question" + (added.length === 1 ? "" : "s") + " from “" + title + "”. Unsaved changes", "dirty");
  }

  // ---------------------------------------------------------------- errors
  var fieldErrors = window.quizroom.editorErrors({
    form: form, summary: summary, summaryTitle: summaryTitle, summaryList: summaryList,
    noun: "plan", document: "Plan", rows: "activities", rowLabel: "Item", capitalise: true,
    words: {
      format: "format", version: "version", title: "title", description: "description", activities: "Agenda",
      kind: "kind", uid: "id", type: "type", text: "text", options: "options", scale: "scale",
      max_entries: "entries per person", anonymous: "anonymous", allow_change: "may change their answer",
      hide_results: "hide results", moderation: "moderation", prompt: "prompt", columns: "columns",
      note_limit: "notes per person", votes: "dot votes per person", multiple_votes: "several votes on one note",
      items: "survey questions", id: "id", time_limit: "time limit", points: "points", choices: "answers",
      correct: "correct answer", accepted: "accepted answers",
    },
    rowWords: { options: "option", columns: "column", items: "survey question", choices: "answer", accepted: "accepted answer" },
  });
  var clearFieldError = fieldErrors.clearField, clearErrors = fieldErrors.clear;
  var showErrors = fieldErrors.show, showProblem = fieldErrors.problem;

  // ------------------------------------------------------------------ save
  function save() {
    if (saving || window.quizroom.identity.isOpen()) return Promise.resolve(false);
    var built = buildDocument();
    // Quiz questions whose meaning changed since they were loaded or copied: same or new?
    var asked = window.quizroom.identity.confirmChanges(built.activities, built.doc.activities, {
      label: "Item", saveLabel: "Save plan", noun: "plan", status: setStatus,
      include: function (a) { return a.kind === "question"; },
      forget: function (a) { delete a.spec.uid; },
    });
    return asked ? asked.then(function (go) { return go ? send(built) : false; }) : send(built);
  }

  function send(built) {
    saving = true;
    saveButton.setAttribute("aria-disabled", "true");
    setStatus("Saving…", "busy");
    var savedVersion = version;
    var url = planId ? createUrl + "/" + encodeURIComponent(planId) : createUrl;
    return window.quizroom.fetchJSON(url, { method: planId ? "PUT" : "POST", json: built.doc }).then(function (res) {
      saving = false;
      saveButton.removeAttribute("aria-disabled");
      if ((res.status === 200 || res.status === 201) && res.data && res.data.plan) {
        var first = !planId;
        planId = String(res.data.id);
        var saved = res.data.plan.activities || [];
        // Keep the uids the server gave: they are the items' identity for results.
        built.activities.forEach(function (a, i) {
          if (!saved[i]) return;
          a.uid = saved[i].uid;
          if (a.kind === "question") {
            a.origin = clone(saved[i]);
            delete a.origin.kind;
            a.confirmed = null;
          }
        });
        clearErrors();
        lastDeleted = null;
        if (version === savedVersion) {
          loadDocument(res.data.plan);
          titleInput.value = plan.title;
          descriptionInput.value = plan.description;
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
        : res.status === 413 ? "the plan is too large" : "the server answered " + res.status;
      if (res.status === 401) message = "you are signed out. Sign in again in another tab, then save here again";
      if (res.status === 404) message = "this plan no longer exists (was it deleted?)";
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
    var editUrl = "/plans/" + encodeURIComponent(planId) + "/edit";
    if (window.history && window.history.replaceState) window.history.replaceState(null, "", editUrl);
    form.setAttribute("data-plan-id", planId);
    document.getElementById("editor-heading").textContent = "Edit session plan";
    startForm.setAttribute("action", "/plans/" + encodeURIComponent(planId) + "/start");
    exportLink.setAttribute("href", "/plans/" + encodeURIComponent(planId) + "/export.json");
    planActions.hidden = false;
  }

  // ------------------------------------------------------------------ wire
  function readJSON(id) {
    var node = document.getElementById(id);
    try { return JSON.parse(node.textContent); } catch (error) { return {}; }
  }

  function init() {
    surveyTemplate = readJSON("survey-template");
    loadDocument(readJSON("plan-data"));
    // Text typed before this script ran (a slow phone, a fast typist) wins over the stored copy.
    if (titleInput.value) { plan.title = titleInput.value; } else { titleInput.value = plan.title; }
    if (descriptionInput.value) { plan.description = descriptionInput.value; } else { descriptionInput.value = plan.description; }
    titleInput.addEventListener("input", function () { plan.title = titleInput.value; clearFieldError(titleInput); changed(); });
    descriptionInput.addEventListener("input", function () { plan.description = descriptionInput.value; clearFieldError(descriptionInput); changed(); });
    document.querySelectorAll("[data-add]").forEach(function (b) {
      b.addEventListener("click", function () { addActivity(b.getAttribute("data-add")); });
    });
    openPicker.addEventListener("click", function () { showPicker(picker.hidden); });
    var closePicker = document.getElementById("close-deck-picker");
    if (closePicker) closePicker.addEventListener("click", function () { showPicker(false); });
    if (picker) {
      picker.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { event.preventDefault(); showPicker(false); }
      });
    }
    if (deckSelect) deckSelect.addEventListener("change", function () { loadDeck(deckSelect.value); });
    if (addDeckQuestions) addDeckQuestions.addEventListener("click", addChosenQuestions);
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
    if (!planId) titleInput.focus();
    setStatus(planId ? "" : "New session plan: not saved yet", planId ? null : "dirty");
    document.documentElement.setAttribute("data-editor-ready", "true");  // for tests and tools
  }

  init();
})();
