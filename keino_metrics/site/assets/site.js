// Draws the charts of a page and runs the buyer search. No network access.
(function () {
  "use strict";
  document.querySelectorAll("div.chart").forEach(function (el) {
    var spec = document.getElementById(el.id + "-spec");
    if (!spec || typeof Plotly === "undefined") { return; }
    var fig = JSON.parse(spec.textContent);
    Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false, displayModeBar: false});
  });

  var box = document.getElementById("search-box");
  var list = document.getElementById("search-results");
  var buyers = window.KEINO_BUYERS || [];
  var body = document.body;
  var base = body.getAttribute("data-root") + body.getAttribute("data-lang") + "/";
  function fold(s) {
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  var folded = buyers.map(function (b) { return fold(b[0] + " " + b[1]); });
  function show(query) {
    list.innerHTML = "";
    var q = fold(query.trim());
    if (!q) { return; }
    var hits = 0;
    for (var i = 0; i < buyers.length && hits < 20; i++) {
      if (folded[i].indexOf(q) === -1) { continue; }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = base + buyers[i][2];
      a.textContent = buyers[i][1] + " (" + buyers[i][0] + ")";
      li.appendChild(a);
      list.appendChild(li);
      hits++;
    }
    if (!hits) {
      var none = document.createElement("li");
      none.textContent = body.getAttribute("data-none");
      list.appendChild(none);
    }
  }
  if (!box) { return; }
  box.addEventListener("input", function () { show(box.value); });
  box.addEventListener("keydown", function (e) {
    var first = list.querySelector("a");
    if (e.key === "Enter" && first) { window.location.href = first.href; }
    if (e.key === "ArrowDown" && first) { e.preventDefault(); first.focus(); }
    if (e.key === "Escape") { list.innerHTML = ""; }
  });
  list.addEventListener("keydown", function (e) {
    var a = document.activeElement;
    if (!a || a.tagName !== "A") { return; }
    var li = a.parentNode;
    if (e.key === "ArrowDown" && li.nextSibling) { e.preventDefault(); li.nextSibling.firstChild.focus(); }
    if (e.key === "ArrowUp") {
      e.preventDefault();
      if (li.previousSibling) { li.previousSibling.firstChild.focus(); } else { box.focus(); }
    }
    if (e.key === "Escape") { list.innerHTML = ""; box.focus(); }
  });
})();
