/* Answer shapes and colours, shared by the stage and the phones.
 *
 * Choice i always has the same shape, colour and name on every screen, so people can
 * match the projector to their phone without relying on colour: triangle, diamond,
 * circle, square, star, hexagon. Icons are inline SVG built with DOM calls (no HTML
 * strings), so nothing here can inject markup.
 */
(function (global) {
  "use strict";

  var NS = "http://www.w3.org/2000/svg";

  var SHAPES = [
    { name: "triangle", colour: "red", d: "M12 2.5 22.5 21H1.5Z" },
    { name: "diamond", colour: "blue", d: "M12 1.5 22.5 12 12 22.5 1.5 12Z" },
    { name: "circle", colour: "yellow", d: "M12 2a10 10 0 1 0 0.001 0Z" },
    { name: "square", colour: "green", d: "M3 3h18v18H3Z" },
    { name: "star", colour: "purple",
      d: "M12 1.8 14.9 8.6 22.2 9.2 16.6 14 18.3 21.2 12 17.4 5.7 21.2 7.4 14 1.8 9.2 9.1 8.6Z" },
    { name: "hexagon", colour: "teal", d: "M7 2.5h10l5.5 9.5-5.5 9.5H7L1.5 12Z" }
  ];

  var ICONS = {
    tick: "M9.2 16.6 4.9 12.3 3.5 13.7 9.2 19.4 21 7.6 19.6 6.2Z",
    cross: "M18.3 5.7 16.9 4.3 12 9.2 7.1 4.3 5.7 5.7 10.6 10.6 5.7 15.5 7.1 16.9 12 12 16.9 16.9 18.3 15.5 13.4 10.6Z",
    partial: ["M12 2a10 10 0 1 0 0.001 0Zm0 2a8 8 0 1 1-0.001 0Z", "M12 6v12a6 6 0 0 0 0-12Z"],
    clock: ["M12 2a10 10 0 1 0 0.001 0Zm0 2a8 8 0 1 1-0.001 0Z", "M11 6v7l5.2 3.1 1-1.6-4.2-2.5V6Z"],
    pause: "M6 4h4v16H6Zm8 0h4v16h-4Z",
    lock: "M12 1.5a5 5 0 0 0-5 5V9H5v13h14V9h-2V6.5a5 5 0 0 0-5-5Zm0 2a3 3 0 0 1 3 3V9H9V6.5a3 3 0 0 1 3-3Z",
    flame: "M13.5 1.5s1 3.1-1.4 6.2C10.3 10 8 11.4 8 15a4 4 0 0 0 8 0c0-1.4-.6-2.6-1.2-3.4 2.6.9 4.2 3.2 4.2 5.9a7 7 0 0 1-14 0c0-4.6 3-7 5-9.3 2.6-2.9 3.5-5.7 3.5-6.7Z",
    up: "M12 5 4 13h5v6h6v-6h5Z",
    down: "M12 19 4 11h5V5h6v6h5Z",
    person: "M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9Zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5Z"
  };

  function svg(d, label, className) {
    var el = document.createElementNS(NS, "svg");
    el.setAttribute("viewBox", "0 0 24 24");
    el.setAttribute("class", className || "icon");
    el.setAttribute("focusable", "false");
    if (label) {
      el.setAttribute("role", "img");
      el.setAttribute("aria-label", label);
    } else {
      el.setAttribute("aria-hidden", "true");
    }
    (Array.isArray(d) ? d : [d]).forEach(function (part) {
      var path = document.createElementNS(NS, "path");
      path.setAttribute("d", part);
      path.setAttribute("fill", "currentColor");
      path.setAttribute("fill-rule", "evenodd");
      el.appendChild(path);
    });
    return el;
  }

  function info(index) {
    return SHAPES[((index % SHAPES.length) + SHAPES.length) % SHAPES.length];
  }

  global.QuizShapes = {
    count: SHAPES.length,
    info: info,
    /** Name of the shape of choice `index` ("triangle"). */
    name: function (index) { return info(index).name; },
    /** CSS class carrying the colour of choice `index` ("choice-red"). */
    colourClass: function (index) { return "choice-" + info(index).colour; },
    /** The shape icon; pass a label to expose it to assistive tech, else it is hidden. */
    shape: function (index, label) {
      return svg(info(index).d, label, "icon shape shape-" + info(index).name);
    },
    /** A named icon: tick, cross, partial, clock, pause, lock, flame, up, down, person. */
    icon: function (name, label) { return svg(ICONS[name], label, "icon icon-" + name); }
  };
})(window);
