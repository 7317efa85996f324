// Client-side search: matches the words typed against the page set's index (search-index.js,
// a script rather than a JSON file so it loads from file:// too) and lists the procedures found.
(function () {
  "use strict";
  var box = document.getElementById("search");
  var list = document.getElementById("results");
  var index = window.SOPFLOW_SEARCH || [];
  if (!box || !list) return;
  box.addEventListener("input", function () {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    list.hidden = words.length === 0;
    if (list.hidden) return;
    var hits = index.filter(function (entry) {
      var text = (entry.title + " " + entry.id + " " + entry.family + " " + entry.text).toLowerCase();
      return words.every(function (word) { return text.indexOf(word) >= 0; });
    });
    hits.slice(0, 20).forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = entry.url;
      link.textContent = entry.title;
      var id = document.createElement("small");
      id.textContent = entry.id;
      item.append(link, id);
      list.append(item);
    });
    if (hits.length === 0) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = list.dataset.empty;
      list.append(none);
    }
  });
  box.addEventListener("keydown", function (event) {
    var first = list.querySelector("a");
    if (event.key === "Enter" && first) window.location.href = first.href;
    if (event.key === "Escape") { box.value = ""; list.hidden = true; }
  });
})();
