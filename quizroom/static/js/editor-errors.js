/* What the deck editor (editor.js) and the agenda editor (plan-editor.js) show when the
 * server's validator refuses a save: a message under each field it names (linked with
 * aria-describedby, the field marked aria-invalid) and a summary above the form whose
 * entries jump to the field. Needs common.js (quizroom.el).
 *
 *   var errors = quizroom.editorErrors({
 *     form, summary, summaryTitle, summaryList,   the editor's nodes
 *     noun,          "deck", "plan": "The deck was not saved"
 *     document,      "Deck", "Plan": the name of the empty path
 *     rows,          the document's list ("questions", "activities"); its entries are
 *     rowLabel,        called rowLabel N ("Question 3", "Item 3")
 *     words,         a path's other parts as a trainer calls them ("time_limit": "time limit")
 *     rowWords,      numbered entries of inner lists ("choices": "answer" -> "answer 2")
 *     capitalise,    true: the summary's paths start with a capital
 *     fieldMessage   optional (target, path, message) -> the text put under the field
 *   });
 *   errors.clearField(node)        the field's own message goes, aria restored
 *   errors.addField(node, message) a message under one field (also for client-side checks)
 *   errors.clear()                 every message and the summary
 *   errors.show(list, maps)        the server's [{path, message}]; maps: per row, the editor's
 *                                  row index of each document index (blank rows left out)
 *   errors.problem(message)        one problem that belongs to no field (network, 404)
 *
 * Messages go in as text (quizroom.el), never as HTML.
 */
(function () {
  "use strict";

  function editorErrors(options) {
    var el = window.quizroom.el;
    var form = options.form, summary = options.summary;
    var summaryTitle = options.summaryTitle, summaryList = options.summaryList;
    var seq = 0;

    function clearField(node) {
      var ids = (node.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      var keep = [];
      ids.forEach(function (id) {
        var message = document.getElementById(id);
        if (message && message.classList.contains("field-error") && message.hasAttribute("data-generated")) message.remove();
        else keep.push(id);
      });
      if (keep.length) node.setAttribute("aria-describedby", keep.join(" "));
      else node.removeAttribute("aria-describedby");
      node.removeAttribute("aria-invalid");
      node.classList.remove("invalid");
    }

    function addField(node, message) {
      var id = "err-" + (++seq);
      var p = el("p", { "class": "field-error", id: id, "data-generated": "true" }, el("span", { "class": "visually-hidden", text: "Error: " }), message);
      if (node.tagName === "FIELDSET") {
        var legend = node.querySelector("legend");
        if (legend && legend.nextSibling) node.insertBefore(p, legend.nextSibling);
        else node.appendChild(p);
      } else if (node.tagName === "LI" || node.tagName === "DIV") {
        node.insertBefore(p, node.firstChild);
      } else {
        var holder = node.closest(".field") || node;
        holder.appendChild(p);
        node.setAttribute("aria-invalid", "true");
      }
      var described = (node.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      described.push(id);
      node.setAttribute("aria-describedby", described.join(" "));
      node.classList.add("invalid");
      return id;
    }

    function clear() {
      form.querySelectorAll("[aria-describedby], .invalid").forEach(clearField);
      form.querySelectorAll(".field-error[data-generated]").forEach(function (p) { p.remove(); });
      summary.hidden = true;
      summaryList.textContent = "";
    }

    /* Map a server path (document indexes) to the editor's rows (blank rows were left out). */
    function editorPath(path, maps) {
      var parts = path.split(".");
      if (parts[0] === options.rows && parts.length >= 4) {
        var rows = maps[Number(parts[1])] && maps[Number(parts[1])][parts[2]];
        if (rows && /^\d+$/.test(parts[3]) && rows[Number(parts[3])] !== undefined) parts[3] = String(rows[Number(parts[3])]);
      }
      return parts.join(".");
    }

    function findTarget(path) {
      var parts = path.split(".");
      while (parts.length) {
        var node = form.querySelector('[data-path="' + parts.join(".") + '"]');
        if (node) return node;
        parts.pop();
      }
      return null;
    }

    function describePath(path) {
      if (!path) return options.document;
      var parts = path.split(".");
      var words = [];
      for (var i = 0; i < parts.length; i++) {
        var next = parts[i + 1];
        if (parts[i] === options.rows && /^\d+$/.test(next || "")) { words.push(options.rowLabel + " " + (Number(next) + 1)); i++; continue; }
        if (options.rowWords[parts[i]] && /^\d+$/.test(next || "")) { words.push(options.rowWords[parts[i]] + " " + (Number(next) + 1)); i++; continue; }
        words.push(options.words[parts[i]] || parts[i]);
      }
      var text = words.join(" › ");
      return options.capitalise ? text.charAt(0).toUpperCase() + text.slice(1) : text;
    }

    function focusable(node) {
      if (!node) return null;
      if (/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(node.tagName)) return node;
      return node.querySelector("input, select, textarea, button") || node;
    }

    function show(errors, maps) {
      clear();
      summaryTitle.textContent = errors.length === 1
        ? "The " + options.noun + " was not saved: there is 1 problem"
        : "The " + options.noun + " was not saved: there are " + errors.length + " problems";
      errors.forEach(function (error) {
        var path = editorPath(String(error.path || ""), maps);
        var target = findTarget(path);
        var message = String(error.message || "is not valid");
        if (target) addField(target, options.fieldMessage ? options.fieldMessage(target, path, message) : message);
        var label = describePath(path) + ": " + message;
        var item = el("li", {});
        var goTo = focusable(target);
        if (goTo) {
          if (!goTo.id) goTo.id = "target-" + (++seq);
          var link = el("a", { href: "#" + goTo.id, text: label });
          link.addEventListener("click", function (event) {
            event.preventDefault();
            goTo.scrollIntoView({ block: "center" });
            goTo.focus();
          });
          item.appendChild(link);
        } else {
          item.textContent = label;
        }
        summaryList.appendChild(item);
      });
      summary.hidden = false;
      summary.focus();
    }

    function problem(message) {
      clear();
      summaryTitle.textContent = "The " + options.noun + " was not saved";
      summaryList.appendChild(el("li", { text: message }));
      summary.hidden = false;
      summary.focus();
    }

    return { clearField: clearField, addField: addField, clear: clear, show: show, problem: problem };
  }

  window.quizroom = Object.assign(window.quizroom || {}, { editorErrors: editorErrors });
})();
