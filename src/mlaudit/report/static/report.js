(function () {
  "use strict";
  // Sortable tables: click (or Enter on) a header to sort its rows; numbers by data-sort.
  function cellKey(row, i) {
    var cell = row.cells[i];
    if (!cell) { return { num: NaN, text: "" }; }
    var key = cell.getAttribute("data-sort");
    var num = key === null || key === "" ? NaN : Number(key);
    return { num: num, text: (key !== null && key !== "" ? key : cell.textContent).trim() };
  }
  function compare(a, b) {
    var an = !isNaN(a.num), bn = !isNaN(b.num);
    if (an && bn) { return a.num - b.num; }
    if (an !== bn) { return an ? -1 : 1; }
    return a.text.localeCompare(b.text, undefined, { numeric: true, sensitivity: "base" });
  }
  function sortBy(table, th) {
    var i = Array.prototype.indexOf.call(th.parentNode.cells, th);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (r, n) {
      return { row: r, key: cellKey(r, i), n: n };
    });
    rows.sort(function (x, y) { var c = compare(x.key, y.key); return (asc ? c : -c) || x.n - y.n; });
    rows.forEach(function (x) { body.appendChild(x.row); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.tabIndex = 0;
      th.title = "Sort by this column";
      th.addEventListener("click", function () { sortBy(table, th); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, th); }
      });
    });
  });
  // Open the target card when following a link from the summary.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  // Print everything, collapsed cards included.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
