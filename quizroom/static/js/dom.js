/* Small DOM and number helpers shared by the stage and the phone page.
 * User text only ever goes in through textContent (the "text" attribute of el). */
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) { return; }
        if (name === "text") { node.textContent = value; }
        else if (name === "className") { node.className = value; }
        else { node.setAttribute(name, value === true ? "" : value); }
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function show(node, visible) { node.hidden = !visible; }

  /** A score or count; fractions keep at most `digits` decimals. */
  function number(n, digits) {
    if (n === null || n === undefined) { return "–"; }
    if (typeof n === "number" && !Number.isInteger(n)) {
      return n.toLocaleString(undefined, { maximumFractionDigits: digits === undefined ? 2 : digits });
    }
    return Number(n).toLocaleString();
  }

  /** Numbers on a slider's scale: years read "2005", big numbers get separators. */
  function value(n) {
    if (n === null || n === undefined) { return "–"; }
    return Number(n).toLocaleString(undefined, { maximumFractionDigits: 2, useGrouping: Math.abs(n) >= 10000 });
  }

  function ordinal(n) {
    var s = ["th", "st", "nd", "rd"], v = n % 100;
    return n + (s[(v - 20) % 10] || s[v] || s[0]);
  }

  /** "1 vote", "3 votes" (the count formatted like number()). */
  function count(n, one, many) { return number(n) + " " + (n === 1 ? one : many); }

  /** Whole percentage of n in total (0 when total is 0). */
  function percent(n, total) { return total > 0 ? Math.round((100 * n) / total) : 0; }

  /**
   * Replace what `container` shows with what `build()` puts in it, and keep the person's
   * place: the control that had focus (found again by its data-key), the text in it and
   * the caret. Live updates arrive several times a second; without this a keyboard user
   * would be thrown back to the top of the page on every vote.
   */
  function rebuild(container, build) {
    var active = document.activeElement;
    var inside = !!active && active !== container && container.contains(active);
    var key = null, text = null, start = null, end = null;
    if (inside) {
      key = active.getAttribute("data-key");
      if (key && (active.tagName === "INPUT" || active.tagName === "TEXTAREA") &&
          active.type !== "checkbox" && active.type !== "radio") {
        text = active.value;
        try { start = active.selectionStart; end = active.selectionEnd; } catch (e) { /* number inputs */ }
      }
    }
    clear(container);
    build(container);
    if (!inside) { return; }
    var target = null;
    if (key) {
      container.querySelectorAll("[data-key]").forEach(function (node) {
        if (!target && node.getAttribute("data-key") === key) { target = node; }
      });
    }
    if (target && !target.disabled && !target.closest("[hidden]")) {
      if (text !== null && "value" in target) { target.value = text; }
      target.focus({ preventScroll: true });
      if (start !== null) { try { target.setSelectionRange(start, end); } catch (e) { /* not text */ } }
      return;
    }
    // The control went away (the note was deleted, voting closed): land on the heading,
    // not on <body>, so a screen reader stays in the activity.
    var section = container.closest("section");
    var heading = section && section.querySelector("h1");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
  }

  /** A "12 / 280" counter under a text field, read out only when the limit is near. */
  function counter(field, max) {
    var node = el("span", { className: "char-count", "aria-hidden": "true" });
    var near = el("span", { className: "sr-only", "aria-live": "polite" });
    var said = false;
    function draw() {
      var used = field.value.length;
      node.textContent = used + " / " + max;
      node.classList.toggle("is-near", used > max * 0.9);
      if (used > max * 0.9 && !said) { near.textContent = (max - used) + " characters left"; said = true; }
      if (used <= max * 0.9) { said = false; near.textContent = ""; }
    }
    field.addEventListener("input", draw);
    draw();
    var wrap = el("span", { className: "char-counter" }, [node, near]);
    wrap.redraw = draw;
    return wrap;
  }

  /** An inline SVG icon from path data (24x24 box), built with DOM calls; hidden unless labelled. */
  function svg(d, label, className) {
    var NS = "http://www.w3.org/2000/svg";
    var node = document.createElementNS(NS, "svg");
    node.setAttribute("viewBox", "0 0 24 24");
    node.setAttribute("class", className || "icon");
    node.setAttribute("focusable", "false");
    if (label) { node.setAttribute("role", "img"); node.setAttribute("aria-label", label); }
    else { node.setAttribute("aria-hidden", "true"); }
    (Array.isArray(d) ? d : [d]).forEach(function (part) {
      var path = document.createElementNS(NS, "path");
      path.setAttribute("d", part);
      path.setAttribute("fill", "currentColor");
      path.setAttribute("fill-rule", "evenodd");
      node.appendChild(path);
    });
    return node;
  }

  window.Dom = { el: el, clear: clear, show: show, number: number, value: value, ordinal: ordinal,
                 count: count, percent: percent, rebuild: rebuild, counter: counter, svg: svg };
})();
