/* quizroom: "is this still the same question?" Shared by the deck editor and the agenda editor.
 * Needs common.js (quizroom.el).
 *
 * A question's uid is its identity: results and retention follow it from session to session.
 * A typo fix must keep it; a question that now asks something else, or has another answer,
 * must get a new one (or its history would mix two questions). The editors compare each
 * question that has a uid with the version they loaded, and ask the trainer when in doubt.
 *
 *   quizroom.identity.normalise(text)           lower-case, spaces collapsed, trimmed (NFC)
 *   quizroom.identity.similarity(a, b)          0..1: 1 - Levenshtein distance / longer length,
 *                                               on normalised text (two empty texts: 1)
 *   quizroom.identity.differences(before, after)  what changed the meaning, as short phrases
 *                                               ([] when it is the same question)
 *   quizroom.identity.meaningChanged(before, after)  differences(...).length > 0
 *   quizroom.identity.answerSummary(spec)       one line: the correct answer(s) of a spec
 *   quizroom.identity.ask(changes, options)     the dialog: Promise of {uid: "same"|"new"},
 *                                               or null when the trainer cancels
 *   quizroom.identity.confirmChanges(entries, specs, options)  the editors' step before saving:
 *       asks about every entry whose meaning changed, then applies the answers. null when there is
 *       nothing to ask (save at once), else a Promise of true (save) or false (cancelled).
 *       entries: the editor's items ({uid, origin: the spec as loaded, confirmed}); specs: the
 *       document's specs at the same places. "New question" drops the uid (from the spec and
 *       the entry: the server gives a new one); "same question" remembers this version, so it
 *       is not asked again. options: {label: "Question" (+ " 3"), saveLabel, noun,
 *       include(entry) (default: all), forget(entry) (more to drop for a new question),
 *       status(text, kind) (the editor's save status line)}
 *
 * `before` and `after` are question specs as in docs/deck-format.md. Small edits keep the
 * identity: same type, same correct answer(s), question text and every answer/item text at
 * least THRESHOLD similar. Answers may be reordered (matched by text then); ordering items
 * may not (their order is the answer).
 *
 * All user text goes into the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var THRESHOLD = 0.8;
  var CHOICE_TYPES = { single: true, multi: true, poll: true };

  // ------------------------------------------------------------ comparing
  function normalise(text) {
    var s = text === undefined || text === null ? "" : String(text);
    if (s.normalize) s = s.normalize("NFC");
    return s.toLowerCase().replace(/\s+/g, " ").trim();
  }

  /* Answers as graded by the server: case, accents and spaces do not count. */
  function foldAnswer(text) {
    var s = text === undefined || text === null ? "" : String(text);
    if (s.normalize) s = s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    return s.toLowerCase().replace(/\s+/g, " ").trim();
  }

  function levenshtein(a, b) {
    if (a === b) return 0;
    // A shared start and end cost nothing: trim them (a typo fix leaves a tiny middle).
    var start = 0;
    while (start < a.length && start < b.length && a.charCodeAt(start) === b.charCodeAt(start)) start++;
    var endA = a.length;
    var endB = b.length;
    while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) { endA--; endB--; }
    a = a.slice(start, endA);
    b = b.slice(start, endB);
    if (!a.length) return b.length;
    if (!b.length) return a.length;
    var previous = [];
    var current = [];
    for (var j = 0; j <= b.length; j++) previous.push(j);
    for (var i = 1; i <= a.length; i++) {
      current = [i];
      for (var k = 1; k <= b.length; k++) {
        var cost = a.charCodeAt(i - 1) === b.charCodeAt(k - 1) ? 0 : 1;
        current.push(Math.min(previous[k] + 1, current[k - 1] + 1, previous[k - 1] + cost));
      }
      previous = current;
    }
    return previous[b.length];
  }

  function similarity(a, b) {
    var x = normalise(a);
    var y = normalise(b);
    if (x === y) return 1;
    var longest = Math.max(x.length, y.length);
    if (!longest) return 1;
    return 1 - levenshtein(x, y) / longest;
  }

  function similar(a, b) {
    // a tiny epsilon: 4/5 computed as 1 - 1/5 must count as 0.8
    return similarity(a, b) >= THRESHOLD - 1e-9;
  }

  function texts(list) {
    return (Array.isArray(list) ? list : []).map(function (entry) {
      return entry !== null && typeof entry === "object" ? String(entry.text === undefined ? "" : entry.text) : String(entry);
    });
  }

  function correctFlags(list) {
    return (Array.isArray(list) ? list : []).map(function (entry) {
      return !!(entry !== null && typeof entry === "object" && entry.correct === true);
    });
  }

  function sameSet(a, b) {
    var x = a.slice().sort();
    var y = b.slice().sort();
    if (x.length !== y.length) return false;
    for (var i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }

  function unique(list) {
    var out = [];
    list.forEach(function (item) { if (out.indexOf(item) === -1) out.push(item); });
    return out;
  }

  /* Same length, and every entry is (a small edit of) the one at its position: similar enough,
   * and no other old entry is a better match (so two near-identical entries that swapped
   * places are not mistaken for typo fixes). */
  function aligned(before, after) {
    if (before.length !== after.length) return false;
    for (var i = 0; i < after.length; i++) {
      var own = similarity(before[i], after[i]);
      if (own < THRESHOLD - 1e-9) return false;
      if (own === 1) continue; // unchanged (the usual case): nothing can match better
      for (var j = 0; j < before.length; j++) {
        if (j !== i && similarity(before[j], after[i]) > own) return false;
      }
    }
    return true;
  }

  function numberOf(value) {
    if (typeof value === "number") return value;
    var n = Number(String(value === undefined || value === null ? "" : value).trim());
    return String(value).trim() !== "" && isFinite(n) ? n : NaN;
  }

  function compareChoices(before, after, scored, out) {
    var old = texts(before.choices);
    var now = texts(after.choices);
    var oldCorrect = correctFlags(before.choices);
    var nowCorrect = correctFlags(after.choices);
    if (old.length !== now.length) {
      out.push(now.length > old.length ? "an answer was added" : "an answer was removed");
      return;
    }
    if (aligned(old, now)) {
      if (scored) {
        for (var i = 0; i < old.length; i++) {
          if (oldCorrect[i] !== nowCorrect[i]) { out.push("the correct answer changed"); return; }
        }
      }
      return;
    }
    // Not a set of small edits in place: the same answers in another order is still fine.
    var oldKeys = old.map(normalise);
    var nowKeys = now.map(normalise);
    if (sameSet(oldKeys, nowKeys)) {
      if (scored) {
        var oldRight = oldKeys.filter(function (_, k) { return oldCorrect[k]; });
        var nowRight = nowKeys.filter(function (_, k) { return nowCorrect[k]; });
        if (!sameSet(unique(oldRight), unique(nowRight))) out.push("the correct answer changed");
      }
      return;
    }
    out.push("the answers were rewritten");
  }

  function differences(before, after) {
    before = before || {};
    after = after || {};
    var out = [];
    if (before.type !== after.type) {
      out.push("the question type changed");
      return out;
    }
    // A blank or unreadable field is not a new meaning: the server refuses it anyway.
    if (normalise(after.text) && !similar(before.text, after.text)) out.push("the question text was rewritten");
    var type = after.type;
    if (CHOICE_TYPES[type]) {
      compareChoices(before, after, type !== "poll", out);
    } else if (type === "truefalse") {
      if ((before.correct !== false) !== (after.correct !== false)) out.push("the correct answer changed");
    } else if (type === "typed") {
      var oldAccepted = unique(texts(before.accepted).map(foldAnswer).filter(Boolean));
      var nowAccepted = unique(texts(after.accepted).map(foldAnswer).filter(Boolean));
      if (!sameSet(oldAccepted, nowAccepted)) out.push("the accepted answers changed");
    } else if (type === "slider") {
      var oldValue = numberOf(before.correct);
      var nowValue = numberOf(after.correct);
      if (!isNaN(oldValue) && !isNaN(nowValue) && oldValue !== nowValue) out.push("the correct value changed");
    } else if (type === "order") {
      var oldItems = texts(before.items);
      var nowItems = texts(after.items);
      if (!aligned(oldItems, nowItems)) {
        out.push(oldItems.length === nowItems.length && sameSet(oldItems.map(normalise), nowItems.map(normalise))
          ? "the correct order changed" : "the items changed");
      }
    }
    return out;
  }

  function meaningChanged(before, after) {
    return differences(before, after).length > 0;
  }

  function answerSummary(spec) {
    spec = spec || {};
    var type = spec.type;
    if (CHOICE_TYPES[type]) {
      var all = texts(spec.choices);
      if (type === "poll") return all.join(" · ");
      var flags = correctFlags(spec.choices);
      var right = all.filter(function (_, i) { return flags[i]; });
      return right.length ? right.join(" · ") : "none marked correct";
    }
    if (type === "truefalse") return spec.correct === false ? "False" : "True";
    if (type === "typed") return texts(spec.accepted).join(" · ");
    if (type === "slider") return String(spec.correct === undefined ? "" : spec.correct) + (spec.unit ? " " + spec.unit : "");
    if (type === "order") return texts(spec.items).join(" → ");
    return "";
  }

  // --------------------------------------------------------------- dialog
  var TYPE_NAMES = {
    single: "Single choice", multi: "Multiple select", truefalse: "True / false", typed: "Type the answer",
    slider: "Slider", order: "Ordering", poll: "Poll",
  };

  var el = window.quizroom.el;

  var seq = 0;
  var open = null; // the dialog on screen, if any

  function compareTable(change) {
    var before = change.before || {};
    var after = change.after || {};
    var rows = [["Question", before.text, after.text]];
    if (before.type !== after.type) {
      rows.push(["Type", TYPE_NAMES[before.type] || before.type, TYPE_NAMES[after.type] || after.type]);
    }
    var label = after.type === "poll" ? "Answers" : after.type === "order" ? "Correct order"
      : after.type === "typed" ? "Accepted answers" : "Correct answer";
    rows.push([label, answerSummary(before), answerSummary(after)]);
    var body = el("tbody", {});
    rows.forEach(function (row) {
      body.appendChild(el("tr", {}, el("th", { scope: "row", text: row[0] }),
        el("td", { text: String(row[1] === undefined || row[1] === null ? "" : row[1]) }),
        el("td", { text: String(row[2] === undefined || row[2] === null ? "" : row[2]) })));
    });
    return el("div", { "class": "table-wrap identity-compare" },
      el("table", { "class": "data" },
        el("thead", {}, el("tr", {}, el("td", {}), el("th", { scope: "col", text: "Before" }),
          el("th", { scope: "col", text: "Now" }))),
        body));
  }

  /* changes: [{uid, label ("Question 2"), before: spec, after: spec, reasons: [...]}]
   * options: {saveLabel: "Save deck", noun: "deck"} */
  function ask(changes, options) {
    options = options || {};
    if (open) return Promise.resolve(null);
    if (!changes.length) return Promise.resolve({});
    var opener = document.activeElement;
    var id = "identity-" + (++seq);
    var noun = options.noun || "deck";
    var title = el("h2", { id: id + "-title", text: changes.length === 1
      ? "Is this still the same question?" : "Are these still the same questions?" });
    var intro = el("p", { id: id + "-intro", text: (changes.length === 1
      ? "You changed what this question asks or what its answer is. "
      : "You changed what these " + changes.length + " questions ask or what their answers are. ") +
      "Results and retention follow a question from session to session: keep its history when it is the same " +
      "question reworded, or start a fresh history when it is a different question." });
    var error = el("p", { "class": "field-error", id: id + "-error", role: "alert", hidden: true });
    var list = el("div", { "class": "identity-list" });
    var groups = [];
    changes.forEach(function (change, n) {
      var name = id + "-q" + n;
      var legend = el("legend", { text: change.label });
      var reasons = el("p", { "class": "hint", id: name + "-why",
        text: "What changed: " + (change.reasons && change.reasons.length ? change.reasons.join("; ") : "its meaning") + "." });
      var same = el("input", { type: "radio", name: name, id: name + "-same", value: "same" });
      var fresh = el("input", { type: "radio", name: name, id: name + "-new", value: "new" });
      var fieldset = el("fieldset", { "class": "identity-question", "aria-describedby": name + "-why" },
        legend, reasons, compareTable(change),
        el("div", { "class": "field field-check" }, same,
          el("label", { "for": same.id, text: "Same question — keep its history" })),
        el("div", { "class": "field field-check" }, fresh,
          el("label", { "for": fresh.id, text: "New question — start a fresh history" })));
      [same, fresh].forEach(function (radio) {
        radio.addEventListener("change", function () {
          fieldset.classList.remove("invalid");
          if (groups.every(function (g) { return g.choice(); })) error.hidden = true;
        });
      });
      groups.push({ uid: change.uid, fieldset: fieldset, first: same, choice: function () {
        return same.checked ? "same" : fresh.checked ? "new" : null;
      } });
      list.appendChild(fieldset);
    });
    var save = el("button", { type: "submit", value: "save", "class": "button button-primary", id: id + "-save",
      text: options.saveLabel || "Save " + noun });
    var cancel = el("button", { type: "submit", value: "cancel", "class": "button", id: id + "-cancel",
      formnovalidate: true, text: "Cancel" });
    var form = el("form", { method: "dialog", novalidate: true }, title, intro, error, list,
      el("div", { "class": "actions" }, save, cancel));
    var dialog = el("dialog", { "class": "identity-dialog", id: id, "aria-labelledby": title.id,
      "aria-describedby": intro.id }, form);

    return new Promise(function (resolve) {
      function finish(result) {
        open = null;
        dialog.remove();
        if (opener && opener.focus && document.contains(opener)) opener.focus();
        resolve(result);
      }
      if (typeof dialog.showModal !== "function") { // very old browsers: ask one by one
        var fallback = {};
        changes.forEach(function (change) {
          fallback[change.uid] = window.confirm(change.label + ": is it still the same question?\n\nOK: same " +
            "question, keep its history. Cancel: new question, start a fresh history.") ? "same" : "new";
        });
        resolve(fallback);
        return;
      }
      form.addEventListener("submit", function (event) {
        var submitter = event.submitter;
        if (submitter && submitter.value === "cancel") return; // closes with returnValue "cancel"
        var missing = groups.filter(function (g) { return !g.choice(); });
        if (!missing.length) return;
        event.preventDefault();
        missing.forEach(function (g) { g.fieldset.classList.add("invalid"); });
        error.textContent = missing.length === groups.length && groups.length > 1
          ? "Choose “same question” or “new question” for each question before saving."
          : "Choose “same question” or “new question” for " + missing.map(function (g) {
            return g.fieldset.querySelector("legend").textContent;
          }).join(", ") + " before saving.";
        error.hidden = false;
        missing[0].first.focus();
      });
      dialog.addEventListener("close", function () {
        if (dialog.returnValue !== "save") { finish(null); return; }
        var decisions = {};
        groups.forEach(function (g) { decisions[g.uid] = g.choice(); });
        finish(decisions);
      });
      dialog.addEventListener("cancel", function () { dialog.returnValue = "cancel"; }); // Escape
      document.body.appendChild(dialog);
      open = dialog;
      dialog.returnValue = "";
      dialog.showModal();
      groups[0].first.focus();
    });
  }

  // ------------------------------------------------------------- editors
  /* Entries with a uid whose meaning changed since they were loaded (and not yet answered
   * "same question" for this very version), as ask() takes them. */
  function changedEntries(entries, specs, options) {
    var out = [];
    entries.forEach(function (entry, i) {
      var spec = specs[i];
      if (options.include && !options.include(entry)) return;
      if (!entry.uid || !entry.origin || entry.origin.uid !== entry.uid) return;
      if (entry.confirmed === JSON.stringify(spec)) return;
      var reasons = differences(entry.origin, spec);
      if (reasons.length) {
        out.push({ index: i, uid: entry.uid, label: options.label + " " + (i + 1), before: entry.origin, after: spec,
          reasons: reasons });
      }
    });
    return out;
  }

  function confirmChanges(entries, specs, options) {
    var changed = changedEntries(entries, specs, options);
    if (!changed.length) return null;
    options.status("Not saved yet: answer the question in the dialog", "busy");
    return ask(changed, { saveLabel: options.saveLabel, noun: options.noun }).then(function (decisions) {
      if (!decisions) {
        options.status("Not saved: cancelled. Unsaved changes", "dirty");
        return false;
      }
      changed.forEach(function (change) {
        var entry = entries[change.index];
        var spec = specs[change.index];
        if (decisions[change.uid] === "new") {
          delete spec.uid; // the server gives it a new one: a fresh history
          entry.uid = null;
          entry.origin = null;
          if (options.forget) options.forget(entry);
        } else {
          entry.confirmed = JSON.stringify(spec);
        }
      });
      return true;
    });
  }

  window.quizroom = window.quizroom || {};
  window.quizroom.identity = {
    THRESHOLD: THRESHOLD,
    normalise: normalise,
    similarity: similarity,
    differences: differences,
    meaningChanged: meaningChanged,
    answerSummary: answerSummary,
    ask: ask,
    confirmChanges: confirmChanges,
    isOpen: function () { return !!open; },
  };
})();
