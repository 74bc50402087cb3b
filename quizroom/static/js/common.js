/* quizroom: small helpers shared by the trainer pages (and readable by the live pages).
 *
 *   quizroom.csrfToken()            the token from <meta name="csrf-token">
 *   quizroom.fetchJSON(url, opts)   fetch with the CSRF header; resolves to
 *                                   {ok, status, data} (data: parsed JSON or null);
 *                                   opts: {method, json, body, headers}; rejects only
 *                                   when the network fails
 *   quizroom.escapeHtml(text)       for the rare place that must build HTML (prefer textContent)
 *   quizroom.el(tag, attrs, ...children)  a new element: attrs set as attributes, except `text`
 *                                   (textContent), `value` and `checked` (properties); null,
 *                                   undefined and false attrs and children are left out;
 *                                   string children become text nodes
 *
 * On every page: forms with data-confirm ask before submitting (and then send
 * confirm=yes); <time data-local datetime="..."> shows the moment in the reader's time zone.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function fetchJSON(url, opts) {
    opts = opts || {};
    var headers = Object.assign({ "Accept": "application/json", "X-CSRFToken": csrfToken() }, opts.headers || {});
    var body = opts.body;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    }
    return fetch(url, {
      method: opts.method || (body ? "POST" : "GET"),
      headers: headers,
      body: body,
      credentials: "same-origin",
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var parse = type.indexOf("application/json") !== -1
        ? response.json().catch(function () { return null; })
        : Promise.resolve(null);
      return parse.then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "text") node.textContent = value;
        else if (name === "value") node.value = value;
        else if (name === "checked") node.checked = !!value;
        else node.setAttribute(name, value === true ? "" : value);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  var HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (ch) { return HTML_ESCAPES[ch]; });
  }

  function setUpConfirmForms() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        return;
      }
      var field = form.querySelector('input[name="confirm"]');
      if (field) field.value = "yes";
    });
  }

  function localiseTimes() {
    var format;
    try {
      format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    } catch (error) {
      return;
    }
    document.querySelectorAll("time[data-local]").forEach(function (node) {
      var when = new Date(node.getAttribute("datetime"));
      if (!isNaN(when.getTime())) node.textContent = format.format(when);
    });
  }

  window.quizroom = Object.assign(window.quizroom || {}, {
    csrfToken: csrfToken,
    fetchJSON: fetchJSON,
    escapeHtml: escapeHtml,
    el: el,
  });

  setUpConfirmForms();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", localiseTimes);
  } else {
    localiseTimes();
  }
})();
