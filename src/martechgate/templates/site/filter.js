// Live filtering of the tool table. Without this script the page shows every tool, and the
// "Browse by" links lead to pre-built filtered pages. Text is only ever set with textContent.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("tools");
  if (!form || !table) { return; }
  var tools = JSON.parse(document.getElementById("tool-data").textContent).tools;
  var byKey = {};
  tools.forEach(function (tool) { byKey[tool.key] = tool; });
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var count = document.getElementById("count");
  var none = document.getElementById("none");
  var fields = ["category", "status", "data", "owner", "risk", "declared"];

  function has(value, wanted) {
    return Array.isArray(value) ? value.indexOf(wanted) >= 0 : value === wanted;
  }

  function matches(tool, query, chosen) {
    if (!tool) { return false; }
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    for (var i = 0; i < words.length; i++) {
      if (tool.text.indexOf(words[i]) < 0) { return false; }
    }
    return fields.every(function (name) { return !chosen[name] || has(tool[name], chosen[name]); });
  }

  function apply() {
    var query = form.elements.q.value;
    var chosen = {};
    var params = new URLSearchParams();
    if (query) { params.set("q", query); }
    fields.forEach(function (name) {
      chosen[name] = form.elements[name].value;
      if (chosen[name]) { params.set(name, chosen[name]); }
    });
    var shown = 0;
    rows.forEach(function (row) {
      var visible = matches(byKey[row.getAttribute("data-key")], query, chosen);
      row.hidden = !visible;
      if (visible) { shown++; }
    });
    count.textContent = shown + " of " + rows.length + " tools shown.";
    none.hidden = shown > 0;
    try {  // keep the filters in the address, so a filtered view can be shared
      var search = params.toString();
      history.replaceState(null, "", search ? "?" + search : location.pathname);
    } catch (e) { /* file:// pages may refuse; filtering still works */ }
  }

  var initial = new URLSearchParams(location.search);
  form.elements.q.value = initial.get("q") || "";
  fields.forEach(function (name) {
    var select = form.elements[name];
    var wanted = initial.get(name) || "";
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === wanted) { select.selectedIndex = i; }
    }
  });
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  apply();
}());
