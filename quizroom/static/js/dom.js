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

  window.Dom = { el: el, clear: clear, show: show, number: number, value: value, ordinal: ordinal };
})();
